package types_test

import (
	"testing"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	_ "github.com/agentchain/agentchain/app" // bech32 prefixes
	"github.com/agentchain/agentchain/x/reputation/types"
)

func dec(s string) sdkmath.LegacyDec { return sdkmath.LegacyMustNewDecFromStr(s) }

func TestDecay(t *testing.T) {
	const h = 1_000
	cases := []struct {
		delta int64
		want  sdkmath.LegacyDec
		tol   sdkmath.LegacyDec
	}{
		{0, sdkmath.LegacyOneDec(), sdkmath.LegacyZeroDec()},
		{-5, sdkmath.LegacyOneDec(), sdkmath.LegacyZeroDec()},
		{h, dec("0.5"), sdkmath.LegacyZeroDec()},
		{2 * h, dec("0.25"), sdkmath.LegacyZeroDec()},
		{h / 2, dec("0.707106781186547524"), dec("0.000000000000001")},
		{3 * h / 2, dec("0.353553390593273762"), dec("0.000000000000001")},
		{h / 10, dec("0.933032991536807416"), dec("0.000000000000001")},
		{60 * h, sdkmath.LegacyZeroDec(), sdkmath.LegacyZeroDec()},
	}
	for _, c := range cases {
		got := types.Decay(c.delta, h)
		if got.Sub(c.want).Abs().GT(c.tol) {
			t.Fatalf("Decay(%d, %d) = %s, want %s", c.delta, h, got, c.want)
		}
	}
	// Monotonic.
	prev := sdkmath.LegacyOneDec()
	for d := int64(1); d < 5*h; d += 37 {
		got := types.Decay(d, h)
		if got.GT(prev) {
			t.Fatalf("Decay(%d) = %s rose above %s", d, got, prev)
		}
		prev = got
	}
}

func TestScoreFormula(t *testing.T) {
	p := types.DefaultParams()
	// No feedback: the prior.
	if s := types.Score(sdkmath.LegacyZeroDec(), sdkmath.LegacyZeroDec(), p); !s.Equal(sdkmath.LegacyNewDec(50)) {
		t.Fatalf("prior %s", s)
	}
	agg := types.NewAggregate(1, "")
	agg.Add(sdkmath.LegacyNewDec(300), 90)
	// (50*100 + 90*300) / 400 = 80.
	if s := types.Score(agg.WeightedScore, agg.Weight, p); !s.Equal(sdkmath.LegacyNewDec(80)) {
		t.Fatalf("score %s", s)
	}
	agg.Remove(sdkmath.LegacyNewDec(300), 90, 0, p.HalfLifeBlocks)
	if !agg.Weight.IsZero() || !agg.WeightedScore.IsZero() || agg.Count != 0 {
		t.Fatalf("after removing the only feedback %+v", agg)
	}
}

