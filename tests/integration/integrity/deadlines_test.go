package integrity_test

import (
	"testing"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/testutil/apptest"
	escrowkeeper "github.com/agentchain/agentchain/x/escrow/keeper"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	marketkeeper "github.com/agentchain/agentchain/x/market/keeper"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// block signs one tx per (account, msgs) pair and executes them together in
// the next block; every tx must succeed.
func (w *world) block(txs ...func() []byte) {
	w.t.Helper()
	raw := make([][]byte, len(txs))
	for i, f := range txs {
		raw[i] = f()
	}
	res := w.ta.NextBlock(raw)
	for i, r := range res.TxResults {
		if r.Code != 0 {
			w.t.Fatalf("tx %d of block %d: code %d (%s): %s", i, w.ta.Height, r.Code, r.Codespace, r.Log)
		}
	}
}

func (w *world) signed(acc *apptest.Account, gas uint64, msgs ...sdk.Msg) func() []byte {
	return func() []byte { return w.ta.Sign(acc, apptest.Tx{Msgs: msgs, Gas: gas}) }
}

// A flood of cheap timers due just before a real job's deadline backlogs the
// EndBlock queues for several blocks. During the backlog nothing a party
// does may act on a record as if its deadline had not passed: a client
// cannot reject a delivery after its review window (turning the provider's
// pay into a dispute), a provider cannot accept a hire after its accept
// window, an arbiter cannot overrule a dispute's timeout, a payer cannot
// release an expired escrow. Queries show every record as its timer leaves
// it, and anyone may apply a due timer at once.
func TestBacklogCannotMoveDeadlines(t *testing.T) {
	// flood items ahead of the real ones, 4 a block: 20 blocks of backlog.
	const flood = 80
	w := newWorld(t)
	ta := w.ta
	owner, client, attacker, accomplice := ta.Accounts[0], ta.Accounts[1], ta.Accounts[2], ta.Accounts[3]

	p, _ := ta.MarketKeeper.Params.Get(ta.Ctx())
	p.MaxTimeoutsPerBlock = 4
	p.DisputeTimeoutBlocks = 10
	w.marketParams(p)
	w.escrowParams(func(p *escrowtypes.Params) { p.MaxExpirationsPerBlock = 4; p.DisputeTimeoutBlocks = 6 })

	provider := w.newAgent(owner)
	listing := w.listing(provider, "summarize", 1_000_000, 10)
	flooder := w.newAgent(attacker)
	cheap := w.listing(flooder, "summarize", 1, 10)

	// R is delivered and G rejected in one block, hd: R's review window and
	// G's dispute both end at D = hd + 10.
	r := w.hire(client, listing, 500)
	w.accept(provider, r)
	g := w.hire(client, listing, 500)
	w.accept(provider, g)
	w.deliver(provider, g)
	w.block(
		w.signed(provider.key, 400_000, &markettypes.MsgDeliver{Signer: provider.key.Addr.String(), JobId: r, ResultUri: "https://result.example", ResultHash: hash("r")}),
		w.signed(client, 400_000, &markettypes.MsgReject{Client: client.Addr.String(), JobId: g, Reason: markettypes.REJECT_REASON_INCOMPLETE, EvidenceHash: hash("e")}),
	)
	hd := ta.Height
	D := hd + 10
	if w.job(r).Deadline != D || w.job(g).Deadline != D {
		t.Fatalf("deadlines %d and %d, want %d", w.job(r).Deadline, w.job(g).Deadline, D)
	}
	// F is a hire whose accept window ends at D too.
	f := w.hire(client, listing, D-ta.Height-1)
	if w.job(f).Deadline != D {
		t.Fatalf("F's deadline %d, want %d", w.job(f).Deadline, D)
	}

	// The flood: 80 hires of the attacker's own 1uagnt listing, all timing
	// out at D-1, ahead of R, G and F in the queue.
	var hires []sdk.Msg
	for i := 0; i < flood; i++ {
		hires = append(hires, &markettypes.MsgHire{
			Client: attacker.Addr.String(), ListingId: cheap, SpecUri: "https://spam.example", SpecHash: hash("spam"), DeliverBy: D - 1,
		})
	}
	w.block(w.signed(attacker, 40_000_000, hires...))

	// Escrows: 80 cheap disputes timing out at D flood the dispute queue
	// ahead of E2's; E1 expires at D+1 behind them.
	firstEscrow, _ := ta.EscrowKeeper.EscrowSeq.Peek(ta.Ctx())
	firstEscrow = max(firstEscrow, 1)
	var escrows, disputes []sdk.Msg
	for i := 0; i < flood; i++ {
		escrows = append(escrows, &escrowtypes.MsgCreateEscrow{Payer: attacker.Addr.String(), Payee: accomplice.Addr.String(), Amount: sdk.NewCoins(coin(1))})
		disputes = append(disputes, &escrowtypes.MsgOpenDispute{
			Signer: attacker.Addr.String(), EscrowId: firstEscrow + uint64(i), Reason: escrowtypes.DISPUTE_REASON_OTHER, EvidenceHash: hash("spam"),
		})
	}
	e1, e2 := firstEscrow+flood, firstEscrow+flood+1
	w.block(
		w.signed(attacker, 40_000_000, escrows...),
		w.signed(client, 400_000, &escrowtypes.MsgCreateEscrow{Payer: client.Addr.String(), Payee: provider.key.Addr.String(), Amount: sdk.NewCoins(coin(500_000)), ExpiresHeight: D + 1}),
		w.signed(client, 400_000, &escrowtypes.MsgCreateEscrow{Payer: client.Addr.String(), Payee: provider.key.Addr.String(), Amount: sdk.NewCoins(coin(700_000)), Arbiter: w.arbiter.Addr.String()}),
	)
	w.until(D - 7)
	w.block(
		w.signed(attacker, 40_000_000, disputes...),
		w.signed(client, 400_000, &escrowtypes.MsgOpenDispute{Signer: client.Addr.String(), EscrowId: e2, Reason: escrowtypes.DISPUTE_REASON_OTHER, EvidenceHash: hash("e2")}),
	)
	if e, _ := ta.EscrowKeeper.GetEscrow(ta.Ctx(), e2); e.Dispute.DeadlineHeight != D {
		t.Fatalf("E2's dispute deadline %d, want %d", e.Dispute.DeadlineHeight, D)
	}

	// Two blocks past D: the queues are still working through the flood.
	w.until(D + 1)
	for _, id := range []uint64{r, g, f} {
		if has, _ := ta.MarketKeeper.JobQueue.Has(ta.Ctx(), collections.Join(D, id)); !has {
			t.Fatalf("job %d left the queue: no backlog to test against", id)
		}
	}
	if has, _ := ta.EscrowKeeper.DisputeQueue.Has(ta.Ctx(), collections.Join(D, e2)); !has {
		t.Fatal("E2 left the dispute queue: no backlog to test against")
	}

	// The payer releases E1 after it expired; the arbiter rules on E2 after
	// its dispute timed out; the payee disputes E1 after it expired.
	w.refused(escrowtypes.ErrTimedOut, client, &escrowtypes.MsgRelease{Payer: client.Addr.String(), EscrowId: e1})
	w.refused(escrowtypes.ErrTimedOut, w.arbiter, &escrowtypes.MsgResolveDispute{Signer: w.arbiter.Addr.String(), EscrowId: e2, PayeeShareBps: 10_000})
	w.refused(escrowtypes.ErrTimedOut, provider.key, &escrowtypes.MsgOpenDispute{Signer: provider.key.Addr.String(), EscrowId: e1, Reason: escrowtypes.DISPUTE_REASON_OTHER, EvidenceHash: hash("x")})

	// The client rejects R after its review window: refused, the provider's
	// pay stands. Completing it late is refused the same way.
	w.refused(markettypes.ErrDeadlinePassed, client, &markettypes.MsgReject{Client: client.Addr.String(), JobId: r, Reason: markettypes.REJECT_REASON_LOW_QUALITY, EvidenceHash: hash("late")})
	w.refused(markettypes.ErrDeadlinePassed, client, &markettypes.MsgComplete{Client: client.Addr.String(), JobId: r})
	// The provider accepts F after its accept window; the client withdraws it.
	w.refused(markettypes.ErrDeadlinePassed, provider.key, &markettypes.MsgAcceptJob{Signer: provider.key.Addr.String(), JobId: f})
	w.refused(markettypes.ErrDeadlinePassed, client, &markettypes.MsgCancelJob{Client: client.Addr.String(), JobId: f})
	// The arbiter rules on G after its dispute timed out.
	w.refused(markettypes.ErrDeadlinePassed, w.arbiter, &markettypes.MsgResolve{Signer: w.arbiter.Addr.String(), JobId: g, ProviderShareBps: 0})
	// Queries show the records as their timers leave them, backlog or not.
	mq := marketkeeper.NewQueryServerImpl(ta.MarketKeeper)
	for id, want := range map[uint64]markettypes.JobStatus{r: markettypes.JOB_STATUS_COMPLETED, g: markettypes.JOB_STATUS_RESOLVED, f: markettypes.JOB_STATUS_CANCELLED} {
		res, err := mq.Job(ta.Ctx(), &markettypes.QueryJobRequest{Id: id})
		if err != nil || res.Job.Status != want {
			t.Fatalf("query of job %d: %v %v, want %s", id, res, err, want)
		}
		if stored := w.job(id); stored.Status.IsFinal() {
			t.Fatalf("job %d was settled already (%s): no backlog to test against", id, stored.Status)
		}
	}
	eq := escrowkeeper.NewQueryServerImpl(ta.EscrowKeeper)
	for id, want := range map[uint64]escrowtypes.EscrowStatus{e1: escrowtypes.ESCROW_STATUS_CLOSED, e2: escrowtypes.ESCROW_STATUS_CLOSED} {
		res, err := eq.Escrow(ta.Ctx(), &escrowtypes.QueryEscrowRequest{Id: id})
		if err != nil || res.Escrow.Status != want || !res.Remaining.IsZero() {
			t.Fatalf("query of escrow %d: %v %v", id, res, err)
		}
	}

	// Anyone may apply a due timer now: the provider collects R's pay.
	payout := ta.Balance(provider.key.Addr)
	w.ok(provider.key, &markettypes.MsgSettleJob{Signer: provider.key.Addr.String(), JobId: r})
	if j := w.job(r); j.Status != markettypes.JOB_STATUS_COMPLETED || j.SettledHeight != D {
		t.Fatalf("settled R: %s at %d, want COMPLETED at %d", j.Status, j.SettledHeight, D)
	}
	if got := ta.Balance(provider.key.Addr).Sub(payout).Int64(); got != 980_000-10_000 { // pay minus the settle tx's fee
		t.Fatalf("the provider got %d", got)
	}
	w.ok(accomplice, &escrowtypes.MsgSettleEscrow{Signer: accomplice.Addr.String(), EscrowId: e2})
	w.refused(escrowtypes.ErrNothingDue, accomplice, &escrowtypes.MsgSettleEscrow{Signer: accomplice.Addr.String(), EscrowId: e2})
	w.refused(markettypes.ErrNothingDue, provider.key, &markettypes.MsgSettleJob{Signer: provider.key.Addr.String(), JobId: r})
	w.invariants()

	// The queues drain by themselves; every record ends where its timer put
	// it, as of its deadline, whoever got there first.
	w.until(D + 30)
	for id, want := range map[uint64]markettypes.JobStatus{r: markettypes.JOB_STATUS_COMPLETED, g: markettypes.JOB_STATUS_RESOLVED, f: markettypes.JOB_STATUS_CANCELLED} {
		if j := w.job(id); j.Status != want || j.SettledHeight != D {
			t.Fatalf("job %d: %s settled at %d, want %s at %d", id, j.Status, j.SettledHeight, want, D)
		}
	}
	for _, id := range []uint64{e1, e2} {
		if e, _ := ta.EscrowKeeper.GetEscrow(ta.Ctx(), id); e.Status != escrowtypes.ESCROW_STATUS_CLOSED {
			t.Fatalf("escrow %d is %s", id, e.Status)
		}
	}
	w.invariants()
}
