package keeper_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
	agentidkeeper "github.com/agentchain/agentchain/x/agentid/keeper"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	marketkeeper "github.com/agentchain/agentchain/x/market/keeper"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	"github.com/agentchain/agentchain/x/reputation/keeper"
	"github.com/agentchain/agentchain/x/reputation/types"
)

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func uagnt(n int64) sdk.Coin { return sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(n)) }

// suite drives real jobs through the market to settlement on an in-process
// chain, then rates them.
type suite struct {
	t      *testing.T
	ta     *apptest.TestApp
	k      keeper.Keeper
	ms     types.MsgServer
	qs     types.QueryServer
	market markettypes.MsgServer
	agents agentidtypes.MsgServer
	names  int
}

func newSuite(t *testing.T) *suite {
	t.Helper()
	ta := apptest.New(t, apptest.Options{Accounts: 10})
	return &suite{
		t: t, ta: ta, k: ta.ReputationKeeper,
		ms:     keeper.NewMsgServerImpl(ta.ReputationKeeper),
		qs:     keeper.NewQueryServerImpl(ta.ReputationKeeper),
		market: marketkeeper.NewMsgServerImpl(ta.MarketKeeper),
		agents: agentidkeeper.NewMsgServerImpl(ta.AgentIDKeeper),
	}
}

func (s *suite) ctx() sdk.Context { return s.ta.Ctx() }

type agent struct {
	id    uint64
	owner sdk.AccAddress
	key   sdk.AccAddress
}

