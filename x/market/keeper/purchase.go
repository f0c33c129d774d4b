package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/agentchain/agentchain/internal/typedevent"
	"github.com/agentchain/agentchain/x/market/types"
)

// Purchase implements types.MsgServer: pay-per-call. The client pays the
// listing's price times the calls at once: the take (rounded up, as at any
// release) to the fee collector and the rest to the provider's payout
// address, straight from the client's account (so the client's spend cap,
// a bank send restriction, applies). The purchase is recorded as a
// COMPLETED job, so reputation counts it and both sides may rate it like
// any settled job, and its (client, request id) is marked for good.
//
// Every check comes before the first write: a refused purchase changes
// nothing.
func (m msgServer) Purchase(ctx context.Context, msg *types.MsgPurchase) (*types.MsgPurchaseResponse, error) {
	k := m.k
	client, err := k.parseAddr("client", msg.Client)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateRequestID(msg.RequestId); err != nil {
		return nil, err
	}
	if msg.Calls == 0 || msg.Calls > types.MaxPurchaseCalls {
		return nil, errorsmod.Wrapf(types.ErrInvalidCalls, "%d", msg.Calls)
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if msg.ValidUntilHeight <= 0 {
		return nil, errorsmod.Wrap(types.ErrPurchaseExpired, "valid_until_height must be set: the last height the client accepts")
	}
	if height > msg.ValidUntilHeight {
		return nil, errorsmod.Wrapf(types.ErrPurchaseExpired, "valid until height %d, now %d", msg.ValidUntilHeight, height)
	}
	key := collections.Join(client, msg.RequestId)
	if prior, err := k.Purchases.Get(ctx, key); err == nil {
		return nil, errorsmod.Wrapf(types.ErrRequestIDUsed, "%s's request id %q settled job %d", client, msg.RequestId, prior)
	} else if !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	l, err := k.GetListing(ctx, msg.ListingId)
	if err != nil {
		return nil, err
	}
	if l.Billing != types.LISTING_BILLING_PER_JOB {
		return nil, errorsmod.Wrapf(types.ErrWrongBilling, "listing %d is a subscription (priced per block): subscribe to it", l.Id)
	}
	if l.Status != types.LISTING_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "listing %d is %s", l.Id, l.Status)
	}
	if err := types.ValidatePrice("amount", msg.Amount); err != nil {
		return nil, err
	}
	// amount = price * calls, checked by division (price is positive).
	calls := sdkmath.NewIntFromUint64(uint64(msg.Calls))
	if msg.Amount.Denom != l.Price.Denom || !msg.Amount.Amount.Mod(calls).IsZero() || !msg.Amount.Amount.Quo(calls).Equal(l.Price.Amount) {
		return nil, errorsmod.Wrapf(types.ErrWrongAmount, "%d calls of listing %d cost %s%s, not %s", msg.Calls, l.Id, l.Price.Amount.Mul(calls), l.Price.Denom, msg.Amount)
	}
	if ok, err := k.escrow.IsDenomAllowed(ctx, msg.Amount.Denom); err != nil {
		return nil, err
	} else if !ok {
		return nil, errorsmod.Wrapf(types.ErrInvalidPrice, "%s is not an allowed denom", msg.Amount.Denom)
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
	if k.bank.BlockedAddr(payout) {
		return nil, errorsmod.Wrapf(types.ErrPaymentRefused, "agent %d's payout address %s may not receive coins (a module account or blocked address)", provider.Id, payout)
	}
	self, err := k.selfDealing(ctx, client, clientAgent, provider)
	if err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}

	providerAmount, take := types.Take(msg.Amount, params.TakeRateBps)
	// One debit of the client, credited to the payout address and the fee
	// collector (each credit passes the send restriction: spend caps).
	outputs := make([]banktypes.Output, 0, 2)
	if providerAmount.IsPositive() {
		outputs = append(outputs, banktypes.Output{Address: provider.Payout(), Coins: sdk.NewCoins(providerAmount)})
	}
	if take.IsPositive() {
		outputs = append(outputs, banktypes.Output{Address: k.feeCollectorAddr, Coins: sdk.NewCoins(take)})
	}
	if err := k.bank.InputOutputCoins(ctx, banktypes.Input{Address: msg.Client, Coins: sdk.NewCoins(msg.Amount)}, outputs); err != nil {
		return nil, errorsmod.Wrap(types.ErrPaymentRefused, err.Error())
	}
	id, err := peekID(ctx, k.JobSeq)
	if err != nil {
		return nil, err
	}
	if err := takeID(ctx, k.JobSeq, id); err != nil {
		return nil, err
	}
	j := types.Job{
		Id: id, Client: client.String(), ClientAgent: clientAgent, Provider: provider.Id,
		ProviderPayout: payout.String(), ListingId: l.Id, Price: msg.Amount,
		Status: types.JOB_STATUS_COMPLETED, SelfDealing: self, NextMilestone: 1,
		// Paid, not delivered on chain: the service is the resource
		// server's, off chain, so no delivery signal.
		Milestones:   []types.Milestone{{Title: "purchase", Amount: msg.Amount, CompletedHeight: height}},
		ProviderPaid: sdk.NewCoins(providerAmount), TakePaid: sdk.NewCoins(take),
		ArbiterFeePaid: sdk.NewCoins(), ClientRefunded: sdk.NewCoins(),
		CreatedHeight: height, AcceptedHeight: height, SettledHeight: height, DeliverBy: height,
		PurchaseRequestId: msg.RequestId, Calls: msg.Calls,
	}
	if err := k.saveJob(ctx, &j, jobState{}); err != nil {
		return nil, err
	}
	if err := k.Purchases.Set(ctx, key, id); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventJobPurchased{
		JobId: id, Client: j.Client, Provider: j.Provider, ListingId: l.Id, RequestId: msg.RequestId, Calls: msg.Calls,
		Amount: msg.Amount, ProviderAmount: providerAmount, Take: take, ProviderPayout: j.ProviderPayout,
	}); err != nil {
		return nil, err
	}
	if err := k.callHook(ctx, id, "AfterJobSettled", func(h types.MarketHooks, ctx context.Context) error { return h.AfterJobSettled(ctx, j) }); err != nil {
		return nil, err
	}
	return &types.MsgPurchaseResponse{JobId: id, ProviderAmount: providerAmount, Take: take}, nil
}

// GetPurchase returns the job a client's request id settled.
func (k Keeper) GetPurchase(ctx context.Context, client sdk.AccAddress, requestID string) (types.Job, error) {
	id, err := k.Purchases.Get(ctx, collections.Join(client, requestID))
	if errors.Is(err, collections.ErrNotFound) {
		return types.Job{}, errorsmod.Wrapf(types.ErrJobNotFound, "no purchase of %s under request id %q", client, requestID)
	}
	if err != nil {
		return types.Job{}, err
	}
	return k.GetJob(ctx, id)
}
