package keeper_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"
	storetypes "cosmossdk.io/store/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	"github.com/agentchain/agentchain/x/market/types"
)

func eventTypes(ctx sdk.Context) []string {
	var out []string
	for _, e := range ctx.EventManager().Events() {
		out = append(out, strings.TrimPrefix(e.Type, "agentchain.market.v1."))
	}
	return out
}

// The happy path: hire, accept, deliver, complete. The provider is paid the
// price minus the take, the fee collector gets the take, the client pays
// exactly the price.
func TestHireDeliverComplete(t *testing.T) {
	s := newSuite(t)
	feeCollector := authtypes.NewModuleAddress(authtypes.FeeCollectorName)
	payout := s.providerKey
	client0, payout0, fees0 := s.balance(s.client), s.balance(payout), s.balance(feeCollector)

	ctx := s.ctx().WithEventManager(sdk.NewEventManager())
	res, err := s.ms.Hire(ctx, s.hireMsg())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(eventTypes(ctx), "EventJobFunded") {
		t.Fatalf("events %v", eventTypes(ctx))
	}
	s.audit()
	id := res.JobId
	j := s.job(id)
	if j.Status != types.JOB_STATUS_FUNDED || j.ProviderPayout != payout.String() || j.Arbiter != s.arbiter.String() || j.ClientAgent != 0 {
		t.Fatalf("funded %+v", j)
	}
	if got := client0 - s.balance(s.client); got != price {
		t.Fatalf("client locked %d", got)
	}
	s.step("accept", func(ctx context.Context) error {
		_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: s.providerKey.String(), JobId: id})
		return err
	})
	s.step("deliver", func(ctx context.Context) error {
		_, err := s.ms.Deliver(ctx, &types.MsgDeliver{Signer: s.providerKey.String(), JobId: id, ResultUri: "https://r.example/1", ResultHash: hash("result")})
		return err
	})
	if j := s.job(id); j.Status != types.JOB_STATUS_DELIVERED || j.Deadline != s.ctx().BlockHeight()+20 {
		t.Fatalf("delivered %+v", j)
	}
	ctx = s.ctx().WithEventManager(sdk.NewEventManager())
	if _, err := s.ms.Complete(ctx, &types.MsgComplete{Client: s.client.String(), JobId: id}); err != nil {
		t.Fatal(err)
	}
	if ev := eventTypes(ctx); !slices.Contains(ev, "EventMilestonePaid") || !slices.Contains(ev, "EventJobCompleted") {
		t.Fatalf("events %v", ev)
	}
	s.audit()
	// 2% take of 1,000,000 is 20,000.
	j = s.job(id)
	if j.Status != types.JOB_STATUS_COMPLETED || !j.ProviderPaid.Equal(sdk.NewCoins(uagnt(980_000))) || !j.TakePaid.Equal(sdk.NewCoins(uagnt(20_000))) {
		t.Fatalf("completed %+v", j)
	}
	if got := s.balance(payout) - payout0; got != 980_000 {
		t.Fatalf("provider got %d", got)
	}
	if got := s.balance(feeCollector) - fees0; got != 20_000 {
		t.Fatalf("fee collector got %d", got)
	}
	if got := client0 - s.balance(s.client); got != price {
		t.Fatalf("client paid %d", got)
	}
	if !slices.Equal(s.hooks.calls, []string{"delivered:1", "settled:1"}) {
		t.Fatalf("hooks %v", s.hooks.calls)
	}
	if has, _ := s.k.JobQueue.Has(s.ctx(), queueKey(j.Deadline, id)); has || j.Deadline != 0 {
		t.Fatal("a settled job is still queued")
	}
}

