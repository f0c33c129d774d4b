package bench

import (
	"fmt"
	"testing"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/testutil/apptest"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	"github.com/agentchain/agentchain/x/market/types"
)

func init() {
	compareRows = append(compareRows, CompareRow{
		Name:   "market lifecycle block, by settled jobs (agents = jobs/10)",
		Target: "≤ 1.2",
		SizeA:  1_000, SizeB: 1_000_000,
		SmokeA: 100, SmokeB: 2_000,
		Setup: setupSettledJobs,
		Step:  stepLifecycle,
	})
}

// setupSettledJobs builds a chain holding size settled jobs and size/10
// agents, written through the keepers as InitGenesis writes them (records,
// every index, the prune queue) and committed in one block, then starts
// the lifecycle pipeline of marketLifecycle on top.
func setupSettledJobs(tb testing.TB, size, _ int) *Env {
	e := newEnv(tb, 200)
	ctx := e.Ctx()
	agents := max(size/10, 1)
	height := e.Height
	for i := 1; i <= agents; i++ {
		owner := apptest.NewAccount(fmt.Sprintf("scaling-owner-%d", i%1000)).Addr.String()
		key := apptest.NewAccount(fmt.Sprintf("scaling-agent-%d", i)).Addr.String()
		if err := e.AgentIDKeeper.Agents.Insert(ctx, uint64(i), agentidtypes.Agent{
			Id: uint64(i), Name: fmt.Sprintf("scaling-agent-%d", i), Owner: owner, AgentAddress: key, PayoutAddress: key,
			Capabilities: []string{"summarize"}, Status: agentidtypes.AGENT_STATUS_ACTIVE,
			Deposit: sdk.NewCoin("uagnt", sdkmath.ZeroInt()), CreatedHeight: height, UpdatedHeight: height,
		}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := e.AgentIDKeeper.AgentSeq.Set(ctx, uint64(agents+1)); err != nil {
		tb.Fatal(err)
	}
	price := coins(1_000_000)[0]
	for i := 1; i <= size; i++ {
		client := apptest.NewAccount(fmt.Sprintf("scaling-client-%d", i%5000)).Addr.String()
		provider := uint64(1 + i%agents)
		j := types.Job{
			Id: uint64(i), Client: client, Provider: provider, ProviderPayout: client, ListingId: 1,
			SpecUri: "https://spec.example", SpecHash: specHash, Price: price, EscrowId: uint64(i),
			DeliverBy: height + 100, ReviewWindowBlocks: 100, Status: types.JOB_STATUS_COMPLETED,
			Milestones:    []types.Milestone{{Title: "all", Amount: price, DeliveredHeight: height, CompletedHeight: height}},
			NextMilestone: 1, ProviderPaid: sdk.NewCoins(price), CreatedHeight: height, AcceptedHeight: height, SettledHeight: height,
		}
		if err := e.MarketKeeper.Jobs.Insert(ctx, j.Id, j); err != nil {
			tb.Fatal(err)
		}
		if err := e.MarketKeeper.PruneQueue.Set(ctx, collections.Join(height, j.Id)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := e.MarketKeeper.JobSeq.Set(ctx, uint64(size+1)); err != nil {
		tb.Fatal(err)
	}
	e.NextBlock(nil) // commit the state
	n, _ := sizes()
	w := &marketLifecycle{}
	w.Setup(e, n, 0)
	scalingLifecycles[e] = w
	tb.Cleanup(func() { delete(scalingLifecycles, e) })
	return e
}

// scalingLifecycles holds each chain's lifecycle pipeline.
var scalingLifecycles = map[*Env]*marketLifecycle{}

// stepLifecycle executes one lifecycle block (a quarter each of hires,
// accepts, delivers and completes) and returns its txs.
func stepLifecycle(tb testing.TB, e *Env, measure func(func())) int {
	n, _ := sizes()
	txs := scalingLifecycles[e].Block(e, n)
	var failed int
	measure(func() {
		res, err := e.FinalizeAndCommit(txs)
		if err != nil {
			tb.Fatal(err)
		}
		for _, r := range res.TxResults {
			if r.Code != 0 {
				failed++
			}
		}
	})
	if failed > 0 {
		tb.Fatalf("%d of %d lifecycle txs failed", failed, len(txs))
	}
	return len(txs)
}
