package types_test

import (
	"testing"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/x/market/types"
)

// FuzzSplitDispute: arbiter fee, provider, take and refund add up to
// exactly what remained, none negative, the take never above its rate
// (rounded up) and the fee never above its rate.
func FuzzSplitDispute(f *testing.F) {
	f.Add(uint64(1_000_000), uint16(5_000), uint16(100), uint16(200))
	f.Add(uint64(1), uint16(10_000), uint16(0), uint16(2_000))
	f.Add(uint64(0xFFFFFFFFFFFFFFFF), uint16(9_999), uint16(2_000), uint16(1))
	f.Add(uint64(0), uint16(0), uint16(0), uint16(0))
	f.Fuzz(func(t *testing.T, amount uint64, share, feeBps, takeBps uint16) {
		share, feeBps, takeBps = share%(types.BasisPoints+1), feeBps%2_001, takeBps%2_001
		remaining := sdk.NewCoin("uagnt", sdkmath.NewIntFromUint64(amount))
		s := types.SplitDispute(remaining, uint32(share), uint32(feeBps), uint32(takeBps))
		for name, c := range map[string]sdk.Coin{"fee": s.ArbiterFee, "provider": s.Provider, "take": s.Take, "refund": s.Refund} {
			if c.Amount.IsNegative() || c.Denom != "uagnt" {
				t.Fatalf("%s is %s", name, c)
			}
		}
		if sum := s.ArbiterFee.Add(s.Provider).Add(s.Take).Add(s.Refund); !sum.Amount.Equal(remaining.Amount) || sum.Denom != remaining.Denom {
			t.Fatalf("%+v adds up to %s, not %s", s, sum, remaining)
		}
		if s.ArbiterFee.Amount.MulRaw(types.BasisPoints).GT(remaining.Amount.MulRaw(int64(feeBps))) {
			t.Fatalf("fee %s above %d bps of %s", s.ArbiterFee, feeBps, remaining)
		}
		gross := s.Provider.Add(s.Take)
		if gross.Amount.MulRaw(types.BasisPoints).GT(remaining.Amount.Sub(s.ArbiterFee.Amount).MulRaw(int64(share))) {
			t.Fatalf("provider side %s above %d bps", gross, share)
		}
		provider, take := types.Take(remaining, uint32(takeBps))
		if sum := provider.Add(take); !sum.Amount.Equal(remaining.Amount) || provider.IsNegative() || take.Amount.MulRaw(types.BasisPoints).LT(remaining.Amount.MulRaw(int64(takeBps))) {
			t.Fatalf("take of %s at %d bps: %s + %s", remaining, takeBps, provider, take)
		}
	})
}

// FuzzBuildMilestones: accepted milestones are positive, in the price's
// denom, and add up to exactly the price.
func FuzzBuildMilestones(f *testing.F) {
	f.Add(uint64(100), []byte{30, 30, 40}, uint8(5))
	f.Add(uint64(7), []byte{}, uint8(1))
	f.Add(uint64(3), []byte{1, 1, 1, 0}, uint8(4))
	f.Fuzz(func(t *testing.T, price uint64, parts []byte, maxCount uint8) {
		if len(parts) > 60 {
			parts = parts[:60]
		}
		p := sdk.NewCoin("uagnt", sdkmath.NewIntFromUint64(price))
		specs := make([]types.MilestoneSpec, len(parts))
		for i, b := range parts {
			specs[i] = types.MilestoneSpec{Title: "m", Amount: sdk.NewCoin("uagnt", sdkmath.NewInt(int64(b)))}
		}
		ms, err := types.BuildMilestones(specs, p, uint32(maxCount))
		if err != nil {
			return
		}
		if len(ms) == 0 || (len(specs) > 0 && len(ms) > int(maxCount)) {
			t.Fatalf("%d milestones for %d specs, max %d", len(ms), len(specs), maxCount)
		}
		sum := sdkmath.ZeroInt()
		for _, m := range ms {
			if !m.Amount.Amount.IsPositive() && price > 0 || m.Amount.Denom != "uagnt" {
				t.Fatalf("milestone %s", m.Amount)
			}
			sum = sum.Add(m.Amount.Amount)
		}
		if !sum.Equal(p.Amount) {
			t.Fatalf("milestones add up to %s, the price is %s", sum, p)
		}
	})
}
