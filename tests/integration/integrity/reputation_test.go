package integrity_test

import (
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/testutil/apptest"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reputationkeeper "github.com/agentchain/agentchain/x/reputation/keeper"
	reptypes "github.com/agentchain/agentchain/x/reputation/types"
)

func (w *world) complete(client *apptest.Account, job uint64) {
	w.t.Helper()
	w.ok(client, &markettypes.MsgComplete{Client: client.Addr.String(), JobId: job})
}

func (w *world) reputation(agentID uint64) *reptypes.QueryReputationResponse {
	w.t.Helper()
	res, err := reputationkeeper.NewQueryServerImpl(w.ta.ReputationKeeper).Reputation(w.ta.Ctx(), &reptypes.QueryReputationRequest{AgentId: agentID})
	if err != nil {
		w.t.Fatal(err)
	}
	return res
}

// An owner's agent hires the owner's other agent; the owner then hands one
// of them to someone else and the rating is submitted. Whether the job was
// self-dealt is decided when it is made and kept on it: the rating weighs
// nothing and no public signal moves, whoever owns the agents by then.
func TestSelfDealingIsFixedAtHire(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	owner, friend, stranger := ta.Accounts[0], ta.Accounts[1], ta.Accounts[2]
	provider := w.newAgent(owner)
	clientAgent := w.newAgent(owner)
	listing := w.listing(provider, "summarize", 50_000_000, 10)
	before := w.reputation(provider.id)

	// Client agent B (same owner) hires provider A, on time, paid.
	job := w.hire(clientAgent.key, listing, 100)
	if !w.job(job).SelfDealing {
		t.Fatal("a hire between two agents of one owner is not marked self-dealt")
	}
	w.accept(provider, job)
	w.deliver(provider, job)
	w.complete(clientAgent.key, job)
	// Launder: the owner gives the client agent away, then B rates A 100.
	w.ok(owner, &agentidtypes.MsgTransferOwnership{Owner: owner.Addr.String(), AgentId: clientAgent.id, NewOwner: friend.Addr.String()})
	res := w.ok(clientAgent.key, &reptypes.MsgSubmitFeedback{Rater: clientAgent.key.Addr.String(), JobId: job, Score: 100})
	var fb reptypes.MsgSubmitFeedbackResponse
	if err := w.ta.AppCodec().Unmarshal(txResponse(t, res), &fb); err != nil {
		t.Fatal(err)
	}
	if !fb.Weight.IsZero() {
		t.Fatalf("the laundered rating weighs %s", fb.Weight)
	}

	// Another way to deal with oneself: a client whose payout address is
	// the provider's owner, and a client that is the provider's owner.
	other := w.newAgent(stranger)
	w.ok(stranger, &agentidtypes.MsgUpdateAgent{Owner: stranger.Addr.String(), AgentId: other.id, PayoutAddress: owner.Addr.String()})
	viaPayout := w.hire(other.key, listing, 100)
	direct := w.hire(owner, listing, 100)
	for _, id := range []uint64{viaPayout, direct} {
		if !w.job(id).SelfDealing {
			t.Fatalf("job %d is not marked self-dealt", id)
		}
		w.accept(provider, id)
		w.deliver(provider, id)
	}
	w.complete(other.key, viaPayout)
	w.complete(owner, direct)
	w.ok(owner, &reptypes.MsgSubmitFeedback{Rater: owner.Addr.String(), JobId: direct, Score: 100})

	after := w.reputation(provider.id)
	if !after.Score.Equal(before.Score) || after.Count != 0 {
		t.Fatalf("self-dealt ratings moved the score %s → %s (count %d)", before.Score, after.Score, after.Count)
	}
	if s := after.Signals; s.JobsCompleted != 0 || s.DeliveredOnTime != 0 || !s.Earned.IsZero() {
		t.Fatalf("self-dealt jobs moved the provider's signals: %+v", s)
	}
	if s := w.signals(clientAgent.id); s.JobsAsClient != 0 || !s.Spent.IsZero() {
		t.Fatalf("self-dealt jobs moved the client agent's signals: %+v", s)
	}

	// A stranger's paid job counts, as it should.
	real := w.hire(stranger, listing, 100)
	if w.job(real).SelfDealing {
		t.Fatal("a stranger's hire is marked self-dealt")
	}
	w.accept(provider, real)
	w.deliver(provider, real)
	w.complete(stranger, real)
	w.ok(stranger, &reptypes.MsgSubmitFeedback{Rater: stranger.Addr.String(), JobId: real, Score: 100})
	if r := w.reputation(provider.id); r.Count != 1 || r.Signals.JobsCompleted != 1 || !r.Score.GT(before.Score) {
		t.Fatalf("a real job did not count: %+v", r)
	}
	w.invariants()
}

// A stranger hires a provider thousands of times with hires it cannot
// accept in time, each refunded: the provider's record does not move. Only
// jobs the provider accepted are on it.
func TestStrangerCannotStainARecord(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	owner, stranger := ta.Accounts[0], ta.Accounts[1]
	provider := w.newAgent(owner)
	listing := w.listing(provider, "summarize", 1_000_000, 10)
	before := w.reputation(provider.id)
	balance := ta.Balance(stranger.Addr)

	const hires, perTx = 2_000, 100
	var fees int64
	for sent := 0; sent < hires; sent += perTx {
		var msgs []sdk.Msg
		for i := 0; i < perTx; i++ {
			// deliver_by the next block: no provider can accept in time.
			msgs = append(msgs, &markettypes.MsgHire{
				Client: stranger.Addr.String(), ListingId: listing, SpecUri: "https://spam.example", SpecHash: hash("spam"), DeliverBy: ta.Height + 2,
			})
		}
		r := ta.DeliverTx(stranger, apptest.Tx{Msgs: msgs, Gas: 40_000_000})
		apptest.MustOK(t, r)
		fees += 40_000_000 * 25 / 10_000
	}
	w.until(ta.Height + 5)
	n, _ := ta.MarketKeeper.JobSeq.Peek(ta.Ctx())
	cancelled := 0
	for id := uint64(1); id < n; id++ {
		if j := w.job(id); j.Status == markettypes.JOB_STATUS_CANCELLED {
			cancelled++
		}
	}
	if cancelled < hires {
		t.Fatalf("%d of %d hires timed out", cancelled, hires)
	}
	after := w.reputation(provider.id)
	if !after.Score.Equal(before.Score) || after.Signals.String() != before.Signals.String() {
		t.Fatalf("a stranger moved the provider's record with %d refunded hires:\nbefore %+v\nafter  %+v", hires, before.Signals, after.Signals)
	}
	// It cost the stranger only its fees: every hire was refunded.
	if spent := balance.Sub(ta.Balance(stranger.Addr)).Int64(); spent != fees {
		t.Fatalf("the stranger spent %d, fees were %d", spent, fees)
	}
	t.Logf("%d refunded hires cost the stranger %d uagnt in fees and moved no signal", hires, fees)
	w.invariants()
}
