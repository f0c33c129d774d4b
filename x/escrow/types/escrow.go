package types

import (
	"fmt"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Payment is one output of a release by an owning module: to an account,
// or to a module account by name (e.g. the fee collector, which as a module
// account can only be paid module-to-module).
type Payment struct {
	Recipient sdk.AccAddress
	Module    string
	Amount    sdk.Coins
}

// Remaining is what the escrow still holds: amount - released - refunded.
func (e Escrow) Remaining() sdk.Coins {
	out, neg := e.Amount.SafeSub(e.Released...)
	if neg {
		return sdk.NewCoins()
	}
	out, neg = out.SafeSub(e.Refunded...)
	if neg {
		return sdk.NewCoins()
	}
	return out
}

// IsDirect reports whether the escrow is moved by its parties' messages
// rather than by an owning module.
func (e Escrow) IsDirect() bool { return e.OwnerModule == "" }

// ValidateAmount checks that coins are a valid, sorted, duplicate-free set
// of positive amounts in allowed denoms.
func ValidateAmount(field string, coins sdk.Coins, p Params) error {
	if len(coins) == 0 {
		return errorsmod.Wrapf(ErrInvalidAmount, "%s is empty", field)
	}
	if err := coins.Validate(); err != nil {
		return errorsmod.Wrapf(ErrInvalidAmount, "%s: %s", field, err)
	}
	for _, c := range coins {
		if !p.DenomAllowed(c.Denom) {
			return errorsmod.Wrapf(ErrDenomNotAllowed, "%s: %s (allowed: %v)", field, c.Denom, p.AllowedDenoms)
		}
	}
	return nil
}

// ValidatePart checks an optional partial amount: empty means all that
// remains; otherwise it must be valid and at most what remains.
func ValidatePart(amount, remaining sdk.Coins) (sdk.Coins, error) {
	if len(amount) == 0 {
		return remaining, nil
	}
	if err := amount.Validate(); err != nil {
		return nil, errorsmod.Wrapf(ErrInvalidAmount, "%s", err)
	}
	if !amount.IsAllLTE(remaining) {
		return nil, errorsmod.Wrapf(ErrInsufficientEscrow, "%s requested, %s remains", amount, remaining)
	}
	return amount, nil
}

// SplitShare divides what remains after fees between payee and payer:
// fees come off first (they must fit in remaining); the payee's share
// rounds down per denom, and whatever rounding leaves goes to the payer. So
// the parts always add up to exactly remaining and nothing is ever paid out
// that the escrow does not hold.
func SplitShare(remaining, fees sdk.Coins, payeeShareBps uint32) (payee, payer sdk.Coins, err error) {
	if payeeShareBps > BasisPoints {
		return nil, nil, errorsmod.Wrapf(ErrInvalidShare, "%d", payeeShareBps)
	}
	rest, neg := remaining.SafeSub(fees...)
	if neg {
		return nil, nil, errorsmod.Wrapf(ErrInsufficientEscrow, "fees %s exceed what remains (%s)", fees, remaining)
	}
	payee = sdk.NewCoins()
	for _, c := range rest {
		share := c.Amount.Mul(sdkmath.NewIntFromUint64(uint64(payeeShareBps))).Quo(sdkmath.NewInt(BasisPoints))
		payee = payee.Add(sdk.NewCoin(c.Denom, share))
	}
	payer = rest.Sub(payee...)
	return payee, payer, nil
}

// FeeOf returns bps basis points of coins, rounded down per denom.
func FeeOf(coins sdk.Coins, bps uint32) sdk.Coins {
	out := sdk.NewCoins()
	for _, c := range coins {
		out = out.Add(sdk.NewCoin(c.Denom, c.Amount.Mul(sdkmath.NewIntFromUint64(uint64(bps))).Quo(sdkmath.NewInt(BasisPoints))))
	}
	return out
}

// Validate checks an escrow record on its own.
func (e Escrow) Validate() error {
	if e.Id == 0 {
		return fmt.Errorf("id 0")
	}
	if _, err := sdk.AccAddressFromBech32(e.Payer); err != nil {
		return fmt.Errorf("payer: %w", err)
	}
	if e.Payee != "" {
		if _, err := sdk.AccAddressFromBech32(e.Payee); err != nil {
			return fmt.Errorf("payee: %w", err)
		}
		if e.Payee == e.Payer {
			return fmt.Errorf("payer is payee")
		}
	} else if e.IsDirect() {
		return fmt.Errorf("a direct escrow needs a payee")
	}
	if e.Arbiter != "" {
		if _, err := sdk.AccAddressFromBech32(e.Arbiter); err != nil {
			return fmt.Errorf("arbiter: %w", err)
		}
	}
	for name, c := range map[string]sdk.Coins{"amount": e.Amount, "released": e.Released, "refunded": e.Refunded} {
		if err := c.Validate(); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	if e.Amount.IsZero() {
		return fmt.Errorf("amount is zero")
	}
	out := e.Released.Add(e.Refunded...)
	if !out.IsAllLTE(e.Amount) {
		return fmt.Errorf("released + refunded (%s) exceeds amount (%s)", out, e.Amount)
	}
	closed := out.Equal(e.Amount)
	switch e.Status {
	case ESCROW_STATUS_CLOSED:
		if !closed {
			return fmt.Errorf("closed escrow still holds %s", e.Remaining())
		}
	case ESCROW_STATUS_LOCKED, ESCROW_STATUS_DISPUTED:
		if closed {
			return fmt.Errorf("open escrow holds nothing")
		}
		if e.Status == ESCROW_STATUS_DISPUTED && (e.Dispute == nil || !e.IsDirect()) {
			return fmt.Errorf("a disputed escrow must be direct and record its dispute")
		}
	default:
		return fmt.Errorf("unknown status %d", e.Status)
	}
	if !e.IsDirect() && (e.ExpiresHeight != 0 || e.Arbiter != "") {
		return fmt.Errorf("a module-owned escrow has no expiry or arbiter")
	}
	// An expiry passed before a zero-height restart is negative
	// (internal/rebase). A locked escrow cannot carry one (its expiry would
	// have refunded it); a disputed or closed one can: the expiry stopped
	// mattering when the dispute opened.
	if e.ExpiresHeight < 0 && e.Status == ESCROW_STATUS_LOCKED {
		return fmt.Errorf("negative expiry on a locked escrow")
	}
	if len(e.Reference) > MaxReferenceLength {
		return fmt.Errorf("reference longer than %d bytes", MaxReferenceLength)
	}
	return nil
}
