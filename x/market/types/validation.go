package types

import (
	"errors"
	"math"
	"unicode"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/types/content"
)

// ValidateURI checks a URI field against the chain-wide rules
// (types/content); empty only if optional.
func ValidateURI(field, s string, optional bool) error {
	if s == "" {
		if optional {
			return nil
		}
		return errorsmod.Wrapf(ErrInvalidURI, "%s is required", field)
	}
	if err := content.CheckURI(s); err != nil {
		if errors.Is(err, content.ErrTooLong) {
			return errorsmod.Wrapf(ErrFieldTooLong, "%s %s", field, err)
		}
		return errorsmod.Wrapf(ErrInvalidURI, "%s %s", field, err)
	}
	return nil
}

// ValidateHash checks a sha256 field.
func ValidateHash(field string, h []byte) error {
	if err := content.CheckHash(h); err != nil {
		return errorsmod.Wrapf(ErrInvalidHash, "%s %s", field, err)
	}
	return nil
}

// ValidateTitle checks a title.
func ValidateTitle(field, s string, required bool) error {
	if s == "" && required {
		return errorsmod.Wrapf(ErrFieldTooLong, "%s is required", field)
	}
	if len(s) > MaxTitleLength {
		return errorsmod.Wrapf(ErrFieldTooLong, "%s is %d bytes, at most %d", field, len(s), MaxTitleLength)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return errorsmod.Wrapf(ErrFieldTooLong, "%s contains control characters", field)
		}
	}
	return nil
}

// maxPrice keeps prices within a fixed-width index key (uint64) with room
// for sums of milestones.
var maxPrice = sdkmath.NewIntFromUint64(math.MaxInt64)

// ValidatePrice checks a positive, valid coin that fits the price index.
func ValidatePrice(field string, c sdk.Coin) error {
	if err := c.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidPrice, "%s: %s", field, err)
	}
	if !c.IsPositive() {
		return errorsmod.Wrapf(ErrInvalidPrice, "%s must be positive", field)
	}
	if c.Amount.GT(maxPrice) {
		return errorsmod.Wrapf(ErrInvalidPrice, "%s above %s", field, maxPrice)
	}
	return nil
}

// ValidateScore checks a 0-100 score.
func ValidateScore(field string, s uint32) error {
	if s > MaxScore {
		return errorsmod.Wrapf(ErrInvalidScore, "%s is %d", field, s)
	}
	return nil
}

// BuildMilestones turns milestone specs into a job's milestones: empty
// specs make one milestone for the whole price; otherwise the amounts must
// be positive, in the price's denom, and add up to the price exactly.
func BuildMilestones(specs []MilestoneSpec, price sdk.Coin, maxCount uint32) ([]Milestone, error) {
	if len(specs) == 0 {
		return []Milestone{{Title: "whole job", Amount: price}}, nil
	}
	if uint32(len(specs)) > maxCount {
		return nil, errorsmod.Wrapf(ErrInvalidMilestones, "%d milestones, at most %d", len(specs), maxCount)
	}
	sum := sdkmath.ZeroInt()
	out := make([]Milestone, len(specs))
	for i, s := range specs {
		if err := ValidateTitle("milestone title", s.Title, false); err != nil {
			return nil, err
		}
		if s.Amount.Denom != price.Denom {
			return nil, errorsmod.Wrapf(ErrInvalidMilestones, "milestone %d is in %s, the price in %s", i, s.Amount.Denom, price.Denom)
		}
		if s.Amount.Amount.IsNil() || !s.Amount.Amount.IsPositive() {
			return nil, errorsmod.Wrapf(ErrInvalidMilestones, "milestone %d amount must be positive", i)
		}
		sum = sum.Add(s.Amount.Amount)
		out[i] = Milestone{Title: s.Title, Amount: s.Amount}
	}
	if !sum.Equal(price.Amount) {
		return nil, errorsmod.Wrapf(ErrInvalidMilestones, "milestones add up to %s%s, the price is %s", sum, price.Denom, price)
	}
	return out, nil
}

// ValidateRequestID checks a purchase's request id: 1 to 64 bytes of
// A-Z a-z 0-9 . _ : - (a UUID, a ULID or a hash in hex all fit).
func ValidateRequestID(id string) error {
	if id == "" || len(id) > MaxRequestIDLength {
		return errorsmod.Wrapf(ErrInvalidRequestID, "%d bytes", len(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-'
		if !ok {
			return errorsmod.Wrapf(ErrInvalidRequestID, "byte %d is %q", i, c)
		}
	}
	return nil
}
