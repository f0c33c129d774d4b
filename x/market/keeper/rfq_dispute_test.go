package keeper_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/agentchain/agentchain/x/market/types"
)

func (s *suite) postRequest(budget, deadline int64) uint64 {
	s.t.Helper()
	res, err := s.ms.PostRequest(s.ctx(), &types.MsgPostRequest{
		Client: s.client.String(), Capability: "Summarize", SpecUri: "https://spec.example/rfq", SpecHash: hash("rfq"),
		Budget: uagnt(budget), BidDeadline: deadline,
	})
	if err != nil {
		s.t.Fatal(err)
	}
	s.audit()
	return res.RequestId
}

// Request for quote: bids up to the budget, one per provider, before the
// deadline; the accepted bid becomes a job and the rest of the budget comes
// back; an unaccepted request expires and is refunded in full.
func TestRequestForQuote(t *testing.T) {
	s := newSuite(t)
	second, secondKey := s.registerAgent("summarizer-two", s.stranger)
	deadline := s.ctx().BlockHeight() + 10
	client0 := s.balance(s.client)
	req := s.postRequest(800_000, deadline)
	if got := client0 - s.balance(s.client); got != 800_000 {
		t.Fatalf("budget locked %d", got)
	}
	open, err := s.qs.OpenRequestsByCapability(s.ctx(), &types.QueryOpenRequestsByCapabilityRequest{Capability: "summarize"})
	if err != nil || len(open.Requests) != 1 {
		t.Fatalf("open requests %v %v", open, err)
	}
	bid := func(signer sdk.AccAddress, provider uint64, amount int64) *types.MsgPlaceBid {
		return &types.MsgPlaceBid{Signer: signer.String(), RequestId: req, Provider: provider, Price: uagnt(amount), DeliveryBlocks: 50, NoteUri: "https://bid.example"}
	}
	s.refused(types.ErrBidAboveBudget, func(ctx context.Context) error {
		_, err := s.ms.PlaceBid(ctx, bid(s.providerKey, s.provider, 800_001))
		return err
	})
	s.refused(types.ErrUnauthorized, func(ctx context.Context) error {
		_, err := s.ms.PlaceBid(ctx, bid(s.client, s.provider, 1))
		return err
	})
	s.refused(types.ErrInvalidPrice, func(ctx context.Context) error {
		m := bid(s.providerKey, s.provider, 1)
		m.Price = sdk.NewInt64Coin("stake", 1)
		_, err := s.ms.PlaceBid(ctx, m)
		return err
	})
	s.step("bid", func(ctx context.Context) error {
		_, err := s.ms.PlaceBid(ctx, bid(s.providerKey, s.provider, 600_000))
		return err
	})
	s.refused(types.ErrDuplicateBid, func(ctx context.Context) error {
		_, err := s.ms.PlaceBid(ctx, bid(s.owner, s.provider, 500_000))
		return err
	})
	s.step("second bid", func(ctx context.Context) error {
		_, err := s.ms.PlaceBid(ctx, bid(secondKey, second, 700_000))
		return err
	})
	bids, err := s.qs.Bids(s.ctx(), &types.QueryBidsRequest{RequestId: req})
	if err != nil || len(bids.Bids) != 2 {
		t.Fatalf("bids %v %v", bids, err)
	}

	s.refused(types.ErrUnauthorized, func(ctx context.Context) error {
		_, err := s.ms.AcceptBid(ctx, &types.MsgAcceptBid{Client: s.stranger.String(), RequestId: req, BidId: 1})
		return err
	})
	s.refused(types.ErrBidNotFound, func(ctx context.Context) error {
		_, err := s.ms.AcceptBid(ctx, &types.MsgAcceptBid{Client: s.client.String(), RequestId: req, BidId: 9})
		return err
	})
	client0 = s.balance(s.client)
	res, err := s.ms.AcceptBid(s.ctx(), &types.MsgAcceptBid{Client: s.client.String(), RequestId: req, BidId: 1})
	if err != nil {
		t.Fatal(err)
	}
	s.audit()
	if got := s.balance(s.client) - client0; got != 200_000 {
		t.Fatalf("budget - price refunded %d", got)
	}
	j := s.job(res.JobId)
	if j.Status != types.JOB_STATUS_FUNDED || j.RequestId != req || j.Price.Amount.Int64() != 600_000 || j.DeliverBy != s.ctx().BlockHeight()+50 {
		t.Fatalf("job from bid %+v", j)
	}
	// Accepting twice, or bidding on the accepted request, is refused.
	s.refused(types.ErrWrongStatus, func(ctx context.Context) error {
		_, err := s.ms.AcceptBid(ctx, &types.MsgAcceptBid{Client: s.client.String(), RequestId: req, BidId: 2})
		return err
	})
	s.refused(types.ErrWrongStatus, func(ctx context.Context) error {
		_, err := s.ms.PlaceBid(ctx, bid(s.owner, s.provider, 1))
		return err
	})
	if open, _ := s.qs.OpenRequestsByCapability(s.ctx(), &types.QueryOpenRequestsByCapabilityRequest{Capability: "summarize"}); len(open.Requests) != 0 {
		t.Fatal("an accepted request is still listed as open")
	}

	// A request nobody takes expires at its deadline, budget refunded.
	lonelyDeadline := s.ctx().BlockHeight() + 3
	lonely := s.postRequest(300_000, lonelyDeadline)
	client0 = s.balance(s.client)
	for s.ta.Height < lonelyDeadline {
		s.ta.NextBlock(nil)
	}
	s.audit()
	r, _ := s.k.GetRequest(s.ctx(), lonely)
	if r.Status != types.REQUEST_STATUS_EXPIRED || s.balance(s.client)-client0 != 300_000 {
		t.Fatalf("expired request %+v, refund %d", r, s.balance(s.client)-client0)
	}
	s.refused(types.ErrWrongStatus, func(ctx context.Context) error {
		_, err := s.ms.PlaceBid(ctx, &types.MsgPlaceBid{Signer: s.providerKey.String(), RequestId: lonely, Provider: s.provider, Price: uagnt(1), DeliveryBlocks: 5})
		return err
	})

	// Cancel: only the client, only while open.
	cancelled := s.postRequest(100, s.ctx().BlockHeight()+100)
	s.refused(types.ErrUnauthorized, func(ctx context.Context) error {
		_, err := s.ms.CancelRequest(ctx, &types.MsgCancelRequest{Client: s.stranger.String(), RequestId: cancelled})
		return err
	})
	s.step("cancel", func(ctx context.Context) error {
		_, err := s.ms.CancelRequest(ctx, &types.MsgCancelRequest{Client: s.client.String(), RequestId: cancelled})
		return err
	})
	s.refused(types.ErrWrongStatus, func(ctx context.Context) error {
		_, err := s.ms.CancelRequest(ctx, &types.MsgCancelRequest{Client: s.client.String(), RequestId: cancelled})
		return err
	})

	// Bounded bids.
	p := types.DefaultParams()
	p.Arbiters, p.DefaultArbiter, p.MaxBidsPerRequest = []string{s.arbiter.String()}, s.arbiter.String(), 1
	s.setParams(p)
	full := s.postRequest(100, s.ctx().BlockHeight()+100)
	s.step("only bid", func(ctx context.Context) error {
		_, err := s.ms.PlaceBid(ctx, &types.MsgPlaceBid{Signer: s.providerKey.String(), RequestId: full, Provider: s.provider, Price: uagnt(50), DeliveryBlocks: 5})
		return err
	})
	s.refused(types.ErrTooManyBids, func(ctx context.Context) error {
		_, err := s.ms.PlaceBid(ctx, &types.MsgPlaceBid{Signer: secondKey.String(), RequestId: full, Provider: second, Price: uagnt(50), DeliveryBlocks: 5})
		return err
	})
	// A full request takes a bid that undercuts its highest, which leaves
	// (bids lock nothing: the first bidders cannot hold a request closed).
	undercut := func(signer sdk.AccAddress, provider uint64, price int64) uint32 {
		t.Helper()
		ctx := s.ctx().WithEventManager(sdk.NewEventManager())
		res, err := s.ms.PlaceBid(ctx, &types.MsgPlaceBid{Signer: signer.String(), RequestId: full, Provider: provider, Price: uagnt(price), DeliveryBlocks: 5})
		if err != nil {
			t.Fatalf("a bid of %d undercutting the highest: %v", price, err)
		}
		if !slices.Contains(eventTypes(ctx), "EventBidDisplaced") {
			t.Fatalf("no EventBidDisplaced in %v", eventTypes(ctx))
		}
		s.audit()
		return res.BidId
	}
	liveBidders := func() []uint64 {
		t.Helper()
		res, err := s.qs.Bids(s.ctx(), &types.QueryBidsRequest{RequestId: full})
		if err != nil {
			t.Fatal(err)
		}
		var out []uint64
		for _, b := range res.Bids {
			out = append(out, b.Provider)
		}
		return out
	}
	undercut(secondKey, second, 40)
	if got := liveBidders(); !slices.Equal(got, []uint64{second}) {
		t.Fatalf("bids on the full request: providers %v, want only agent %d's", got, second)
	}
	s.refused(types.ErrBidNotFound, func(ctx context.Context) error {
		_, err := s.ms.AcceptBid(ctx, &types.MsgAcceptBid{Client: s.client.String(), RequestId: full, BidId: 1})
		return err
	})
	// The displaced provider may bid again, below the highest.
	s.refused(types.ErrTooManyBids, func(ctx context.Context) error {
		_, err := s.ms.PlaceBid(ctx, &types.MsgPlaceBid{Signer: s.providerKey.String(), RequestId: full, Provider: s.provider, Price: uagnt(40), DeliveryBlocks: 5})
		return err
	})
	last := undercut(s.providerKey, s.provider, 30)
	if got := liveBidders(); !slices.Equal(got, []uint64{s.provider}) || last != 3 {
		t.Fatalf("bids on the full request: providers %v (last bid id %d), want only agent %d's, bid 3", got, last, s.provider)
	}
	s.checkInvariants()
	// Bid ids are a uint32 sequence: a request that has issued the last
	// one takes no more bids (its ids would wrap and collide).
	worn, err := s.k.GetRequest(s.ctx(), full)
	if err != nil {
		t.Fatal(err)
	}
	worn.BidCount = math.MaxUint32
	if err := s.k.Requests.Set(s.ctx(), full, worn); err != nil {
		t.Fatal(err)
	}
	s.refused(types.ErrTooManyBids, func(ctx context.Context) error {
		_, err := s.ms.PlaceBid(ctx, &types.MsgPlaceBid{Signer: secondKey.String(), RequestId: full, Provider: second, Price: uagnt(1), DeliveryBlocks: 5})
		return err
	})
	// Bids after the deadline.
	soon := s.postRequest(100, s.ctx().BlockHeight()+1)
	s.refused(types.ErrDeadlinePassed, func(ctx context.Context) error {
		sdkCtx := sdk.UnwrapSDKContext(ctx)
		_, err := s.ms.PlaceBid(sdkCtx.WithBlockHeight(sdkCtx.BlockHeight()+1), &types.MsgPlaceBid{Signer: s.providerKey.String(), RequestId: soon, Provider: s.provider, Price: uagnt(50), DeliveryBlocks: 5})
		return err
	})
}

