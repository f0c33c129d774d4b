package bench

import (
	"testing"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/testutil/apptest"
	reputationkeeper "github.com/agentchain/agentchain/x/reputation/keeper"
	"github.com/agentchain/agentchain/x/reputation/types"
)

func init() {
	rows = append(rows, TxRow{Name: "reputation SubmitFeedback", Target: "≥ 0.85", Work: &submitFeedback{}})
	compareRows = append(compareRows, CompareRow{
		Name:   "reputation top-agents (10), by rated agents",
		Target: "≤ 1.2",
		SizeA:  100, SizeB: 100_000,
		SmokeA: 100, SmokeB: 1_000,
		Setup: setupRatedAgents,
		Step:  stepTopAgents,
	})
}

// submitFeedback rates a completed job per tx (jobs run to completion in
// setup): the weight, the overall and capability sums with their decay,
// and the top-agents index are all written.
type submitFeedback struct {
	m     *market
	ready [][]uint64
	next  int
}

func (w *submitFeedback) Setup(e *Env, n, blocks int) {
	w.m = newMarket(e)
	for b := 0; b < blocks; b++ {
		txs, ids := w.m.hires(e, n)
		e.SetupBlock(txs)
		e.SetupBlock(w.m.accepts(e, ids))
		e.SetupBlock(w.m.delivers(e, ids))
		e.SetupBlock(w.m.completes(e, ids))
		w.ready = append(w.ready, ids)
	}
}

func (w *submitFeedback) Block(e *Env, n int) [][]byte {
	ids := w.ready[w.next]
	w.next++
	txs := make([][]byte, len(ids))
	for k, id := range ids {
		c := w.m.jobClient[id]
		txs[k] = e.Sign(c, apptest.Tx{Msgs: []sdk.Msg{&types.MsgSubmitFeedback{
			Rater: c.Addr.String(), JobId: id, Score: uint32(50 + id%51), Tags: []string{"fast"},
		}}})
	}
	return txs
}

// setupRatedAgents builds a chain with size agents rated for one
// capability. The stored state is what matters here, so it is written
// straight into the reputation collections: one aggregate per agent, at
// spread-out scores, each with its index entry. The query re-scores its
// candidates to the current height, and the decay's series takes more
// terms for some ages than for others, so every agent was last rated the
// same number of blocks ago (50): the candidates the query walks then cost
// the same on both chains, and the comparison measures the state's size,
// not which ages the top candidates happen to have.
func setupRatedAgents(tb testing.TB, size, _ int) *Env {
	e := newEnv(tb, 10)
	ctx := e.Ctx()
	p, err := e.ReputationKeeper.Params.Get(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i < size; i++ {
		agg := types.NewAggregate(uint64(i+1), "summarize")
		agg.DecayTo(ctx.BlockHeight()-50, p.HalfLifeBlocks)
		agg.Add(p.PriorWeight.QuoInt64(int64(1+i%7)), uint32((i*37)%101))
		agg.ScoreMicro = types.ScoreMicro(types.Score(agg.WeightedScore, agg.Weight, p))
		if err := e.ReputationKeeper.Aggregates.Set(ctx, collections.Join(uint64(i+1), "summarize"), agg); err != nil {
			tb.Fatal(err)
		}
	}
	e.NextBlock(nil)
	return e
}

// stepTopAgents asks for the top 10 of the capability, 1,000 times (a
// step of a few hundred milliseconds, long enough to measure apart from
// the machine's noise).
func stepTopAgents(tb testing.TB, e *Env, measure func(func())) int {
	qs := reputationkeeper.NewQueryServerImpl(e.ReputationKeeper)
	ctx := e.Ctx()
	const queries = 1000
	measure(func() {
		for i := 0; i < queries; i++ {
			res, err := qs.TopAgents(ctx, &types.QueryTopAgentsRequest{Capability: "summarize", Limit: 10})
			if err != nil {
				tb.Fatal(err)
			}
			if len(res.Agents) != 10 {
				tb.Fatalf("top list of %d", len(res.Agents))
			}
		}
	})
	return queries
}