func TestListingRefusals(t *testing.T) {
	s := newSuite(t)
	suspendedID, suspendedKey := s.registerAgent("sleeper", s.owner)
	if _, err := s.agentIDs.SetAgentStatus(s.ctx(), &agentidtypes.MsgSetAgentStatus{Owner: s.owner.String(), AgentId: suspendedID, Status: agentidtypes.AGENT_STATUS_SUSPENDED}); err != nil {
		t.Fatal(err)
	}
	good := func() *types.MsgCreateListing {
		return &types.MsgCreateListing{
			Signer: s.providerKey.String(), Provider: s.provider, Capability: "summarize", Title: "t",
			TermsUri: "https://t.example", TermsHash: hash("t"), Price: uagnt(5), MaxDurationBlocks: 10, ReviewWindowBlocks: 10,
		}
	}
	cases := []struct {
		name   string
		mutate func(m *types.MsgCreateListing)
		err    error
	}{
		{"stranger signs", func(m *types.MsgCreateListing) { m.Signer = s.stranger.String() }, types.ErrUnauthorized},
		{"unknown provider", func(m *types.MsgCreateListing) { m.Provider = 99 }, types.ErrAgentNotFound},
		{"suspended provider", func(m *types.MsgCreateListing) { m.Provider, m.Signer = suspendedID, suspendedKey.String() }, types.ErrAgentNotActive},
		{"bad capability", func(m *types.MsgCreateListing) { m.Capability = "sum marize" }, types.ErrInvalidCapability},
		{"no title", func(m *types.MsgCreateListing) { m.Title = "" }, types.ErrFieldTooLong},
		{"long title", func(m *types.MsgCreateListing) { m.Title = strings.Repeat("t", 129) }, types.ErrFieldTooLong},
		{"oversized terms uri", func(m *types.MsgCreateListing) { m.TermsUri = "https://t.example/" + strings.Repeat("u", 600) }, types.ErrFieldTooLong},
		{"bad terms hash", func(m *types.MsgCreateListing) { m.TermsHash = []byte{1} }, types.ErrInvalidHash},
		{"zero price", func(m *types.MsgCreateListing) { m.Price = uagnt(0) }, types.ErrInvalidPrice},
		{"disallowed denom", func(m *types.MsgCreateListing) { m.Price = sdk.NewInt64Coin("stake", 5) }, types.ErrInvalidPrice},
		{"zero duration", func(m *types.MsgCreateListing) { m.MaxDurationBlocks = 0 }, types.ErrInvalidDuration},
		{"too long duration", func(m *types.MsgCreateListing) { m.MaxDurationBlocks = types.DefaultMaxDurationBlocks + 1 }, types.ErrInvalidDuration},
		{"short review window", func(m *types.MsgCreateListing) { m.ReviewWindowBlocks = 1 }, types.ErrInvalidDuration},
		{"arbiter not allowed", func(m *types.MsgCreateListing) { m.Arbiter = s.stranger.String() }, types.ErrInvalidArbiter},
		{"score above 100", func(m *types.MsgCreateListing) { m.MinClientScore = 101 }, types.ErrInvalidScore},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.t = t
			m := good()
			tc.mutate(m)
			s.refused(tc.err, func(ctx context.Context) error { _, err := s.ms.CreateListing(ctx, m); return err })
		})
	}
	s.t = t
	// The owner may act for its agent too.
	m := good()
	m.Signer = s.owner.String()
	if _, err := s.ms.CreateListing(s.ctx(), m); err != nil {
		t.Fatal(err)
	}

	updates := []struct {
		name string
		msg  types.MsgUpdateListing
		err  error
	}{
		{"stranger updates", types.MsgUpdateListing{Signer: s.stranger.String(), ListingId: s.listing, Title: "x"}, types.ErrUnauthorized},
		{"unknown listing", types.MsgUpdateListing{Signer: s.providerKey.String(), ListingId: 99, Title: "x"}, types.ErrListingNotFound},
		{"nothing changes", types.MsgUpdateListing{Signer: s.providerKey.String(), ListingId: s.listing}, types.ErrNothingToUpdate},
		{"bad price", types.MsgUpdateListing{Signer: s.providerKey.String(), ListingId: s.listing, Price: &sdk.Coin{Denom: "stake", Amount: uagnt(1).Amount}}, types.ErrInvalidPrice},
		{"terms hash alone", types.MsgUpdateListing{Signer: s.providerKey.String(), ListingId: s.listing, TermsHash: hash("x")}, types.ErrInvalidURI},
	}
	for _, tc := range updates {
		t.Run("update/"+tc.name, func(t *testing.T) {
			s.t = t
			s.refused(tc.err, func(ctx context.Context) error { _, err := s.ms.UpdateListing(ctx, &tc.msg); return err })
		})
	}
	s.t = t
	newPrice := uagnt(2_000_000)
	if _, err := s.ms.UpdateListing(s.ctx(), &types.MsgUpdateListing{Signer: s.providerKey.String(), ListingId: s.listing, Price: &newPrice}); err != nil {
		t.Fatal(err)
	}
	// Status: paused listings cannot be hired, closed ones never again.
	s.step("pause", func(ctx context.Context) error {
		_, err := s.ms.SetListingStatus(ctx, &types.MsgSetListingStatus{Signer: s.providerKey.String(), ListingId: s.listing, Status: types.LISTING_STATUS_PAUSED})
		return err
	})
	s.refused(types.ErrWrongStatus, func(ctx context.Context) error { _, err := s.ms.Hire(ctx, s.hireMsg()); return err })
	s.refused(types.ErrWrongStatus, func(ctx context.Context) error {
		_, err := s.ms.SetListingStatus(ctx, &types.MsgSetListingStatus{Signer: s.providerKey.String(), ListingId: s.listing, Status: types.LISTING_STATUS_PAUSED})
		return err
	})
	s.step("close", func(ctx context.Context) error {
		_, err := s.ms.SetListingStatus(ctx, &types.MsgSetListingStatus{Signer: s.owner.String(), ListingId: s.listing, Status: types.LISTING_STATUS_CLOSED})
		return err
	})
	s.refused(types.ErrWrongStatus, func(ctx context.Context) error {
		_, err := s.ms.SetListingStatus(ctx, &types.MsgSetListingStatus{Signer: s.owner.String(), ListingId: s.listing, Status: types.LISTING_STATUS_ACTIVE})
		return err
	})
}

