package types_test

import (
	"testing"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/x/escrow/types"
)

// FuzzSplitShare: a dispute's split pays out exactly what remains, fees
// first, never a negative part, and never more to the payee than its share.
func FuzzSplitShare(f *testing.F) {
	f.Add(uint64(1_000_000), uint64(10_000), uint16(5_000), uint64(7))
	f.Add(uint64(1), uint64(0), uint16(10_000), uint64(0))
	f.Add(uint64(0xFFFFFFFFFFFFFFFF), uint64(3), uint16(3_333), uint64(99))
	f.Add(uint64(5), uint64(6), uint16(1), uint64(0))
	f.Fuzz(func(t *testing.T, amount, fee uint64, bps uint16, other uint64) {
		remaining := sdk.NewCoins(sdk.NewCoin("uagnt", sdkmath.NewIntFromUint64(amount)), sdk.NewCoin("ustable", sdkmath.NewIntFromUint64(other)))
		fees := sdk.NewCoins(sdk.NewCoin("uagnt", sdkmath.NewIntFromUint64(fee)))
		payee, payer, err := types.SplitShare(remaining, fees, uint32(bps))
		if bps > types.BasisPoints || fee > amount {
			if err == nil {
				t.Fatalf("split %d bps with fee %d of %d accepted", bps, fee, amount)
			}
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		if !payee.IsValid() && !payee.Empty() || !payer.IsValid() && !payer.Empty() {
			t.Fatalf("invalid parts %s / %s", payee, payer)
		}
		if got := payee.Add(payer...).Add(fees...); !got.Equal(remaining) {
			t.Fatalf("parts %s + %s + fees %s = %s, not %s", payee, payer, fees, got, remaining)
		}
		for _, c := range payee {
			rest := remaining.AmountOf(c.Denom).Sub(fees.AmountOf(c.Denom))
			if c.Amount.Mul(sdkmath.NewInt(types.BasisPoints)).GT(rest.MulRaw(int64(bps))) {
				t.Fatalf("the payee got %s of %s at %d bps", c, rest, bps)
			}
		}
		if f := types.FeeOf(remaining, uint32(bps)); !f.IsAllLTE(remaining) {
			t.Fatalf("a fee of %d bps, %s, exceeds %s", bps, f, remaining)
		}
	})
}
