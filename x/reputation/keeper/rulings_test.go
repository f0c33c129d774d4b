package keeper_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	markettypes "github.com/agentchain/agentchain/x/market/types"
	"github.com/agentchain/agentchain/x/reputation/types"
)

const agnt = 1_000_000 // uagnt

func (s *suite) reputation(agentID uint64, capability string) *types.QueryReputationResponse {
	s.t.Helper()
	res, err := s.qs.Reputation(s.ctx(), &types.QueryReputationRequest{AgentId: agentID, Capability: capability})
	if err != nil {
		s.t.Fatal(err)
	}
	return res
}

func (s *suite) noBrokenInvariants() {
	s.t.Helper()
	res, err := s.qs.Invariants(s.ctx(), &types.QueryInvariantsRequest{})
	if err != nil || len(res.Broken) > 0 || len(res.Checked) != 4 {
		s.t.Fatalf("invariants %+v %v", res, err)
	}
}

// A lost dispute lowers the provider's score in proportion to the value at
// stake, and ranks it below an otherwise identical provider.
func TestLostDisputeLowersScore(t *testing.T) {
	s := newSuite(t)
	client := s.ta.Accounts[9].Addr
	// Three providers with the same record: two 5 AGNT jobs rated 90. Two of
	// them then lose a dispute outright (share 0): on 5 AGNT and on 500 AGNT.
	clean, lostSmall, lostBig := s.newAgent(s.ta.Accounts[0].Addr), s.newAgent(s.ta.Accounts[1].Addr), s.newAgent(s.ta.Accounts[2].Addr)
	for _, p := range []agent{clean, lostSmall, lostBig} {
		for i := 0; i < 2; i++ {
			s.rate(client, s.settle(client, p, 5*agnt, "summarize", -1), 90)
		}
	}
	before := s.score(lostSmall.id, "")
	if !before.Equal(s.score(clean.id, "")) {
		t.Fatalf("identical records score %s and %s", before, s.score(clean.id, ""))
	}
	smallJob := s.settle(client, lostSmall, 5*agnt, "summarize", 0)
	bigJob := s.settle(client, lostBig, 500*agnt, "summarize", 0)
	// The client's own rating of a lost dispute weighs (almost) nothing:
	// nothing settled to the provider. The ruling is what counts.
	res, err := s.ms.SubmitFeedback(s.ctx(), &types.MsgSubmitFeedback{Rater: client.String(), JobId: bigJob, Score: 0})
	if err != nil || !res.Weight.IsZero() {
		t.Fatalf("the client's rating of a lost dispute: %v, weight %v", err, res)
	}

	for _, capability := range []string{"", "summarize"} {
		c, sm, bg := s.score(clean.id, capability), s.score(lostSmall.id, capability), s.score(lostBig.id, capability)
		if !sm.LT(c) || !bg.LT(sm) || !c.Sub(bg).GT(c.Sub(sm)) {
			t.Fatalf("capability %q: clean %s, lost 5 AGNT %s, lost 500 AGNT %s", capability, c, sm, bg)
		}
		top, err := s.qs.TopAgents(s.ctx(), &types.QueryTopAgentsRequest{Capability: capability, Limit: 3})
		if err != nil || len(top.Agents) != 3 || top.Agents[0].AgentId != clean.id || top.Agents[1].AgentId != lostSmall.id || top.Agents[2].AgentId != lostBig.id {
			t.Fatalf("capability %q: top agents %+v %v", capability, top, err)
		}
		t.Logf("capability %q: clean %s, lost 5 AGNT %s, lost 500 AGNT %s", capability, c, sm, bg)
	}
	// The ruling is on record, for the value at stake, and counts once.
	if rep := s.reputation(lostSmall.id, ""); rep.Count != 3 || rep.Signals.DisputesLost != 1 || rep.Signals.JobsResolved != 1 {
		t.Fatalf("after a lost dispute: %+v", rep)
	}
	gov := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	for job, weight := range map[uint64]int64{smallJob: 5, bigJob: 500} {
		fb, err := s.qs.Feedback(s.ctx(), &types.QueryFeedbackRequest{JobId: job, Role: types.RATER_ROLE_RULING})
		if err != nil {
			t.Fatal(err)
		}
		// No arbiter was named, so the governance authority ruled.
		if f := fb.Feedback; f.Score != 0 || !f.Weight.Equal(sdkmath.LegacyNewDec(weight)) || f.Rater != gov || f.Capability != "summarize" || f.RaterAgent != 0 {
			t.Fatalf("ruling on job %d: %+v", job, f)
		}
	}

	// Nobody can revoke a ruling, nor submit one; the provider may respond.
	s.refused(types.ErrRulingFinal, func(ctx context.Context) error {
		_, err := s.ms.RevokeFeedback(ctx, &types.MsgRevokeFeedback{Rater: gov, JobId: smallJob, Role: types.RATER_ROLE_RULING})
		return err
	})
	s.refused(types.ErrNotAParty, func(ctx context.Context) error {
		_, err := s.ms.SubmitFeedback(ctx, &types.MsgSubmitFeedback{Rater: gov, JobId: smallJob, Score: 100})
		return err
	})
	if _, err := s.ms.RespondFeedback(s.ctx(), &types.MsgRespondFeedback{
		Responder: lostSmall.key.String(), JobId: smallJob, Role: types.RATER_ROLE_RULING, ResponseUri: "https://appeal.example", ResponseHash: hash("appeal"),
	}); err != nil {
		t.Fatal(err)
	}
	s.noBrokenInvariants()
}

