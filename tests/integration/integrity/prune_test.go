package integrity_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reptypes "github.com/agentchain/agentchain/x/reputation/types"
)

// Settled jobs leave state after the retention window, and never before
// the feedback window on them closed: a completed job (hired by a client
// agent), a resolved dispute (with its ruling), an expired job, a declined
// one and a purchase are pruned with their escrows, at most
// max_prunes_per_block a block, while a running job stays with its escrow.
// The agents' signals do not move, the invariants (signals replayed from
// the jobs on record plus the pruned part, rulings, indexes, escrow books)
// hold after every block, the purchase's request id still settles at most
// once, a pruned job is reported as such, and an export after pruning
// imports.
func TestSettledJobsLeaveStateAfterRetention(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	owner, clientOwner, buyer := ta.Accounts[0], ta.Accounts[1], ta.Accounts[2]

	const window, retention = 30, 5 // feedback window rules: kept 31 blocks
	w.feedbackWindow(window)
	mp, err := ta.MarketKeeper.Params.Get(ta.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	mp.SettledJobRetentionBlocks, mp.MaxPrunesPerBlock, mp.DisputeTimeoutBlocks = retention, 2, 1_000
	w.marketParams(mp)

	provider := w.newAgent(owner)
	clientAgent := w.newAgent(clientOwner)
	listing := w.listing(provider, "summarize", 2_000_000, 20)

	// A completed job hired by a client agent.
	completed := w.hire(clientAgent.key, listing, 200)
	w.accept(provider, completed)
	w.deliver(provider, completed)
	w.complete(clientAgent.key, completed)
	// A dispute the arbiter resolves (a ruling on the provider).
	resolved := w.hire(buyer, listing, 200)
	w.accept(provider, resolved)
	w.deliver(provider, resolved)
	w.ok(buyer, &markettypes.MsgReject{Client: buyer.Addr.String(), JobId: resolved, Reason: markettypes.REJECT_REASON_OTHER, EvidenceHash: hash("e")})
	w.ok(w.arbiter, &markettypes.MsgResolve{Signer: w.arbiter.Addr.String(), JobId: resolved, ProviderShareBps: 3_000})
	// A declined job, an expired one, a purchase, and one still running.
	declined := w.hire(buyer, listing, 200)
	w.ok(provider.key, &markettypes.MsgDeclineJob{Signer: provider.key.Addr.String(), JobId: declined})
	expired := w.hire(buyer, listing, 3)
	w.accept(provider, expired)
	purchase, err := ta.MarketKeeper.JobSeq.Peek(ta.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	buy := &markettypes.MsgPurchase{Client: buyer.Addr.String(), ListingId: listing, Calls: 1, Amount: coin(2_000_000), RequestId: "call-1", ValidUntilHeight: ta.Height + 100}
	w.ok(buyer, buy)
	running := w.hire(buyer, listing, 900)
	w.accept(provider, running)
	w.until(ta.Height + 5) // the expiry fires
	if j := w.job(expired); j.Status != markettypes.JOB_STATUS_EXPIRED {
		t.Fatalf("job %d is %s", expired, j.Status)
	}
	settled := []uint64{completed, resolved, declined, expired, purchase}
	escrowOf := map[uint64]uint64{}
	var lastSettled int64
	for _, id := range settled {
		j := w.job(id)
		escrowOf[id] = j.EscrowId
		lastSettled = max(lastSettled, j.SettledHeight)
	}
	runningEscrow := w.job(running).EscrowId
	signalsBefore := map[uint64]reptypes.Signals{provider.id: w.signals(provider.id), clientAgent.id: w.signals(clientAgent.id)}
	if signalsBefore[provider.id].JobsCompleted == 0 || signalsBefore[clientAgent.id].JobsAsClient == 0 {
		t.Fatalf("signals before: %v", signalsBefore)
	}

	// The feedback window rules over the shorter retention: on the last
	// block of the completed job's window every settled job is still
	// there, and the client agent can rate it.
	if ta.Height >= w.job(completed).SettledHeight+window {
		t.Fatalf("the setup took past the feedback window (%d ≥ %d + %d)", ta.Height, w.job(completed).SettledHeight, window)
	}
	w.until(w.job(completed).SettledHeight + window - 1)
	for _, id := range settled {
		w.job(id)
	}
	w.ok(clientAgent.key, &reptypes.MsgSubmitFeedback{Rater: clientAgent.key.Addr.String(), JobId: completed, Score: 90})
	w.invariants()

	// Retention 0 keeps settled jobs however old.
	mp.SettledJobRetentionBlocks = 0
	w.marketParams(mp)
	w.until(lastSettled + window + 10)
	for _, id := range settled {
		w.job(id)
	}
	mp.SettledJobRetentionBlocks = retention
	w.marketParams(mp)

	// Pruning: at most 2 a block, every invariant after each block.
	pruned := 0
	for block := 0; block < 10 && pruned < len(settled); block++ {
		n := countEvents(ta.NextBlock(nil), "agentchain.market.v1.EventJobPruned")
		if n > 2 {
			t.Fatalf("block %d pruned %d jobs; max_prunes_per_block is 2", ta.Height, n)
		}
		pruned += n
		w.invariants()
	}
	if pruned != len(settled) {
		t.Fatalf("%d of %d settled jobs pruned", pruned, len(settled))
	}
	for _, id := range settled {
		_, err := ta.MarketKeeper.GetJob(ta.Ctx(), id)
		if !errors.Is(err, markettypes.ErrJobNotFound) || !strings.Contains(err.Error(), "retention window") {
			t.Errorf("job %d after pruning: %v", id, err)
		}
		if pruned, err := ta.MarketKeeper.JobPruned(ta.Ctx(), id); err != nil || !pruned {
			t.Errorf("job %d: pruned %v, %v", id, pruned, err)
		}
		if e := escrowOf[id]; e != 0 {
			if _, err := ta.EscrowKeeper.GetEscrow(ta.Ctx(), e); !errors.Is(err, escrowtypes.ErrEscrowNotFound) {
				t.Errorf("job %d's escrow %d after pruning: %v", id, e, err)
			}
		}
	}
	// The running job and its escrow are untouched, and an unknown id is
	// not "pruned".
	if j := w.job(running); j.Status != markettypes.JOB_STATUS_IN_PROGRESS {
		t.Fatalf("running job is %s", j.Status)
	}
	if e, err := ta.EscrowKeeper.GetEscrow(ta.Ctx(), runningEscrow); err != nil || e.Status != escrowtypes.ESCROW_STATUS_LOCKED {
		t.Fatalf("running job's escrow: %v %v", e, err)
	}
	if p, _ := ta.MarketKeeper.JobPruned(ta.Ctx(), 1_000_000); p {
		t.Fatal("an id never used counts as pruned")
	}
	// Signals as they were; the pruned part holds what the jobs counted.
	for id, before := range signalsBefore {
		if after := w.signals(id); after.String() != before.String() {
			t.Errorf("agent %d's signals moved: %s → %s", id, before.String(), after.String())
		}
		if _, err := ta.ReputationKeeper.PrunedSignals.Get(ta.Ctx(), id); err != nil {
			t.Errorf("agent %d has no pruned signals: %v", id, err)
		}
	}
	// The ruling outlives its job.
	if _, err := ta.ReputationKeeper.Feedback.Get(ta.Ctx(), collections.Join(resolved, int32(reptypes.RATER_ROLE_RULING))); err != nil {
		t.Errorf("the ruling on job %d: %v", resolved, err)
	}
	// A request id settles at most once, also after its job left.
	buy.ValidUntilHeight = ta.Height + 100
	w.refused(markettypes.ErrRequestIDUsed, buyer, buy)
	// Feedback on a pruned job is refused, and moves nothing.
	w.refused(reptypes.ErrJobNotFound, clientAgent.key, &reptypes.MsgSubmitFeedback{Rater: clientAgent.key.Addr.String(), JobId: completed, Score: 90})
	// A queue entry that names a running job (a bug's trace) is refused
	// by the pruner, contained: the job stays, the entry leaves, the block
	// goes on and reports it.
	if err := ta.MarketKeeper.PruneQueue.Set(ta.Ctx(), collections.Join(int64(0), running)); err != nil {
		t.Fatal(err)
	}
	res := ta.NextBlock(nil)
	if n := countEvents(res, "agentchain.market.v1.EventQueueItemFailed"); n != 1 || !strings.Contains(fmt.Sprint(res.Events), "not a settled job") {
		t.Fatalf("%d queue failures reported for the bogus prune entry: %v", n, res.Events)
	}
	if j := w.job(running); j.Status != markettypes.JOB_STATUS_IN_PROGRESS {
		t.Fatalf("running job is %s after the bogus prune entry", j.Status)
	}
	w.invariants()

	// An export after pruning imports, and its invariants hold.
	nb := w.reimport()
	if _, err := nb.MarketKeeper.GetJob(nb.Ctx(), running); err != nil {
		t.Fatal(err)
	}
}

// Closed direct escrows and streams leave state closed_retention_blocks
// after they closed, at most max_prunes_per_block a block; open ones stay,
// and so does a closed escrow of the market (it leaves with its job, under
// the market's retention, here off). The books and every invariant hold
// after each block, a pruned record's query says so, and an export after
// pruning imports.
func TestClosedDirectEscrowsAndStreamsLeaveState(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	payer, payee, owner := ta.Accounts[0], ta.Accounts[1], ta.Accounts[2]
	const retention = 20
	w.escrowParams(func(p *escrowtypes.Params) { p.ClosedRetentionBlocks, p.MaxPrunesPerBlock = retention, 1 })
	mp, err := ta.MarketKeeper.Params.Get(ta.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	mp.SettledJobRetentionBlocks = 0
	w.marketParams(mp)

	nextEscrow := func() uint64 {
		id, err := ta.EscrowKeeper.EscrowSeq.Peek(ta.Ctx())
		if err != nil {
			t.Fatal(err)
		}
		return max(id, 1)
	}
	nextStream := func() uint64 {
		id, err := ta.EscrowKeeper.StreamSeq.Peek(ta.Ctx())
		if err != nil {
			t.Fatal(err)
		}
		return max(id, 1)
	}
	create := func() uint64 {
		id := nextEscrow()
		w.ok(payer, &escrowtypes.MsgCreateEscrow{Payer: payer.Addr.String(), Payee: payee.Addr.String(), Amount: sdk.NewCoins(coin(100_000))})
		return id
	}
	released := create()
	w.ok(payer, &escrowtypes.MsgRelease{Payer: payer.Addr.String(), EscrowId: released})
	refunded := create()
	w.ok(payee, &escrowtypes.MsgRefund{Signer: payee.Addr.String(), EscrowId: refunded})
	open := create()
	cancelled := nextStream()
	w.ok(payer, &escrowtypes.MsgOpenStream{Payer: payer.Addr.String(), Payee: payee.Addr.String(), Rate: coin(10), PeriodBlocks: 1, Deposit: coin(10_000)})
	w.ok(payer, &escrowtypes.MsgCancelStream{Signer: payer.Addr.String(), StreamId: cancelled})
	running := nextStream()
	w.ok(payer, &escrowtypes.MsgOpenStream{Payer: payer.Addr.String(), Payee: payee.Addr.String(), Rate: coin(10), PeriodBlocks: 1, Deposit: coin(10_000)})
	// A market job's escrow, closed when the job completes.
	provider := w.newAgent(owner)
	listing := w.listing(provider, "summarize", 50_000, 20)
	job := w.hire(payer, listing, 100)
	w.accept(provider, job)
	w.deliver(provider, job)
	w.complete(payer, job)
	jobEscrow := w.job(job).EscrowId
	// Still there before their window ends.
	if _, err := ta.EscrowKeeper.GetEscrow(ta.Ctx(), released); err != nil {
		t.Fatalf("escrow %d pruned before its retention window: %v", released, err)
	}

	pruned := 0
	for block := 0; block < retention+5 && pruned < 3; block++ {
		n := countEvents(ta.NextBlock(nil), "agentchain.escrow.v1.EventRecordPruned")
		if n > 1 {
			t.Fatalf("block %d pruned %d records; max_prunes_per_block is 1", ta.Height, n)
		}
		pruned += n
		w.invariants()
	}
	if pruned != 3 {
		t.Fatalf("%d of 3 closed direct records pruned", pruned)
	}
	for _, id := range []uint64{released, refunded} {
		if _, err := ta.EscrowKeeper.GetEscrow(ta.Ctx(), id); !errors.Is(err, escrowtypes.ErrEscrowNotFound) || !strings.Contains(err.Error(), "retention window") {
			t.Errorf("escrow %d after pruning: %v", id, err)
		}
	}
	if _, err := ta.EscrowKeeper.GetStream(ta.Ctx(), cancelled); !errors.Is(err, escrowtypes.ErrStreamNotFound) || !strings.Contains(err.Error(), "retention window") {
		t.Errorf("stream %d after pruning: %v", cancelled, err)
	}
	if e, err := ta.EscrowKeeper.GetEscrow(ta.Ctx(), open); err != nil || e.Status != escrowtypes.ESCROW_STATUS_LOCKED {
		t.Errorf("the open escrow: %v %v", e, err)
	}
	if s, err := ta.EscrowKeeper.GetStream(ta.Ctx(), running); err != nil || s.Status != escrowtypes.STREAM_STATUS_ACTIVE {
		t.Errorf("the running stream: %v %v", s, err)
	}
	if e, err := ta.EscrowKeeper.GetEscrow(ta.Ctx(), jobEscrow); err != nil || e.Status != escrowtypes.ESCROW_STATUS_CLOSED {
		t.Errorf("the market's closed escrow %d: %v %v", jobEscrow, e, err)
	}
	// A released escrow's refusal path: releasing a pruned escrow again is
	// refused with not found, and moves nothing.
	w.refused(escrowtypes.ErrEscrowNotFound, payer, &escrowtypes.MsgRelease{Payer: payer.Addr.String(), EscrowId: released})
	// A prune entry naming the open escrow is refused, contained.
	if err := ta.EscrowKeeper.PruneQueue.Set(ta.Ctx(), collections.Join(int64(0), open)); err != nil {
		t.Fatal(err)
	}
	res := ta.NextBlock(nil)
	if n := countEvents(res, "agentchain.escrow.v1.EventQueueItemFailed"); n != 1 || !strings.Contains(fmt.Sprint(res.Events), "not a closed direct escrow") {
		t.Fatalf("%d queue failures reported for the bogus prune entry: %v", n, res.Events)
	}
	if e, err := ta.EscrowKeeper.GetEscrow(ta.Ctx(), open); err != nil || e.Status != escrowtypes.ESCROW_STATUS_LOCKED {
		t.Fatalf("the open escrow after the bogus prune entry: %v %v", e, err)
	}
	w.invariants()

	// An export after pruning imports, and its invariants hold.
	w.reimport()
}

// countEvents counts a block's events of a type.
func countEvents(res *abci.ResponseFinalizeBlock, typ string) int {
	n := 0
	for _, e := range res.Events {
		if e.Type == typ {
			n++
		}
	}
	return n
}