// newAgent registers an agent owned by owner, with its own funded key.
func (s *suite) newAgent(owner sdk.AccAddress) agent {
	s.t.Helper()
	s.names++
	name := fmt.Sprintf("rep-agent-%d", s.names)
	priv := secp256k1.GenPrivKeyFromSecret([]byte(name))
	addr := sdk.AccAddress(priv.PubKey().Address())
	sig, err := priv.Sign(agentidtypes.BindingDigest(apptest.ChainID, owner, addr, 1))
	if err != nil {
		s.t.Fatal(err)
	}
	res, err := s.agents.RegisterAgent(s.ctx(), &agentidtypes.MsgRegisterAgent{
		Owner: owner.String(), Name: name, AgentAddress: addr.String(),
		Proof: &agentidtypes.KeyProof{PubKey: priv.PubKey().Bytes(), Nonce: 1, Signature: sig},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.ta.BankKeeper.SendCoins(s.ctx(), owner, addr, sdk.NewCoins(uagnt(20_000_000_000))); err != nil {
		s.t.Fatal(err)
	}
	return agent{id: res.Id, owner: owner, key: addr}
}

// settle runs a job of price uagnt from client to provider to COMPLETED
// (or, with share >= 0, through a dispute to RESOLVED) and returns its id.
func (s *suite) settle(client sdk.AccAddress, provider agent, price int64, capability string, share int) uint64 {
	s.t.Helper()
	ctx := s.ctx()
	l, err := s.market.CreateListing(ctx, &markettypes.MsgCreateListing{
		Signer: provider.key.String(), Provider: provider.id, Capability: capability, Title: "t",
		TermsUri: "https://t.example", TermsHash: hash("t"), Price: uagnt(price), MaxDurationBlocks: 100, ReviewWindowBlocks: 10,
	})
	if err != nil {
		s.t.Fatal(err)
	}
	h, err := s.market.Hire(ctx, &markettypes.MsgHire{Client: client.String(), ListingId: l.Id, SpecUri: "https://s.example", SpecHash: hash("s"), DeliverBy: ctx.BlockHeight() + 50})
	if err != nil {
		s.t.Fatal(err)
	}
	steps := []func() error{
		func() error {
			_, err := s.market.AcceptJob(ctx, &markettypes.MsgAcceptJob{Signer: provider.key.String(), JobId: h.JobId})
			return err
		},
		func() error {
			_, err := s.market.Deliver(ctx, &markettypes.MsgDeliver{Signer: provider.key.String(), JobId: h.JobId, ResultUri: "https://r.example", ResultHash: hash("r")})
			return err
		},
	}
	if share < 0 {
		steps = append(steps, func() error {
			_, err := s.market.Complete(ctx, &markettypes.MsgComplete{Client: client.String(), JobId: h.JobId})
			return err
		})
	} else {
		steps = append(steps, func() error {
			_, err := s.market.Reject(ctx, &markettypes.MsgReject{Client: client.String(), JobId: h.JobId, Reason: markettypes.REJECT_REASON_OTHER, EvidenceHash: hash("e")})
			return err
		}, func() error {
			_, err := s.market.Resolve(ctx, &markettypes.MsgResolve{Signer: authtypes.NewModuleAddress(govtypes.ModuleName).String(), JobId: h.JobId, ProviderShareBps: uint32(share)})
			return err
		})
	}
	for _, step := range steps {
		if err := step(); err != nil {
			s.t.Fatal(err)
		}
	}
	return h.JobId
}

func (s *suite) rate(rater sdk.AccAddress, job uint64, score uint32) {
	s.t.Helper()
	if _, err := s.ms.SubmitFeedback(s.ctx(), &types.MsgSubmitFeedback{Rater: rater.String(), JobId: job, Score: score}); err != nil {
		s.t.Fatalf("rate job %d: %v", job, err)
	}
}

func (s *suite) score(agentID uint64, capability string) sdkmath.LegacyDec {
	s.t.Helper()
	res, err := s.qs.Reputation(s.ctx(), &types.QueryReputationRequest{AgentId: agentID, Capability: capability})
	if err != nil {
		s.t.Fatal(err)
	}
	return res.Score
}

// refused runs f as the SDK runs a message and checks that it fails with
// want, from this module's codespace, and changes no state
// (apptest.ExpectRefused).
func (s *suite) refused(want error, f func(ctx context.Context) error) {
	s.t.Helper()
	s.ta.ExpectRefused(s.t, types.ModuleName, want, func(ctx sdk.Context) error { return f(ctx) })
}

func TestFeedbackAndRefusals(t *testing.T) {
	s := newSuite(t)
	owner, client, stranger := s.ta.Accounts[0].Addr, s.ta.Accounts[1].Addr, s.ta.Accounts[2].Addr
	provider := s.newAgent(owner)
	clientAgent := s.newAgent(client)
	job := s.settle(client, provider, 3_000_000, "summarize", -1)
	agentJob := s.settle(clientAgent.key, provider, 2_000_000, "summarize", -1)

	// An unsettled job.
	l, _ := s.market.CreateListing(s.ctx(), &markettypes.MsgCreateListing{Signer: provider.key.String(), Provider: provider.id, Capability: "summarize", Title: "t", TermsUri: "https://t.example", TermsHash: hash("t"), Price: uagnt(5), MaxDurationBlocks: 100, ReviewWindowBlocks: 10})
	open, _ := s.market.Hire(s.ctx(), &markettypes.MsgHire{Client: client.String(), ListingId: l.Id, SpecUri: "https://s.example", SpecHash: hash("s"), DeliverBy: s.ctx().BlockHeight() + 50})

	submit := func(m types.MsgSubmitFeedback) func(ctx context.Context) error {
		return func(ctx context.Context) error { _, err := s.ms.SubmitFeedback(ctx, &m); return err }
	}
	cases := []struct {
		name string
		f    func(ctx context.Context) error
		err  error
	}{
		{"unsettled job", submit(types.MsgSubmitFeedback{Rater: client.String(), JobId: open.JobId, Score: 90}), types.ErrJobNotSettled},
		{"unknown job", submit(types.MsgSubmitFeedback{Rater: client.String(), JobId: 999, Score: 90}), types.ErrJobNotFound},
		{"not a party", submit(types.MsgSubmitFeedback{Rater: stranger.String(), JobId: job, Score: 90}), types.ErrNotAParty},
		{"score above 100", submit(types.MsgSubmitFeedback{Rater: client.String(), JobId: job, Score: 101}), types.ErrInvalidScore},
		{"oversized comment uri", submit(types.MsgSubmitFeedback{Rater: client.String(), JobId: job, Score: 90, CommentUri: "https://c.example/" + strings.Repeat("c", 600), CommentHash: hash("c")}), types.ErrFieldTooLong},
		{"comment hash without uri", submit(types.MsgSubmitFeedback{Rater: client.String(), JobId: job, Score: 90, CommentHash: hash("c")}), types.ErrInvalidURI},
		{"too many tags", submit(types.MsgSubmitFeedback{Rater: client.String(), JobId: job, Score: 90, Tags: []string{"a", "b", "c", "d", "e", "f"}}), types.ErrInvalidTags},
		{"bad tag", submit(types.MsgSubmitFeedback{Rater: client.String(), JobId: job, Score: 90, Tags: []string{"no spaces please"}}), types.ErrInvalidTags},
		{"provider rates a non-agent client", submit(types.MsgSubmitFeedback{Rater: provider.key.String(), JobId: job, Score: 50}), types.ErrClientNotAgent},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { s.t = t; s.refused(tc.err, tc.f) })
	}
	s.t = t

	s.rate(client, job, 90)
	s.refused(types.ErrAlreadyRated, submit(types.MsgSubmitFeedback{Rater: client.String(), JobId: job, Score: 10}))
	// Both sides of an agent-to-agent job rate each other.
	s.rate(clientAgent.key, agentJob, 80)
	s.rate(provider.owner, agentJob, 70)
	if sc := s.score(clientAgent.id, ""); !sc.GT(sdkmath.LegacyNewDec(50)) {
		t.Fatalf("the client agent's score %s did not move toward 70", sc)
	}
	if sc := s.score(provider.id, "summarize"); !sc.GT(sdkmath.LegacyNewDec(50)) {
		t.Fatalf("the provider's capability score %s", sc)
	}

	// Responses: only the rated agent, once.
	respond := func(signer sdk.AccAddress) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := s.ms.RespondFeedback(ctx, &types.MsgRespondFeedback{Responder: signer.String(), JobId: job, Role: types.RATER_ROLE_CLIENT, ResponseUri: "https://reply.example", ResponseHash: hash("reply")})
			return err
		}
	}
	s.refused(types.ErrNotSubject, respond(client))
	s.refused(types.ErrNotSubject, respond(stranger))
	if err := respond(provider.key)(s.ctx()); err != nil {
		t.Fatal(err)
	}
	s.refused(types.ErrAlreadyResponded, respond(provider.owner))

	// Revocation: only the rater; then it stops counting.
	revoke := func(signer sdk.AccAddress) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := s.ms.RevokeFeedback(ctx, &types.MsgRevokeFeedback{Rater: signer.String(), JobId: job, Role: types.RATER_ROLE_CLIENT})
			return err
		}
	}
	s.refused(types.ErrNotRater, revoke(stranger))
	s.refused(types.ErrNotRater, revoke(provider.key))
	s.refused(types.ErrFeedbackNotFound, func(ctx context.Context) error {
		_, err := s.ms.RevokeFeedback(ctx, &types.MsgRevokeFeedback{Rater: client.String(), JobId: 999, Role: types.RATER_ROLE_CLIENT})
		return err
	})
	withBoth := s.score(provider.id, "")
	if err := revoke(client)(s.ctx()); err != nil {
		t.Fatal(err)
	}
	s.refused(types.ErrAlreadyRevoked, revoke(client))
	if after := s.score(provider.id, ""); !after.LT(withBoth) {
		t.Fatalf("revoking a 90 did not lower the score: %s then %s", withBoth, after)
	}

	// Late feedback, once the window closed.
	late := s.settle(client, provider, 1_000_000, "summarize", -1)
	p, _ := s.k.Params.Get(s.ctx())
	j, _ := s.ta.MarketKeeper.GetJob(s.ctx(), late)
	s.refused(types.ErrFeedbackWindowClosed, func(ctx context.Context) error {
		_, err := s.ms.SubmitFeedback(sdk.UnwrapSDKContext(ctx).WithBlockHeight(j.SettledHeight+p.FeedbackWindowBlocks+1), &types.MsgSubmitFeedback{Rater: client.String(), JobId: late, Score: 90})
		return err
	})
}

