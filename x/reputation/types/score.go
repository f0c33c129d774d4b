package types

import (
	sdkmath "cosmossdk.io/math"
)

// The score. An agent's score is a Bayesian weighted mean of the feedback
// it received, pulled toward a prior, in which older feedback weighs less:
//
//	score = (prior_score × prior_weight + Σ wᵢ·sᵢ·d(now − hᵢ)) / (prior_weight + Σ wᵢ·d(now − hᵢ))
//
// where sᵢ is a feedback's score (0-100), wᵢ its weight (the AGNT value that
// settled on the job, capped; 0 for self-dealing) and hᵢ its height, and
// d(Δ) = 2^(−Δ / half_life). With no feedback the score is the prior. A
// dispute's ruling is one more term of the sums (RATER_ROLE_RULING): its
// score is RulingScore of the provider's share, its weight the job's full
// price. Nothing else moves a score: the automatic signals never do.
//
// The two sums are stored per agent (overall and per capability) together
// with the height they are decayed to, and decayed lazily: multiplied by
// d(h − height) whenever they are written or read at height h, never by
// walking agents in a block hook. All arithmetic is math.LegacyDec (18
// decimals), identical on every validator.

// RulingScore is the score a dispute's outcome gives its provider: the
// provider's share in percent, rounded down (share_bps / 100: 0 bps → 0,
// 2,599 bps → 25, 10,000 bps → 100). Rounding down never credits a provider
// with more than the arbiter gave it. A share above 100% (which the market
// refuses) scores 100.
func RulingScore(providerShareBps uint32) uint32 {
	return min(providerShareBps/100, MaxScore)
}

// ln2 is ln(2) to 18 decimals.
var ln2 = sdkmath.LegacyMustNewDecFromStr("0.693147180559945309")

// maxHalfLives: beyond this many half-lives a weight is below 2^-60 of what
// it was and counts as nothing.
const maxHalfLives = 60

// Decay returns d(Δ) = 2^(−delta/halfLife): 2^-q exactly for the q whole
// half-lives, times e^(−r·ln2/halfLife) for the remainder r, by a Taylor
// series that converges to 18 decimals (its argument is below ln 2). After
// exactly one half-life it is exactly 0.5.
func Decay(delta, halfLife int64) sdkmath.LegacyDec {
	if delta <= 0 || halfLife <= 0 {
		return sdkmath.LegacyOneDec()
	}
	q, r := delta/halfLife, delta%halfLife
	if q >= maxHalfLives {
		return sdkmath.LegacyZeroDec()
	}
	whole := sdkmath.LegacyOneDec().QuoInt64(int64(1) << q)
	if r == 0 {
		return whole
	}
	x := ln2.MulInt64(r).QuoInt64(halfLife)
	return whole.Mul(expNeg(x))
}

// expNeg returns e^-x for 0 ≤ x < 1.
func expNeg(x sdkmath.LegacyDec) sdkmath.LegacyDec {
	sum := sdkmath.LegacyOneDec()
	term := sdkmath.LegacyOneDec()
	for k := int64(1); k <= 40; k++ {
		term = term.Mul(x).QuoInt64(k)
		if term.IsZero() {
			break
		}
		if k%2 == 1 {
			sum = sum.Sub(term)
		} else {
			sum = sum.Add(term)
		}
	}
	return sum
}

// Score computes the Bayesian weighted mean from the sums.
func Score(weightedScore, weight sdkmath.LegacyDec, p Params) sdkmath.LegacyDec {
	num := p.PriorWeight.MulInt64(int64(p.PriorScore)).Add(weightedScore)
	den := p.PriorWeight.Add(weight)
	if !den.IsPositive() {
		return sdkmath.LegacyNewDec(int64(p.PriorScore))
	}
	s := num.Quo(den)
	// Rounding never leaves the scale.
	if s.GT(sdkmath.LegacyNewDec(MaxScore)) {
		return sdkmath.LegacyNewDec(MaxScore)
	}
	if s.IsNegative() {
		return sdkmath.LegacyZeroDec()
	}
	return s
}

// NewAggregate returns the empty sums of an agent and capability.
func NewAggregate(agentID uint64, capability string) Aggregate {
	return Aggregate{
		AgentId: agentID, Capability: capability,
		WeightedScore: sdkmath.LegacyZeroDec(), Weight: sdkmath.LegacyZeroDec(),
	}
}

// DecayTo brings the sums to height h. Empty sums take any height (after
// a zero-height restart a first feedback may be at a negative height).
func (a *Aggregate) DecayTo(h, halfLife int64) {
	if a.Weight.IsZero() && a.WeightedScore.IsZero() {
		a.Height = h
		return
	}
	if h <= a.Height {
		return
	}
	f := Decay(h-a.Height, halfLife)
	a.WeightedScore = a.WeightedScore.Mul(f)
	a.Weight = a.Weight.Mul(f)
	a.Height = h
}

// Add counts a feedback given at the aggregate's height. Only feedback
// with a positive weight counts in Count: a self-dealt (or unweighted)
// rating moves neither the score nor the visible number of ratings.
func (a *Aggregate) Add(weight sdkmath.LegacyDec, score uint32) {
	if !weight.IsPositive() {
		return
	}
	a.WeightedScore = a.WeightedScore.Add(weight.MulInt64(int64(score)))
	a.Weight = a.Weight.Add(weight)
	a.Count++
}

// Remove stops counting a feedback given at fbHeight (the aggregate being at
// its current height). Rounding may leave the sums a hair off what they
// would be without the feedback; they never go below zero, and are exactly
// zero once nothing counts.
func (a *Aggregate) Remove(weight sdkmath.LegacyDec, score uint32, fbHeight, halfLife int64) {
	if !weight.IsPositive() {
		return // it never counted
	}
	f := Decay(a.Height-fbHeight, halfLife)
	a.WeightedScore = sdkmath.LegacyMaxDec(sdkmath.LegacyZeroDec(), a.WeightedScore.Sub(weight.MulInt64(int64(score)).Mul(f)))
	a.Weight = sdkmath.LegacyMaxDec(sdkmath.LegacyZeroDec(), a.Weight.Sub(weight.Mul(f)))
	if a.Count > 0 {
		a.Count--
	}
	if a.Count == 0 {
		a.WeightedScore, a.Weight = sdkmath.LegacyZeroDec(), sdkmath.LegacyZeroDec()
	}
}

// ScoreAt returns the score and weight at height h without changing a.
func (a Aggregate) ScoreAt(h int64, p Params) (score, weight sdkmath.LegacyDec) {
	c := a
	c.DecayTo(h, p.HalfLifeBlocks)
	return Score(c.WeightedScore, c.Weight, p), c.Weight
}

// ScoreMicro is a score in millionths, for index keys.
func ScoreMicro(score sdkmath.LegacyDec) uint64 {
	return score.MulInt64(1_000_000).TruncateInt().Uint64()
}
