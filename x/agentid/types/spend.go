package types

import (
	"fmt"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// A spend policy is a bucket. It holds at most cap, and what leaves the
// agent address is drawn from it; it refills at cap / window_blocks per
// block. So at most cap leaves at once, and any span of L blocks sees at
// most cap × (1 + L / window_blocks) leave, whatever the timing: there are
// no window boundaries to burst across.
//
// The level is kept as "used": what the bucket lacks to be full, in units
// of 1/window_blocks of the denom, as of used_height. In those units the
// refill is exactly cap per block, so no rounding ever accumulates; what
// is available now is rounded down to whole units (in the chain's favour).
// It is computed from heights when the policy is touched: no block does
// any work for it.

// MaxSpendCapBits bounds a cap (2^200 is far above any supply): with
// window_blocks at most 2^25, every product below stays inside sdkmath.Int.
const MaxSpendCapBits = 200

// maxWindowBlocks bounds window_blocks for the arithmetic (the message
// handler allows far less).
const maxWindowBlocks = 1 << 30

// capacity is cap in scaled units.
func (l SpendLimit) capacity() sdkmath.Int {
	return l.Cap.Mul(sdkmath.NewIntFromUint64(l.WindowBlocks))
}

// usedScaled returns Used, treating an unset value as a full bucket.
func (l SpendLimit) usedScaled() sdkmath.Int {
	if l.Used.IsNil() {
		return sdkmath.ZeroInt()
	}
	return l.Used
}

// UsedAt returns the scaled level missing from the bucket at height h.
func (l SpendLimit) UsedAt(h int64) sdkmath.Int {
	used := l.usedScaled()
	if h <= l.UsedHeight || used.IsZero() {
		return used
	}
	elapsed := uint64(h - l.UsedHeight)
	if elapsed >= l.WindowBlocks {
		return sdkmath.ZeroInt() // a whole window refills any bucket
	}
	used = used.Sub(l.Cap.Mul(sdkmath.NewIntFromUint64(elapsed)))
	if used.IsNegative() {
		return sdkmath.ZeroInt()
	}
	return used
}

// Available returns what may leave at height h, in whole units (rounded
// down).
func (l SpendLimit) Available(h int64) sdkmath.Int {
	free := l.capacity().Sub(l.UsedAt(h))
	if !free.IsPositive() {
		return sdkmath.ZeroInt()
	}
	return free.Quo(sdkmath.NewIntFromUint64(l.WindowBlocks))
}

// Draw takes amount out of the bucket at height h and returns the policy
// as it then stands; ok is false (and the policy unchanged) when the bucket
// holds less than amount.
func (l SpendLimit) Draw(h int64, amount sdkmath.Int) (SpendLimit, bool) {
	if amount.IsNegative() || amount.GT(l.Cap) {
		return l, false
	}
	used := l.UsedAt(h).Add(amount.Mul(sdkmath.NewIntFromUint64(l.WindowBlocks)))
	if used.GT(l.capacity()) {
		return l, false
	}
	out := l
	out.Used, out.UsedHeight = used, max(h, l.UsedHeight)
	out.Window, out.Spent = 0, nil
	return out, true
}

// ReadyAt returns the first height, from h on, at which amount may leave
// (h itself if it may now), or -1 if it never may (more than the cap).
func (l SpendLimit) ReadyAt(h int64, amount sdkmath.Int) int64 {
	if amount.GT(l.Cap) {
		return -1
	}
	over := l.UsedAt(h).Add(amount.Mul(sdkmath.NewIntFromUint64(l.WindowBlocks))).Sub(l.capacity())
	if !over.IsPositive() {
		return h
	}
	// The refill is cap per block, and cap is positive here (amount is at
	// most cap and something is over, so amount > 0).
	return h + ceilDiv(over, l.Cap)
}

// FullAt returns the first height, from h on, at which the whole cap is
// available again.
func (l SpendLimit) FullAt(h int64) int64 {
	used := l.UsedAt(h)
	if used.IsZero() || !l.Cap.IsPositive() {
		return h
	}
	return h + ceilDiv(used, l.Cap)
}

// ceilDiv returns ⌈a / b⌉ for a ≥ 0 and b > 0 whose quotient fits an int64
// (here at most window_blocks).
func ceilDiv(a, b sdkmath.Int) int64 {
	q, r := a.Quo(b), a.Mod(b)
	if !r.IsZero() {
		q = q.AddRaw(1)
	}
	return q.Int64()
}

// Rescaled returns the policy with a new cap and window length as of height
// h, keeping what was drawn: the same fraction of a coin stays missing
// (rounded up, in the chain's favour), at most the new cap. So changing a
// cap cannot refill the bucket.
func (l SpendLimit) Rescaled(h int64, newCap sdkmath.Int, newWindow uint64) SpendLimit {
	used := l.UsedAt(h)
	out := l
	out.Cap, out.WindowBlocks, out.UsedHeight = newCap, newWindow, h
	out.Window, out.Spent = 0, nil
	if used.IsZero() {
		out.Used = sdkmath.ZeroInt()
		return out
	}
	num := used.Mul(sdkmath.NewIntFromUint64(newWindow))
	old := sdkmath.NewIntFromUint64(l.WindowBlocks)
	scaled := num.Quo(old)
	if !num.Mod(old).IsZero() {
		scaled = scaled.AddRaw(1)
	}
	out.Used = sdkmath.MinInt(scaled, out.capacity())
	return out
}

// FromLegacy turns a policy written in the fixed-window format (window and
// spent) into the bucket: what had left in that window counts as drawn at
// height h, so a carried-over policy never allows more than it did. A
// policy already in the bucket format is returned as it is.
func (l SpendLimit) FromLegacy(h int64) SpendLimit {
	if l.Spent == nil && l.Window == 0 {
		if l.Used.IsNil() {
			l.Used = sdkmath.ZeroInt()
		}
		return l
	}
	spent := sdkmath.ZeroInt()
	if l.Spent != nil && !l.Spent.IsNil() && l.Spent.IsPositive() {
		spent = sdkmath.MinInt(*l.Spent, l.Cap)
	}
	l.Used = spent.Mul(sdkmath.NewIntFromUint64(l.WindowBlocks))
	l.UsedHeight = h
	l.Window, l.Spent = 0, nil
	return l
}

// Validate checks a spend limit.
func (l SpendLimit) Validate() error {
	if err := sdk.ValidateDenom(l.Denom); err != nil {
		return err
	}
	if l.Cap.IsNil() || l.Cap.IsNegative() {
		return fmt.Errorf("cap must be zero or positive")
	}
	if l.Cap.BigInt().BitLen() > MaxSpendCapBits {
		return fmt.Errorf("cap is above 2^%d", MaxSpendCapBits)
	}
	if l.WindowBlocks == 0 || l.WindowBlocks > maxWindowBlocks {
		return fmt.Errorf("window_blocks must be in [1, %d]", maxWindowBlocks)
	}
	if l.Spent != nil && (l.Spent.IsNil() || l.Spent.IsNegative()) {
		return fmt.Errorf("spent must be zero or positive")
	}
	used := l.usedScaled()
	if used.IsNegative() || used.GT(l.capacity()) {
		return fmt.Errorf("used %s is outside [0, cap × window_blocks]", used)
	}
	return nil
}