// Self-dealing buys nothing, and real money outweighs many small ratings.
func TestSybilResistance(t *testing.T) {
	s := newSuite(t)
	owner := s.ta.Accounts[0].Addr
	// A provider and a client agent with one owner: 50 jobs rated 100.
	sybil := s.newAgent(owner)
	puppet := s.newAgent(owner)
	for i := 0; i < 50; i++ {
		job := s.settle(puppet.key, sybil, 1_000_000, "summarize", -1)
		s.rate(puppet.key, job, 100)
	}
	// Also the owner hiring its own agent directly.
	job := s.settle(owner, sybil, 1_000_000, "summarize", -1)
	s.rate(owner, job, 100)
	p, _ := s.k.Params.Get(s.ctx())
	if sc := s.score(sybil.id, ""); !sc.Equal(sdkmath.LegacyNewDec(int64(p.PriorScore))) {
		t.Fatalf("51 self-dealt ratings of 100 moved the score to %s", sc)
	}

	// One real 5,000 AGNT job rated 90 against twenty real 1 AGNT jobs rated 100.
	big, small := s.newAgent(s.ta.Accounts[3].Addr), s.newAgent(s.ta.Accounts[4].Addr)
	client := s.ta.Accounts[5].Addr
	s.rate(client, s.settle(client, big, 5_000_000_000, "summarize", -1), 90)
	for i := 0; i < 20; i++ {
		s.rate(client, s.settle(client, small, 1_000_000, "summarize", -1), 100)
	}
	bigScore, smallScore := s.score(big.id, "summarize"), s.score(small.id, "summarize")
	if !bigScore.GT(smallScore) {
		t.Fatalf("5,000 AGNT rated 90 scores %s, twenty 1-AGNT jobs rated 100 score %s", bigScore, smallScore)
	}
	top, err := s.qs.TopAgents(s.ctx(), &types.QueryTopAgentsRequest{Capability: "summarize", Limit: 3})
	if err != nil || len(top.Agents) < 2 || top.Agents[0].AgentId != big.id || top.Agents[1].AgentId != small.id {
		t.Fatalf("top agents %+v %v", top, err)
	}
	t.Logf("one 5,000 AGNT job rated 90: %s; twenty 1 AGNT jobs rated 100: %s", bigScore, smallScore)
}