// A dispute won, split or lost scores the share: a vindicated provider
// gains, a half split is neutral against the prior, and the invariants
// check every ruling.
func TestRulingScoresTheShare(t *testing.T) {
	s := newSuite(t)
	client := s.ta.Accounts[9].Addr
	won, split, lost := s.newAgent(s.ta.Accounts[0].Addr), s.newAgent(s.ta.Accounts[1].Addr), s.newAgent(s.ta.Accounts[2].Addr)
	cases := []struct {
		provider agent
		share    int
		score    uint32
	}{{won, 10_000, 100}, {split, 5_099, 50}, {lost, 2_000, 20}}
	for _, c := range cases {
		s.settle(client, c.provider, 50*agnt, "translate", c.share)
		if got := s.ruling(c.provider.id).Score; got != c.score {
			t.Fatalf("a share of %d bps scores %d, want %d", c.share, got, c.score)
		}
	}
	if !s.score(won.id, "").GT(sdkmath.LegacyNewDec(50)) || !s.score(split.id, "").Equal(sdkmath.LegacyNewDec(50)) || !s.score(lost.id, "").LT(sdkmath.LegacyNewDec(50)) {
		t.Fatalf("won %s, split %s, lost %s", s.score(won.id, ""), s.score(split.id, ""), s.score(lost.id, ""))
	}
	s.noBrokenInvariants()

	// A ruling that does not match its job's resolution is caught.
	j := s.ruling(lost.id)
	j.Score = 21
	if err := s.k.Feedback.Set(s.ctx(), collections.Join(j.JobId, int32(types.RATER_ROLE_RULING)), j); err != nil {
		t.Fatal(err)
	}
	res, err := s.qs.Invariants(s.ctx(), &types.QueryInvariantsRequest{})
	if err != nil || len(res.Broken) == 0 || !strings.Contains(strings.Join(res.Broken, "\n"), "ruling") {
		t.Fatalf("a tampered ruling passed: %+v %v", res, err)
	}
}

