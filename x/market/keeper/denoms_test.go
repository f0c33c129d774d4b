package keeper_test

import (
	"context"
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"

	escrowkeeper "github.com/agentchain/agentchain/x/escrow/keeper"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"

	"github.com/agentchain/agentchain/x/market/types"
)

// allowStable lets escrows hold a second denom, as governance would, and
// mints some of it to the client.
func (s *suite) allowStable() {
	s.t.Helper()
	p, err := s.ta.EscrowKeeper.Params.Get(s.ctx())
	if err != nil {
		s.t.Fatal(err)
	}
	p.AllowedDenoms = append(p.AllowedDenoms, "ustable")
	if err := s.ta.EscrowKeeper.Params.Set(s.ctx(), p); err != nil {
		s.t.Fatal(err)
	}
	coins := sdk.NewCoins(sdk.NewInt64Coin("ustable", 1_000_000_000))
	if err := s.ta.BankKeeper.MintCoins(s.ctx(), minttypes.ModuleName, coins); err != nil {
		s.t.Fatal(err)
	}
	if err := s.ta.BankKeeper.SendCoinsFromModuleToAccount(s.ctx(), minttypes.ModuleName, s.client, coins); err != nil {
		s.t.Fatal(err)
	}
}

func stable(n int64) sdk.Coin { return sdk.NewInt64Coin("ustable", n) }

// A denom governance allows works like the native one: listed, found by
// its own max price, hired, completed with the take in that denom; no
// denom is assumed by discovery.
func TestSecondDenomJob(t *testing.T) {
	s := newSuite(t)
	// Before governance allows it, a listing in it is refused.
	s.refused(types.ErrInvalidPrice, func(ctx context.Context) error {
		_, err := s.ms.CreateListing(ctx, &types.MsgCreateListing{
			Signer: s.providerKey.String(), Provider: s.provider, Capability: "summarize", Title: "Stable summaries",
			TermsUri: "https://terms.example/s", TermsHash: hash("s"), Price: stable(500), MaxDurationBlocks: 1000, ReviewWindowBlocks: 20,
		})
		return err
	})
	s.allowStable()
	res, err := s.ms.CreateListing(s.ctx(), &types.MsgCreateListing{
		Signer: s.providerKey.String(), Provider: s.provider, Capability: "summarize", Title: "Stable summaries",
		TermsUri: "https://terms.example/s", TermsHash: hash("s"), Price: stable(500), MaxDurationBlocks: 1000, ReviewWindowBlocks: 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	stableListing := res.Id
	list := func(req *types.QueryListingsByCapabilityRequest) []uint64 {
		t.Helper()
		req.Capability = "summarize"
		out, err := s.qs.ListingsByCapability(s.ctx(), req)
		if err != nil {
			t.Fatal(err)
		}
		var ids []uint64
		for _, l := range out.Listings {
			ids = append(ids, l.Id)
		}
		return ids
	}
	if got := list(&types.QueryListingsByCapabilityRequest{}); len(got) != 2 || got[0] != s.listing || got[1] != stableListing {
		t.Fatalf("every denom, by denom then price: %v, want [%d %d]", got, s.listing, stableListing)
	}
	if got := list(&types.QueryListingsByCapabilityRequest{Denom: "ustable", MaxPrice: "500"}); len(got) != 1 || got[0] != stableListing {
		t.Fatalf("ustable up to 500: %v", got)
	}
	if got := list(&types.QueryListingsByCapabilityRequest{Denom: "ustable", MaxPrice: "499"}); len(got) != 0 {
		t.Fatalf("ustable up to 499: %v", got)
	}
	if got := list(&types.QueryListingsByCapabilityRequest{Denom: "uagnt"}); len(got) != 1 || got[0] != s.listing {
		t.Fatalf("uagnt: %v", got)
	}
	if _, err := s.qs.ListingsByCapability(s.ctx(), &types.QueryListingsByCapabilityRequest{Capability: "summarize", MaxPrice: "5"}); err == nil {
		t.Fatal("a max price without a denom was accepted")
	}

	// Hire, accept, deliver, complete in ustable.
	feeCollector := authtypes.NewModuleAddress(authtypes.FeeCollectorName)
	bal := func(a sdk.AccAddress) int64 { return s.ta.BankKeeper.GetBalance(s.ctx(), a, "ustable").Amount.Int64() }
	client0, payout0, fees0 := bal(s.client), bal(s.providerKey), bal(feeCollector)
	msg := s.hireMsg()
	msg.ListingId = stableListing
	id := s.hire(msg)
	s.step("accept", func(ctx context.Context) error {
		_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: s.providerKey.String(), JobId: id})
		return err
	})
	s.step("deliver", func(ctx context.Context) error {
		_, err := s.ms.Deliver(ctx, &types.MsgDeliver{Signer: s.providerKey.String(), JobId: id, ResultUri: "https://r.example/s", ResultHash: hash("rs")})
		return err
	})
	s.step("complete", func(ctx context.Context) error {
		_, err := s.ms.Complete(ctx, &types.MsgComplete{Client: s.client.String(), JobId: id})
		return err
	})
	s.checkInvariants()
	// 500 at a 2% take rounded up: 10 to the fee collector, 490 to the provider.
	if client0-bal(s.client) != 500 || bal(s.providerKey)-payout0 != 490 || bal(feeCollector)-fees0 != 10 {
		t.Fatalf("ustable moved: client %d, provider %d, fees %d", client0-bal(s.client), bal(s.providerKey)-payout0, bal(feeCollector)-fees0)
	}
	if j := s.job(id); j.Status != types.JOB_STATUS_COMPLETED || !j.ProviderPaid.Equal(sdk.NewCoins(stable(490))) || !j.TakePaid.Equal(sdk.NewCoins(stable(10))) {
		t.Fatalf("job %+v", j)
	}
	held, err := s.ta.EscrowKeeper.Held(s.ctx())
	if err != nil || !held.AmountOf("ustable").IsZero() {
		t.Fatalf("escrow still holds %s (%v)", held, err)
	}
}

