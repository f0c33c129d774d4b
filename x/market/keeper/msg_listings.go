package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/typedevent"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"

	"github.com/agentchain/agentchain/x/market/types"
)

type msgServer struct {
	k Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the Msg service. Every handler checks input,
// then state, and moves coins and writes last; a refused message leaves no
// trace.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{k: k}
}

// normalizeCapability checks and normalizes one capability tag with the
// same rules as agent capabilities.
func normalizeCapability(c string) (string, error) {
	caps, err := agentidtypes.NormalizeCapabilities([]string{c}, 1)
	if err != nil {
		return "", errorsmod.Wrapf(types.ErrInvalidCapability, "%q: %s", c, err)
	}
	return caps[0], nil
}

func (k Keeper) checkListingTerms(ctx context.Context, p types.Params, billing types.ListingBilling, price sdk.Coin, maxDuration, review, minTerm int64, arbiter string) error {
	if err := types.ValidatePrice("price", price); err != nil {
		return err
	}
	allowed, err := k.escrow.IsDenomAllowed(ctx, price.Denom)
	if err != nil {
		return err
	}
	if !allowed {
		return errorsmod.Wrapf(types.ErrInvalidPrice, "escrows do not hold %s", price.Denom)
	}
	if maxDuration <= 0 || maxDuration > p.MaxDurationBlocks {
		return errorsmod.Wrapf(types.ErrInvalidDuration, "max_duration_blocks %d not in [1, %d]", maxDuration, p.MaxDurationBlocks)
	}
	switch billing {
	case types.LISTING_BILLING_PER_JOB:
		if review < p.MinReviewWindowBlocks || review > p.MaxReviewWindowBlocks {
			return errorsmod.Wrapf(types.ErrInvalidDuration, "review_window_blocks %d not in [%d, %d]", review, p.MinReviewWindowBlocks, p.MaxReviewWindowBlocks)
		}
		if minTerm != 0 {
			return errorsmod.Wrapf(types.ErrInvalidTerm, "min_term_blocks %d on a listing priced per job", minTerm)
		}
	case types.LISTING_BILLING_PER_BLOCK:
		if review != 0 {
			return errorsmod.Wrapf(types.ErrInvalidDuration, "review_window_blocks %d on a subscription: a subscription has no review (leave it 0)", review)
		}
		if minTerm < 1 || minTerm > maxDuration {
			return errorsmod.Wrapf(types.ErrInvalidTerm, "min_term_blocks %d not in [1, max_duration_blocks %d]", minTerm, maxDuration)
		}
	default:
		return errorsmod.Wrapf(types.ErrWrongBilling, "unknown billing %d", billing)
	}
	if arbiter != "" && !p.IsArbiter(arbiter) {
		return errorsmod.Wrapf(types.ErrInvalidArbiter, "%s is not one of the arbiters", arbiter)
	}
	return nil
}

// CreateListing implements types.MsgServer.
func (m msgServer) CreateListing(ctx context.Context, msg *types.MsgCreateListing) (*types.MsgCreateListingResponse, error) {
	k := m.k
	capability, err := normalizeCapability(msg.Capability)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateTitle("title", msg.Title, true); err != nil {
		return nil, err
	}
	if err := types.ValidateURI("terms_uri", msg.TermsUri, false); err != nil {
		return nil, err
	}
	if err := types.ValidateHash("terms_hash", msg.TermsHash); err != nil {
		return nil, err
	}
	if err := types.ValidateScore("min_client_score", msg.MinClientScore); err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := k.checkListingTerms(ctx, params, msg.Billing, msg.Price, msg.MaxDurationBlocks, msg.ReviewWindowBlocks, msg.MinTermBlocks, msg.Arbiter); err != nil {
		return nil, err
	}
	agent, err := k.providerSigner(ctx, msg.Provider, msg.Signer)
	if err != nil {
		return nil, err
	}
	if err := requireActive(agent); err != nil {
		return nil, err
	}
	id, err := peekID(ctx, k.ListingSeq)
	if err != nil {
		return nil, err
	}
	if err := takeID(ctx, k.ListingSeq, id); err != nil {
		return nil, err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	l := types.Listing{
		Id: id, Provider: agent.Id, Capability: capability, Title: msg.Title,
		TermsUri: msg.TermsUri, TermsHash: msg.TermsHash, Price: msg.Price,
		MaxDurationBlocks: msg.MaxDurationBlocks, ReviewWindowBlocks: msg.ReviewWindowBlocks,
		Status: types.LISTING_STATUS_ACTIVE, Arbiter: msg.Arbiter, MinClientScore: msg.MinClientScore,
		CreatedHeight: height, UpdatedHeight: height, Billing: msg.Billing, MinTermBlocks: msg.MinTermBlocks,
	}
	if err := k.Listings.Set(ctx, id, l); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventListingCreated{ListingId: id, Provider: agent.Id, Capability: capability, Price: msg.Price}); err != nil {
		return nil, err
	}
	return &types.MsgCreateListingResponse{Id: id}, nil
}