// After one half-life a feedback weighs exactly half as much.
func TestDecay(t *testing.T) {
	s := newSuite(t)
	p := types.DefaultParams()
	p.HalfLifeBlocks = 100
	// The half-life is fixed after genesis; set it in the store directly.
	if err := s.k.Params.Set(s.ctx(), p); err != nil {
		t.Fatal(err)
	}
	provider := s.newAgent(s.ta.Accounts[0].Addr)
	client := s.ta.Accounts[1].Addr
	s.rate(client, s.settle(client, provider, 400_000_000, "summarize", -1), 100) // weight 400
	res0, _ := s.qs.Reputation(s.ctx(), &types.QueryReputationRequest{AgentId: provider.id})
	ctx := s.ctx()
	res1, err := s.qs.Reputation(ctx.WithBlockHeight(ctx.BlockHeight()+100), &types.QueryReputationRequest{AgentId: provider.id})
	if err != nil {
		t.Fatal(err)
	}
	if !res0.Weight.Equal(sdkmath.LegacyNewDec(400)) || !res1.Weight.Equal(sdkmath.LegacyNewDec(200)) {
		t.Fatalf("weight %s, after one half-life %s; want 400 and 200", res0.Weight, res1.Weight)
	}
	// Score: (50*100 + 100*400)/(100+400) = 90 now; (5000 + 20000)/300 = 83.33 after.
	if !res0.Score.Equal(sdkmath.LegacyNewDec(90)) || res1.Score.Sub(sdkmath.LegacyMustNewDecFromStr("83.333333333333333333")).Abs().GT(sdkmath.LegacyNewDecWithPrec(1, 15)) {
		t.Fatalf("score %s, after one half-life %s", res0.Score, res1.Score)
	}
	// The governance authority cannot change the half-life.
	q := p
	q.HalfLifeBlocks = 200
	if _, err := s.ms.UpdateParams(s.ctx(), &types.MsgUpdateParams{Authority: authtypes.NewModuleAddress(govtypes.ModuleName).String(), Params: q}); !errors.Is(err, types.ErrInvalidParams) {
		t.Fatalf("half-life change: %v", err)
	}
	if _, err := s.ms.UpdateParams(s.ctx(), &types.MsgUpdateParams{Authority: s.ta.Accounts[0].Addr.String(), Params: p}); !errors.Is(err, types.ErrInvalidAuthority) {
		t.Fatalf("non-authority: %v", err)
	}
}