// The rest of the market in the second denom: a budget and a bid, a job
// in two milestones with one paid and one split by the arbiter, a
// pay-per-call purchase, a subscription and a direct escrow; every coin
// accounted for in ustable, the books balanced after each step.
func TestSecondDenomEverywhere(t *testing.T) {
	s := newSuite(t)
	s.allowStable()
	bal := func(a sdk.AccAddress) int64 { return s.ta.BankKeeper.GetBalance(s.ctx(), a, "ustable").Amount.Int64() }
	client0 := bal(s.client)
	h := s.ctx().BlockHeight()

	// RFQ: a 10,000 ustable budget, a 8,000 bid, accepted in two milestones.
	req, err := s.ms.PostRequest(s.ctx(), &types.MsgPostRequest{
		Client: s.client.String(), Capability: "summarize", SpecUri: "https://s.example", SpecHash: hash("s"), Budget: stable(10_000), BidDeadline: h + 50,
	})
	if err != nil {
		t.Fatal(err)
	}
	s.audit()
	if got := client0 - bal(s.client); got != 10_000 {
		t.Fatalf("budget locked %d", got)
	}
	bid, err := s.ms.PlaceBid(s.ctx(), &types.MsgPlaceBid{Signer: s.providerKey.String(), RequestId: req.RequestId, Provider: s.provider, Price: stable(8_000), DeliveryBlocks: 100})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := s.ms.AcceptBid(s.ctx(), &types.MsgAcceptBid{Client: s.client.String(), RequestId: req.RequestId, BidId: bid.BidId, Milestones: []types.MilestoneSpec{
		{Title: "draft", Amount: stable(3_000)}, {Title: "final", Amount: stable(5_000)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	s.audit()
	if got := client0 - bal(s.client); got != 8_000 {
		t.Fatalf("after accepting the 8,000 bid the client has %d out", got)
	}
	job := acc.JobId
	s.step("accept", func(ctx context.Context) error {
		_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: s.providerKey.String(), JobId: job})
		return err
	})
	payout0 := bal(s.providerKey)
	for m, reject := range []bool{false, true} {
		s.step("deliver", func(ctx context.Context) error {
			_, err := s.ms.Deliver(ctx, &types.MsgDeliver{Signer: s.providerKey.String(), JobId: job, Milestone: uint32(m), ResultUri: "https://r.example", ResultHash: hash("r")})
			return err
		})
		if !reject {
			s.step("complete", func(ctx context.Context) error {
				_, err := s.ms.Complete(ctx, &types.MsgComplete{Client: s.client.String(), JobId: job, Milestone: uint32(m)})
				return err
			})
			continue
		}
		s.step("reject", func(ctx context.Context) error {
			_, err := s.ms.Reject(ctx, &types.MsgReject{Client: s.client.String(), JobId: job, Milestone: uint32(m), Reason: types.REJECT_REASON_OTHER, EvidenceHash: hash("e")})
			return err
		})
		s.step("resolve", func(ctx context.Context) error {
			_, err := s.ms.Resolve(ctx, &types.MsgResolve{Signer: s.arbiter.String(), JobId: job, ProviderShareBps: 3_000})
			return err
		})
	}
	s.checkInvariants()
	j := s.job(job)
	if j.Status != types.JOB_STATUS_RESOLVED || !j.Accounted().Equal(sdk.NewCoins(stable(8_000))) {
		t.Fatalf("job %+v", j)
	}
	if got := bal(s.providerKey) - payout0; got != j.ProviderPaid.AmountOf("ustable").Int64() || got == 0 {
		t.Fatalf("provider received %d ustable, the job says %s", got, j.ProviderPaid)
	}
	for _, c := range []sdk.Coins{j.ProviderPaid, j.TakePaid, j.ArbiterFeePaid, j.ClientRefunded} {
		if !c.AmountOf("uagnt").IsZero() {
			t.Fatalf("uagnt in a ustable job: %+v", j)
		}
	}

	// A purchase and a subscription of ustable listings.
	listing := func(billing types.ListingBilling, price int64) uint64 {
		m := &types.MsgCreateListing{
			Signer: s.providerKey.String(), Provider: s.provider, Capability: "summarize", Title: "Stable",
			TermsUri: "https://terms.example/s", TermsHash: hash("s"), Price: stable(price), MaxDurationBlocks: 1000, ReviewWindowBlocks: 20,
		}
		if billing == types.LISTING_BILLING_PER_BLOCK {
			m.Billing, m.ReviewWindowBlocks, m.MinTermBlocks = billing, 0, 1
		}
		res, err := s.ms.CreateListing(s.ctx(), m)
		if err != nil {
			t.Fatal(err)
		}
		return res.Id
	}
	perCall := listing(types.LISTING_BILLING_PER_JOB, 700)
	p := s.purchaseMsg("stable-1", 2)
	p.ListingId, p.Amount = perCall, stable(1_400)
	if _, err := s.ms.Purchase(s.ctx(), p); err != nil {
		t.Fatal(err)
	}
	perBlock := listing(types.LISTING_BILLING_PER_BLOCK, 3)
	sub, err := s.ms.Subscribe(s.at(h), &types.MsgSubscribe{Client: s.client.String(), ListingId: perBlock, Rate: stable(3), TermBlocks: 100})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ms.CancelSubscription(s.at(h+40), &types.MsgCancelSubscription{Signer: s.client.String(), JobId: sub.JobId}); err != nil {
		t.Fatal(err)
	}
	s.audit()
	s.checkInvariants()
	if j := s.job(sub.JobId); !j.ProviderPaid.Add(j.TakePaid...).Equal(sdk.NewCoins(stable(120))) || !j.ClientRefunded.Equal(sdk.NewCoins(stable(180))) {
		t.Fatalf("subscription %+v", j)
	}

	// A direct escrow and a direct stream in ustable.
	es := escrowkeeper.NewMsgServerImpl(s.ta.EscrowKeeper)
	esc, err := es.CreateEscrow(s.ctx(), &escrowtypes.MsgCreateEscrow{Payer: s.client.String(), Payee: s.stranger.String(), Amount: sdk.NewCoins(stable(900))})
	if err != nil {
		t.Fatal(err)
	}
	stranger0 := bal(s.stranger)
	if _, err := es.Release(s.ctx(), &escrowtypes.MsgRelease{Payer: s.client.String(), EscrowId: esc.Id}); err != nil {
		t.Fatal(err)
	}
	st, err := es.OpenStream(s.at(h), &escrowtypes.MsgOpenStream{Payer: s.client.String(), Payee: s.stranger.String(), Rate: stable(2), Deposit: stable(50)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := es.WithdrawStream(s.at(h+10), &escrowtypes.MsgWithdrawStream{Payee: s.stranger.String(), StreamId: st.Id}); err != nil {
		t.Fatal(err)
	}
	if got := bal(s.stranger) - stranger0; got != 900+20 {
		t.Fatalf("the payee received %d ustable, want 920", got)
	}
	s.audit()
	held, err := s.ta.EscrowKeeper.Held(s.ctx())
	if err != nil || held.AmountOf("ustable").Int64() != 30 {
		t.Fatalf("escrow holds %s, want the stream's 30ustable left (%v)", held, err)
	}
}
