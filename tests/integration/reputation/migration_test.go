package reputation_test

import (
	"strings"
	"testing"

	"cosmossdk.io/collections"

	"github.com/agentchain/agentchain/testutil/apptest"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	"github.com/agentchain/agentchain/x/reputation/keeper"
	"github.com/agentchain/agentchain/x/reputation/types"
)

// The v2 migration copies every aggregate into its top-agents index entry,
// and starts feedback pruning. A chain whose entries hold no copy (the
// version 1 layout, written here through the raw store) still answers
// TopAgents by reading each aggregate, its invariant reports every entry
// without its copy (and every feedback outside the prune queue, which
// version 1 did not have), and after the migration the entries carry the
// aggregates, the answers are the same, every feedback is queued at its
// height, the retention params are set and the invariant holds. A stale
// copy is reported too.
func TestMigrate1to2CopiesAggregatesIntoTheScoreIndex(t *testing.T) {
	ta := apptest.New(t, apptest.Options{Accounts: 3})
	owner1, owner2, client := ta.Accounts[0], ta.Accounts[1], ta.Accounts[2]
	for i, hot := range []*apptest.Account{provider(t, ta, owner1, "migrated-a"), provider(t, ta, owner2, "migrated-b")} {
		listing := uint64(i + 1)
		send(t, ta, hot, &markettypes.MsgCreateListing{
			Signer: hot.Addr.String(), Provider: uint64(i + 1), Capability: "summarize", Title: "t",
			TermsUri: "https://t.example", TermsHash: hash("t"), Price: coin(10_000_000), MaxDurationBlocks: 100, ReviewWindowBlocks: 10,
		})
		id, _ := ta.MarketKeeper.JobSeq.Peek(ta.Ctx())
		id = max(id, 1)
		send(t, ta, client, &markettypes.MsgHire{Client: client.Addr.String(), ListingId: listing, SpecUri: "https://s.example", SpecHash: hash("s"), DeliverBy: ta.Height + 50})
		send(t, ta, hot, &markettypes.MsgAcceptJob{Signer: hot.Addr.String(), JobId: id})
		send(t, ta, hot, &markettypes.MsgDeliver{Signer: hot.Addr.String(), JobId: id, ResultUri: "https://r.example", ResultHash: hash("r")})
		send(t, ta, client, &markettypes.MsgComplete{Client: client.Addr.String(), JobId: id})
		send(t, ta, client, &types.MsgSubmitFeedback{Rater: client.Addr.String(), JobId: id, Score: uint32(60 + 30*i)})
	}
	qs := keeper.NewQueryServerImpl(ta.ReputationKeeper)
	top := func(capability string) string {
		t.Helper()
		res, err := qs.TopAgents(ta.Ctx(), &types.QueryTopAgentsRequest{Capability: capability})
		if err != nil {
			t.Fatal(err)
		}
		return res.String()
	}
	broken := func() []string {
		t.Helper()
		inv, err := qs.Invariants(ta.Ctx(), &types.QueryInvariantsRequest{})
		if err != nil {
			t.Fatal(err)
		}
		return inv.Broken
	}
	before := map[string]string{"summarize": top("summarize"), "": top("")}
	if !strings.Contains(before["summarize"], "agent_id:2") || len(broken()) != 0 {
		t.Fatalf("before: %s %v", before["summarize"], broken())
	}

	// Rewrite the index in the version 1 layout: keys only.
	ctx := ta.Ctx()
	store := ctx.KVStore(ta.GetKey(types.StoreKey))
	entries := ta.ReputationKeeper.Aggregates.Indexes.Score.Entries()
	var keys [][]byte
	if err := entries.Walk(ctx, nil, func(k collections.Pair[keeper.ScoreKey, keeper.AggKey], _ types.Aggregate) (bool, error) {
		bz, err := collections.EncodeKeyWithPrefix(types.AggregatesByScoreKey, entries.KeyCodec(), k)
		keys = append(keys, bz)
		return false, err
	}); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 4 { // two agents, overall and "summarize"
		t.Fatalf("%d index entries", len(keys))
	}
	for _, k := range keys {
		store.Set(k, []byte{})
	}
	// Version 1 had no prune queue and no retention params.
	var queued []collections.Pair[int64, uint64]
	if err := ta.ReputationKeeper.FeedbackQueue.Walk(ctx, nil, func(k collections.Pair[int64, uint64]) (bool, error) {
		queued = append(queued, k)
		return false, nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(queued) != 2 {
		t.Fatalf("%d feedback queued, want 2", len(queued))
	}
	for _, k := range queued {
		if err := ta.ReputationKeeper.FeedbackQueue.Remove(ctx, k); err != nil {
			t.Fatal(err)
		}
	}
	p, err := ta.ReputationKeeper.Params.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	p.FeedbackRetentionBlocks, p.MaxPrunesPerBlock = 0, 0
	if err := ta.ReputationKeeper.Params.Set(ctx, p); err != nil {
		t.Fatal(err)
	}
	if b := broken(); len(b) != 6 || !strings.Contains(b[0], "the top-agents index holds") || !strings.Contains(strings.Join(b, "\n"), "is not in the prune queue") {
		t.Fatalf("entries without copies, feedback outside the queue: invariant %v", b)
	}
	for capability, want := range before {
		if got := top(capability); got != want {
			t.Fatalf("top agents %q from entries without copies: %s, want %s", capability, got, want)
		}
	}

	if err := keeper.NewMigrator(ta.ReputationKeeper).Migrate1to2(ctx); err != nil {
		t.Fatal(err)
	}
	if b := broken(); len(b) != 0 {
		t.Fatalf("after the migration: %v", b)
	}
	for _, k := range queued {
		if ok, err := ta.ReputationKeeper.FeedbackQueue.Has(ctx, k); err != nil || !ok {
			t.Fatalf("queue entry %v after the migration: %v %v", k, ok, err)
		}
	}
	if p, err := ta.ReputationKeeper.Params.Get(ctx); err != nil || p.FeedbackRetentionBlocks != types.DefaultFeedbackRetentionBlocks || p.MaxPrunesPerBlock != types.DefaultMaxPrunesPerBlock {
		t.Fatalf("params after the migration: %+v %v", p, err)
	}
	for capability, want := range before {
		if got := top(capability); got != want {
			t.Fatalf("top agents %q after the migration: %s, want %s", capability, got, want)
		}
	}
	agg, err := ta.ReputationKeeper.Aggregates.Get(ctx, collections.Join(uint64(2), "summarize"))
	if err != nil {
		t.Fatal(err)
	}
	copied, err := ta.ReputationKeeper.Aggregates.Indexes.Score.Get(ctx, collections.Join(agg.Capability, agg.ScoreMicro), collections.Join(uint64(2), "summarize"))
	if err != nil || copied.AgentId != 2 || !copied.Weight.Equal(agg.Weight) {
		t.Fatalf("the entry of agent 2 after the migration: %+v %v", copied, err)
	}

	// A stale copy is reported.
	copied.Count++
	if err := entries.Set(ctx, collections.Join(collections.Join(agg.Capability, agg.ScoreMicro), collections.Join(uint64(2), "summarize")), copied); err != nil {
		t.Fatal(err)
	}
	if b := broken(); len(b) != 1 || !strings.Contains(b[0], `aggregate 2/"summarize": the top-agents index holds`) {
		t.Fatalf("a stale copy: invariant %v", b)
	}
}
