package keeper

import (
	"context"
	"errors"
	"fmt"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/typedevent"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"

	"github.com/agentchain/agentchain/x/market/types"
)

// Subscriptions. A per-block listing is subscribed to, not hired: the
// client deposits rate × term into an x/escrow stream the market owns, from
// the client to the provider's payout address (fixed at subscription, like
// a job's), accruing one rate per block from the subscription's height to
// the end of the term. The subscription is a job (IN_PROGRESS while it runs,
// no timers: accrual is a function of heights), so it is listed, rated and
// counted like one. Every withdrawal pays the take (rounded up) to the fee
// collector out of what accrued. It ends when either side cancels, or when
// the provider withdraws after the term: what accrued to the provider, the
// rest to the client. It ends COMPLETED when anything was paid, CANCELLED
// otherwise.

// SubscriptionStream returns the stream paying a subscription.
func (k Keeper) SubscriptionStream(ctx context.Context, j types.Job) (escrowtypes.Stream, error) {
	if j.StreamId == 0 {
		return escrowtypes.Stream{}, errorsmod.Wrapf(types.ErrNotSubscription, "job %d", j.Id)
	}
	return k.escrow.GetStream(ctx, j.StreamId)
}

// takeFees returns the market's take on a stream payment.
func (k Keeper) takeFees(bps uint32) escrowtypes.StreamFees {
	return func(paid sdk.Coin) []escrowtypes.Payment {
		_, take := types.Take(paid, bps)
		if !take.IsPositive() {
			return nil
		}
		return []escrowtypes.Payment{{Module: k.feeCollector, Amount: sdk.NewCoins(take)}}
	}
}

// subscription loads a running subscription.
func (k Keeper) subscription(ctx context.Context, id uint64) (types.Job, error) {
	j, err := k.GetJob(ctx, id)
	if err != nil {
		return j, err
	}
	if j.StreamId == 0 {
		return j, errorsmod.Wrapf(types.ErrNotSubscription, "job %d", id)
	}
	if j.Status != types.JOB_STATUS_IN_PROGRESS {
		return j, errorsmod.Wrapf(types.ErrWrongStatus, "subscription %d is %s", id, j.Status)
	}
	return j, nil
}

// providerSubscription loads a running subscription signer may move as its
// provider.
func (k Keeper) providerSubscription(ctx context.Context, id uint64, signer string) (types.Job, error) {
	addr, err := k.parseAddr("signer", signer)
	if err != nil {
		return types.Job{}, err
	}
	j, err := k.subscription(ctx, id)
	if err != nil {
		return j, err
	}
	a, err := k.getAgent(ctx, j.Provider)
	if err != nil {
		return j, err
	}
	if !speaksFor(a, addr) {
		return j, errorsmod.Wrapf(types.ErrUnauthorized, "%s is neither the owner nor the agent key of subscription %d's provider (agent %d)", signer, j.Id, j.Provider)
	}
	return j, nil
}

// streamOf returns a subscription's stream, as x/escrow keeps it.
func (k Keeper) streamOf(ctx context.Context, j types.Job) (escrowtypes.Stream, error) {
	s, err := k.escrow.GetStream(ctx, j.StreamId)
	if err != nil {
		return s, escrowRefused(err)
	}
	return s, nil
}

// streamRefused turns x/escrow's refusal of a stream move into the
// market's own error: a status that does not allow it, nothing accrued, or
// a payment refused.
func streamRefused(err error) error {
	switch {
	case errors.Is(err, escrowtypes.ErrStreamStatus):
		return errorsmod.Wrap(types.ErrWrongStatus, err.Error())
	case errors.Is(err, escrowtypes.ErrNothingAccrued):
		return errorsmod.Wrap(types.ErrNothingAccrued, err.Error())
	default:
		return escrowRefused(err)
	}
}