// ruling returns the ruling on an agent (its only one).
func (s *suite) ruling(agentID uint64) types.Feedback {
	s.t.Helper()
	res, err := s.qs.FeedbackReceived(s.ctx(), &types.QueryFeedbackReceivedRequest{AgentId: agentID})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, fb := range res.Feedback {
		if fb.Role == types.RATER_ROLE_RULING {
			return fb
		}
	}
	s.t.Fatalf("agent %d has no ruling", agentID)
	return types.Feedback{}
}

// Feedback on a self-dealt job, even through a dispute, moves neither the
// count, nor the score, nor any signal of either side, and records no
// ruling.
func TestSelfDealtJobMovesNothing(t *testing.T) {
	s := newSuite(t)
	owner, client := s.ta.Accounts[0].Addr, s.ta.Accounts[1].Addr
	sybil, puppet := s.newAgent(owner), s.newAgent(owner)
	// Some honest history first, so that there is something to move.
	s.rate(client, s.settle(client, sybil, 20*agnt, "summarize", -1), 70)
	s.rate(puppet.key, s.settle(puppet.key, s.newAgent(s.ta.Accounts[2].Addr), 3*agnt, "summarize", -1), 60)
	view := func() string {
		var b strings.Builder
		for _, id := range []uint64{sybil.id, puppet.id} {
			for _, c := range []string{"", "summarize"} {
				b.WriteString(s.reputation(id, c).String())
			}
		}
		return b.String()
	}
	before := view()

	completed := s.settle(puppet.key, sybil, 5*agnt, "summarize", -1)
	lost := s.settle(puppet.key, sybil, 500*agnt, "summarize", 0)
	direct := s.settle(owner, sybil, 5*agnt, "summarize", 10_000)
	for _, job := range []uint64{completed, lost} {
		s.rate(puppet.key, job, 100)
		s.rate(sybil.key, job, 100)
	}
	s.rate(owner, direct, 100)
	if after := view(); after != before {
		t.Fatalf("self-dealt jobs moved a reputation:\nbefore %s\nafter  %s", before, after)
	}
	for _, job := range []uint64{lost, direct} {
		if has, err := s.k.Feedback.Has(s.ctx(), collections.Join(job, int32(types.RATER_ROLE_RULING))); err != nil || has {
			t.Fatalf("self-dealt job %d has a ruling (%v)", job, err)
		}
	}
	s.noBrokenInvariants()
}