// Every transition by the wrong party, in the wrong status, too late or
// out of order is refused and changes nothing.
// A hire's max_price pins what the client agreed to: a provider that
// raises its price (or changes its denom) just before the hire cannot
// charge more; a hire within it locks the listing's price, not the
// maximum.
func TestHireMaxPrice(t *testing.T) {
	s := newSuite(t)
	agreed := uagnt(price)
	within := s.hireMsg()
	within.MaxPrice = &agreed
	id := s.hire(within)
	if j := s.job(id); !j.Price.Equal(agreed) {
		t.Fatalf("job price %s, want %s", j.Price, agreed)
	}
	raised := uagnt(price + 1)
	if _, err := s.ms.UpdateListing(s.ctx(), &types.MsgUpdateListing{Signer: s.providerKey.String(), ListingId: s.listing, Price: &raised}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		max  sdk.Coin
		want error
	}{
		{"price raised above it", agreed, types.ErrPriceAboveMax},
		{"another denom", sdk.Coin{Denom: "ustable", Amount: raised.Amount}, types.ErrPriceAboveMax},
		{"negative", sdk.Coin{Denom: "uagnt", Amount: sdkmath.NewInt(-1)}, types.ErrInvalidPrice},
		{"bad denom", sdk.Coin{Denom: "1x", Amount: raised.Amount}, types.ErrInvalidPrice},
	} {
		t.Run(c.name, func(t *testing.T) {
			s.t = t
			m := s.hireMsg()
			m.MaxPrice = &c.max
			s.refused(c.want, func(ctx context.Context) error { _, err := s.ms.Hire(ctx, m); return err })
		})
	}
	s.t = t
	generous := uagnt(2 * price)
	above := s.hireMsg()
	above.MaxPrice = &generous
	if j := s.job(s.hire(above)); !j.Price.Equal(raised) {
		t.Fatalf("job price %s, want the listing's %s", j.Price, raised)
	}
}