// deliveredJob hires, accepts and delivers a job.
func (s *suite) deliveredJob() uint64 {
	s.t.Helper()
	id := s.hire(s.hireMsg())
	s.step("accept", func(ctx context.Context) error {
		_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: s.providerKey.String(), JobId: id})
		return err
	})
	s.step("deliver", func(ctx context.Context) error {
		_, err := s.ms.Deliver(ctx, &types.MsgDeliver{Signer: s.providerKey.String(), JobId: id, ResultUri: "https://r.example", ResultHash: hash("r")})
		return err
	})
	return id
}

// A job's arbiter is never one of its parties: the default arbiter hiring,
// a provider's owner named as its own listing's arbiter, or the default
// arbiter accepting a bid on its own request would rule on its own job.
func TestArbiterIsNeverAParty(t *testing.T) {
	s := newSuite(t)
	byArbiter := s.hireMsg()
	byArbiter.Client = s.arbiter.String()
	s.refused(types.ErrArbiterIsParty, func(ctx context.Context) error { _, err := s.ms.Hire(ctx, byArbiter); return err })

	p, err := s.k.Params.Get(s.ctx())
	if err != nil {
		t.Fatal(err)
	}
	p.Arbiters = append(p.Arbiters, s.owner.String(), s.client.String())
	s.setParams(p)
	if _, err := s.ms.UpdateListing(s.ctx(), &types.MsgUpdateListing{Signer: s.providerKey.String(), ListingId: s.listing, Arbiter: s.owner.String()}); err != nil {
		t.Fatal(err)
	}
	s.refused(types.ErrArbiterIsParty, func(ctx context.Context) error { _, err := s.ms.Hire(ctx, s.hireMsg()); return err })

	p.DefaultArbiter = s.client.String()
	s.setParams(p)
	req := s.postRequest(800_000, s.ctx().BlockHeight()+10)
	bid, err := s.ms.PlaceBid(s.ctx(), &types.MsgPlaceBid{Signer: s.providerKey.String(), RequestId: req, Provider: s.provider, Price: uagnt(600_000), DeliveryBlocks: 50})
	if err != nil {
		t.Fatal(err)
	}
	s.refused(types.ErrArbiterIsParty, func(ctx context.Context) error {
		_, err := s.ms.AcceptBid(ctx, &types.MsgAcceptBid{Client: s.client.String(), RequestId: req, BidId: bid.BidId})
		return err
	})
	// With an arbiter of its own, the same bid is accepted.
	p.DefaultArbiter = s.arbiter.String()
	s.setParams(p)
	if _, err := s.ms.AcceptBid(s.ctx(), &types.MsgAcceptBid{Client: s.client.String(), RequestId: req, BidId: bid.BidId}); err != nil {
		t.Fatal(err)
	}
	s.checkInvariants()
}

