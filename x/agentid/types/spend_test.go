package types_test

import (
	"testing"

	sdkmath "cosmossdk.io/math"

	"github.com/agentchain/agentchain/x/agentid/types"
)

func bucket(capAmt int64, window uint64) types.SpendLimit {
	return types.SpendLimit{AgentId: 1, Denom: "uagnt", Cap: sdkmath.NewInt(capAmt), WindowBlocks: window, Used: sdkmath.ZeroInt(), UsedHeight: 1}
}

// The burst an owner saw with fixed windows: a cap of 5 AGNT per 100 blocks
// let 10 AGNT leave within 13 blocks across a window boundary. With the
// bucket, 13 blocks allow at most 5 × (1 + 13/100) AGNT.
func TestSpendBucketHasNoBoundaryBurst(t *testing.T) {
	const capAmt, window = 5_000_000, 100
	l := bucket(capAmt, window)
	start := int64(99) // the last block of a fixed window
	var ok bool
	if l, ok = l.Draw(start, sdkmath.NewInt(capAmt)); !ok {
		t.Fatal("a full bucket refused its cap")
	}
	// The next block opened a new fixed window; the bucket holds one
	// block's refill.
	if _, ok := l.Draw(start+1, sdkmath.NewInt(capAmt)); ok {
		t.Fatal("the cap left twice in two blocks")
	}
	if got := l.Available(start + 1); !got.Equal(sdkmath.NewInt(capAmt / window)) {
		t.Fatalf("available after one block: %s", got)
	}
	if got := l.ReadyAt(start+1, sdkmath.NewInt(capAmt)); got != start+window {
		t.Fatalf("the cap is ready again at %d, want %d", got, start+window)
	}
	// Drain greedily every block for 12 more blocks: 13 blocks in all.
	total := sdkmath.NewInt(capAmt)
	for h := start + 1; h <= start+12; h++ {
		a := l.Available(h)
		if a.IsZero() {
			continue
		}
		if l, ok = l.Draw(h, a); !ok {
			t.Fatalf("height %d: available %s refused", h, a)
		}
		total = total.Add(a)
	}
	bound := sdkmath.NewInt(capAmt + capAmt*13/window)
	if total.GT(bound) {
		t.Fatalf("%s left within 13 blocks; at most %s may", total, bound)
	}
	t.Logf("13 blocks: %s left (bound %s; fixed windows allowed %d)", total, bound, 2*capAmt)
}

func TestSpendBucketArithmetic(t *testing.T) {
	l := bucket(10, 3) // refills 10/3 per block
	var ok bool
	if _, ok = l.Draw(1, sdkmath.NewInt(11)); ok {
		t.Fatal("more than the cap left at once")
	}
	if got := l.ReadyAt(1, sdkmath.NewInt(11)); got != -1 {
		t.Fatalf("ready at %d for more than the cap", got)
	}
	l, ok = l.Draw(1, sdkmath.NewInt(10))
	if !ok || !l.Available(1).IsZero() {
		t.Fatalf("draw: %v %s", ok, l.Available(1))
	}
	// 10/3 per block, rounded down: 3, 6, 10 (exactly full after 3 blocks).
	for i, want := range []int64{3, 6, 10, 10} {
		if got := l.Available(int64(2 + i)); !got.Equal(sdkmath.NewInt(want)) {
			t.Fatalf("height %d: available %s, want %d", 2+i, got, want)
		}
	}
	if got := l.FullAt(1); got != 4 {
		t.Fatalf("full at %d", got)
	}
	// No rounding is lost by touching every block. In thirds of a unit the
	// bucket holds 30 and refills 10 per block; drawing 4 (12 thirds) every
	// block leaves 20 - 2k thirds after k draws: exactly 10 draws succeed.
	l = bucket(10, 3)
	for h := int64(1); h <= 11; h++ {
		next, ok := l.Draw(h, sdkmath.NewInt(4))
		if ok != (h <= 10) {
			t.Fatalf("draw %d of 4: ok=%v with %s available", h, ok, l.Available(h))
		}
		l = next
	}
	// A zero cap lets nothing leave, ever.
	z := bucket(0, 5)
	if _, ok := z.Draw(9, sdkmath.NewInt(1)); ok || z.ReadyAt(9, sdkmath.NewInt(1)) != -1 || z.FullAt(9) != 9 {
		t.Fatal("a zero cap let something leave")
	}
}

// Changing a policy keeps what was drawn; it cannot refill the bucket.
func TestSpendBucketRescale(t *testing.T) {
	l := bucket(100, 10)
	l, _ = l.Draw(1, sdkmath.NewInt(60))
	up := l.Rescaled(1, sdkmath.NewInt(200), 10)
	if got := up.Available(1); !got.Equal(sdkmath.NewInt(140)) {
		t.Fatalf("raised cap: available %s, want 140", got)
	}
	down := l.Rescaled(1, sdkmath.NewInt(50), 7)
	if got := down.Available(1); !got.IsZero() {
		t.Fatalf("lowered cap below what was drawn: available %s", got)
	}
	longer := l.Rescaled(1, sdkmath.NewInt(100), 1000)
	if got := longer.Available(1); !got.Equal(sdkmath.NewInt(40)) {
		t.Fatalf("longer window: available %s, want 40", got)
	}
}

// A policy exported in the fixed-window format carries over with what it
// had spent drawn from the bucket.
func TestSpendBucketFromLegacy(t *testing.T) {
	spent := sdkmath.NewInt(7)
	legacy := types.SpendLimit{AgentId: 1, Denom: "uagnt", Cap: sdkmath.NewInt(10), WindowBlocks: 5, Window: 3, Spent: &spent}
	if err := legacy.Validate(); err != nil {
		t.Fatal(err)
	}
	l := legacy.FromLegacy(40)
	if l.Spent != nil || l.Window != 0 || l.UsedHeight != 40 || !l.Available(40).Equal(sdkmath.NewInt(3)) {
		t.Fatalf("carried over: %+v available %s", l, l.Available(40))
	}
	if got := l.Available(45); !got.Equal(sdkmath.NewInt(10)) {
		t.Fatalf("refilled: %s", got)
	}
}
