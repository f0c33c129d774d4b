package keeper

import (
	"context"
	"fmt"
	"math"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/typedevent"

	"github.com/agentchain/agentchain/x/market/types"
)

// saveRequest writes a request; an open request sits in the request queue
// at its bid deadline, any other leaves it.
func (k Keeper) saveRequest(ctx context.Context, r *types.Request, wasOpen bool) error {
	key := collections.Join(r.BidDeadline, r.Id)
	open := r.Status == types.REQUEST_STATUS_OPEN
	switch {
	case open && !wasOpen:
		if err := k.RequestQueue.Set(ctx, key); err != nil {
			return err
		}
	case !open && wasOpen:
		if err := k.RequestQueue.Remove(ctx, key); err != nil {
			return err
		}
	}
	return k.Requests.Set(ctx, r.Id, *r)
}

// closeRequest refunds an open request's budget and closes it.
func (k Keeper) closeRequest(ctx context.Context, r *types.Request, status types.RequestStatus) error {
	if err := k.escrow.Refund(ctx, types.ModuleName, r.EscrowId, sdk.NewCoins(r.Budget)); err != nil {
		return err
	}
	r.Status = status
	r.ClosedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.saveRequest(ctx, r, true); err != nil {
		return err
	}
	// It leaves state, with its bids and escrow, after the retention window.
	if err := k.RequestPruneQueue.Set(ctx, collections.Join(r.ClosedHeight, r.Id)); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventRequestClosed{RequestId: r.Id, Status: status, Refund: r.Budget})
}

// PostRequest implements types.MsgServer.
func (m msgServer) PostRequest(ctx context.Context, msg *types.MsgPostRequest) (*types.MsgPostRequestResponse, error) {
	k := m.k
	client, err := k.parseAddr("client", msg.Client)
	if err != nil {
		return nil, err
	}
	capability, err := normalizeCapability(msg.Capability)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateURI("spec_uri", msg.SpecUri, false); err != nil {
		return nil, err
	}
	if err := types.ValidateHash("spec_hash", msg.SpecHash); err != nil {
		return nil, err
	}
	if err := types.ValidatePrice("budget", msg.Budget); err != nil {
		return nil, err
	}
	if err := types.ValidateScore("min_provider_score", msg.MinProviderScore); err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if msg.BidDeadline <= height || msg.BidDeadline > height+params.MaxRequestBlocks {
		return nil, errorsmod.Wrapf(types.ErrInvalidDeadline, "bid_deadline %d must be after %d and at most %d", msg.BidDeadline, height, height+params.MaxRequestBlocks)
	}
	clientAgent, err := k.clientAgent(ctx, client)
	if err != nil {
		return nil, err
	}
	id, err := peekID(ctx, k.RequestSeq)
	if err != nil {
		return nil, err
	}
	// The budget is locked now, with no payee until a bid is accepted.
	escrowID, err := k.escrow.Lock(ctx, types.ModuleName, client, nil, sdk.NewCoins(msg.Budget), fmt.Sprintf("market/request/%d", id))
	if err != nil {
		return nil, escrowRefused(err)
	}
	if err := takeID(ctx, k.RequestSeq, id); err != nil {
		return nil, err
	}
	r := types.Request{
		Id: id, Client: client.String(), ClientAgent: clientAgent, Capability: capability,
		SpecUri: msg.SpecUri, SpecHash: msg.SpecHash, Budget: msg.Budget, EscrowId: escrowID,
		BidDeadline: msg.BidDeadline, MinProviderScore: msg.MinProviderScore,
		Status: types.REQUEST_STATUS_OPEN, CreatedHeight: height,
	}
	if err := k.saveRequest(ctx, &r, false); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventRequestPosted{
		RequestId: id, Client: r.Client, Capability: capability, Budget: msg.Budget, BidDeadline: msg.BidDeadline,
	}); err != nil {
		return nil, err
	}
	return &types.MsgPostRequestResponse{RequestId: id}, nil
}

// openRequest loads a request that is open and before its deadline.
func (k Keeper) openRequest(ctx context.Context, id uint64) (types.Request, error) {
	r, err := k.GetRequest(ctx, id)
	if err != nil {
		return r, err
	}
	if r.Status != types.REQUEST_STATUS_OPEN {
		return r, errorsmod.Wrapf(types.ErrWrongStatus, "request %d is %s", id, r.Status)
	}
	if h := sdk.UnwrapSDKContext(ctx).BlockHeight(); h >= r.BidDeadline {
		return r, errorsmod.Wrapf(types.ErrDeadlinePassed, "request %d closed for bids at height %d", id, r.BidDeadline)
	}
	return r, nil
}

