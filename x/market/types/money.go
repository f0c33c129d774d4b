package types

import (
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Rounding, in the chain's favour and never paying out more than is held:
//
//   - the take is take_rate_bps of each released amount, rounded UP (the
//     provider gets the rest), per milestone;
//   - the arbiter's fee is arbiter_fee_bps of what remains, rounded down,
//     and comes off first;
//   - the provider's share is provider_share_bps of what is left after the
//     fee, rounded down; the take is then cut from that share;
//   - whatever is left (every rounding remainder) goes back to the client.
//
// So provider + take + arbiter fee + client refund = what was locked,
// exactly, in every terminal state.

// bps returns amount * bps / 10000, rounded down or up.
func bps(amount sdkmath.Int, bp uint32, up bool) sdkmath.Int {
	num := amount.Mul(sdkmath.NewIntFromUint64(uint64(bp)))
	q := num.Quo(sdkmath.NewInt(BasisPoints))
	if up && !num.Mod(sdkmath.NewInt(BasisPoints)).IsZero() {
		q = q.AddRaw(1)
	}
	return q
}

// Take splits a released amount into the provider's part and the take.
func Take(amount sdk.Coin, takeRateBps uint32) (provider, take sdk.Coin) {
	t := bps(amount.Amount, takeRateBps, true)
	return sdk.NewCoin(amount.Denom, amount.Amount.Sub(t)), sdk.NewCoin(amount.Denom, t)
}

// DisputeSplit divides what remains of a disputed job.
type DisputeSplit struct {
	ArbiterFee, Provider, Take, Refund sdk.Coin
}

// SplitDispute computes a ruling's payments out of remaining.
func SplitDispute(remaining sdk.Coin, providerShareBps, arbiterFeeBps, takeRateBps uint32) DisputeSplit {
	fee := bps(remaining.Amount, arbiterFeeBps, false)
	rest := remaining.Amount.Sub(fee)
	gross := bps(rest, providerShareBps, false)
	provider, take := Take(sdk.NewCoin(remaining.Denom, gross), takeRateBps)
	return DisputeSplit{
		ArbiterFee: sdk.NewCoin(remaining.Denom, fee),
		Provider:   provider,
		Take:       take,
		Refund:     sdk.NewCoin(remaining.Denom, rest.Sub(gross)),
	}
}

// Remaining is what the job's escrow still holds for it: the unpaid milestones.
func (j Job) Remaining() sdk.Coin {
	if j.StreamId != 0 {
		// A subscription: its deposit less what was paid or refunded (the
		// stream holds it).
		left := j.Price.Amount.Sub(j.Accounted().AmountOf(j.Price.Denom))
		return sdk.NewCoin(j.Price.Denom, sdkmath.MaxInt(left, sdkmath.ZeroInt()))
	}
	out := sdk.NewCoin(j.Price.Denom, sdkmath.ZeroInt())
	for i := int(j.NextMilestone); i < len(j.Milestones); i++ {
		out = out.Add(j.Milestones[i].Amount)
	}
	return out
}

// Accounted is everything paid out of the job so far.
func (j Job) Accounted() sdk.Coins {
	return j.ProviderPaid.Add(j.TakePaid...).Add(j.ArbiterFeePaid...).Add(j.ClientRefunded...)
}

// IsFinal reports whether the job is in a terminal state.
func (s JobStatus) IsFinal() bool {
	switch s {
	case JOB_STATUS_COMPLETED, JOB_STATUS_CANCELLED, JOB_STATUS_EXPIRED, JOB_STATUS_RESOLVED:
		return true
	}
	return false
}