// Disputes: the client rejects with a reason, the arbiter rules and is paid
// first; every micro-unit is accounted for.
func TestDisputeResolution(t *testing.T) {
	s := newSuite(t)
	id := s.deliveredJob()
	s.step("reject", func(ctx context.Context) error {
		_, err := s.ms.Reject(ctx, &types.MsgReject{Client: s.client.String(), JobId: id, Reason: types.REJECT_REASON_LOW_QUALITY, EvidenceHash: hash("bad")})
		return err
	})
	if j := s.job(id); j.Status != types.JOB_STATUS_DISPUTED || j.Rejection.Reason != types.REJECT_REASON_LOW_QUALITY {
		t.Fatalf("disputed %+v", j)
	}
	s.refused(types.ErrUnauthorized, func(ctx context.Context) error {
		_, err := s.ms.Resolve(ctx, &types.MsgResolve{Signer: s.client.String(), JobId: id, ProviderShareBps: 0})
		return err
	})
	s.refused(types.ErrUnauthorized, func(ctx context.Context) error {
		_, err := s.ms.Resolve(ctx, &types.MsgResolve{Signer: s.providerKey.String(), JobId: id, ProviderShareBps: 10_000})
		return err
	})
	s.refused(types.ErrInvalidShare, func(ctx context.Context) error {
		_, err := s.ms.Resolve(ctx, &types.MsgResolve{Signer: s.arbiter.String(), JobId: id, ProviderShareBps: 10_001})
		return err
	})
	feeCollector := authtypes.NewModuleAddress(authtypes.FeeCollectorName)
	c0, p0, a0, f0 := s.balance(s.client), s.balance(s.providerKey), s.balance(s.arbiter), s.balance(feeCollector)
	s.step("resolve", func(ctx context.Context) error {
		_, err := s.ms.Resolve(ctx, &types.MsgResolve{Signer: s.arbiter.String(), JobId: id, ProviderShareBps: 6_000})
		return err
	})
	// 1,000,000: arbiter 1% = 10,000; rest 990,000; provider 60% = 594,000
	// gross, take 2% = 11,880, net 582,120; client 396,000.
	got := []int64{s.balance(s.arbiter) - a0, s.balance(s.providerKey) - p0, s.balance(feeCollector) - f0, s.balance(s.client) - c0}
	if !slices.Equal(got, []int64{10_000, 582_120, 11_880, 396_000}) {
		t.Fatalf("arbiter, provider, take, client: %v", got)
	}
	if sum := got[0] + got[1] + got[2] + got[3]; sum != price {
		t.Fatalf("split adds up to %d", sum)
	}
	j := s.job(id)
	if j.Status != types.JOB_STATUS_RESOLVED || j.ProviderShareBps != 6_000 {
		t.Fatalf("resolved %+v", j)
	}
	if !slices.Equal(s.hooks.calls[len(s.hooks.calls)-3:], []string{"disputed:1", "resolved:1", "settled:1"}) {
		t.Fatalf("hooks %v", s.hooks.calls)
	}

	// The gov authority may rule on any dispute, and takes no fee.
	id2 := s.deliveredJob()
	s.step("reject", func(ctx context.Context) error {
		_, err := s.ms.Reject(ctx, &types.MsgReject{Client: s.client.String(), JobId: id2, Reason: types.REJECT_REASON_SPEC_MISMATCH, EvidenceHash: hash("x")})
		return err
	})
	a0 = s.balance(s.arbiter)
	s.step("authority resolves", func(ctx context.Context) error {
		_, err := s.ms.Resolve(ctx, &types.MsgResolve{Signer: authority(), JobId: id2, ProviderShareBps: 0})
		return err
	})
	if s.balance(s.arbiter) != a0 || !s.job(id2).ClientRefunded.Equal(sdk.NewCoins(uagnt(price))) {
		t.Fatalf("authority ruling: %+v", s.job(id2))
	}
}

