package types

import (
	"fmt"
	"math"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Heights: 0 means "none" for the cliff and the end; after a zero-height
// restart (internal/rebase) a past height may be negative, so every test
// is against 0, never "positive".
//
// Stream accrual. A stream is never walked per block: every amount below is
// a function of the stored record and a height, evaluated when the stream is
// touched or queried.
//
// Rounding: only whole periods accrue (⌊elapsed / period⌋ × rate), so a
// partial period is the payer's until it completes. A pause keeps what had
// accrued by then (whole periods) and the resumed segment starts afresh, so
// the partial period at the pause never accrues: the payer's favour again.

// IsDirect reports whether the stream was opened by a message (no owning
// module).
func (s Stream) IsDirect() bool { return s.OwnerModule == "" }

// Held is what the stream holds in escrow: deposit - withdrawn - refunded.
func (s Stream) Held() sdkmath.Int {
	return s.Deposit.Amount.Sub(s.Withdrawn.Amount).Sub(s.Refunded.Amount)
}

// AccruedIgnoringCliff is what accrued by h, capped at the deposit, as if
// the stream had no cliff.
func (s Stream) AccruedIgnoringCliff(h int64) sdkmath.Int {
	acc := s.AccruedBefore
	if s.Status == STREAM_STATUS_ACTIVE {
		from := max(s.AnchorHeight, s.StartHeight)
		to := h
		if s.EndHeight != 0 && to > s.EndHeight {
			to = s.EndHeight
		}
		if to > from && s.PeriodBlocks > 0 {
			acc = acc.Add(s.Rate.Amount.MulRaw((to - from) / s.PeriodBlocks))
		}
	}
	return sdkmath.MinInt(acc, s.Deposit.Amount)
}

// BeforeCliff reports whether h is before the stream's cliff.
func (s Stream) BeforeCliff(h int64) bool { return s.CliffHeight != 0 && h < s.CliffHeight }

// Accrued is what the payee has earned by height h, withdrawn or not: zero
// before the cliff, at most the deposit; for a closed stream, what it paid.
func (s Stream) Accrued(h int64) sdkmath.Int {
	if s.Status == STREAM_STATUS_CLOSED {
		return s.Withdrawn.Amount
	}
	if s.BeforeCliff(h) {
		return sdkmath.ZeroInt()
	}
	return s.AccruedIgnoringCliff(h)
}

// Withdrawable is what a withdrawal at h pays: accrued - withdrawn.
func (s Stream) Withdrawable(h int64) sdkmath.Int {
	return sdkmath.MaxInt(sdkmath.ZeroInt(), s.Accrued(h).Sub(s.Withdrawn.Amount))
}

// Unaccrued is the deposit not accrued by h: what a cancellation refunds.
func (s Stream) Unaccrued(h int64) sdkmath.Int {
	if s.Status == STREAM_STATUS_CLOSED {
		return sdkmath.ZeroInt()
	}
	return s.Deposit.Amount.Sub(s.Accrued(h))
}

// Exhausted reports whether the deposit has run out by h (the cliff passed
// and everything accrued).
func (s Stream) Exhausted(h int64) bool {
	return s.Status != STREAM_STATUS_CLOSED && !s.BeforeCliff(h) && s.AccruedIgnoringCliff(h).GTE(s.Deposit.Amount)
}

// Ended reports whether h is at or past the stream's end height.
func (s Stream) Ended(h int64) bool { return s.EndHeight != 0 && h >= s.EndHeight }

// RunsOutHeight is the height at which an active stream's deposit runs out
// at its rate, or 0 when it ends first, is paused or closed, or never
// accrues.
func (s Stream) RunsOutHeight() int64 {
	if s.Status != STREAM_STATUS_ACTIVE || !s.Rate.Amount.IsPositive() || s.PeriodBlocks <= 0 {
		return 0
	}
	need := s.Deposit.Amount.Sub(s.AccruedBefore)
	if !need.IsPositive() {
		return max(s.AnchorHeight, s.StartHeight)
	}
	// ⌈need / rate⌉ periods.
	periods := need.Add(s.Rate.Amount).SubRaw(1).Quo(s.Rate.Amount)
	at := periods.MulRaw(s.PeriodBlocks).AddRaw(max(s.AnchorHeight, s.StartHeight))
	if !at.IsInt64() || at.Int64() == math.MaxInt64 {
		return 0
	}
	if s.EndHeight != 0 && at.Int64() > s.EndHeight {
		return 0
	}
	return max(at.Int64(), s.CliffHeight)
}

// AccrualAt returns the coin of an amount in the stream's denom.
func (s Stream) AccrualAt(amount sdkmath.Int) sdk.Coin { return sdk.NewCoin(s.Rate.Denom, amount) }

// maxStreamBits bounds a stream's rate and deposit: times a height
// difference (63 bits) they stay far inside the 256 bits of math.Int.
const maxStreamBits = 128

// ValidateStreamTerms checks the terms of a new stream at height h (the
// start already defaulted): a positive rate and a deposit in one allowed
// denom, the deposit at least one period's rate and enough to reach the
// cliff, a start not in the past, a cliff within [start, end) and an end
// at least one period after the start.
func ValidateStreamTerms(rate, deposit sdk.Coin, period, start, cliff, end, h int64, p Params) error {
	if err := rate.Validate(); err != nil || !rate.Amount.IsPositive() {
		return errorsmod.Wrapf(ErrInvalidStream, "rate %s must be a positive coin", rate)
	}
	if err := deposit.Validate(); err != nil || !deposit.Amount.IsPositive() {
		return errorsmod.Wrapf(ErrInvalidAmount, "deposit %s must be a positive coin", deposit)
	}
	// Bounded so that no accrual product can overflow (a deposit is a
	// balance anyway, far below this).
	if rate.Amount.BigIntMut().BitLen() > maxStreamBits || deposit.Amount.BigIntMut().BitLen() > maxStreamBits {
		return errorsmod.Wrapf(ErrInvalidStream, "rate %s or deposit %s above 2^%d", rate, deposit, maxStreamBits)
	}
	if err := ValidateAmount("deposit", sdk.NewCoins(deposit), p); err != nil {
		return err
	}
	if rate.Denom != deposit.Denom {
		return errorsmod.Wrapf(ErrInvalidStream, "rate is in %s, deposit in %s", rate.Denom, deposit.Denom)
	}
	if deposit.Amount.LT(rate.Amount) {
		return errorsmod.Wrapf(ErrInvalidStream, "deposit %s is less than one period's rate %s", deposit, rate)
	}
	if period < 1 || period > p.MaxEscrowBlocks {
		return errorsmod.Wrapf(ErrInvalidStream, "period_blocks %d must be from 1 to %d", period, p.MaxEscrowBlocks)
	}
	if start < h || start > h+p.MaxEscrowBlocks {
		return errorsmod.Wrapf(ErrInvalidStream, "start_height %d must be from the current height %d to %d blocks later", start, h, p.MaxEscrowBlocks)
	}
	if end < 0 || (end > 0 && end-start < period) {
		return errorsmod.Wrapf(ErrInvalidStream, "end_height %d must be 0 or at least one period (%d blocks) after the start %d", end, period, start)
	}
	if cliff < 0 || (cliff > 0 && (cliff < start || (end > 0 && cliff >= end))) {
		return errorsmod.Wrapf(ErrInvalidStream, "cliff_height %d must be 0 or from the start %d to before the end %d", cliff, start, end)
	}
	if cliff > 0 {
		atCliff := rate.Amount.MulRaw((cliff - start) / period)
		if deposit.Amount.LT(atCliff) {
			return errorsmod.Wrapf(ErrInvalidStream, "deposit %s does not reach the cliff (%s%s accrue by then)", deposit, atCliff, rate.Denom)
		}
	}
	return nil
}

// Validate checks a stream record on its own.
func (s Stream) Validate() error {
	if s.Id == 0 {
		return fmt.Errorf("id 0")
	}
	if _, err := sdk.AccAddressFromBech32(s.Payer); err != nil {
		return fmt.Errorf("payer: %w", err)
	}
	if _, err := sdk.AccAddressFromBech32(s.Payee); err != nil {
		return fmt.Errorf("payee: %w", err)
	}
	if s.Payer == s.Payee {
		return fmt.Errorf("payer is payee")
	}
	for _, c := range []struct {
		name string
		coin sdk.Coin
	}{{"rate", s.Rate}, {"deposit", s.Deposit}, {"withdrawn", s.Withdrawn}, {"refunded", s.Refunded}} {
		if err := c.coin.Validate(); err != nil {
			return fmt.Errorf("%s: %w", c.name, err)
		}
		if c.coin.Denom != s.Rate.Denom {
			return fmt.Errorf("%s is in %s, the rate in %s", c.name, c.coin.Denom, s.Rate.Denom)
		}
	}
	if !s.Rate.Amount.IsPositive() || s.PeriodBlocks < 1 {
		return fmt.Errorf("rate %s per %d blocks", s.Rate, s.PeriodBlocks)
	}
	if s.AccruedBefore.IsNil() || s.AccruedBefore.IsNegative() || s.AccruedBefore.GT(s.Deposit.Amount) {
		return fmt.Errorf("accrued_before %s outside [0, deposit %s]", s.AccruedBefore, s.Deposit)
	}
	if s.Held().IsNegative() {
		return fmt.Errorf("withdrawn %s + refunded %s exceed the deposit %s", s.Withdrawn, s.Refunded, s.Deposit)
	}
	if s.EndHeight != 0 && s.EndHeight <= s.StartHeight {
		return fmt.Errorf("end %d not after start %d", s.EndHeight, s.StartHeight)
	}
	switch s.Status {
	case STREAM_STATUS_CLOSED:
		if !s.Held().IsZero() {
			return fmt.Errorf("closed stream still holds %s%s", s.Held(), s.Rate.Denom)
		}
	case STREAM_STATUS_ACTIVE, STREAM_STATUS_PAUSED:
		if s.Withdrawn.Amount.GT(s.Deposit.Amount) || s.Refunded.IsPositive() {
			return fmt.Errorf("open stream with withdrawn %s, refunded %s", s.Withdrawn, s.Refunded)
		}
	default:
		return fmt.Errorf("status %s", s.Status)
	}
	return nil
}

// StreamSpec describes a new stream.
type StreamSpec struct {
	// OwnerModule owns a module stream ("" for a direct one).
	OwnerModule string
	Payer       sdk.AccAddress
	Payee       sdk.AccAddress
	Rate        sdk.Coin
	// PeriodBlocks (0 means 1).
	PeriodBlocks int64
	Deposit      sdk.Coin
	// StartHeight (0 means the current height).
	StartHeight int64
	CliffHeight int64
	EndHeight   int64
	Reference   string
}

// StreamFees returns the payments a module takes out of an amount paid from
// its stream (e.g. the market's take); the payee gets the rest.
type StreamFees func(paid sdk.Coin) []Payment
