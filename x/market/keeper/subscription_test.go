package keeper_test

import (
	"context"
	"fmt"
	"slices"
	"testing"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	"github.com/agentchain/agentchain/x/market/types"
	reputationkeeper "github.com/agentchain/agentchain/x/reputation/keeper"
	reputationtypes "github.com/agentchain/agentchain/x/reputation/types"
)

const rate = 50

// subListing creates a per-block listing of the suite's provider: 50 uagnt
// a block, terms of 10 to 1000 blocks.
func (s *suite) subListing() uint64 {
	s.t.Helper()
	res, err := s.ms.CreateListing(s.ctx(), &types.MsgCreateListing{
		Signer: s.providerKey.String(), Provider: s.provider, Capability: "monitor", Title: "Monitoring",
		TermsUri: "https://terms.example/mon", TermsHash: hash("mon"), Price: uagnt(rate),
		MaxDurationBlocks: 1000, Billing: types.LISTING_BILLING_PER_BLOCK, MinTermBlocks: 10,
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return res.Id
}

func (s *suite) at(h int64) sdk.Context {
	return s.ctx().WithBlockHeight(h).WithEventManager(sdk.NewEventManager())
}

func (s *suite) subscribe(h int64, listing uint64, term int64) *types.MsgSubscribeResponse {
	s.t.Helper()
	res, err := s.ms.Subscribe(s.at(h), &types.MsgSubscribe{Client: s.client.String(), ListingId: listing, Rate: uagnt(rate), TermBlocks: term})
	if err != nil {
		s.t.Fatalf("subscribe: %v", err)
	}
	s.audit()
	s.checkInvariants()
	return res
}

func (s *suite) withdrawSub(h int64, job uint64) *types.MsgWithdrawSubscriptionResponse {
	s.t.Helper()
	res, err := s.ms.WithdrawSubscription(s.at(h), &types.MsgWithdrawSubscription{Signer: s.providerKey.String(), JobId: job})
	if err != nil {
		s.t.Fatalf("withdraw at %d: %v", h, err)
	}
	s.audit()
	s.checkInvariants()
	return res
}

// atHeight runs a refused message at height h.
func (s *suite) refusedAt(h int64, want error, f func(ctx context.Context) error) {
	s.t.Helper()
	s.refused(want, func(ctx context.Context) error { return f(sdk.UnwrapSDKContext(ctx).WithBlockHeight(h)) })
}

// A subscription streams the rate every block to the provider's payout
// address, the take cut from every withdrawal; a pause stops accrual, a
// top-up extends the term, a cancel settles at once. Balances match the
// rate to the unit.
func TestSubscriptionLifecycle(t *testing.T) {
	s := newSuite(t)
	listing := s.subListing()
	feeCollector := authtypes.NewModuleAddress(authtypes.FeeCollectorName)
	client0, payout0, fees0 := s.balance(s.client), s.balance(s.providerKey), s.balance(feeCollector)

	res := s.subscribe(100, listing, 100)
	if res.EndHeight != 200 {
		t.Fatalf("end %d", res.EndHeight)
	}
	if got := client0 - s.balance(s.client); got != 100*rate {
		t.Fatalf("client deposited %d, want %d", got, 100*rate)
	}
	j := s.job(res.JobId)
	if j.Status != types.JOB_STATUS_IN_PROGRESS || j.StreamId != res.StreamId || j.Price.Amount.Int64() != 100*rate || j.ProviderPayout != s.providerKey.String() {
		t.Fatalf("job %+v", j)
	}
	// The job messages do not apply to a subscription.
	s.refusedAt(101, types.ErrIsSubscription, func(ctx context.Context) error {
		_, err := s.ms.Deliver(ctx, &types.MsgDeliver{Signer: s.providerKey.String(), JobId: res.JobId, ResultUri: "https://r.example", ResultHash: hash("r")})
		return err
	})
	s.refusedAt(101, types.ErrIsSubscription, func(ctx context.Context) error {
		_, err := s.ms.CancelJob(ctx, &types.MsgCancelJob{Client: s.client.String(), JobId: res.JobId})
		return err
	})
	// Only the provider withdraws.
	for _, who := range []sdk.AccAddress{s.client, s.stranger} {
		s.refusedAt(110, types.ErrUnauthorized, func(ctx context.Context) error {
			_, err := s.ms.WithdrawSubscription(ctx, &types.MsgWithdrawSubscription{Signer: who.String(), JobId: res.JobId})
			return err
		})
	}
	// 10 blocks: 500, take 2% = 10.
	if w := s.withdrawSub(110, res.JobId); w.ProviderAmount.Amount.Int64() != 490 || w.Take.Amount.Int64() != 10 || w.Ended {
		t.Fatalf("first withdrawal %+v", w)
	}
	// 20 more: 1000, take 20.
	if w := s.withdrawSub(130, res.JobId); w.ProviderAmount.Amount.Int64() != 980 || w.Take.Amount.Int64() != 20 {
		t.Fatalf("second withdrawal %+v", w)
	}
	// Paused from 140 to 160: 2000 accrued by the pause, nothing during it.
	if _, err := s.ms.PauseSubscription(s.at(140), &types.MsgPauseSubscription{Signer: s.providerKey.String(), JobId: res.JobId}); err != nil {
		t.Fatal(err)
	}
	s.refusedAt(141, types.ErrUnauthorized, func(ctx context.Context) error {
		_, err := s.ms.ResumeSubscription(ctx, &types.MsgResumeSubscription{Signer: s.client.String(), JobId: res.JobId})
		return err
	})
	if _, err := s.ms.ResumeSubscription(s.at(160), &types.MsgResumeSubscription{Signer: s.owner.String(), JobId: res.JobId}); err != nil {
		t.Fatal(err)
	}
	st, err := s.ta.EscrowKeeper.GetStream(s.ctx(), res.StreamId)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Accrued(170); got.Int64() != 2500 {
		t.Fatalf("accrued at 170: %s, want 2000 before the pause + 500", got)
	}
	// Top-up by 50 blocks: end 250, deposit 7500; beyond the listing's
	// maximum term it is refused.
	s.refusedAt(170, types.ErrInvalidTerm, func(ctx context.Context) error {
		_, err := s.ms.TopUpSubscription(ctx, &types.MsgTopUpSubscription{Client: s.client.String(), JobId: res.JobId, ExtraBlocks: 901})
		return err
	})
	s.refusedAt(170, types.ErrUnauthorized, func(ctx context.Context) error {
		_, err := s.ms.TopUpSubscription(ctx, &types.MsgTopUpSubscription{Client: s.stranger.String(), JobId: res.JobId, ExtraBlocks: 5})
		return err
	})
	if up, err := s.ms.TopUpSubscription(s.at(170), &types.MsgTopUpSubscription{Client: s.client.String(), JobId: res.JobId, ExtraBlocks: 50}); err != nil || up.EndHeight != 250 {
		t.Fatalf("top-up: %v %+v", err, up)
	}
	s.audit()
	s.checkInvariants()
	// The client cancels at 180: accrued 2000 + 20×50 = 3000, withdrawn
	// 1500, so 1500 now (take 30) and 7500 - 3000 = 4500 back.
	s.refusedAt(180, types.ErrUnauthorized, func(ctx context.Context) error {
		_, err := s.ms.CancelSubscription(ctx, &types.MsgCancelSubscription{Signer: s.stranger.String(), JobId: res.JobId})
		return err
	})
	ctx := s.at(180)
	c, err := s.ms.CancelSubscription(ctx, &types.MsgCancelSubscription{Signer: s.client.String(), JobId: res.JobId})
	if err != nil {
		t.Fatal(err)
	}
	if c.ProviderAmount.Amount.Int64() != 1470 || c.Take.Amount.Int64() != 30 || c.Refunded.Amount.Int64() != 4500 {
		t.Fatalf("cancel %+v", c)
	}
	if !slices.Contains(eventTypes(ctx), "EventSubscriptionEnded") || !slices.Contains(eventTypes(ctx), "agentchain.escrow.v1.EventStreamCancelled") {
		t.Fatalf("events %v", eventTypes(ctx))
	}
	s.audit()
	s.checkInvariants()
	if got := client0 - s.balance(s.client); got != 3000 {
		t.Fatalf("client paid %d net, want 3000 (60 blocks at 50)", got)
	}
	if got := s.balance(s.providerKey) - payout0; got != 2940 {
		t.Fatalf("provider received %d, want 2940", got)
	}
	if got := s.balance(feeCollector) - fees0; got != 60 {
		t.Fatalf("fee collector received %d, want 60", got)
	}
	j = s.job(res.JobId)
	if j.Status != types.JOB_STATUS_COMPLETED || j.SettledHeight != 180 || !j.ProviderPaid.Equal(sdk.NewCoins(uagnt(2940))) {
		t.Fatalf("settled job %+v", j)
	}
	if last := s.hooks.calls[len(s.hooks.calls)-1]; last != fmt.Sprintf("settled:%d", res.JobId) {
		t.Fatalf("hooks %v", s.hooks.calls)
	}
	s.refusedAt(181, types.ErrWrongStatus, func(ctx context.Context) error {
		_, err := s.ms.WithdrawSubscription(ctx, &types.MsgWithdrawSubscription{Signer: s.providerKey.String(), JobId: res.JobId})
		return err
	})
}

// After the term, the provider's withdrawal settles the rest and ends the
// subscription; a pause leaves its blocks to the client.
func TestSubscriptionRunsItsTerm(t *testing.T) {
	s := newSuite(t)
	listing := s.subListing()
	full := s.subscribe(100, listing, 10)
	if w := s.withdrawSub(500, full.JobId); !w.Ended || w.ProviderAmount.Amount.Int64()+w.Take.Amount.Int64() != 10*rate {
		t.Fatalf("after the term %+v", w)
	}
	if j := s.job(full.JobId); j.Status != types.JOB_STATUS_COMPLETED || !j.ClientRefunded.IsZero() {
		t.Fatalf("job %+v", j)
	}
	paused := s.subscribe(100, listing, 10)
	if _, err := s.ms.PauseSubscription(s.at(105), &types.MsgPauseSubscription{Signer: s.providerKey.String(), JobId: paused.JobId}); err != nil {
		t.Fatal(err)
	}
	client0 := s.balance(s.client)
	if w := s.withdrawSub(500, paused.JobId); !w.Ended || w.ProviderAmount.Amount.Int64()+w.Take.Amount.Int64() != 5*rate {
		t.Fatalf("paused at 105: %+v", w)
	}
	if got := s.balance(s.client) - client0; got != 5*rate {
		t.Fatalf("client got back %d, want the 5 paused blocks", got)
	}
	// Cancelled before anything accrued: CANCELLED, all back.
	none := s.subscribe(600, listing, 10)
	if _, err := s.ms.CancelSubscription(s.at(600), &types.MsgCancelSubscription{Signer: s.providerKey.String(), JobId: none.JobId}); err != nil {
		t.Fatal(err)
	}
	if j := s.job(none.JobId); j.Status != types.JOB_STATUS_CANCELLED || !j.ClientRefunded.Equal(sdk.NewCoins(uagnt(10*rate))) {
		t.Fatalf("job %+v", j)
	}
	s.audit()
	s.checkInvariants()
}

// Refusals: the wrong billing either way, a changed price, terms out of
// bounds, listing terms that do not fit a subscription, the spend cap.
func TestSubscriptionRefusals(t *testing.T) {
	s := newSuite(t)
	listing := s.subListing()
	sub := func(m types.MsgSubscribe) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			if m.Client == "" {
				m.Client = s.client.String()
			}
			_, err := s.ms.Subscribe(ctx, &m)
			return err
		}
	}
	s.refused(types.ErrWrongBilling, sub(types.MsgSubscribe{ListingId: s.listing, Rate: uagnt(price), TermBlocks: 10}))
	s.refused(types.ErrWrongAmount, sub(types.MsgSubscribe{ListingId: listing, Rate: uagnt(rate - 1), TermBlocks: 10}))
	s.refused(types.ErrInvalidTerm, sub(types.MsgSubscribe{ListingId: listing, Rate: uagnt(rate), TermBlocks: 9}))
	s.refused(types.ErrInvalidTerm, sub(types.MsgSubscribe{ListingId: listing, Rate: uagnt(rate), TermBlocks: 1001}))
	s.refused(types.ErrListingNotFound, sub(types.MsgSubscribe{ListingId: 99, Rate: uagnt(rate), TermBlocks: 10}))
	s.refused(types.ErrEscrowRefused, sub(types.MsgSubscribe{Client: sdk.AccAddress("poor-client-address_").String(), ListingId: listing, Rate: uagnt(rate), TermBlocks: 10}))
	s.refused(types.ErrWrongBilling, func(ctx context.Context) error {
		m := s.hireMsg()
		m.ListingId = listing
		_, err := s.ms.Hire(ctx, m)
		return err
	})
	s.refused(types.ErrWrongBilling, func(ctx context.Context) error {
		m := s.purchaseMsg("sub-1", 1)
		m.ListingId, m.Amount = listing, uagnt(rate)
		_, err := s.ms.Purchase(ctx, m)
		return err
	})
	create := func(review, minTerm int64, billing types.ListingBilling) func(ctx context.Context) error {
		return func(ctx context.Context) error {
			_, err := s.ms.CreateListing(ctx, &types.MsgCreateListing{
				Signer: s.providerKey.String(), Provider: s.provider, Capability: "monitor", Title: "Monitoring",
				TermsUri: "https://terms.example/mon", TermsHash: hash("mon"), Price: uagnt(rate),
				MaxDurationBlocks: 1000, ReviewWindowBlocks: review, Billing: billing, MinTermBlocks: minTerm,
			})
			return err
		}
	}
	s.refused(types.ErrInvalidDuration, create(20, 10, types.LISTING_BILLING_PER_BLOCK))
	s.refused(types.ErrInvalidTerm, create(0, 0, types.LISTING_BILLING_PER_BLOCK))
	s.refused(types.ErrInvalidTerm, create(0, 1001, types.LISTING_BILLING_PER_BLOCK))
	s.refused(types.ErrInvalidTerm, create(20, 10, types.LISTING_BILLING_PER_JOB))
	s.refused(types.ErrWrongBilling, create(0, 10, types.ListingBilling(7)))
	// A paused listing takes no subscription; one running goes on.
	res := s.subscribe(s.ctx().BlockHeight(), listing, 10)
	if _, err := s.ms.SetListingStatus(s.ctx(), &types.MsgSetListingStatus{Signer: s.providerKey.String(), ListingId: listing, Status: types.LISTING_STATUS_PAUSED}); err != nil {
		t.Fatal(err)
	}
	s.refused(types.ErrWrongStatus, sub(types.MsgSubscribe{ListingId: listing, Rate: uagnt(rate), TermBlocks: 10}))
	if j := s.job(res.JobId); j.Status != types.JOB_STATUS_IN_PROGRESS {
		t.Fatalf("running subscription %s", j.Status)
	}
	// Status refusals come from the market, not from x/escrow.
	s.refusedAt(s.ctx().BlockHeight(), types.ErrNothingAccrued, func(ctx context.Context) error {
		_, err := s.ms.WithdrawSubscription(ctx, &types.MsgWithdrawSubscription{Signer: s.providerKey.String(), JobId: res.JobId})
		return err
	})
	s.refusedAt(s.ctx().BlockHeight()+1, types.ErrWrongStatus, func(ctx context.Context) error {
		_, err := s.ms.ResumeSubscription(ctx, &types.MsgResumeSubscription{Signer: s.providerKey.String(), JobId: res.JobId})
		return err
	})
	s.refusedAt(s.ctx().BlockHeight()+10, types.ErrWrongStatus, func(ctx context.Context) error {
		_, err := s.ms.TopUpSubscription(ctx, &types.MsgTopUpSubscription{Client: s.client.String(), JobId: res.JobId, ExtraBlocks: 5})
		return err
	})
	if _, err := s.ms.PauseSubscription(s.at(s.ctx().BlockHeight()+1), &types.MsgPauseSubscription{Signer: s.providerKey.String(), JobId: res.JobId}); err != nil {
		t.Fatal(err)
	}
	s.refusedAt(s.ctx().BlockHeight()+2, types.ErrWrongStatus, func(ctx context.Context) error {
		_, err := s.ms.PauseSubscription(ctx, &types.MsgPauseSubscription{Signer: s.providerKey.String(), JobId: res.JobId})
		return err
	})
	hired := s.hire(s.hireMsg())
	s.refused(types.ErrNotSubscription, func(ctx context.Context) error {
		_, err := s.ms.WithdrawSubscription(ctx, &types.MsgWithdrawSubscription{Signer: s.providerKey.String(), JobId: hired})
		return err
	})
	// The client agent's spend cap counts the deposit.
	buyerOwner := s.ta.Accounts[4].Addr
	buyer, buyerKey := s.registerAgent("buyer", buyerOwner)
	if _, err := s.agentIDs.SetSpendPolicy(s.ctx(), &agentidtypes.MsgSetSpendPolicy{
		Owner: buyerOwner.String(), AgentId: buyer, Denom: "uagnt", Cap: sdkmath.NewInt(9 * rate), WindowBlocks: 100,
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ms.SetListingStatus(s.ctx(), &types.MsgSetListingStatus{Signer: s.providerKey.String(), ListingId: listing, Status: types.LISTING_STATUS_ACTIVE}); err != nil {
		t.Fatal(err)
	}
	s.refused(types.ErrEscrowRefused, sub(types.MsgSubscribe{Client: buyerKey.String(), ListingId: listing, Rate: uagnt(rate), TermBlocks: 10}))
	// Top-ups count when they are made: 10 blocks fit a cap of 12, 5 more
	// do not.
	if _, err := s.agentIDs.SetSpendPolicy(s.ctx(), &agentidtypes.MsgSetSpendPolicy{
		Owner: buyerOwner.String(), AgentId: buyer, Denom: "uagnt", Cap: sdkmath.NewInt(12 * rate), WindowBlocks: 100,
	}); err != nil {
		t.Fatal(err)
	}
	capped, err := s.ms.Subscribe(s.ctx(), &types.MsgSubscribe{Client: buyerKey.String(), ListingId: listing, Rate: uagnt(rate), TermBlocks: 10})
	if err != nil {
		t.Fatal(err)
	}
	s.refused(types.ErrEscrowRefused, func(ctx context.Context) error {
		_, err := s.ms.TopUpSubscription(ctx, &types.MsgTopUpSubscription{Client: buyerKey.String(), JobId: capped.JobId, ExtraBlocks: 5})
		return err
	})
}

// A running subscription can be rated once something was paid, by what was
// paid so far; once per party.
func TestSubscriptionFeedback(t *testing.T) {
	s := newSuite(t)
	s.k.SetHooks(s.ta.ReputationKeeper.Hooks())
	listing := s.subListing()
	res := s.subscribe(100, listing, 100)
	rs := reputationkeeper.NewMsgServerImpl(s.ta.ReputationKeeper)
	rateSub := func(h int64) (*reputationtypes.MsgSubmitFeedbackResponse, error) {
		return rs.SubmitFeedback(s.at(h), &reputationtypes.MsgSubmitFeedback{Rater: s.client.String(), JobId: res.JobId, Score: 90})
	}
	s.ta.ExpectRefused(t, reputationtypes.ModuleName, reputationtypes.ErrJobNotSettled, func(ctx sdk.Context) error {
		_, err := rs.SubmitFeedback(ctx.WithBlockHeight(120), &reputationtypes.MsgSubmitFeedback{Rater: s.client.String(), JobId: res.JobId, Score: 90})
		return err
	})
	s.withdrawSub(120, res.JobId) // 20 blocks: 1000 paid
	fb, err := rateSub(121)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.ta.ReputationKeeper.Params.Get(s.ctx())
	if err != nil {
		t.Fatal(err)
	}
	if want := p.WeightOf(sdk.NewCoins(uagnt(20 * rate))); !fb.Weight.Equal(want) {
		t.Fatalf("weight %s, want %s (what was paid so far)", fb.Weight, want)
	}
	if _, err := rateSub(150); err == nil {
		t.Fatal("rated twice")
	}
}
