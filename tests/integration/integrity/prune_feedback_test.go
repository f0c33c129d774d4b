package integrity_test

import (
	"fmt"
	"strings"
	"testing"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	markettypes "github.com/agentchain/agentchain/x/market/types"
	reputationkeeper "github.com/agentchain/agentchain/x/reputation/keeper"
	reptypes "github.com/agentchain/agentchain/x/reputation/types"
)

// Feedback leaves state feedback_retention_blocks after it was given, at
// most max_prunes_per_block jobs' worth a block, and no score moves: every
// aggregate it counted in is checkpointed as it stands, and the aggregates
// invariant replays only the changes after the checkpoint. The tricky order
// is covered: a feedback given before a pruned one and revoked after the
// pruning (its revocation is replayed on the checkpoint), and a ruling
// pruned while its resolved job is still in state. A pruned feedback can be
// neither answered nor revoked, and its job cannot be rated again (the
// retention exceeds the feedback window). Retention 0 keeps feedback; a
// damaged checkpoint or a feedback missing from the queue breaks an
// invariant; an export after pruning imports with its checkpoints, and the
// queue rebuilt.
func TestOldFeedbackLeavesStateScoresStay(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	owner, client, buyer := ta.Accounts[0], ta.Accounts[1], ta.Accounts[2]
	const window, retention = 10, 30
	params := func(retention int64) {
		t.Helper()
		p, err := ta.ReputationKeeper.Params.Get(ta.Ctx())
		if err != nil {
			t.Fatal(err)
		}
		p.FeedbackWindowBlocks, p.FeedbackRetentionBlocks, p.MaxPrunesPerBlock = window, retention, 2
		w.gov(&reptypes.MsgUpdateParams{Authority: authority, Params: p})
	}
	params(0)

	// The parameters' rules.
	{
		p, err := ta.ReputationKeeper.Params.Get(ta.Ctx())
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			retention int64
			prunes    uint32
			want      string
		}{
			{window, 2, "more than feedback_window_blocks"},
			{-1, 2, "more than feedback_window_blocks"},
			{window + 1, reptypes.MaxPrunesPerBlockLimit + 1, "max_prunes_per_block"},
		} {
			q := p
			q.FeedbackRetentionBlocks, q.MaxPrunesPerBlock = c.retention, c.prunes
			if err := q.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("retention %d, prunes %d: %v; want %q", c.retention, c.prunes, err, c.want)
			}
		}
	}

	provider := w.newAgent(owner)
	listing := w.listing(provider, "summarize", 2_000_000, 20)
	settled := func() uint64 {
		t.Helper()
		j := w.hire(client, listing, 200)
		w.accept(provider, j)
		w.deliver(provider, j)
		w.complete(client, j)
		return j
	}
	rate := func(job uint64, score uint32) {
		t.Helper()
		w.ok(client, &reptypes.MsgSubmitFeedback{Rater: client.Addr.String(), JobId: job, Score: score})
	}
	j1, j2 := settled(), settled()
	rate(j2, 40) // given first, revoked after j1's feedback is pruned
	rate(j1, 90)
	// A dispute ruled on: a ruling on the provider, pruned while its job stays.
	resolved := w.hire(buyer, listing, 200)
	w.accept(provider, resolved)
	w.deliver(provider, resolved)
	w.ok(buyer, &markettypes.MsgReject{Client: buyer.Addr.String(), JobId: resolved, Reason: markettypes.REJECT_REASON_OTHER, EvidenceHash: hash("e")})
	w.ok(w.arbiter, &markettypes.MsgResolve{Signer: w.arbiter.Addr.String(), JobId: resolved, ProviderShareBps: 3_000})
	firstBatch := ta.Height
	w.invariants()

	// Later feedback, still in state when the first leaves.
	w.until(firstBatch + 15)
	j3 := settled()
	rate(j3, 70)
	w.invariants()

	feedback := func(job uint64, role reptypes.RaterRole) bool {
		t.Helper()
		ok, err := ta.ReputationKeeper.Feedback.Has(ta.Ctx(), collections.Join(job, int32(role)))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	aggregates := func() map[string]reptypes.Aggregate {
		t.Helper()
		out := map[string]reptypes.Aggregate{}
		if err := ta.ReputationKeeper.Aggregates.Walk(ta.Ctx(), nil, func(k reputationkeeper.AggKey, a reptypes.Aggregate) (bool, error) {
			out[fmt.Sprintf("%d/%q", k.K1(), k.K2())] = a
			return false, nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}

	// A feedback missing from the queue breaks the invariant.
	j1Feedback, err := ta.ReputationKeeper.Feedback.Get(ta.Ctx(), collections.Join(j1, int32(reptypes.RATER_ROLE_CLIENT)))
	if err != nil {
		t.Fatal(err)
	}
	entry := collections.Join(j1Feedback.Height, j1)
	if err := ta.ReputationKeeper.FeedbackQueue.Remove(ta.Ctx(), entry); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.CheckInvariants(ta.Ctx()); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("job %d's RATER_ROLE_CLIENT feedback (height %d) is not in the prune queue", j1, j1Feedback.Height)) {
		t.Fatalf("invariant with a feedback out of the queue: %v", err)
	}
	if err := ta.ReputationKeeper.FeedbackQueue.Set(ta.Ctx(), entry); err != nil {
		t.Fatal(err)
	}

	// Retention 0 keeps feedback well past any retention.
	w.until(firstBatch + retention + 5)
	if !feedback(j1, reptypes.RATER_ROLE_CLIENT) || !feedback(resolved, reptypes.RATER_ROLE_RULING) {
		t.Fatal("feedback left with retention 0")
	}
	before := aggregates()
	params(retention)

	// Three jobs' feedback is due (j1, j2, the ruling), two a block at most;
	// j3's is not. Every block keeps the invariants and every aggregate.
	pruned := 0
	for block := 0; block < 4; block++ {
		n := countEvents(ta.NextBlock(nil), "agentchain.reputation.v1.EventFeedbackPruned")
		if n > 2 {
			t.Fatalf("block %d pruned %d feedback; at most 2 jobs' a block", ta.Height, n)
		}
		pruned += n
		w.invariants()
		after := aggregates()
		if len(after) != len(before) {
			t.Fatalf("%d aggregates before pruning, %d after", len(before), len(after))
		}
		for k, a := range before {
			if b := after[k]; !b.WeightedScore.Equal(a.WeightedScore) || !b.Weight.Equal(a.Weight) || b.Height != a.Height || b.Count != a.Count {
				t.Fatalf("aggregate %s moved when feedback was pruned: %v -> %v", k, a, b)
			}
		}
	}
	if pruned != 3 {
		t.Fatalf("%d feedback pruned, want 3 (j1, j2, the ruling)", pruned)
	}
	for _, c := range []struct {
		job  uint64
		role reptypes.RaterRole
		want bool
	}{{j1, reptypes.RATER_ROLE_CLIENT, false}, {j2, reptypes.RATER_ROLE_CLIENT, false}, {resolved, reptypes.RATER_ROLE_RULING, false}, {j3, reptypes.RATER_ROLE_CLIENT, true}} {
		if got := feedback(c.job, c.role); got != c.want {
			t.Errorf("job %d's %s feedback in state: %t, want %t", c.job, c.role, got, c.want)
		}
	}
	if j := w.job(resolved); j.Status != markettypes.JOB_STATUS_RESOLVED {
		t.Fatalf("the resolved job left too (%s): the ruling test needs it in state", j.Status)
	}
	// The ruling left while its job stays: the job is marked, and without
	// the mark the rulings invariant reports the job.
	if ok, err := ta.ReputationKeeper.PrunedRulings.Has(ta.Ctx(), resolved); err != nil || !ok {
		t.Fatalf("job %d's pruned ruling is not marked: %v %v", resolved, ok, err)
	}
	if err := ta.ReputationKeeper.PrunedRulings.Remove(ta.Ctx(), resolved); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.CheckInvariants(ta.Ctx()); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("resolved job %d has no ruling", resolved)) {
		t.Fatalf("invariant without the pruned ruling's mark: %v", err)
	}
	if err := ta.ReputationKeeper.PrunedRulings.Set(ta.Ctx(), resolved); err != nil {
		t.Fatal(err)
	}
	cp, err := ta.ReputationKeeper.Checkpoints.Get(ta.Ctx(), collections.Join(provider.id, "summarize"))
	if err != nil {
		t.Fatalf("no checkpoint of the provider's summarize aggregate: %v", err)
	}

	// A pruned feedback: not found (the message says why), not answerable,
	// not revocable, and its job cannot be rated again.
	_, err = reputationkeeper.NewQueryServerImpl(ta.ReputationKeeper).Feedback(ta.Ctx(), &reptypes.QueryFeedbackRequest{JobId: j1, Role: reptypes.RATER_ROLE_CLIENT})
	if err == nil || !strings.Contains(err.Error(), "feedback_retention_blocks") {
		t.Fatalf("query of a pruned feedback: %v", err)
	}
	w.refused(reptypes.ErrFeedbackNotFound, provider.key, &reptypes.MsgRespondFeedback{
		Responder: provider.key.Addr.String(), JobId: j1, Role: reptypes.RATER_ROLE_CLIENT, ResponseUri: "https://r.example", ResponseHash: hash("r"),
	})
	w.refused(reptypes.ErrFeedbackNotFound, client, &reptypes.MsgRevokeFeedback{Rater: client.Addr.String(), JobId: j1, Role: reptypes.RATER_ROLE_CLIENT})
	w.refused(reptypes.ErrFeedbackWindowClosed, client, &reptypes.MsgSubmitFeedback{Rater: client.Addr.String(), JobId: j1, Score: 10})

	// j3's feedback, given after the checkpoint, is revoked: the score moves
	// and the replay from the checkpoint agrees.
	score := w.reputation(provider.id).Score
	w.ok(client, &reptypes.MsgRevokeFeedback{Rater: client.Addr.String(), JobId: j3, Role: reptypes.RATER_ROLE_CLIENT})
	if now := w.reputation(provider.id).Score; now.Equal(score) {
		t.Fatalf("revoking j3's 70 left the provider's score at %s", now)
	}
	w.invariants()

	// A damaged checkpoint breaks the aggregates invariant.
	bad := cp
	bad.Aggregate.Weight = bad.Aggregate.Weight.Add(sdkmath.LegacyOneDec())
	if err := ta.ReputationKeeper.Checkpoints.Set(ta.Ctx(), collections.Join(provider.id, "summarize"), bad); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.CheckInvariants(ta.Ctx()); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("aggregate %d/\"summarize\": stored", provider.id)) {
		t.Fatalf("invariant with a damaged checkpoint: %v", err)
	}
	if err := ta.ReputationKeeper.Checkpoints.Set(ta.Ctx(), collections.Join(provider.id, "summarize"), cp); err != nil {
		t.Fatal(err)
	}
	w.invariants()

	// An export after pruning imports: checkpoints and marks carried, queue
	// rebuilt.
	nb := w.reimport()
	if ok, err := nb.ReputationKeeper.PrunedRulings.Has(nb.Ctx(), resolved); err != nil || !ok {
		t.Fatalf("the imported chain lost job %d's mark: %v %v", resolved, ok, err)
	}
	if _, err := nb.ReputationKeeper.Checkpoints.Get(nb.Ctx(), collections.Join(provider.id, "summarize")); err != nil {
		t.Fatalf("the imported chain lost the checkpoint: %v", err)
	}
	j3Feedback, err := nb.ReputationKeeper.Feedback.Get(nb.Ctx(), collections.Join(j3, int32(reptypes.RATER_ROLE_CLIENT)))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := nb.ReputationKeeper.FeedbackQueue.Has(nb.Ctx(), collections.Join(j3Feedback.Height, j3)); err != nil || !ok {
		t.Fatalf("the imported chain's queue lacks j3's feedback: %v %v", ok, err)
	}
	// And the rest leaves there too, in time.
	for nb.Height < j3Feedback.Height+retention+2 {
		nb.NextBlock(nil)
	}
	if ok, err := nb.ReputationKeeper.Feedback.Has(nb.Ctx(), collections.Join(j3, int32(reptypes.RATER_ROLE_CLIENT))); err != nil || ok {
		t.Fatalf("j3's feedback is still in the imported chain past its retention: %v %v", ok, err)
	}
	if _, err := nb.CheckInvariants(nb.Ctx()); err != nil {
		t.Fatal(err)
	}

	// When the market prunes the resolved job, its mark goes with it.
	mp, err := ta.MarketKeeper.Params.Get(ta.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	mp.SettledJobRetentionBlocks, mp.MaxPrunesPerBlock = window, 10
	w.marketParams(mp)
	for i := 0; i < 5; i++ {
		ta.NextBlock(nil)
		w.invariants()
	}
	if _, err := ta.MarketKeeper.GetJob(ta.Ctx(), resolved); err == nil {
		t.Fatalf("job %d is still in state past the market's retention", resolved)
	}
	if ok, err := ta.ReputationKeeper.PrunedRulings.Has(ta.Ctx(), resolved); err != nil || ok {
		t.Fatalf("job %d left state but its mark stayed: %v %v", resolved, ok, err)
	}
}