// CancelRequest implements types.MsgServer.
func (m msgServer) CancelRequest(ctx context.Context, msg *types.MsgCancelRequest) (*types.MsgCancelRequestResponse, error) {
	k := m.k
	if _, err := k.parseAddr("client", msg.Client); err != nil {
		return nil, err
	}
	r, err := k.GetRequest(ctx, msg.RequestId)
	if err != nil {
		return nil, err
	}
	if r.Client != msg.Client {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "request %d's client is %s", r.Id, r.Client)
	}
	if r.Status != types.REQUEST_STATUS_OPEN {
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "request %d is %s", r.Id, r.Status)
	}
	if requestDue(r, sdk.UnwrapSDKContext(ctx).BlockHeight()) {
		return nil, errorsmod.Wrapf(types.ErrDeadlinePassed,
			"request %d's bid deadline was height %d: it has expired and its budget goes back to the client (settle-request returns it now)", r.Id, r.BidDeadline)
	}
	if err := k.closeRequest(ctx, &r, types.REQUEST_STATUS_CANCELLED); err != nil {
		return nil, err
	}
	return &types.MsgCancelRequestResponse{}, nil
}

// PlaceBid implements types.MsgServer.
func (m msgServer) PlaceBid(ctx context.Context, msg *types.MsgPlaceBid) (*types.MsgPlaceBidResponse, error) {
	k := m.k
	if err := types.ValidatePrice("price", msg.Price); err != nil {
		return nil, err
	}
	if err := types.ValidateURI("note_uri", msg.NoteUri, true); err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if msg.DeliveryBlocks <= 0 || msg.DeliveryBlocks > params.MaxDurationBlocks {
		return nil, errorsmod.Wrapf(types.ErrInvalidDuration, "delivery_blocks %d not in [1, %d]", msg.DeliveryBlocks, params.MaxDurationBlocks)
	}
	provider, err := k.providerSigner(ctx, msg.Provider, msg.Signer)
	if err != nil {
		return nil, err
	}
	if err := requireActive(provider); err != nil {
		return nil, err
	}
	r, err := k.openRequest(ctx, msg.RequestId)
	if err != nil {
		return nil, err
	}
	if msg.Price.Denom != r.Budget.Denom {
		return nil, errorsmod.Wrapf(types.ErrInvalidPrice, "bid in %s, the budget is in %s", msg.Price.Denom, r.Budget.Denom)
	}
	if msg.Price.Amount.GT(r.Budget.Amount) {
		return nil, errorsmod.Wrapf(types.ErrBidAboveBudget, "bid %s, budget %s", msg.Price, r.Budget)
	}
	if r.BidCount == math.MaxUint32 {
		return nil, errorsmod.Wrapf(types.ErrTooManyBids, "request %d has taken %d bids", r.Id, r.BidCount)
	}
	// At most max_bids_per_request bids to look at: the live ones, and the
	// highest (the latest of equals), which a new bid to a full request must
	// undercut. Bids lock nothing, so a full request would otherwise be
	// closed to every later bidder by its first ones (agents bidding the
	// budget to keep real offers out).
	var live uint32
	var dup bool
	var highest types.Bid
	if err := k.Bids.Walk(ctx, collections.NewPrefixedPairRange[uint64, uint32](r.Id), func(_ collections.Pair[uint64, uint32], b types.Bid) (bool, error) {
		if b.Provider == provider.Id {
			dup = true
			return true, nil
		}
		live++
		if live == 1 || !b.Price.Amount.LT(highest.Price.Amount) {
			highest = b
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	if dup {
		return nil, errorsmod.Wrapf(types.ErrDuplicateBid, "agent %d on request %d", provider.Id, r.Id)
	}
	full := live >= params.MaxBidsPerRequest
	if full && !msg.Price.Amount.LT(highest.Price.Amount) {
		return nil, errorsmod.Wrapf(types.ErrTooManyBids, "request %d holds %d bids, the most; a new bid must ask less than the highest, %s", r.Id, live, highest.Price)
	}
	if err := k.checkMinScore(ctx, "the bidder", provider.Id, r.MinProviderScore); err != nil {
		return nil, err
	}
	r.BidCount++
	b := types.Bid{
		RequestId: r.Id, Id: r.BidCount, Provider: provider.Id, Price: msg.Price,
		DeliveryBlocks: msg.DeliveryBlocks, NoteUri: msg.NoteUri,
		CreatedHeight: sdk.UnwrapSDKContext(ctx).BlockHeight(),
	}
	if err := k.Bids.Set(ctx, collections.Join(r.Id, b.Id), b); err != nil {
		return nil, err
	}
	if err := k.saveRequest(ctx, &r, true); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventBidPlaced{RequestId: r.Id, BidId: b.Id, Provider: provider.Id, Price: b.Price}); err != nil {
		return nil, err
	}
	if full {
		if err := k.Bids.Remove(ctx, collections.Join(r.Id, highest.Id)); err != nil {
			return nil, err
		}
		if err := typedevent.Emit(ctx, &types.EventBidDisplaced{RequestId: r.Id, BidId: highest.Id, Provider: highest.Provider, Price: highest.Price, ByBidId: b.Id}); err != nil {
			return nil, err
		}
	}
	return &types.MsgPlaceBidResponse{BidId: b.Id}, nil
}

// AcceptBid implements types.MsgServer: the request's escrow gets the
// provider as payee, budget - price goes back to the client, and the escrow
// now holds exactly the job's price.
func (m msgServer) AcceptBid(ctx context.Context, msg *types.MsgAcceptBid) (*types.MsgAcceptBidResponse, error) {
	k := m.k
	if _, err := k.parseAddr("client", msg.Client); err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	r, err := k.openRequest(ctx, msg.RequestId)
	if err != nil {
		return nil, err
	}
	if r.Client != msg.Client {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "request %d's client is %s", r.Id, r.Client)
	}
	b, err := k.Bids.Get(ctx, collections.Join(r.Id, msg.BidId))
	if err != nil {
		return nil, errorsmod.Wrapf(types.ErrBidNotFound, "bid %d on request %d", msg.BidId, r.Id)
	}
	milestones, err := types.BuildMilestones(msg.Milestones, b.Price, params.MaxMilestones)
	if err != nil {
		return nil, err
	}
	provider, err := k.getAgent(ctx, b.Provider)
	if err != nil {
		return nil, err
	}
	if err := requireActive(provider); err != nil {
		return nil, err
	}
	payout, err := k.parseAddr("provider payout", provider.Payout())
	if err != nil {
		return nil, err
	}
	client, err := k.parseAddr("client", r.Client)
	if err != nil {
		return nil, err
	}
	self, err := k.selfDealing(ctx, client, r.ClientAgent, provider)
	if err != nil {
		return nil, err
	}
	if err := checkArbiterNotParty(params.DefaultArbiter, client, provider); err != nil {
		return nil, err
	}
	if err := k.escrow.SetPayee(ctx, types.ModuleName, r.EscrowId, payout); err != nil {
		return nil, escrowRefused(err)
	}
	refund := r.Budget.Sub(b.Price)
	if refund.IsPositive() {
		if err := k.escrow.Refund(ctx, types.ModuleName, r.EscrowId, sdk.NewCoins(refund)); err != nil {
			return nil, err
		}
	}
	id, err := peekID(ctx, k.JobSeq)
	if err != nil {
		return nil, err
	}
	if err := takeID(ctx, k.JobSeq, id); err != nil {
		return nil, err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.newJob(ctx, types.Job{
		Id: id, Client: r.Client, ClientAgent: r.ClientAgent, Provider: provider.Id, ProviderPayout: payout.String(),
		RequestId: r.Id, SpecUri: r.SpecUri, SpecHash: r.SpecHash, Price: b.Price, EscrowId: r.EscrowId,
		DeliverBy: height + b.DeliveryBlocks, ReviewWindowBlocks: params.DefaultReviewWindowBlocks,
		Arbiter: params.DefaultArbiter, Milestones: milestones, SelfDealing: self,
	}, params); err != nil {
		return nil, err
	}
	r.Status = types.REQUEST_STATUS_ACCEPTED
	r.JobId = id
	if err := k.saveRequest(ctx, &r, true); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventBidAccepted{RequestId: r.Id, BidId: b.Id, JobId: id, Refund: refund}); err != nil {
		return nil, err
	}
	return &types.MsgAcceptBidResponse{JobId: id}, nil
}
