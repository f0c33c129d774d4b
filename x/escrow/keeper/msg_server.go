package keeper

import (
	"context"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/keeperutil"
	"github.com/agentchain/agentchain/internal/typedevent"
	"github.com/agentchain/agentchain/types/content"

	"github.com/agentchain/agentchain/x/escrow/types"
)

type msgServer struct {
	k Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the Msg service for direct escrows. Every
// handler checks input, then state, and moves coins and writes last.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{k: k}
}

func (k Keeper) parseAddr(field, s string) (sdk.AccAddress, error) {
	return keeperutil.ParseAddress(k.addressCodec, types.ErrInvalidAddress, field, s)
}

// directEscrow loads a direct escrow.
func (k Keeper) directEscrow(ctx context.Context, id uint64) (types.Escrow, error) {
	e, err := k.GetEscrow(ctx, id)
	if err != nil {
		return e, err
	}
	if !e.IsDirect() {
		return e, errorsmod.Wrapf(types.ErrNotDirect, "escrow %d is owned by %s", id, e.OwnerModule)
	}
	return e, nil
}

// CreateEscrow implements types.MsgServer.
func (m msgServer) CreateEscrow(ctx context.Context, msg *types.MsgCreateEscrow) (*types.MsgCreateEscrowResponse, error) {
	k := m.k
	payer, err := k.parseAddr("payer", msg.Payer)
	if err != nil {
		return nil, err
	}
	payee, err := k.parseAddr("payee", msg.Payee)
	if err != nil {
		return nil, err
	}
	var arbiter sdk.AccAddress
	if msg.Arbiter != "" {
		if arbiter, err = k.parseAddr("arbiter", msg.Arbiter); err != nil {
			return nil, err
		}
		if arbiter.Equals(payer) || arbiter.Equals(payee) {
			return nil, errorsmod.Wrap(types.ErrInvalidArbiter, "the arbiter must be neither payer nor payee")
		}
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if msg.ExpiresHeight < 0 || (msg.ExpiresHeight > 0 && msg.ExpiresHeight <= height) {
		return nil, errorsmod.Wrapf(types.ErrInvalidExpiry, "expires_height %d must be 0 or after the current height %d", msg.ExpiresHeight, height)
	}
	if msg.ExpiresHeight > height+params.MaxEscrowBlocks {
		return nil, errorsmod.Wrapf(types.ErrInvalidExpiry, "expires_height %d is more than %d blocks away", msg.ExpiresHeight, params.MaxEscrowBlocks)
	}
	id, err := k.lock(ctx, lockSpec{
		payer: payer, payee: payee, arbiter: arbiter, amount: msg.Amount,
		expires: msg.ExpiresHeight, reference: msg.Reference,
	})
	if err != nil {
		return nil, err
	}
	return &types.MsgCreateEscrowResponse{Id: id}, nil
}

// Release implements types.MsgServer.
func (m msgServer) Release(ctx context.Context, msg *types.MsgRelease) (*types.MsgReleaseResponse, error) {
	k := m.k
	signer, err := k.parseAddr("payer", msg.Payer)
	if err != nil {
		return nil, err
	}
	e, fired, err := k.loadDirect(ctx, msg.EscrowId)
	if err != nil {
		return nil, err
	}
	if e.Payer != signer.String() {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "only the payer %s releases escrow %d", e.Payer, e.Id)
	}
	if fired != 0 {
		return nil, timedOut(e, fired)
	}
	if e.Status != types.ESCROW_STATUS_LOCKED {
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "escrow %d is %s", e.Id, e.Status)
	}
	part, err := types.ValidatePart(msg.Amount, e.Remaining())
	if err != nil {
		return nil, err
	}
	payee, err := k.addressCodec.StringToBytes(e.Payee)
	if err != nil {
		return nil, err
	}
	if err := k.payOut(ctx, &e, []Payment{{Recipient: payee, Amount: part}}); err != nil {
		return nil, err
	}
	return &types.MsgReleaseResponse{}, nil
}

