package types_test

import (
	"testing"

	sdkmath "cosmossdk.io/math"

	"github.com/agentchain/agentchain/x/reputation/types"
)

// FuzzScore: whatever feedback an agent received, its score stays within
// 0-100, a higher rating never gives a lower score, decay never raises a
// weight, and revoking a feedback takes back no more than it added.
func FuzzScore(f *testing.F) {
	f.Add([]byte{10, 100, 3, 50, 0, 7, 255, 0}, uint16(100), uint8(60), uint8(61))
	f.Add([]byte{}, uint16(1), uint8(0), uint8(100))
	f.Add([]byte{1, 1, 1, 1, 1, 1}, uint16(65535), uint8(99), uint8(100))
	f.Fuzz(func(t *testing.T, feedback []byte, halfLife uint16, lower, higher uint8) {
		p := types.DefaultParams()
		p.HalfLifeBlocks = int64(halfLife) + 1
		if lower > higher {
			lower, higher = higher, lower
		}
		lo, hi := uint32(lower)%(types.MaxScore+1), uint32(higher)%(types.MaxScore+1)
		if lo > hi {
			lo, hi = hi, lo
		}
		agg := types.NewAggregate(1, "")
		h := int64(1)
		for i := 0; i+2 < len(feedback) && i < 300; i += 3 {
			h += int64(feedback[i])
			agg.DecayTo(h, p.HalfLifeBlocks)
			w := sdkmath.LegacyNewDec(int64(feedback[i+1]))
			agg.Add(w, uint32(feedback[i+2])%(types.MaxScore+1))
			s, weight := agg.ScoreAt(h+int64(feedback[i]), p)
			if s.IsNegative() || s.GT(sdkmath.LegacyNewDec(types.MaxScore)) || weight.IsNegative() {
				t.Fatalf("score %s, weight %s", s, weight)
			}
		}
		// Monotonic in the rating: the same feedback rated higher never
		// scores lower.
		a, b := agg, agg
		h += 3
		a.DecayTo(h, p.HalfLifeBlocks)
		b.DecayTo(h, p.HalfLifeBlocks)
		w := sdkmath.LegacyNewDec(int64(len(feedback)%50 + 1))
		a.Add(w, lo)
		b.Add(w, hi)
		sa, _ := a.ScoreAt(h, p)
		sb, _ := b.ScoreAt(h, p)
		if sa.GT(sb) {
			t.Fatalf("rated %d scores %s, rated %d scores %s", lo, sa, hi, sb)
		}
		// Revoking what was just added gives back (about) the sums before.
		before := agg
		before.DecayTo(h, p.HalfLifeBlocks)
		b.Remove(w, hi, h, p.HalfLifeBlocks)
		if b.Weight.GT(before.Weight) || b.WeightedScore.GT(before.WeightedScore) || b.Weight.IsNegative() {
			t.Fatalf("after a revocation: %s/%s, before the feedback %s/%s", b.WeightedScore, b.Weight, before.WeightedScore, before.Weight)
		}
		// Decay: in (0, 1], never rising with the distance.
		d1, d2 := types.Decay(int64(lower), p.HalfLifeBlocks), types.Decay(int64(lower)+int64(higher)+1, p.HalfLifeBlocks)
		if d1.GT(sdkmath.LegacyOneDec()) || d2.IsNegative() || d2.GT(d1) {
			t.Fatalf("decay %s then %s", d1, d2)
		}
	})
}