// recordPaid books a stream payment on the job: take (as the fees
// computed it) and the rest to the provider.
func recordPaid(j *types.Job, paid sdk.Coin, bps uint32) (provider, take sdk.Coin) {
	provider, take = types.Take(paid, bps)
	if paid.IsPositive() {
		j.ProviderPaid = j.ProviderPaid.Add(provider)
		j.TakePaid = j.TakePaid.Add(take)
	}
	return provider, take
}

// endSubscription books a closed stream's refund and settles the job.
func (k Keeper) endSubscription(ctx context.Context, j *types.Job, was jobState, refunded sdk.Coin, by string) error {
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if refunded.IsPositive() {
		j.ClientRefunded = j.ClientRefunded.Add(refunded)
	}
	j.NextMilestone = uint32(len(j.Milestones))
	j.SettledHeight = h
	paid := !j.ProviderPaid.Add(j.TakePaid...).IsZero()
	if paid {
		j.Status = types.JOB_STATUS_COMPLETED
		j.Milestones[0].CompletedHeight = h
	} else {
		j.Status = types.JOB_STATUS_CANCELLED
	}
	if err := k.saveJob(ctx, j, was); err != nil {
		return err
	}
	if err := typedevent.Emit(ctx, &types.EventSubscriptionEnded{
		JobId: j.Id, By: by, ProviderPaid: j.ProviderPaid, TakePaid: j.TakePaid, Refunded: j.ClientRefunded,
	}); err != nil {
		return err
	}
	job := *j
	if !paid {
		return k.callHook(ctx, j.Id, "AfterJobCancelled", func(h types.MarketHooks, ctx context.Context) error { return h.AfterJobCancelled(ctx, job) })
	}
	if err := typedevent.Emit(ctx, &types.EventJobCompleted{JobId: j.Id, Client: j.Client, Provider: j.Provider, ProviderPaid: j.ProviderPaid, TakePaid: j.TakePaid}); err != nil {
		return err
	}
	return k.callHook(ctx, j.Id, "AfterJobSettled", func(h types.MarketHooks, ctx context.Context) error { return h.AfterJobSettled(ctx, job) })
}

// Subscribe implements types.MsgServer.
func (m msgServer) Subscribe(ctx context.Context, msg *types.MsgSubscribe) (*types.MsgSubscribeResponse, error) {
	k := m.k
	client, err := k.parseAddr("client", msg.Client)
	if err != nil {
		return nil, err
	}
	l, err := k.GetListing(ctx, msg.ListingId)
	if err != nil {
		return nil, err
	}
	if l.Billing != types.LISTING_BILLING_PER_BLOCK {
		return nil, errorsmod.Wrapf(types.ErrWrongBilling, "listing %d is priced per job: hire it or buy calls", l.Id)
	}
	if l.Status != types.LISTING_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "listing %d is %s", l.Id, l.Status)
	}
	if err := types.ValidatePrice("rate", msg.Rate); err != nil {
		return nil, err
	}
	if !msg.Rate.Equal(l.Price) {
		return nil, errorsmod.Wrapf(types.ErrWrongAmount, "listing %d costs %s per block, not %s", l.Id, l.Price, msg.Rate)
	}
	if msg.TermBlocks < l.MinTermBlocks || msg.TermBlocks < 1 || msg.TermBlocks > l.MaxDurationBlocks {
		return nil, errorsmod.Wrapf(types.ErrInvalidTerm, "term %d blocks; listing %d takes %d to %d", msg.TermBlocks, l.Id, max(l.MinTermBlocks, 1), l.MaxDurationBlocks)
	}
	provider, err := k.getAgent(ctx, l.Provider)
	if err != nil {
		return nil, err
	}
	if err := requireActive(provider); err != nil {
		return nil, err
	}
	clientAgent, err := k.clientAgent(ctx, client)
	if err != nil {
		return nil, err
	}
	if err := k.checkMinScore(ctx, "the client", clientAgent, l.MinClientScore); err != nil {
		return nil, err
	}
	payout, err := k.parseAddr("provider payout", provider.Payout())
	if err != nil {
		return nil, err
	}
	self, err := k.selfDealing(ctx, client, clientAgent, provider)
	if err != nil {
		return nil, err
	}
	id, err := peekID(ctx, k.JobSeq)
	if err != nil {
		return nil, err
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	deposit := sdk.NewCoin(l.Price.Denom, l.Price.Amount.Mul(sdkmath.NewInt(msg.TermBlocks)))
	end := h + msg.TermBlocks
	streamID, err := k.escrow.OpenModuleStream(ctx, types.ModuleName, escrowtypes.StreamSpec{
		Payer: client, Payee: payout, Rate: l.Price, PeriodBlocks: 1, Deposit: deposit,
		StartHeight: h, EndHeight: end, Reference: fmt.Sprintf("market/job/%d", id),
	})
	if err != nil {
		return nil, escrowRefused(err)
	}
	if err := takeID(ctx, k.JobSeq, id); err != nil {
		return nil, err
	}
	j := types.Job{
		Id: id, Client: client.String(), ClientAgent: clientAgent, Provider: provider.Id,
		ProviderPayout: payout.String(), ListingId: l.Id, Price: deposit, StreamId: streamID,
		Status: types.JOB_STATUS_IN_PROGRESS, SelfDealing: self, DeliverBy: end,
		Milestones:   []types.Milestone{{Title: "subscription", Amount: deposit}},
		ProviderPaid: sdk.NewCoins(), TakePaid: sdk.NewCoins(), ArbiterFeePaid: sdk.NewCoins(), ClientRefunded: sdk.NewCoins(),
		CreatedHeight: h, AcceptedHeight: h,
	}
	if err := k.saveJob(ctx, &j, jobState{}); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventSubscribed{
		JobId: id, Client: j.Client, Provider: j.Provider, ListingId: l.Id, StreamId: streamID,
		Rate: l.Price, Deposit: deposit, EndHeight: end,
	}); err != nil {
		return nil, err
	}
	return &types.MsgSubscribeResponse{JobId: id, StreamId: streamID, EndHeight: end}, nil
}