// ownListing loads a listing that signer may manage and that is not closed.
func (k Keeper) ownListing(ctx context.Context, id uint64, signer string) (types.Listing, error) {
	l, err := k.GetListing(ctx, id)
	if err != nil {
		return l, err
	}
	if _, err := k.providerSigner(ctx, l.Provider, signer); err != nil {
		return l, err
	}
	if l.Status == types.LISTING_STATUS_CLOSED {
		return l, errorsmod.Wrapf(types.ErrWrongStatus, "listing %d is closed", id)
	}
	return l, nil
}

// UpdateListing implements types.MsgServer. Jobs already hired keep the
// terms they were hired on.
func (m msgServer) UpdateListing(ctx context.Context, msg *types.MsgUpdateListing) (*types.MsgUpdateListingResponse, error) {
	k := m.k
	if msg.Title != "" {
		if err := types.ValidateTitle("title", msg.Title, true); err != nil {
			return nil, err
		}
	}
	if msg.TermsUri != "" || len(msg.TermsHash) > 0 {
		if err := types.ValidateURI("terms_uri", msg.TermsUri, false); err != nil {
			return nil, err
		}
		if err := types.ValidateHash("terms_hash", msg.TermsHash); err != nil {
			return nil, err
		}
	}
	if msg.ClearArbiter && msg.Arbiter != "" {
		return nil, errorsmod.Wrap(types.ErrInvalidArbiter, "clear_arbiter together with an arbiter")
	}
	if err := types.ValidateScore("min_client_score", msg.MinClientScore); err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	l, err := k.ownListing(ctx, msg.ListingId, msg.Signer)
	if err != nil {
		return nil, err
	}
	before := l.String()
	if msg.Title != "" {
		l.Title = msg.Title
	}
	if msg.TermsUri != "" {
		l.TermsUri, l.TermsHash = msg.TermsUri, msg.TermsHash
	}
	if msg.Price != nil {
		l.Price = *msg.Price
	}
	if msg.MaxDurationBlocks != 0 {
		l.MaxDurationBlocks = msg.MaxDurationBlocks
	}
	if msg.ReviewWindowBlocks != 0 {
		l.ReviewWindowBlocks = msg.ReviewWindowBlocks
	}
	if msg.MinTermBlocks != 0 {
		l.MinTermBlocks = msg.MinTermBlocks
	}
	switch {
	case msg.ClearArbiter:
		l.Arbiter = ""
	case msg.Arbiter != "":
		l.Arbiter = msg.Arbiter
	}
	if msg.SetMinClientScore {
		l.MinClientScore = msg.MinClientScore
	}
	if err := k.checkListingTerms(ctx, params, l.Billing, l.Price, l.MaxDurationBlocks, l.ReviewWindowBlocks, l.MinTermBlocks, l.Arbiter); err != nil {
		return nil, err
	}
	if l.String() == before {
		return nil, errorsmod.Wrapf(types.ErrNothingToUpdate, "listing %d", l.Id)
	}
	l.UpdatedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.Listings.Set(ctx, l.Id, l); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventListingUpdated{ListingId: l.Id}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateListingResponse{}, nil
}

// SetListingStatus implements types.MsgServer.
func (m msgServer) SetListingStatus(ctx context.Context, msg *types.MsgSetListingStatus) (*types.MsgSetListingStatusResponse, error) {
	k := m.k
	switch msg.Status {
	case types.LISTING_STATUS_ACTIVE, types.LISTING_STATUS_PAUSED, types.LISTING_STATUS_CLOSED:
	default:
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "status %s", msg.Status)
	}
	l, err := k.ownListing(ctx, msg.ListingId, msg.Signer)
	if err != nil {
		return nil, err
	}
	if l.Status == msg.Status {
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "listing %d is already %s", l.Id, l.Status)
	}
	if msg.Status == types.LISTING_STATUS_ACTIVE {
		agent, err := k.getAgent(ctx, l.Provider)
		if err != nil {
			return nil, err
		}
		if err := requireActive(agent); err != nil {
			return nil, err
		}
	}
	l.Status = msg.Status
	l.UpdatedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.Listings.Set(ctx, l.Id, l); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventListingStatusChanged{ListingId: l.Id, Status: l.Status}); err != nil {
		return nil, err
	}
	return &types.MsgSetListingStatusResponse{}, nil
}

// UpdateParams implements types.MsgServer.
func (m msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	k := m.k
	if msg.Authority != k.authority {
		return nil, errorsmod.Wrapf(types.ErrInvalidAuthority, "expected %s, got %s", k.authority, msg.Authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, errorsmod.Wrap(types.ErrInvalidParams, err.Error())
	}
	if err := k.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventParamsUpdated{Authority: msg.Authority}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}