func TestJobRefusals(t *testing.T) {
	s := newSuite(t)
	funded := s.hire(s.hireMsg())
	inProgress := s.hire(s.hireMsg())
	delivered := s.hire(s.hireMsg())
	for _, id := range []uint64{inProgress, delivered} {
		s.step("accept", func(ctx context.Context) error {
			_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: s.owner.String(), JobId: id})
			return err
		})
	}
	s.step("deliver", func(ctx context.Context) error {
		_, err := s.ms.Deliver(ctx, &types.MsgDeliver{Signer: s.providerKey.String(), JobId: delivered, ResultUri: "https://r.example", ResultHash: hash("r")})
		return err
	})
	pk, cl, st := s.providerKey.String(), s.client.String(), s.stranger.String()
	deliver := func(signer string, id uint64, milestone uint32) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := s.ms.Deliver(ctx, &types.MsgDeliver{Signer: signer, JobId: id, Milestone: milestone, ResultUri: "https://r.example", ResultHash: hash("r")})
			return err
		}
	}
	cases := []struct {
		name string
		f    func(ctx context.Context) error
		err  error
	}{
		{"client accepts", func(ctx context.Context) error {
			_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: cl, JobId: funded})
			return err
		}, types.ErrUnauthorized},
		{"accept twice", func(ctx context.Context) error {
			_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: pk, JobId: inProgress})
			return err
		}, types.ErrWrongStatus},
		{"accept unknown", func(ctx context.Context) error {
			_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: pk, JobId: 99})
			return err
		}, types.ErrJobNotFound},
		{"stranger declines", func(ctx context.Context) error {
			_, err := s.ms.DeclineJob(ctx, &types.MsgDeclineJob{Signer: st, JobId: funded})
			return err
		}, types.ErrUnauthorized},
		{"decline in progress", func(ctx context.Context) error {
			_, err := s.ms.DeclineJob(ctx, &types.MsgDeclineJob{Signer: pk, JobId: inProgress})
			return err
		}, types.ErrWrongStatus},
		{"provider cancels", func(ctx context.Context) error {
			_, err := s.ms.CancelJob(ctx, &types.MsgCancelJob{Client: pk, JobId: funded})
			return err
		}, types.ErrUnauthorized},
		{"cancel accepted job", func(ctx context.Context) error {
			_, err := s.ms.CancelJob(ctx, &types.MsgCancelJob{Client: cl, JobId: inProgress})
			return err
		}, types.ErrWrongStatus},
		{"client delivers", deliver(cl, inProgress, 0), types.ErrUnauthorized},
		{"deliver before accepting", deliver(pk, funded, 0), types.ErrWrongStatus},
		{"deliver twice", deliver(pk, delivered, 0), types.ErrWrongStatus},
		{"milestone out of order", deliver(pk, inProgress, 1), types.ErrMilestoneOutOfOrder},
		{"deliver without a result", func(ctx context.Context) error {
			_, err := s.ms.Deliver(ctx, &types.MsgDeliver{Signer: pk, JobId: inProgress, ResultHash: hash("r")})
			return err
		}, types.ErrInvalidURI},
		{"complete before delivery", func(ctx context.Context) error {
			_, err := s.ms.Complete(ctx, &types.MsgComplete{Client: cl, JobId: inProgress})
			return err
		}, types.ErrWrongStatus},
		{"provider completes", func(ctx context.Context) error {
			_, err := s.ms.Complete(ctx, &types.MsgComplete{Client: pk, JobId: delivered})
			return err
		}, types.ErrUnauthorized},
		{"complete the wrong milestone", func(ctx context.Context) error {
			_, err := s.ms.Complete(ctx, &types.MsgComplete{Client: cl, JobId: delivered, Milestone: 1})
			return err
		}, types.ErrMilestoneOutOfOrder},
		{"reject before delivery", func(ctx context.Context) error {
			_, err := s.ms.Reject(ctx, &types.MsgReject{Client: cl, JobId: inProgress, Reason: types.REJECT_REASON_INCOMPLETE, EvidenceHash: hash("e")})
			return err
		}, types.ErrWrongStatus},
		{"reject without reason", func(ctx context.Context) error {
			_, err := s.ms.Reject(ctx, &types.MsgReject{Client: cl, JobId: delivered, EvidenceHash: hash("e")})
			return err
		}, types.ErrInvalidReason},
		{"stranger rejects", func(ctx context.Context) error {
			_, err := s.ms.Reject(ctx, &types.MsgReject{Client: st, JobId: delivered, Reason: types.REJECT_REASON_OTHER, EvidenceHash: hash("e")})
			return err
		}, types.ErrUnauthorized},
		{"resolve an undisputed job", func(ctx context.Context) error {
			_, err := s.ms.Resolve(ctx, &types.MsgResolve{Signer: s.arbiter.String(), JobId: delivered, ProviderShareBps: 1})
			return err
		}, types.ErrWrongStatus},
		{"hire without a spec hash", func(ctx context.Context) error {
			m := s.hireMsg()
			m.SpecHash = nil
			_, err := s.ms.Hire(ctx, m)
			return err
		}, types.ErrInvalidHash},
		{"hire past the listing's max duration", func(ctx context.Context) error {
			m := s.hireMsg()
			m.DeliverBy = s.ctx().BlockHeight() + 1001
			_, err := s.ms.Hire(ctx, m)
			return err
		}, types.ErrInvalidDeadline},
		{"hire with deliver_by now", func(ctx context.Context) error {
			m := s.hireMsg()
			m.DeliverBy = s.ctx().BlockHeight()
			_, err := s.ms.Hire(ctx, m)
			return err
		}, types.ErrInvalidDeadline},
		{"hire an unknown listing", func(ctx context.Context) error {
			m := s.hireMsg()
			m.ListingId = 42
			_, err := s.ms.Hire(ctx, m)
			return err
		}, types.ErrListingNotFound},
		{"milestones that do not add up", func(ctx context.Context) error {
			m := s.hireMsg()
			m.Milestones = []types.MilestoneSpec{{Title: "a", Amount: uagnt(1)}, {Title: "b", Amount: uagnt(2)}}
			_, err := s.ms.Hire(ctx, m)
			return err
		}, types.ErrInvalidMilestones},
		{"oversized spec uri", func(ctx context.Context) error {
			m := s.hireMsg()
			m.SpecUri = "https://s.example/" + strings.Repeat("s", 600)
			_, err := s.ms.Hire(ctx, m)
			return err
		}, types.ErrFieldTooLong},
		{"the provider's payout address hires itself", func(ctx context.Context) error {
			m := s.hireMsg()
			m.Client = s.providerKey.String()
			_, err := s.ms.Hire(ctx, m)
			return err
		}, types.ErrEscrowRefused},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { s.t = t; s.refused(tc.err, tc.f) })
	}
	s.t = t

	// Deliver after deliver_by.
	late := s.hire(s.hireMsg())
	s.step("accept", func(ctx context.Context) error {
		_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: pk, JobId: late})
		return err
	})
	j := s.job(late)
	s.refused(types.ErrDeadlinePassed, func(ctx context.Context) error {
		return deliver(pk, late, 0)(sdk.UnwrapSDKContext(ctx).WithBlockHeight(j.DeliverBy + 1))
	})

	// A suspended provider cannot be hired or accept, but still delivers.
	if _, err := s.agentIDs.SetAgentStatus(s.ctx(), &agentidtypes.MsgSetAgentStatus{Owner: s.owner.String(), AgentId: s.provider, Status: agentidtypes.AGENT_STATUS_SUSPENDED}); err != nil {
		t.Fatal(err)
	}
	s.refused(types.ErrAgentNotActive, func(ctx context.Context) error { _, err := s.ms.Hire(ctx, s.hireMsg()); return err })
	s.refused(types.ErrAgentNotActive, func(ctx context.Context) error {
		_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: pk, JobId: funded})
		return err
	})
	s.step("a suspended provider's open job still settles", deliver(pk, inProgress, 0))
}