// WithdrawSubscription implements types.MsgServer.
func (m msgServer) WithdrawSubscription(ctx context.Context, msg *types.MsgWithdrawSubscription) (*types.MsgWithdrawSubscriptionResponse, error) {
	k := m.k
	j, err := k.providerSubscription(ctx, msg.JobId, msg.Signer)
	if err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	s, paid, err := k.escrow.WithdrawModuleStream(ctx, types.ModuleName, j.StreamId, k.takeFees(params.TakeRateBps))
	if err != nil {
		return nil, streamRefused(err)
	}
	was := stateOf(&j)
	provider, take := recordPaid(&j, paid, params.TakeRateBps)
	ended := s.Status == escrowtypes.STREAM_STATUS_CLOSED
	if ended {
		if err := k.endSubscription(ctx, &j, was, s.Refunded, "term"); err != nil {
			return nil, err
		}
	} else if err := k.saveJob(ctx, &j, was); err != nil {
		return nil, err
	}
	return &types.MsgWithdrawSubscriptionResponse{ProviderAmount: provider, Take: take, Ended: ended}, nil
}

// TopUpSubscription implements types.MsgServer.
func (m msgServer) TopUpSubscription(ctx context.Context, msg *types.MsgTopUpSubscription) (*types.MsgTopUpSubscriptionResponse, error) {
	k := m.k
	client, err := k.parseAddr("client", msg.Client)
	if err != nil {
		return nil, err
	}
	j, err := k.subscription(ctx, msg.JobId)
	if err != nil {
		return nil, err
	}
	if j.Client != client.String() {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "subscription %d's client is %s, not %s", j.Id, j.Client, client)
	}
	l, err := k.GetListing(ctx, j.ListingId)
	if err != nil {
		return nil, err
	}
	s, err := k.streamOf(ctx, j)
	if err != nil {
		return nil, err
	}
	if h := sdk.UnwrapSDKContext(ctx).BlockHeight(); s.Ended(h) {
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "subscription %d's term ended at %d; subscribe again", j.Id, s.EndHeight)
	}
	if msg.ExtraBlocks < 1 || s.EndHeight-s.StartHeight+msg.ExtraBlocks > l.MaxDurationBlocks {
		return nil, errorsmod.Wrapf(types.ErrInvalidTerm, "extending %d blocks by %d; listing %d allows %d in all", s.EndHeight-s.StartHeight, msg.ExtraBlocks, l.Id, l.MaxDurationBlocks)
	}
	amount := sdk.NewCoin(s.Rate.Denom, s.Rate.Amount.Mul(sdkmath.NewInt(msg.ExtraBlocks)))
	end := s.EndHeight + msg.ExtraBlocks
	if _, err := k.escrow.TopUpModuleStream(ctx, types.ModuleName, j.StreamId, client, amount, end); err != nil {
		return nil, streamRefused(err)
	}
	was := stateOf(&j)
	j.Price = j.Price.Add(amount)
	j.Milestones[0].Amount = j.Price
	j.DeliverBy = end
	if err := k.saveJob(ctx, &j, was); err != nil {
		return nil, err
	}
	return &types.MsgTopUpSubscriptionResponse{EndHeight: end}, nil
}

