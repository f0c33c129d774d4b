package types

import (
	"math"
	"net/url"
	"unicode"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// ValidateURI checks a URI field: a URL with a scheme, no whitespace or
// control characters, at most MaxURILength bytes; empty only if optional.
func ValidateURI(field, s string, optional bool) error {
	if s == "" {
		if optional {
			return nil
		}
		return errorsmod.Wrapf(ErrInvalidURI, "%s is required", field)
	}
	if len(s) > MaxURILength {
		return errorsmod.Wrapf(ErrFieldTooLong, "%s is %d bytes, at most %d", field, len(s), MaxURILength)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return errorsmod.Wrapf(ErrInvalidURI, "%s contains whitespace or control characters", field)
		}
	}
	if u, err := url.Parse(s); err != nil || u.Scheme == "" {
		return errorsmod.Wrapf(ErrInvalidURI, "%s %q: want a URL with a scheme", field, s)
	}
	return nil
}

// ValidateHash checks a sha256 field.
func ValidateHash(field string, h []byte) error {
	if len(h) != HashLength {
		return errorsmod.Wrapf(ErrInvalidHash, "%s is %d bytes", field, len(h))
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