// Volumes count every denom the jobs were paid in, and the on-time rate
// is deliveries on time over those and expired jobs.
func TestVolumesAndOnTimeRate(t *testing.T) {
	s := newSuite(t)
	provider, clientAgent := s.newAgent(s.ta.Accounts[0].Addr), s.newAgent(s.ta.Accounts[1].Addr)
	if rep := s.reputation(provider.id, ""); rep.OnTimeRateBps != 0 || rep.Signals.DeliveredOnTime != 0 || rep.Signals.JobsExpired != 0 {
		t.Fatalf("no history: %+v", rep)
	}
	s.settle(clientAgent.key, provider, 10*agnt, "summarize", -1)
	j, err := s.ta.MarketKeeper.GetJob(s.ctx(), s.settle(clientAgent.key, provider, 10*agnt, "summarize", 3_000))
	if err != nil {
		t.Fatal(err)
	}
	prov, cl := s.reputation(provider.id, ""), s.reputation(clientAgent.id, "")
	wantEarned := sdk.NewCoins(uagnt(9_800_000)).Add(j.ProviderPaid...)
	wantSpent := sdk.NewCoins(uagnt(20 * agnt)).Sub(j.ClientRefunded...)
	if !prov.Signals.Earned.Equal(wantEarned) || !cl.Signals.Spent.Equal(wantSpent) || !prov.Signals.Spent.Empty() || !cl.Signals.Earned.Empty() {
		t.Fatalf("provider %+v, client %+v; want earned %s, spent %s", prov.Signals, cl.Signals, wantEarned, wantSpent)
	}
	if prov.OnTimeRateBps != 10_000 {
		t.Fatalf("two deliveries on time, none missed: %d bps", prov.OnTimeRateBps)
	}
	// An accepted job left to expire is a missed deadline: 2 of 3 met.
	ctx := s.ctx()
	l, err := s.market.CreateListing(ctx, &markettypes.MsgCreateListing{
		Signer: provider.key.String(), Provider: provider.id, Capability: "summarize", Title: "t",
		TermsUri: "https://t.example", TermsHash: hash("t"), Price: uagnt(agnt), MaxDurationBlocks: 100, ReviewWindowBlocks: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.market.Hire(ctx, &markettypes.MsgHire{Client: clientAgent.key.String(), ListingId: l.Id, SpecUri: "https://s.example", SpecHash: hash("s"), DeliverBy: ctx.BlockHeight() + 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.market.AcceptJob(ctx, &markettypes.MsgAcceptJob{Signer: provider.key.String(), JobId: h.JobId}); err != nil {
		t.Fatal(err)
	}
	// A hire never accepted is no missed deadline.
	if _, err := s.market.Hire(ctx, &markettypes.MsgHire{Client: clientAgent.key.String(), ListingId: l.Id, SpecUri: "https://s.example", SpecHash: hash("s"), DeliverBy: ctx.BlockHeight() + 1}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 40; i++ {
		s.ta.NextBlock(nil)
	}
	if rep := s.reputation(provider.id, ""); rep.Signals.JobsExpired != 1 || rep.OnTimeRateBps != 6_666 {
		t.Fatalf("after an expired job: %d bps, %+v", rep.OnTimeRateBps, rep.Signals)
	}
	s.noBrokenInvariants()
}

// The worked example of README.md ("Score model"), computed by the chain:
// a provider's two completed 5 AGNT jobs rated 90, then a lost dispute on
// a 5 AGNT job (which its client also rates 0), all at one height. The
// README must quote these numbers.
func TestReadmeWorkedExample(t *testing.T) {
	s := newSuite(t)
	client := s.ta.Accounts[9].Addr
	provider := s.newAgent(s.ta.Accounts[0].Addr)
	other := s.newAgent(s.ta.Accounts[1].Addr)
	var got []string
	step := func(want string) {
		t.Helper()
		sc := s.score(provider.id, "")
		if sc.String() != want {
			t.Fatalf("step %d: score %s, README says %s", len(got)+1, sc, want)
		}
		got = append(got, want)
	}
	step("50.000000000000000000")
	s.rate(client, s.settle(client, provider, 5*agnt, "summarize", -1), 90)
	step("51.904761904761904762")
	s.rate(client, s.settle(client, provider, 5*agnt, "summarize", -1), 90)
	step("53.636363636363636364")
	lost := s.settle(client, provider, 5*agnt, "summarize", 0)
	step("51.304347826086956522")
	s.rate(client, lost, 0)
	step("51.304347826086956522")
	if n := s.reputation(provider.id, "").Count; n != 3 {
		t.Fatalf("%d counted entries, README says 3", n)
	}
	// The same record, but the lost dispute was on 500 AGNT.
	s.rate(client, s.settle(client, other, 5*agnt, "summarize", -1), 90)
	s.rate(client, s.settle(client, other, 5*agnt, "summarize", -1), 90)
	s.settle(client, other, 500*agnt, "summarize", 0)
	if sc := s.score(other.id, ""); sc.String() != "9.672131147540983607" {
		t.Fatalf("lost 500 AGNT: %s", sc)
	}
	got = append(got, "9.672131147540983607")

	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range got {
		// The README shows two decimals, in bold.
		d := sdkmath.LegacyMustNewDecFromStr(n)
		shown := d.MulInt64(100).RoundInt().String()
		shown = "**" + shown[:len(shown)-2] + "." + shown[len(shown)-2:] + "**"
		if !strings.Contains(string(readme), shown) {
			t.Errorf("README.md does not quote %s (%s)", shown, n)
		}
	}
}