// The timers: a job never accepted is cancelled, one not delivered by
// deliver_by expires, a silent client's delivered milestone is paid, an
// unresolved dispute takes the default split.
func TestTimeouts(t *testing.T) {
	s := newSuite(t)
	p := types.DefaultParams()
	p.Arbiters, p.DefaultArbiter = []string{s.arbiter.String()}, s.arbiter.String()
	p.AcceptWindowBlocks, p.DisputeTimeoutBlocks = 5, 7
	s.setParams(p)

	neverAccepted := s.hire(s.hireMsg())
	undelivered := s.hire(func() *types.MsgHire { m := s.hireMsg(); m.DeliverBy = s.ctx().BlockHeight() + 8; return m }())
	s.step("accept", func(ctx context.Context) error {
		_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: s.providerKey.String(), JobId: undelivered})
		return err
	})
	silent := s.deliveredJob()
	disputed := s.deliveredJob()
	s.step("reject", func(ctx context.Context) error {
		_, err := s.ms.Reject(ctx, &types.MsgReject{Client: s.client.String(), JobId: disputed, Reason: types.REJECT_REASON_OTHER, EvidenceHash: hash("x")})
		return err
	})
	for i := 0; i < 25; i++ {
		s.ta.NextBlock(nil)
		s.audit()
	}
	want := map[uint64]types.JobStatus{
		neverAccepted: types.JOB_STATUS_CANCELLED, undelivered: types.JOB_STATUS_EXPIRED,
		silent: types.JOB_STATUS_COMPLETED, disputed: types.JOB_STATUS_RESOLVED,
	}
	for id, st := range want {
		if j := s.job(id); j.Status != st {
			t.Fatalf("job %d is %s, want %s", id, j.Status, st)
		}
	}
	// Default split 50/50 with no arbiter fee: 500,000 gross, take 10,000.
	if j := s.job(disputed); !j.ProviderPaid.Equal(sdk.NewCoins(uagnt(490_000))) || !j.ClientRefunded.Equal(sdk.NewCoins(uagnt(500_000))) || !j.ArbiterFeePaid.IsZero() {
		t.Fatalf("timeout split %+v", j)
	}
	if j := s.job(silent); !j.ProviderPaid.Equal(sdk.NewCoins(uagnt(980_000))) {
		t.Fatalf("silent client: %+v", j)
	}
	for _, call := range []string{fmt.Sprintf("cancelled:%d", neverAccepted), fmt.Sprintf("expired:%d", undelivered)} {
		if !slices.Contains(s.hooks.calls, call) {
			t.Fatalf("no %s hook in %v", call, s.hooks.calls)
		}
	}
}

