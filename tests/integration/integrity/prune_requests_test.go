package integrity_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"cosmossdk.io/collections"

	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	marketkeeper "github.com/agentchain/agentchain/x/market/keeper"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// Finished requests leave state with their bids: a cancelled and an
// expired one settled_job_retention_blocks after they closed, with their
// closed escrows; an accepted one only with the job it became (whose
// escrow it was), after the feedback window on that job closed. An open
// request, its bid and its locked escrow stay. At most
// max_prunes_per_block leave a block, every invariant holds after each
// block (and a missing queue entry breaks one), a pruned request's queries
// say so, actions on it are refused, a bogus queue entry is contained, and
// an export after pruning imports.
func TestFinishedRequestsLeaveStateWithTheirBids(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	owner, client := ta.Accounts[0], ta.Accounts[2]

	const window, retention = 30, 5
	w.feedbackWindow(window)
	mp, err := ta.MarketKeeper.Params.Get(ta.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	// Retention 0 keeps everything while the requests are made.
	mp.SettledJobRetentionBlocks, mp.MaxPrunesPerBlock = 0, 2
	w.marketParams(mp)
	provider := w.newAgent(owner)

	post := func(deadlineIn int64) uint64 {
		t.Helper()
		id, err := ta.MarketKeeper.RequestSeq.Peek(ta.Ctx())
		if err != nil {
			t.Fatal(err)
		}
		w.ok(client, &markettypes.MsgPostRequest{
			Client: client.Addr.String(), Capability: "summarize", SpecUri: "https://spec.example", SpecHash: hash("spec"),
			Budget: coin(3_000_000), BidDeadline: ta.Height + deadlineIn,
		})
		w.ok(provider.key, &markettypes.MsgPlaceBid{
			Signer: provider.key.Addr.String(), RequestId: id, Provider: provider.id, Price: coin(2_000_000), DeliveryBlocks: 100,
		})
		return id
	}
	cancelled, cancelled2 := post(50), post(50)
	w.ok(client, &markettypes.MsgCancelRequest{Client: client.Addr.String(), RequestId: cancelled})
	w.ok(client, &markettypes.MsgCancelRequest{Client: client.Addr.String(), RequestId: cancelled2})
	expired := post(3)
	accepted := post(50)
	job, err := ta.MarketKeeper.JobSeq.Peek(ta.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	w.ok(client, &markettypes.MsgAcceptBid{Client: client.Addr.String(), RequestId: accepted, BidId: 1})
	w.accept(provider, job)
	w.deliver(provider, job)
	w.complete(client, job)
	open := post(500)
	w.until(ta.Height + 4) // the expiry fires

	get := func(id uint64) markettypes.Request {
		t.Helper()
		r, err := ta.MarketKeeper.GetRequest(ta.Ctx(), id)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	escrowOf := map[uint64]uint64{}
	for id, status := range map[uint64]markettypes.RequestStatus{
		cancelled: markettypes.REQUEST_STATUS_CANCELLED, cancelled2: markettypes.REQUEST_STATUS_CANCELLED, expired: markettypes.REQUEST_STATUS_EXPIRED,
		accepted: markettypes.REQUEST_STATUS_ACCEPTED, open: markettypes.REQUEST_STATUS_OPEN,
	} {
		r := get(id)
		if r.Status != status || (r.ClosedHeight != 0) != (status != markettypes.REQUEST_STATUS_ACCEPTED && status != markettypes.REQUEST_STATUS_OPEN) {
			t.Fatalf("request %d is %s, closed at %d; want %s", id, r.Status, r.ClosedHeight, status)
		}
		escrowOf[id] = r.EscrowId
	}
	w.invariants()

	// A closed request missing from its queue breaks the invariant.
	key := collections.Join(get(cancelled).ClosedHeight, cancelled)
	if err := ta.MarketKeeper.RequestPruneQueue.Remove(ta.Ctx(), key); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.CheckInvariants(ta.Ctx()); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("closed request %d", cancelled)) {
		t.Fatalf("invariant with a closed request out of its queue: %v", err)
	}
	if err := ta.MarketKeeper.RequestPruneQueue.Set(ta.Ctx(), key); err != nil {
		t.Fatal(err)
	}

	// A genesis holding the accepted request without its job is refused:
	// the request leaves with its job, never after.
	snapshot, err := ta.ExportAppStateAndValidators(false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var appState map[string]json.RawMessage
	if err := json.Unmarshal(snapshot.AppState, &appState); err != nil {
		t.Fatal(err)
	}
	var gs markettypes.GenesisState
	ta.AppCodec().MustUnmarshalJSON(appState[markettypes.ModuleName], &gs)
	if err := gs.Validate(); err != nil {
		t.Fatal(err)
	}
	gs.Jobs = slices.DeleteFunc(gs.Jobs, func(j markettypes.Job) bool { return j.Id == job })
	if err := gs.Validate(); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("accepted request %d", accepted)) {
		t.Fatalf("a genesis with the accepted request and without its job: %v", err)
	}

	// Retention on: the closed requests are long due, the job's feedback
	// window not yet closed.
	settled := w.job(job).SettledHeight
	if ta.Height >= settled+window {
		t.Fatalf("the setup took past the feedback window (%d ≥ %d + %d)", ta.Height, settled, window)
	}
	mp.SettledJobRetentionBlocks = retention
	w.marketParams(mp)

	// Blocks until every finished request left: at most 2 requests a
	// block, the invariants after each.
	finished := []uint64{cancelled, cancelled2, expired, accepted}
	left := map[uint64]int64{}
	var jobLeft int64
	for block := 0; block < window+10 && len(left) < len(finished); block++ {
		res := ta.NextBlock(nil)
		if n := countEvents(res, "agentchain.market.v1.EventRequestPruned"); n > 2 {
			t.Fatalf("block %d pruned %d requests; max_prunes_per_block is 2", ta.Height, n)
		}
		for _, id := range finished {
			if _, ok := left[id]; !ok {
				if has, _ := ta.MarketKeeper.Requests.Has(ta.Ctx(), id); !has {
					left[id] = ta.Height
				}
			}
		}
		if has, _ := ta.MarketKeeper.Jobs.Has(ta.Ctx(), job); !has && jobLeft == 0 {
			jobLeft = ta.Height
		}
		w.invariants()
	}
	if len(left) != len(finished) {
		t.Fatalf("requests pruned by height %d: %v", ta.Height, left)
	}
	// The three closed ones over two blocks; the accepted one with its job,
	// once the feedback window on it closed.
	if last := max(left[cancelled], left[cancelled2], left[expired]); last-min(left[cancelled], left[cancelled2], left[expired]) != 1 {
		t.Fatalf("closed requests left at %v: want two blocks for three", left)
	}
	if left[accepted] != jobLeft || jobLeft <= settled+window {
		t.Fatalf("the accepted request left at %d, its job (settled at %d, window %d) at %d", left[accepted], settled, window, jobLeft)
	}
	qs := marketkeeper.NewQueryServerImpl(ta.MarketKeeper)
	for _, id := range finished {
		_, err := qs.Request(ta.Ctx(), &markettypes.QueryRequestRequest{Id: id})
		if err == nil || !strings.Contains(err.Error(), "left state") {
			t.Errorf("request %d after pruning: %v", id, err)
		}
		if _, err := qs.Bids(ta.Ctx(), &markettypes.QueryBidsRequest{RequestId: id}); err == nil || !strings.Contains(err.Error(), "left state") {
			t.Errorf("bids of request %d after pruning: %v", id, err)
		}
		if has, err := ta.MarketKeeper.Bids.Has(ta.Ctx(), collections.Join(id, uint32(1))); err != nil || has {
			t.Errorf("request %d's bid after pruning: %v %v", id, has, err)
		}
		if pruned, err := ta.MarketKeeper.RequestPruned(ta.Ctx(), id); err != nil || !pruned {
			t.Errorf("request %d: pruned %v, %v", id, pruned, err)
		}
		if _, err := ta.EscrowKeeper.GetEscrow(ta.Ctx(), escrowOf[id]); !errors.Is(err, escrowtypes.ErrEscrowNotFound) {
			t.Errorf("request %d's escrow %d after pruning: %v", id, escrowOf[id], err)
		}
	}
	// The open request, its bid and its locked escrow stay; an id never
	// used is not "pruned".
	if r := get(open); r.Status != markettypes.REQUEST_STATUS_OPEN {
		t.Fatalf("open request is %s", r.Status)
	}
	if has, err := ta.MarketKeeper.Bids.Has(ta.Ctx(), collections.Join(open, uint32(1))); err != nil || !has {
		t.Fatalf("the open request's bid: %v %v", has, err)
	}
	if e, err := ta.EscrowKeeper.GetEscrow(ta.Ctx(), escrowOf[open]); err != nil || e.Status != escrowtypes.ESCROW_STATUS_LOCKED {
		t.Fatalf("the open request's escrow: %v %v", e, err)
	}
	if p, _ := ta.MarketKeeper.RequestPruned(ta.Ctx(), 1_000_000); p {
		t.Fatal("an id never used counts as pruned")
	}
	// Actions on a pruned request are refused and move nothing.
	w.refused(markettypes.ErrRequestNotFound, provider.key, &markettypes.MsgPlaceBid{
		Signer: provider.key.Addr.String(), RequestId: cancelled, Provider: provider.id, Price: coin(2_000_000), DeliveryBlocks: 100,
	})
	w.refused(markettypes.ErrRequestNotFound, client, &markettypes.MsgCancelRequest{Client: client.Addr.String(), RequestId: expired})
	w.refused(markettypes.ErrRequestNotFound, client, &markettypes.MsgAcceptBid{Client: client.Addr.String(), RequestId: cancelled, BidId: 1})

	// A queue entry naming the open request (a bug's trace) is refused by
	// the pruner, contained: the request stays, the block reports it.
	if err := ta.MarketKeeper.RequestPruneQueue.Set(ta.Ctx(), collections.Join(int64(0), open)); err != nil {
		t.Fatal(err)
	}
	res := ta.NextBlock(nil)
	if n := countEvents(res, "agentchain.market.v1.EventQueueItemFailed"); n != 1 || !strings.Contains(fmt.Sprint(res.Events), "not a closed request") {
		t.Fatalf("%d queue failures reported for the bogus entry: %v", n, res.Events)
	}
	if r := get(open); r.Status != markettypes.REQUEST_STATUS_OPEN {
		t.Fatalf("open request is %s after the bogus entry", r.Status)
	}
	w.invariants()

	// An export after pruning imports, with the open request queued for
	// its deadline and its invariants holding.
	nb := w.reimport()
	if _, err := nb.MarketKeeper.GetRequest(nb.Ctx(), open); err != nil {
		t.Fatal(err)
	}
	t.Logf("requests pruned at heights %v (cancelled %d, %d, expired %d, accepted %d with job %d, pruned at %d)", left, cancelled, cancelled2, expired, accepted, job, jobLeft)
}

// The v2 migration gives requests closed before it (version 1 kept no
// closed height) the upgrade's height and queues them, so they leave a
// retention window after the upgrade; the invariants hold after it.
func TestMigrationQueuesRequestsClosedBeforeIt(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	client := ta.Accounts[2]
	id, err := ta.MarketKeeper.RequestSeq.Peek(ta.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	w.ok(client, &markettypes.MsgPostRequest{
		Client: client.Addr.String(), Capability: "summarize", SpecUri: "https://spec.example", SpecHash: hash("spec"),
		Budget: coin(3_000_000), BidDeadline: ta.Height + 50,
	})
	w.ok(client, &markettypes.MsgCancelRequest{Client: client.Addr.String(), RequestId: id})
	// Back to the version 1 state: no closed height, no queue entry.
	ctx := ta.Ctx()
	r, err := ta.MarketKeeper.GetRequest(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if err := ta.MarketKeeper.RequestPruneQueue.Remove(ctx, collections.Join(r.ClosedHeight, id)); err != nil {
		t.Fatal(err)
	}
	r.ClosedHeight = 0
	if err := ta.MarketKeeper.Requests.Set(ctx, id, r); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.CheckInvariants(ctx); err == nil {
		t.Fatal("a closed request out of its queue passed the invariants")
	}
	if err := marketkeeper.NewMigrator(ta.MarketKeeper).Migrate1to2(ctx); err != nil {
		t.Fatal(err)
	}
	r, err = ta.MarketKeeper.GetRequest(ctx, id)
	if err != nil || r.ClosedHeight != ctx.BlockHeight() {
		t.Fatalf("after the migration: closed at %d (height %d), %v", r.ClosedHeight, ctx.BlockHeight(), err)
	}
	if has, err := ta.MarketKeeper.RequestPruneQueue.Has(ctx, collections.Join(r.ClosedHeight, id)); err != nil || !has {
		t.Fatalf("queued after the migration: %v %v", has, err)
	}
	w.invariants()
}