// PauseSubscription implements types.MsgServer.
func (m msgServer) PauseSubscription(ctx context.Context, msg *types.MsgPauseSubscription) (*types.MsgPauseSubscriptionResponse, error) {
	k := m.k
	j, err := k.providerSubscription(ctx, msg.JobId, msg.Signer)
	if err != nil {
		return nil, err
	}
	if _, err := k.escrow.PauseModuleStream(ctx, types.ModuleName, j.StreamId); err != nil {
		return nil, streamRefused(err)
	}
	if err := typedevent.Emit(ctx, &types.EventSubscriptionPaused{JobId: j.Id, Paused: true}); err != nil {
		return nil, err
	}
	return &types.MsgPauseSubscriptionResponse{}, nil
}

// ResumeSubscription implements types.MsgServer.
func (m msgServer) ResumeSubscription(ctx context.Context, msg *types.MsgResumeSubscription) (*types.MsgResumeSubscriptionResponse, error) {
	k := m.k
	j, err := k.providerSubscription(ctx, msg.JobId, msg.Signer)
	if err != nil {
		return nil, err
	}
	if _, err := k.escrow.ResumeModuleStream(ctx, types.ModuleName, j.StreamId); err != nil {
		return nil, streamRefused(err)
	}
	if err := typedevent.Emit(ctx, &types.EventSubscriptionPaused{JobId: j.Id, Paused: false}); err != nil {
		return nil, err
	}
	return &types.MsgResumeSubscriptionResponse{}, nil
}

// CancelSubscription implements types.MsgServer.
func (m msgServer) CancelSubscription(ctx context.Context, msg *types.MsgCancelSubscription) (*types.MsgCancelSubscriptionResponse, error) {
	k := m.k
	signer, err := k.parseAddr("signer", msg.Signer)
	if err != nil {
		return nil, err
	}
	j, err := k.subscription(ctx, msg.JobId)
	if err != nil {
		return nil, err
	}
	if j.Client != signer.String() {
		a, err := k.getAgent(ctx, j.Provider)
		if err != nil {
			return nil, err
		}
		if !speaksFor(a, signer) {
			return nil, errorsmod.Wrapf(types.ErrUnauthorized, "%s is neither subscription %d's client nor its provider", signer, j.Id)
		}
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	_, paid, refunded, err := k.escrow.CloseModuleStream(ctx, types.ModuleName, j.StreamId, "cancel", k.takeFees(params.TakeRateBps))
	if err != nil {
		return nil, streamRefused(err)
	}
	was := stateOf(&j)
	provider, take := recordPaid(&j, paid, params.TakeRateBps)
	if err := k.endSubscription(ctx, &j, was, refunded, signer.String()); err != nil {
		return nil, err
	}
	return &types.MsgCancelSubscriptionResponse{ProviderAmount: provider, Take: take, Refunded: refunded}, nil
}