// A job split into milestones is delivered and paid one milestone at a
// time, in order; the take is rounded up on each.
func TestMilestones(t *testing.T) {
	s := newSuite(t)
	m := s.hireMsg()
	m.Milestones = []types.MilestoneSpec{{Title: "outline", Amount: uagnt(333_333)}, {Title: "draft", Amount: uagnt(333_333)}, {Title: "final", Amount: uagnt(333_334)}}
	id := s.hire(m)
	s.step("accept", func(ctx context.Context) error {
		_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: s.providerKey.String(), JobId: id})
		return err
	})
	for i := uint32(0); i < 3; i++ {
		s.refused(types.ErrMilestoneOutOfOrder, func(ctx context.Context) error {
			_, err := s.ms.Deliver(ctx, &types.MsgDeliver{Signer: s.providerKey.String(), JobId: id, Milestone: i + 1, ResultUri: "https://r.example", ResultHash: hash("r")})
			return err
		})
		s.step("deliver", func(ctx context.Context) error {
			_, err := s.ms.Deliver(ctx, &types.MsgDeliver{Signer: s.providerKey.String(), JobId: id, Milestone: i, ResultUri: "https://r.example", ResultHash: hash("r")})
			return err
		})
		s.step("complete", func(ctx context.Context) error {
			_, err := s.ms.Complete(ctx, &types.MsgComplete{Client: s.client.String(), JobId: id, Milestone: i})
			return err
		})
		j := s.job(id)
		if want := types.JOB_STATUS_IN_PROGRESS; i < 2 && j.Status != want {
			t.Fatalf("after milestone %d: %s", i, j.Status)
		}
	}
	j := s.job(id)
	// Take per milestone: ceil(2% of 333,333) = 6,667 twice, ceil(2% of
	// 333,334) = 6,667: 20,001 in all; the provider gets 979,999.
	if j.Status != types.JOB_STATUS_COMPLETED || !j.TakePaid.Equal(sdk.NewCoins(uagnt(20_001))) || !j.ProviderPaid.Equal(sdk.NewCoins(uagnt(979_999))) {
		t.Fatalf("after the last milestone %+v", j)
	}
}

