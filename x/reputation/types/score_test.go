package types_test

import (
	"testing"

	sdkmath "cosmossdk.io/math"

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
	good := func() types.GenesisState {
		gs := *types.DefaultGenesis()
		gs.NextSeq = 2
		gs.Feedback = []types.Feedback{fb}
		replayed, _ := types.Replay(gs.Feedback, gs.Params)
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
		"seq not below next":  func(gs *types.GenesisState) { gs.NextSeq = 1 },
		"aggregate off":       func(gs *types.GenesisState) { gs.Aggregates[0].Count = 2 },
		"aggregate missing":   func(gs *types.GenesisState) { gs.Aggregates = gs.Aggregates[:1] },
		"aggregate unfounded": func(gs *types.GenesisState) { gs.Aggregates[1].AgentId = 9 },
		"signals inconsistent": func(gs *types.GenesisState) {
			gs.Signals = []types.Signals{{AgentId: 2, DisputesLost: 1, VolumeEarned: sdkmath.ZeroInt(), VolumeSpent: sdkmath.ZeroInt()}}
		},
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