// A feedback whose pruning fails (here: an aggregate it counted in is gone)
// stays in state with nothing of the attempt kept (no checkpoint), the
// failure is reported as EventPruneFailed with the reason, and the other
// feedback due in the same block is pruned all the same.
func TestFeedbackPruneFailureIsContained(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	client := ta.Accounts[1]
	const window, retention = 10, 30
	p, err := ta.ReputationKeeper.Params.Get(ta.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	p.FeedbackWindowBlocks, p.FeedbackRetentionBlocks, p.MaxPrunesPerBlock = window, retention, 10
	w.gov(&reptypes.MsgUpdateParams{Authority: authority, Params: p})

	var jobs []uint64
	var providers []agent
	for i := 0; i < 2; i++ {
		provider := w.newAgent(ta.Accounts[2+i])
		listing := w.listing(provider, "summarize", 2_000_000, 20)
		j := w.hire(client, listing, 200)
		w.accept(provider, j)
		w.deliver(provider, j)
		w.complete(client, j)
		providers, jobs = append(providers, provider), append(jobs, j)
	}
	// Both ratings in one tx, so both fall due in the same block.
	w.ok(client,
		&reptypes.MsgSubmitFeedback{Rater: client.Addr.String(), JobId: jobs[0], Score: 90},
		&reptypes.MsgSubmitFeedback{Rater: client.Addr.String(), JobId: jobs[1], Score: 80})
	key := func(i int) collections.Pair[uint64, int32] {
		return collections.Join(jobs[i], int32(reptypes.RATER_ROLE_CLIENT))
	}
	fb, err := ta.ReputationKeeper.Feedback.Get(ta.Ctx(), key(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ta.ReputationKeeper.Feedback.Get(ta.Ctx(), key(1)); err != nil {
		t.Fatal(err)
	}
	broken := collections.Join(providers[0].id, "summarize")
	if err := ta.ReputationKeeper.Aggregates.Remove(ta.Ctx(), broken); err != nil {
		t.Fatal(err)
	}

	w.until(fb.Height + retention - 1)
	res := ta.NextBlock(nil)
	if n := countEvents(res, "agentchain.reputation.v1.EventFeedbackPruned"); n != 1 {
		t.Fatalf("%d feedback pruned in the due block, want 1 (the second job's)", n)
	}
	var reasons []string
	for _, e := range res.Events {
		if e.Type != "agentchain.reputation.v1.EventPruneFailed" {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == "job_id" && a.Value != fmt.Sprintf("%q", fmt.Sprint(jobs[0])) {
				t.Errorf("prune failure for job %s, want %d", a.Value, jobs[0])
			}
			if a.Key == "error" {
				reasons = append(reasons, a.Value)
			}
		}
	}
	if len(reasons) != 1 || !strings.Contains(reasons[0], fmt.Sprintf("aggregate %d/", providers[0].id)) || !strings.Contains(reasons[0], "summarize") {
		t.Fatalf("prune failures %q; want one naming the missing aggregate %d/summarize", reasons, providers[0].id)
	}
	if ok, err := ta.ReputationKeeper.Feedback.Has(ta.Ctx(), key(0)); err != nil || !ok {
		t.Fatalf("the feedback whose pruning failed left state: %v %v", ok, err)
	}
	if ok, err := ta.ReputationKeeper.Feedback.Has(ta.Ctx(), key(1)); err != nil || ok {
		t.Fatalf("the other feedback due in the block stayed: %v %v", ok, err)
	}
	if ok, err := ta.ReputationKeeper.Checkpoints.Has(ta.Ctx(), broken); err != nil || ok {
		t.Fatalf("the failed prune kept a checkpoint of %v: %v %v", broken, ok, err)
	}
	if ok, err := ta.ReputationKeeper.Checkpoints.Has(ta.Ctx(), collections.Join(providers[1].id, "summarize")); err != nil || !ok {
		t.Fatalf("the pruned feedback's aggregate has no checkpoint: %v %v", ok, err)
	}
}

// A subscription is rated while it runs, and its feedback is not pruned
// while the job can still be rated: pruned then, the "rated once" check
// would find nothing and the same party could rate the job again, one
// payment weighed twice. It stays, its queue entry put off a retention
// period at a time, until the subscription settles and its feedback
// window closes; then it leaves, and the job stays rated.
func TestSubscriptionFeedbackStaysWhileRatable(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	client := ta.Accounts[1]
	const window, retention, rate, term = 10, 30, 1_000, 100
	p, err := ta.ReputationKeeper.Params.Get(ta.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	p.FeedbackWindowBlocks, p.FeedbackRetentionBlocks, p.MaxPrunesPerBlock = window, retention, 10
	w.gov(&reptypes.MsgUpdateParams{Authority: authority, Params: p})

	provider := w.newAgent(ta.Accounts[2])
	listingID, err := ta.MarketKeeper.ListingSeq.Peek(ta.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	w.ok(provider.key, &markettypes.MsgCreateListing{
		Signer: provider.key.Addr.String(), Provider: provider.id, Capability: "summarize", Title: "per block",
		TermsUri: "https://terms.example", TermsHash: hash("terms"), Price: coin(rate),
		MaxDurationBlocks: 1000, Billing: markettypes.LISTING_BILLING_PER_BLOCK, MinTermBlocks: 10,
	})
	job, err := ta.MarketKeeper.JobSeq.Peek(ta.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	w.ok(client, &markettypes.MsgSubscribe{Client: client.Addr.String(), ListingId: max(listingID, 1), Rate: coin(rate), TermBlocks: term})
	job = max(job, 1)
	w.until(ta.Height + 5)
	w.ok(provider.key, &markettypes.MsgWithdrawSubscription{Signer: provider.key.Addr.String(), JobId: job})
	w.ok(client, &reptypes.MsgSubmitFeedback{Rater: client.Addr.String(), JobId: job, Score: 90})
	rated := ta.Height

	has := func() bool {
		t.Helper()
		ok, err := ta.ReputationKeeper.Feedback.Has(ta.Ctx(), collections.Join(job, int32(reptypes.RATER_ROLE_CLIENT)))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	// Past its retention while the subscription runs: the feedback stays,
	// and the client cannot rate again.
	for ta.Height < rated+retention+5 {
		ta.NextBlock(nil)
		w.invariants()
	}
	if j := w.job(job); j.Status != markettypes.JOB_STATUS_IN_PROGRESS {
		t.Fatalf("the subscription is %s; the test needs it running", j.Status)
	}
	if !has() {
		t.Fatal("a running subscription's feedback was pruned: its client could rate it again")
	}
	w.refused(reptypes.ErrAlreadyRated, client, &reptypes.MsgSubmitFeedback{Rater: client.Addr.String(), JobId: job, Score: 100})

	// The term ends and the provider's last withdrawal settles the job; the
	// feedback stays through its window and leaves after it.
	w.until(rated + term)
	w.ok(provider.key, &markettypes.MsgWithdrawSubscription{Signer: provider.key.Addr.String(), JobId: job})
	settled := w.job(job)
	if settled.Status != markettypes.JOB_STATUS_COMPLETED {
		t.Fatalf("the subscription is %s after its term's withdrawal, want COMPLETED", settled.Status)
	}
	w.until(settled.SettledHeight + window - 1) // the next block is the window's last
	if !has() {
		t.Fatal("the feedback left inside the settled subscription's feedback window")
	}
	w.refused(reptypes.ErrAlreadyRated, client, &reptypes.MsgSubmitFeedback{Rater: client.Addr.String(), JobId: job, Score: 100})
	for ta.Height < settled.SettledHeight+window+retention+2 && has() {
		ta.NextBlock(nil)
		w.invariants()
	}
	if has() {
		t.Fatalf("the feedback is still in state at %d, a retention period after the window closed at %d", ta.Height, settled.SettledHeight+window)
	}
	w.refused(reptypes.ErrFeedbackWindowClosed, client, &reptypes.MsgSubmitFeedback{Rater: client.Addr.String(), JobId: job, Score: 100})
}