// Subcontracting: only the provider of job J hires with parent J, while J
// is in progress; the chain of jobs is queryable both ways.
func TestSubcontracting(t *testing.T) {
	s := newSuite(t)
	parent := s.hire(s.hireMsg())
	subID, subKey := s.registerAgent("translator", s.stranger)
	subListing := s.createListing(subID, subKey, "translate", 300_000)
	sub := func(signer sdk.AccAddress) *types.MsgHire {
		return &types.MsgHire{Client: signer.String(), ListingId: subListing, SpecUri: "https://s.example", SpecHash: hash("s"), DeliverBy: s.ctx().BlockHeight() + 100, ParentJobId: parent}
	}
	s.refused(types.ErrWrongStatus, func(ctx context.Context) error { _, err := s.ms.Hire(ctx, sub(s.providerKey)); return err })
	s.step("accept", func(ctx context.Context) error {
		_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: s.providerKey.String(), JobId: parent})
		return err
	})
	s.refused(types.ErrNotParentProvider, func(ctx context.Context) error { _, err := s.ms.Hire(ctx, sub(s.client)); return err })
	child := s.hire(sub(s.providerKey))
	if j := s.job(child); j.ParentJobId != parent || j.ClientAgent != s.provider || j.Client != s.providerKey.String() {
		t.Fatalf("child %+v", j)
	}
	children, err := s.qs.JobChildren(s.ctx(), &types.QueryJobChildrenRequest{JobId: parent})
	if err != nil || len(children.Jobs) != 1 || children.Jobs[0].Id != child {
		t.Fatalf("children %v %v", children, err)
	}
}

// Minimum reputation: a listing's minimum client score and a request's
// minimum provider score, enforced through the reputation reader.
func TestMinimumReputation(t *testing.T) {
	s := newSuite(t)
	clientAgent, clientKey := s.registerAgent("picky-client", s.client)
	scores := fixedScores{clientAgent: 40, s.provider: 70}
	s.k.SetReputationReader(scores)
	if _, err := s.ms.UpdateListing(s.ctx(), &types.MsgUpdateListing{Signer: s.providerKey.String(), ListingId: s.listing, MinClientScore: 50, SetMinClientScore: true}); err != nil {
		t.Fatal(err)
	}
	// A plain account has no reputation at all.
	s.refused(types.ErrReputationTooLow, func(ctx context.Context) error { _, err := s.ms.Hire(ctx, s.hireMsg()); return err })
	agentHire := s.hireMsg()
	agentHire.Client = clientKey.String()
	s.refused(types.ErrReputationTooLow, func(ctx context.Context) error { _, err := s.ms.Hire(ctx, agentHire); return err })
	scores[clientAgent] = 50
	id := s.hire(agentHire)
	if j := s.job(id); j.ClientAgent != clientAgent {
		t.Fatalf("client agent %d", j.ClientAgent)
	}
	// Requests: bidders need the minimum too.
	res, err := s.ms.PostRequest(s.ctx(), &types.MsgPostRequest{Client: s.client.String(), Capability: "summarize", SpecUri: "https://s.example", SpecHash: hash("s"), Budget: uagnt(500), BidDeadline: s.ctx().BlockHeight() + 10, MinProviderScore: 80})
	if err != nil {
		t.Fatal(err)
	}
	bid := &types.MsgPlaceBid{Signer: s.providerKey.String(), RequestId: res.RequestId, Provider: s.provider, Price: uagnt(400), DeliveryBlocks: 10}
	s.refused(types.ErrReputationTooLow, func(ctx context.Context) error { _, err := s.ms.PlaceBid(ctx, bid); return err })
	scores[s.provider] = 80
	s.step("bid", func(ctx context.Context) error { _, err := s.ms.PlaceBid(ctx, bid); return err })
	// Listings filtered by provider score.
	q := &types.QueryListingsByCapabilityRequest{Capability: "summarize", MinProviderScore: 81}
	if res, err := s.qs.ListingsByCapability(s.ctx(), q); err != nil || len(res.Listings) != 0 {
		t.Fatalf("min score 81: %v %v", res, err)
	}
	q.MinProviderScore = 80
	if res, err := s.qs.ListingsByCapability(s.ctx(), q); err != nil || len(res.Listings) != 1 {
		t.Fatalf("min score 80: %v %v", res, err)
	}
}

