package integrity_test

import (
	"testing"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
	agentidkeeper "github.com/agentchain/agentchain/x/agentid/keeper"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reptypes "github.com/agentchain/agentchain/x/reputation/types"
)

// A chain restarted from `export --for-zero-height` starts again at height
// 1, which is block H+1 of the old chain. Every stored height moves with
// it: open jobs, escrows and requests keep the distance to their deadlines
// (no timer fires early, none waits H blocks too long), spend buckets refill
// from where they were, and scores decay on as if nothing had happened.
func TestZeroHeightRestartKeepsEveryClock(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	owner, client, stranger := ta.Accounts[0], ta.Accounts[1], ta.Accounts[2]

	p, _ := ta.MarketKeeper.Params.Get(ta.Ctx())
	p.DisputeTimeoutBlocks = 40
	w.marketParams(p)
	rp, _ := ta.ReputationKeeper.Params.Get(ta.Ctx())
	rp.HalfLifeBlocks = 50 // fixed after genesis: set in the store, as genesis would
	if err := ta.ReputationKeeper.Params.Set(ta.Ctx(), rp); err != nil {
		t.Fatal(err)
	}
	w.escrowParams(func(p *escrowtypes.Params) { p.DisputeTimeoutBlocks = 45 })

	provider := w.newAgent(owner)
	listing := w.listing(provider, "summarize", 2_000_000, 30)
	capped := w.newAgent(client)
	// An attestation that expires: its expiry (and prune queue entry) moves.
	ap, _ := ta.AgentIDKeeper.Params.Get(ta.Ctx())
	ap.Attesters = []string{stranger.Addr.String()}
	w.gov(&agentidtypes.MsgUpdateParams{Authority: authority, Params: ap})
	w.ok(stranger, &agentidtypes.MsgAttest{Attester: stranger.Addr.String(), AgentId: provider.id, ClaimType: "kyc", Uri: "https://claims.example/kyc", Hash: hash("kyc"), ExpiresHeight: ta.Height + 300})
	attestationKey := collections.Join(provider.id, collections.Join(stranger.Addr, "kyc"))
	attestation, err := ta.AgentIDKeeper.Attestations.Get(ta.Ctx(), attestationKey)
	if err != nil {
		t.Fatal(err)
	}

	// A rated job, so the provider has a score that decays.
	rated := w.hire(client, listing, 200)
	w.accept(provider, rated)
	w.deliver(provider, rated)
	w.complete(client, rated)
	w.ok(client, &reptypes.MsgSubmitFeedback{Rater: client.Addr.String(), JobId: rated, Score: 95})

	// Open jobs in every state that waits on a timer.
	funded := w.hire(client, listing, 300)
	inProgress := w.hire(client, listing, 60)
	w.accept(provider, inProgress)
	delivered := w.hire(client, listing, 300)
	w.accept(provider, delivered)
	w.deliver(provider, delivered)
	disputed := w.hire(client, listing, 300)
	w.accept(provider, disputed)
	w.deliver(provider, disputed)
	w.ok(client, &markettypes.MsgReject{Client: client.Addr.String(), JobId: disputed, Reason: markettypes.REJECT_REASON_OTHER, EvidenceHash: hash("e")})
	// A request, an expiring escrow, a disputed escrow.
	reqID, _ := ta.MarketKeeper.RequestSeq.Peek(ta.Ctx())
	reqID = max(reqID, 1)
	w.ok(client, &markettypes.MsgPostRequest{Client: client.Addr.String(), Capability: "summarize", SpecUri: "https://spec.example", SpecHash: hash("s"), Budget: coin(3_000_000), BidDeadline: ta.Height + 1 + 70})
	// And a cancelled one, whose closed height (its retention clock) moves too.
	cancelledReq := reqID + 1
	w.ok(client, &markettypes.MsgPostRequest{Client: client.Addr.String(), Capability: "summarize", SpecUri: "https://spec.example", SpecHash: hash("s"), Budget: coin(1_000_000), BidDeadline: ta.Height + 1 + 70})
	w.ok(client, &markettypes.MsgCancelRequest{Client: client.Addr.String(), RequestId: cancelledReq})
	escID, _ := ta.EscrowKeeper.EscrowSeq.Peek(ta.Ctx())
	expiring, disputedEscrow := max(escID, 1), max(escID, 1)+1
	w.ok(client, &escrowtypes.MsgCreateEscrow{Payer: client.Addr.String(), Payee: stranger.Addr.String(), Amount: sdk.NewCoins(coin(400_000)), ExpiresHeight: ta.Height + 1 + 35})
	w.ok(client, &escrowtypes.MsgCreateEscrow{Payer: client.Addr.String(), Payee: stranger.Addr.String(), Amount: sdk.NewCoins(coin(500_000))})
	w.ok(stranger, &escrowtypes.MsgOpenDispute{Signer: stranger.Addr.String(), EscrowId: disputedEscrow, Reason: escrowtypes.DISPUTE_REASON_OTHER, EvidenceHash: hash("d")})
	// A spend bucket partly drawn: 600,000 of 1,000,000, refilling 1,000 a block.
	w.ok(client, &agentidtypes.MsgSetSpendPolicy{Owner: client.Addr.String(), AgentId: capped.id, Denom: app.BaseDenom, Cap: sdkmath.NewInt(1_000_000), WindowBlocks: 1_000})
	w.ok(capped.key, &escrowtypes.MsgCreateEscrow{Payer: capped.key.Addr.String(), Payee: stranger.Addr.String(), Amount: sdk.NewCoins(coin(590_000))})
	// Two streams: one with a cliff and an end ahead, one that ended before
	// the export.
	streamID, _ := ta.EscrowKeeper.StreamSeq.Peek(ta.Ctx())
	running, ended := max(streamID, 1), max(streamID, 1)+1
	w.ok(client, &escrowtypes.MsgOpenStream{Payer: client.Addr.String(), Payee: stranger.Addr.String(), Rate: coin(7), PeriodBlocks: 2, Deposit: coin(1_000), CliffHeight: ta.Height + 1 + 3, EndHeight: ta.Height + 1 + 60})
	w.ok(client, &escrowtypes.MsgOpenStream{Payer: client.Addr.String(), Payee: stranger.Addr.String(), Rate: coin(5), Deposit: coin(1_000), EndHeight: ta.Height + 1 + 2})
	w.until(ta.Height + 5)
	w.invariants()

	// What the old chain would see at its next height.
	H := ta.Height
	next := ta.Ctx().WithBlockHeight(H + 1)
	openJobs := map[uint64]markettypes.Job{}
	for _, id := range []uint64{funded, inProgress, delivered, disputed} {
		openJobs[id] = w.job(id)
	}
	request, _ := ta.MarketKeeper.GetRequest(ta.Ctx(), reqID)
	cancelled, _ := ta.MarketKeeper.GetRequest(ta.Ctx(), cancelledReq)
	escrows := map[uint64]escrowtypes.Escrow{}
	for _, id := range []uint64{expiring, disputedEscrow} {
		escrows[id], _ = ta.EscrowKeeper.GetEscrow(ta.Ctx(), id)
	}
	streamsOld := map[uint64]escrowtypes.StreamView{}
	for _, id := range []uint64{running, ended} {
		st, err := ta.EscrowKeeper.GetStream(ta.Ctx(), id)
		if err != nil {
			t.Fatal(err)
		}
		streamsOld[id] = ta.EscrowKeeper.StreamView(next, st)
	}
	spendOld := spendView(t, ta, next, capped.id)
	scoreOld, _, _, err := ta.ReputationKeeper.Reputation(next, provider.id, "")
	if err != nil {
		t.Fatal(err)
	}
	settledOld := w.job(rated).SettledHeight

	exported, err := ta.ExportAppStateAndValidators(true, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	nb := apptest.New(t, apptest.Options{AppState: exported.AppState, Accounts: len(ta.Accounts)})
	if nb.Height != 1 {
		t.Fatalf("the new chain is at %d", nb.Height)
	}
	for _, acc := range nb.Accounts {
		nb.Register(acc)
	}
	ctx := nb.Ctx()
	if _, err := nb.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}

	// Every open record waits the same number of blocks as before.
	for id, old := range openJobs {
		j, err := nb.MarketKeeper.GetJob(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != old.Status || j.Deadline != old.Deadline-H || j.DeliverBy != old.DeliverBy-H {
			t.Fatalf("job %d: %s deadline %d deliver_by %d; was %s %d %d at height %d", id, j.Status, j.Deadline, j.DeliverBy, old.Status, old.Deadline, old.DeliverBy, H)
		}
	}
	if r, _ := nb.MarketKeeper.GetRequest(ctx, reqID); r.Status != markettypes.REQUEST_STATUS_OPEN || r.BidDeadline != request.BidDeadline-H {
		t.Fatalf("request: %s bid deadline %d; was %d at %d", r.Status, r.BidDeadline, request.BidDeadline, H)
	}
	if at, err := nb.AgentIDKeeper.Attestations.Get(ctx, attestationKey); err != nil || at.ExpiresHeight != attestation.ExpiresHeight-H {
		t.Fatalf("attestation expiry %d, was %d at %d: %v", at.ExpiresHeight, attestation.ExpiresHeight, H, err)
	}
	if has, err := nb.AgentIDKeeper.AttestationExpiry.Has(ctx, collections.Join(attestation.ExpiresHeight-H, provider.id)); err != nil || !has {
		t.Fatalf("the attestation is not queued for pruning at its moved expiry: %v %v", has, err)
	}
	if r, _ := nb.MarketKeeper.GetRequest(ctx, cancelledReq); r.Status != markettypes.REQUEST_STATUS_CANCELLED || cancelled.ClosedHeight == 0 || r.ClosedHeight != cancelled.ClosedHeight-H {
		t.Fatalf("cancelled request: %s closed at %d; was %d at %d", r.Status, r.ClosedHeight, cancelled.ClosedHeight, H)
	}
	if has, err := nb.MarketKeeper.RequestPruneQueue.Has(ctx, collections.Join(cancelled.ClosedHeight-H, cancelledReq)); err != nil || !has {
		t.Fatalf("cancelled request not queued for pruning at its moved height: %v %v", has, err)
	}
	if e, _ := nb.EscrowKeeper.GetEscrow(ctx, expiring); e.Status != escrowtypes.ESCROW_STATUS_LOCKED || e.ExpiresHeight != escrows[expiring].ExpiresHeight-H {
		t.Fatalf("expiring escrow: %s at %d; was %d", e.Status, e.ExpiresHeight, escrows[expiring].ExpiresHeight)
	}
	if e, _ := nb.EscrowKeeper.GetEscrow(ctx, disputedEscrow); e.Dispute.DeadlineHeight != escrows[disputedEscrow].Dispute.DeadlineHeight-H {
		t.Fatalf("disputed escrow's deadline %d; was %d", e.Dispute.DeadlineHeight, escrows[disputedEscrow].Dispute.DeadlineHeight)
	}
	if j, _ := nb.MarketKeeper.GetJob(ctx, rated); j.SettledHeight != settledOld-H {
		t.Fatalf("settled height %d, was %d: the feedback window moved", j.SettledHeight, settledOld)
	}
	// Streams owe exactly what they owed: accrual is a function of height
	// differences, and an ended stream stays ended.
	for id, old := range streamsOld {
		st, err := nb.EscrowKeeper.GetStream(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		v := nb.EscrowKeeper.StreamView(ctx, st)
		if !v.Accrued.Equal(old.Accrued) || !v.Withdrawable.Equal(old.Withdrawable) || !v.Unaccrued.Equal(old.Unaccrued) ||
			v.Exhausted != old.Exhausted || st.EndHeight != old.Stream.EndHeight-H || st.Ended(ctx.BlockHeight()) != old.Stream.Ended(H+1) {
			t.Fatalf("stream %d at the new chain's first block: %+v; the old chain's next block: %+v", id, v, old)
		}
	}
	if later, _ := nb.EscrowKeeper.GetStream(ctx, running); !later.Accrued(ctx.BlockHeight() + 10).Equal(streamsOld[running].Stream.Accrued(H + 11)) {
		t.Fatal("the running stream accrues differently after the restart")
	}
	// The spend bucket and the score are what the old chain would have at
	// its next block.
	if got := spendView(t, nb, ctx, capped.id); !got.Available.Equal(spendOld.Available) || got.FullHeight != spendOld.FullHeight-H {
		t.Fatalf("spend bucket: %s available, full at %d; the old chain: %s, full at %d", got.Available, got.FullHeight, spendOld.Available, spendOld.FullHeight)
	}
	scoreNew, _, _, err := nb.ReputationKeeper.Reputation(ctx, provider.id, "")
	if err != nil || !scoreNew.Equal(scoreOld) {
		t.Fatalf("score %s, the old chain's next block %s (%v)", scoreNew, scoreOld, err)
	}

	// And the timers fire when they would have: the disputed job settles at
	// the end of its deadline's block, not a block before.
	d := openJobs[disputed].Deadline - H
	for nb.Height < d-1 {
		nb.NextBlock(nil)
	}
	if j, _ := nb.MarketKeeper.GetJob(nb.Ctx(), disputed); j.Status != markettypes.JOB_STATUS_DISPUTED {
		t.Fatalf("the dispute timed out early: %s at %d (deadline %d)", j.Status, nb.Height, d)
	}
	nb.NextBlock(nil)
	if j, _ := nb.MarketKeeper.GetJob(nb.Ctx(), disputed); j.Status != markettypes.JOB_STATUS_RESOLVED || j.SettledHeight != d {
		t.Fatalf("after its deadline the dispute is %s settled at %d", j.Status, j.SettledHeight)
	}
	for nb.Height < request.BidDeadline-H {
		nb.NextBlock(nil)
	}
	if r, _ := nb.MarketKeeper.GetRequest(nb.Ctx(), reqID); r.Status != markettypes.REQUEST_STATUS_EXPIRED {
		t.Fatalf("request %s after its bid deadline", r.Status)
	}
	if _, err := nb.CheckInvariants(nb.Ctx()); err != nil {
		t.Fatal(err)
	}
}

func spendView(t *testing.T, ta *apptest.TestApp, ctx sdk.Context, agentID uint64) agentidtypes.SpendPolicyView {
	t.Helper()
	res, err := agentidkeeper.NewQueryServerImpl(ta.AgentIDKeeper).SpendPolicies(ctx, &agentidtypes.QuerySpendPoliciesRequest{AgentId: agentID})
	if err != nil || len(res.Policies) != 1 {
		t.Fatalf("spend policies %v %v", res, err)
	}
	return res.Policies[0]
}

// A job whose timer failed in an EndBlock (contained: the job stays, out
// of the queue) does not stop a zero-height export: the new chain keeps
// its passed deadline in its own past, queued, and its first EndBlock
// settles the job.
func TestZeroHeightExportRetriesAFailedTimer(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	owner, client := ta.Accounts[0], ta.Accounts[1]
	provider := w.newAgent(owner)
	listing := w.listing(provider, "summarize", 2_000_000, 30)
	job := w.hire(client, listing, 5)
	w.accept(provider, job)
	j := w.job(job)
	// As a failed settlement leaves it: out of the queue, still in progress.
	if err := ta.MarketKeeper.JobQueue.Remove(ta.Ctx(), collections.Join(j.Deadline, job)); err != nil {
		t.Fatal(err)
	}
	w.until(j.Deadline + 3)
	if j := w.job(job); j.Status != markettypes.JOB_STATUS_IN_PROGRESS {
		t.Fatalf("job %d is %s; the test needs its timer not to have run", job, j.Status)
	}
	clientBefore := ta.Balance(client.Addr)

	exported, err := ta.ExportAppStateAndValidators(true, nil, nil)
	if err != nil {
		t.Fatalf("zero-height export with a job whose timer failed: %v", err)
	}
	nb := apptest.New(t, apptest.Options{AppState: exported.AppState, Accounts: len(ta.Accounts)})
	if _, err := nb.CheckInvariants(nb.Ctx()); err != nil {
		t.Fatal(err)
	}
	// The new chain's first block (apptest.New finalizes it) settled it.
	settled, err := nb.MarketKeeper.GetJob(nb.Ctx(), job)
	if err != nil || settled.Status != markettypes.JOB_STATUS_EXPIRED {
		t.Fatalf("the job after the new chain's first block: %s (%v), want EXPIRED", settled.Status, err)
	}
	if got := nb.Balance(client.Addr).Sub(clientBefore); !got.Equal(sdkmath.NewInt(2_000_000)) {
		t.Fatalf("the client got %s back, want the whole 2000000 (nothing was delivered)", got)
	}
	if _, err := nb.CheckInvariants(nb.Ctx()); err != nil {
		t.Fatal(err)
	}
}