func TestGenesisValidate(t *testing.T) {
	if err := types.DefaultGenesis().Validate(); err != nil {
		t.Fatal(err)
	}
	fb := types.Feedback{JobId: 1, Role: types.RATER_ROLE_CLIENT, Rater: "agent19rl4cm2hmr8afy4kldpxz3fka4jguq0al9elqr", Subject: 2, Score: 80, Weight: sdkmath.LegacyNewDec(10), Height: 5, Seq: 1, Capability: "x"}
	// A ruling on another job of the same provider: it counts in the same
	// aggregates as a client's rating.
	ruling := types.Feedback{JobId: 3, Role: types.RATER_ROLE_RULING, Rater: fb.Rater, Subject: 2, Score: 0, Weight: sdkmath.LegacyNewDec(5), Height: 6, Seq: 2, Capability: "x"}
	good := func() types.GenesisState {
		gs := *types.DefaultGenesis()
		gs.NextSeq = 3
		gs.Feedback = []types.Feedback{fb, ruling}
		gs.Signals = []types.Signals{{AgentId: 2, DisputesOpened: 1, DisputesLost: 1, Earned: sdk.NewCoins(sdk.NewInt64Coin("uagnt", 5), sdk.NewInt64Coin("ustable", 7))}}
		replayed, _ := types.Replay(gs.Feedback, gs.Checkpoints, gs.Params)
		for _, k := range []types.AggregateKey{{AgentID: 2, Capability: ""}, {AgentID: 2, Capability: "x"}} {
			gs.Aggregates = append(gs.Aggregates, *replayed[k])
		}
		return gs
	}
	if err := good().Validate(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(gs *types.GenesisState){
		"bad params":          func(gs *types.GenesisState) { gs.Params.PriorScore = 101 },
		"duplicate feedback":  func(gs *types.GenesisState) { gs.Feedback = append(gs.Feedback, gs.Feedback[0]) },
		"score above 100":     func(gs *types.GenesisState) { gs.Feedback[0].Score = 101 },
		"seq not below next":  func(gs *types.GenesisState) { gs.NextSeq = 2 },
		"aggregate off":       func(gs *types.GenesisState) { gs.Aggregates[0].Count = 3 },
		"aggregate missing":   func(gs *types.GenesisState) { gs.Aggregates = gs.Aggregates[:1] },
		"aggregate unfounded": func(gs *types.GenesisState) { gs.Aggregates[1].AgentId = 9 },
		"signals inconsistent": func(gs *types.GenesisState) {
			gs.Signals = []types.Signals{{AgentId: 2, DisputesLost: 1}}
		},
		"signals of agent 0": func(gs *types.GenesisState) { gs.Signals[0].AgentId = 0 },
		"duplicate signals":  func(gs *types.GenesisState) { gs.Signals = append(gs.Signals, gs.Signals[0]) },
		"unsorted earned": func(gs *types.GenesisState) {
			gs.Signals[0].Earned[0], gs.Signals[0].Earned[1] = gs.Signals[0].Earned[1], gs.Signals[0].Earned[0]
		},
		"zero spent":   func(gs *types.GenesisState) { gs.Signals[0].Spent = sdk.Coins{sdk.NewInt64Coin("uagnt", 0)} },
		"unknown role": func(gs *types.GenesisState) { gs.Feedback[1].Role = 4 },
		"revoked ruling": func(gs *types.GenesisState) {
			gs.Feedback[1].Revoked, gs.Feedback[1].RevokeSeq, gs.NextSeq = true, 3, 4
		},
		"ruling by an agent": func(gs *types.GenesisState) { gs.Feedback[1].RaterAgent = 7 },
		"ruling score off":   func(gs *types.GenesisState) { gs.Feedback[1].Score = 10 },
		"ruling weight off":  func(gs *types.GenesisState) { gs.Feedback[1].Weight = sdkmath.LegacyNewDec(6) },
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			gs := good()
			mutate(&gs)
			if err := gs.Validate(); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

// A ruling scores the provider's share in percent, rounded down.
func TestRulingScore(t *testing.T) {
	for bps, want := range map[uint32]uint32{0: 0, 99: 0, 100: 1, 2_599: 25, 4_999: 49, 5_000: 50, 9_999: 99, 10_000: 100, 20_000: 100} {
		if got := types.RulingScore(bps); got != want {
			t.Fatalf("RulingScore(%d) = %d, want %d", bps, got, want)
		}
	}
}

// The on-time rate: met deadlines over met and missed, rounded down; 0
// without history.
func TestOnTimeRateBps(t *testing.T) {
	cases := []struct {
		onTime, expired uint64
		want            uint32
	}{
		{0, 0, 0},
		{0, 3, 0},
		{5, 0, 10_000},
		{2, 1, 6_666},
		{1, 2, 3_333},
		{^uint64(0), ^uint64(0), 5_000},
		{^uint64(0), 1, 9_999},
	}
	for _, c := range cases {
		if got := types.OnTimeRateBps(types.Signals{AgentId: 1, DeliveredOnTime: c.onTime, JobsExpired: c.expired}); got != c.want {
			t.Fatalf("on time %d, expired %d: %d bps, want %d", c.onTime, c.expired, got, c.want)
		}
	}
}