// A failing hook never undoes or blocks the market action.
// Inside a transaction a hook's failure fails the market action: no
// delivery without its signal. Out of gas is such a failure: a tight gas
// limit cannot buy the action without the signal.
func TestFailingHookFailsTheTransaction(t *testing.T) {
	s := newSuite(t)
	id := s.hire(s.hireMsg())
	s.step("accept", func(ctx context.Context) error {
		_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: s.providerKey.String(), JobId: id})
		return err
	})
	deliver := &types.MsgDeliver{Signer: s.providerKey.String(), JobId: id, ResultUri: "https://r.example", ResultHash: hash("r")}
	s.hooks.fail = true
	branch, _ := s.ctx().CacheContext()
	if _, err := s.ms.Deliver(branch, deliver); err == nil || !strings.Contains(err.Error(), "hook failure requested") {
		t.Fatalf("a failing hook did not fail the delivery: %v", err)
	}
	s.hooks.fail = false

	// Out of gas inside the hook: the gas meter runs out while the hook
	// writes, and the panic reaches the caller (the SDK turns it into a
	// failed transaction) instead of being swallowed.
	s.hooks.burnGas = true
	limit := storetypes.NewGasMeter(1_000_000)
	branch, _ = s.ctx().CacheContext()
	func() {
		defer func() {
			r := recover()
			if _, ok := r.(storetypes.ErrorOutOfGas); !ok {
				t.Fatalf("out of gas in a hook: recovered %v, want storetypes.ErrorOutOfGas to reach the transaction", r)
			}
		}()
		_, err := s.ms.Deliver(branch.WithGasMeter(limit), deliver)
		t.Fatalf("delivered with the hook out of gas: %v", err)
	}()
	s.hooks.burnGas = false
	if s.job(id).Status != types.JOB_STATUS_IN_PROGRESS {
		t.Fatal("a failed delivery left a trace")
	}
}

// In EndBlock a failing hook is contained: the timer's coins move on time,
// EventHookFailed reports the lost signal.
func TestFailingHookIsContainedInEndBlock(t *testing.T) {
	s := newSuite(t)
	id := s.hire(s.hireMsg())
	s.step("accept", func(ctx context.Context) error {
		_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: s.providerKey.String(), JobId: id})
		return err
	})
	s.step("deliver", func(ctx context.Context) error {
		_, err := s.ms.Deliver(ctx, &types.MsgDeliver{Signer: s.providerKey.String(), JobId: id, ResultUri: "https://r.example", ResultHash: hash("r")})
		return err
	})
	s.hooks.fail = true
	j := s.job(id)
	ctx := s.ctx().WithBlockHeight(j.Deadline).WithEventManager(sdk.NewEventManager())
	if err := s.k.EndBlocker(ctx); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(eventTypes(ctx), "EventHookFailed") {
		t.Fatalf("events %v", eventTypes(ctx))
	}
	if s.job(id).Status != types.JOB_STATUS_COMPLETED {
		t.Fatal("a failing hook stopped the review window's payment")
	}
	s.audit()
}

// The job-indexes invariant notices an index that lost an entry or kept a
// stale one (saveJob moves indexes without reading the stored job back).
func TestJobIndexesInvariant(t *testing.T) {
	s := newSuite(t)
	id := s.hire(s.hireMsg())
	s.checkInvariants()
	check := func() []string {
		for _, inv := range s.k.Invariants() {
			if inv.Name == "market/job-indexes" {
				broken, err := inv.Check(s.ctx())
				if err != nil {
					t.Fatal(err)
				}
				return broken
			}
		}
		t.Fatal("no market/job-indexes invariant")
		return nil
	}
	status := s.k.Jobs.Indexes.Status.Keys()
	if err := status.Remove(s.ctx(), collections.Join(int32(types.JOB_STATUS_FUNDED), id)); err != nil {
		t.Fatal(err)
	}
	if err := status.Set(s.ctx(), collections.Join(int32(types.JOB_STATUS_COMPLETED), id)); err != nil {
		t.Fatal(err)
	}
	if got := check(); len(got) != 2 {
		t.Fatalf("a moved status entry: %v", got)
	}
}