// Refund implements types.MsgServer. The payee may give back part or all
// at any time (also during a dispute). Once the escrow expired its timer
// returns all that remains to the payer, so anyone may ask for exactly that
// (an empty amount, or all that remained); a part is refused.
func (m msgServer) Refund(ctx context.Context, msg *types.MsgRefund) (*types.MsgRefundResponse, error) {
	k := m.k
	signer, err := k.parseAddr("signer", msg.Signer)
	if err != nil {
		return nil, err
	}
	before, err := k.directEscrow(ctx, msg.EscrowId)
	if err != nil {
		return nil, err
	}
	e, fired, err := k.loadDirect(ctx, msg.EscrowId)
	if err != nil {
		return nil, err
	}
	switch {
	case fired == types.ESCROW_STATUS_LOCKED:
		// The expiry refunded the whole escrow: what was asked, if whole.
		if len(msg.Amount) > 0 && !msg.Amount.Equal(before.Remaining()) {
			return nil, errorsmod.Wrapf(types.ErrTimedOut, "escrow %d expired at height %d and is refunded whole: leave the amount empty", e.Id, e.ExpiresHeight)
		}
		return &types.MsgRefundResponse{}, nil
	case fired != 0:
		return nil, timedOut(e, fired)
	}
	if e.Status == types.ESCROW_STATUS_CLOSED {
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "escrow %d is closed", e.Id)
	}
	if e.Payee != signer.String() {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized,
			"only the payee refunds escrow %d before it expires (expires_height %d, now %d)", e.Id, e.ExpiresHeight, sdk.UnwrapSDKContext(ctx).BlockHeight())
	}
	part, err := types.ValidatePart(msg.Amount, e.Remaining())
	if err != nil {
		return nil, err
	}
	if err := k.refund(ctx, &e, part, "payee"); err != nil {
		return nil, err
	}
	return &types.MsgRefundResponse{}, nil
}

// OpenDispute implements types.MsgServer.
func (m msgServer) OpenDispute(ctx context.Context, msg *types.MsgOpenDispute) (*types.MsgOpenDisputeResponse, error) {
	k := m.k
	signer, err := k.parseAddr("signer", msg.Signer)
	if err != nil {
		return nil, err
	}
	if _, ok := types.DisputeReason_name[int32(msg.Reason)]; !ok || msg.Reason == types.DISPUTE_REASON_UNSPECIFIED {
		return nil, errorsmod.Wrapf(types.ErrInvalidReason, "%d", msg.Reason)
	}
	if err := content.CheckHash(msg.EvidenceHash); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidHash, "evidence_hash: %s", err)
	}
	e, fired, err := k.loadDirect(ctx, msg.EscrowId)
	if err != nil {
		return nil, err
	}
	if s := signer.String(); s != e.Payer && s != e.Payee {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "only the payer or the payee disputes escrow %d", e.Id)
	}
	if fired != 0 {
		return nil, timedOut(e, fired)
	}
	if e.Status != types.ESCROW_STATUS_LOCKED {
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "escrow %d is %s", e.Id, e.Status)
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if e.ExpiresHeight > 0 {
		if err := k.ExpiryQueue.Remove(ctx, collections.Join(e.ExpiresHeight, e.Id)); err != nil {
			return nil, err
		}
	}
	e.Status = types.ESCROW_STATUS_DISPUTED
	e.Dispute = &types.Dispute{
		OpenedBy: signer.String(), Reason: msg.Reason, EvidenceHash: msg.EvidenceHash,
		OpenedHeight: height, DeadlineHeight: height + params.DisputeTimeoutBlocks,
	}
	if err := k.Escrows.Set(ctx, e.Id, e); err != nil {
		return nil, err
	}
	if err := k.DisputeQueue.Set(ctx, collections.Join(e.Dispute.DeadlineHeight, e.Id)); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventEscrowDisputed{
		EscrowId: e.Id, OpenedBy: e.Dispute.OpenedBy, Reason: msg.Reason, DeadlineHeight: e.Dispute.DeadlineHeight,
	}); err != nil {
		return nil, err
	}
	return &types.MsgOpenDisputeResponse{}, nil
}

// ResolveDispute implements types.MsgServer. The escrow's arbiter earns
// arbiter_fee_bps of what remains, taken first; the gov authority, which
// may resolve any dispute, takes no fee.
func (m msgServer) ResolveDispute(ctx context.Context, msg *types.MsgResolveDispute) (*types.MsgResolveDisputeResponse, error) {
	k := m.k
	signer, err := k.parseAddr("signer", msg.Signer)
	if err != nil {
		return nil, err
	}
	if msg.PayeeShareBps > types.BasisPoints {
		return nil, errorsmod.Wrapf(types.ErrInvalidShare, "%d", msg.PayeeShareBps)
	}
	e, fired, err := k.loadDirect(ctx, msg.EscrowId)
	if err != nil {
		return nil, err
	}
	isArbiter := e.Arbiter != "" && e.Arbiter == signer.String()
	if !isArbiter && signer.String() != k.authority {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "only escrow %d's arbiter or the gov authority resolves its dispute", e.Id)
	}
	if fired != 0 {
		return nil, timedOut(e, fired)
	}
	if e.Status != types.ESCROW_STATUS_DISPUTED {
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "escrow %d is %s", e.Id, e.Status)
	}
	var fees []Payment
	if isArbiter {
		params, err := k.Params.Get(ctx)
		if err != nil {
			return nil, err
		}
		if fee := types.FeeOf(e.Remaining(), params.ArbiterFeeBps); !fee.IsZero() {
			fees = append(fees, Payment{Recipient: signer, Amount: fee})
		}
	}
	if err := k.split(ctx, &e, msg.PayeeShareBps, fees, signer.String()); err != nil {
		return nil, err
	}
	return &types.MsgResolveDisputeResponse{}, nil
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