func count(res *abci.ResponseFinalizeBlock, typ string) int {
	n := 0
	for _, e := range res.Events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

// 10,000 jobs due at one height (half expiring undelivered, half waiting
// on a silent client) settle within ceil(10,000 / max) blocks, no block
// doing more than max.
func TestEndBlockFlood(t *testing.T) {
	s := newSuite(t)
	const n, max = 10_000, 1_000
	p := types.DefaultParams()
	p.Arbiters, p.DefaultArbiter, p.MaxTimeoutsPerBlock = []string{s.arbiter.String()}, s.arbiter.String(), max
	s.setParams(p)
	ctx := s.ctx()
	h := ctx.BlockHeight()
	due := h + 30
	for i := 0; i < n; i++ {
		deliverBy := due
		if i%2 == 1 {
			deliverBy = h + 100
		}
		res, err := s.ms.Hire(ctx, &types.MsgHire{Client: s.client.String(), ListingId: s.listing, SpecUri: "https://s.example", SpecHash: hash("s"), DeliverBy: deliverBy})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: s.providerKey.String(), JobId: res.JobId}); err != nil {
			t.Fatal(err)
		}
		if i%2 == 1 {
			// Delivered at due-20 with a 20-block review window: due at `due`.
			if _, err := s.ms.Deliver(ctx.WithBlockHeight(due-20), &types.MsgDeliver{Signer: s.providerKey.String(), JobId: res.JobId, ResultUri: "https://r.example", ResultHash: hash("r")}); err != nil {
				t.Fatal(err)
			}
		}
	}
	s.audit()
	for s.ta.Height < due-1 {
		s.ta.NextBlock(nil)
	}
	blocks, expired, paid := 0, 0, 0
	for expired+paid < n {
		res := s.ta.NextBlock(nil)
		blocks++
		e, pd := count(res, "agentchain.market.v1.EventJobExpired"), count(res, "agentchain.market.v1.EventJobCompleted")
		if e+pd > max {
			t.Fatalf("block %d settled %d jobs, more than %d", s.ta.Height, e+pd, max)
		}
		if count(res, "agentchain.market.v1.EventQueueItemFailed") > 0 {
			t.Fatalf("block %d had failed items", s.ta.Height)
		}
		expired += e
		paid += pd
		if blocks > n/max+1 {
			t.Fatalf("%d jobs still due after %d blocks", n-expired-paid, blocks)
		}
	}
	if want := (n + max - 1) / max; blocks != want {
		t.Fatalf("took %d blocks, want %d", blocks, want)
	}
	if expired != n/2 || paid != n/2 {
		t.Fatalf("%d expired, %d paid", expired, paid)
	}
	s.audit()
}