// A random sequence of 1,000 jobs and ratings (and revocations, over many
// blocks): the stored sums always equal a replay of the stored feedback.
func TestReplayMatchesStoredAggregates(t *testing.T) {
	s := newSuite(t)
	rng := rand.New(rand.NewPCG(7, 11))
	var providers []agent
	for i := 0; i < 6; i++ {
		providers = append(providers, s.newAgent(s.ta.Accounts[i%4].Addr))
	}
	clientAgents := []agent{s.newAgent(s.ta.Accounts[5].Addr), s.newAgent(s.ta.Accounts[6].Addr)}
	caps := []string{"summarize", "translate", "code-review"}
	type rated struct {
		job   uint64
		rater sdk.AccAddress
		role  types.RaterRole
	}
	var given []rated
	for i := 0; i < 1000; i++ {
		prov := providers[rng.IntN(len(providers))]
		var client sdk.AccAddress
		switch rng.IntN(3) {
		case 0:
			client = s.ta.Accounts[7+rng.IntN(3)].Addr
		default:
			client = clientAgents[rng.IntN(2)].key
		}
		share := -1
		if rng.IntN(5) == 0 {
			share = rng.IntN(10_001)
		}
		job := s.settle(client, prov, 1+rng.Int64N(50_000_000), caps[rng.IntN(len(caps))], share)
		if rng.IntN(4) != 0 {
			s.rate(client, job, uint32(rng.IntN(101)))
			given = append(given, rated{job, client, types.RATER_ROLE_CLIENT})
		}
		if j, _ := s.ta.MarketKeeper.GetJob(s.ctx(), job); j.ClientAgent != 0 && rng.IntN(2) == 0 {
			s.rate(prov.key, job, uint32(rng.IntN(101)))
			given = append(given, rated{job, prov.key, types.RATER_ROLE_PROVIDER})
		}
		if len(given) > 0 && rng.IntN(20) == 0 {
			r := given[rng.IntN(len(given))]
			_, _ = s.ms.RevokeFeedback(s.ctx(), &types.MsgRevokeFeedback{Rater: r.rater.String(), JobId: r.job, Role: r.role})
		}
		if rng.IntN(10) == 0 {
			for b := rng.IntN(5); b >= 0; b-- {
				s.ta.NextBlock(nil)
			}
		}
	}
	gs, err := s.k.ExportGenesis(s.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if len(gs.Feedback) < 900 {
		t.Fatalf("only %d feedback", len(gs.Feedback))
	}
	// Validate replays the feedback in order and compares with the sums.
	if err := gs.Validate(); err != nil {
		t.Fatal(err)
	}
	// And a tampered aggregate is caught.
	gs.Aggregates[0].Weight = gs.Aggregates[0].Weight.Add(sdkmath.LegacyNewDecWithPrec(1, 18))
	if err := gs.Validate(); err == nil {
		t.Fatal("a tampered aggregate passed validation")
	}
	// Top agents are in exact score order.
	top, err := s.qs.TopAgents(s.ctx(), &types.QueryTopAgentsRequest{Capability: "", Limit: 10})
	if err != nil || len(top.Agents) == 0 {
		t.Fatalf("top %v %v", top, err)
	}
	if !sort.SliceIsSorted(top.Agents, func(a, b int) bool { return top.Agents[a].Score.GT(top.Agents[b].Score) }) {
		t.Fatalf("top agents out of order: %+v", top.Agents)
	}
	t.Logf("%d feedback, %d aggregates", len(gs.Feedback), len(gs.Aggregates))
}

// A pay-per-call purchase is a settled job for reputation: the client rates
// it with a weight from what it paid, the provider's signals count it, and
// a purchase between agents of one owner weighs nothing.
func TestPurchaseIsRatedLikeASettledJob(t *testing.T) {
	s := newSuite(t)
	provider := s.newAgent(s.ta.Accounts[0].Addr)
	buyer := s.newAgent(s.ta.Accounts[1].Addr)
	ctx := s.ctx()
	l, err := s.market.CreateListing(ctx, &markettypes.MsgCreateListing{
		Signer: provider.key.String(), Provider: provider.id, Capability: "quote", Title: "t",
		TermsUri: "https://t.example", TermsHash: hash("t"), Price: uagnt(2_000_000), MaxDurationBlocks: 100, ReviewWindowBlocks: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	buy := func(client sdk.AccAddress, id string) uint64 {
		res, err := s.market.Purchase(s.ctx(), &markettypes.MsgPurchase{
			Client: client.String(), ListingId: l.Id, Calls: 1, Amount: uagnt(2_000_000), RequestId: id, ValidUntilHeight: s.ctx().BlockHeight() + 5,
		})
		if err != nil {
			t.Fatal(err)
		}
		return res.JobId
	}
	job := buy(buyer.key, "r-1")
	res, err := s.ms.SubmitFeedback(s.ctx(), &types.MsgSubmitFeedback{Rater: buyer.key.String(), JobId: job, Score: 20})
	if err != nil || !res.Weight.IsPositive() {
		t.Fatalf("feedback on a purchase: %v, weight %v", err, res)
	}
	// The provider may rate the client agent back; nobody rates twice.
	s.rate(provider.key, job, 80)
	s.refused(types.ErrAlreadyRated, func(ctx context.Context) error {
		_, err := s.ms.SubmitFeedback(ctx, &types.MsgSubmitFeedback{Rater: buyer.key.String(), JobId: job, Score: 0})
		return err
	})
	rep, err := s.qs.Reputation(s.ctx(), &types.QueryReputationRequest{AgentId: provider.id})
	if err != nil || rep.Signals.JobsCompleted != 1 || !rep.Signals.Earned.Equal(sdk.NewCoins(uagnt(1_960_000))) {
		t.Fatalf("provider reputation %+v %v", rep, err)
	}
	if sc := s.score(provider.id, "quote"); !sc.LT(sdkmath.LegacyNewDec(50)) {
		t.Fatalf("a paid call rated 20 left the score at %s", sc)
	}
	// The provider's owner buying from its own agent: self-dealt, weight 0.
	self := buy(provider.owner, "r-2")
	res, err = s.ms.SubmitFeedback(s.ctx(), &types.MsgSubmitFeedback{Rater: provider.owner.String(), JobId: self, Score: 100})
	if err != nil || !res.Weight.IsZero() {
		t.Fatalf("self-dealt purchase feedback: %v, weight %v", err, res)
	}
}
