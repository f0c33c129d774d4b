package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/x/escrow/types"
)

// directStream loads a direct stream.
func (k Keeper) directStream(ctx context.Context, id uint64) (types.Stream, error) {
	s, err := k.GetStream(ctx, id)
	if err != nil {
		return s, err
	}
	if !s.IsDirect() {
		return s, errorsmod.Wrapf(types.ErrStreamNotDirect, "stream %d is owned by %s", id, s.OwnerModule)
	}
	return s, nil
}

// OpenStream implements types.MsgServer.
func (m msgServer) OpenStream(ctx context.Context, msg *types.MsgOpenStream) (*types.MsgOpenStreamResponse, error) {
	k := m.k
	payer, err := k.parseAddr("payer", msg.Payer)
	if err != nil {
		return nil, err
	}
	payee, err := k.parseAddr("payee", msg.Payee)
	if err != nil {
		return nil, err
	}
	id, err := k.openStream(ctx, StreamSpec{
		Payer: payer, Payee: payee, Rate: msg.Rate, PeriodBlocks: msg.PeriodBlocks, Deposit: msg.Deposit,
		StartHeight: msg.StartHeight, CliffHeight: msg.CliffHeight, EndHeight: msg.EndHeight, Reference: msg.Reference,
	})
	if err != nil {
		return nil, err
	}
	return &types.MsgOpenStreamResponse{Id: id}, nil
}

// WithdrawStream implements types.MsgServer.
func (m msgServer) WithdrawStream(ctx context.Context, msg *types.MsgWithdrawStream) (*types.MsgWithdrawStreamResponse, error) {
	k := m.k
	payee, err := k.parseAddr("payee", msg.Payee)
	if err != nil {
		return nil, err
	}
	s, err := k.directStream(ctx, msg.StreamId)
	if err != nil {
		return nil, err
	}
	if s.Payee != payee.String() {
		return nil, errorsmod.Wrapf(types.ErrStreamUnauthorized, "only stream %d's payee %s may withdraw", s.Id, s.Payee)
	}
	paid, err := k.withdrawStream(ctx, &s, payee.String(), nil)
	if err != nil {
		return nil, err
	}
	return &types.MsgWithdrawStreamResponse{Amount: paid}, nil
}

// TopUpStream implements types.MsgServer.
func (m msgServer) TopUpStream(ctx context.Context, msg *types.MsgTopUpStream) (*types.MsgTopUpStreamResponse, error) {
	k := m.k
	payer, err := k.parseAddr("payer", msg.Payer)
	if err != nil {
		return nil, err
	}
	s, err := k.directStream(ctx, msg.StreamId)
	if err != nil {
		return nil, err
	}
	if s.Payer != payer.String() {
		return nil, errorsmod.Wrapf(types.ErrStreamUnauthorized, "only stream %d's payer %s may top it up", s.Id, s.Payer)
	}
	if err := k.topUpStream(ctx, &s, payer, msg.Amount, 0); err != nil {
		return nil, err
	}
	return &types.MsgTopUpStreamResponse{}, nil
}

// CancelStream implements types.MsgServer.
func (m msgServer) CancelStream(ctx context.Context, msg *types.MsgCancelStream) (*types.MsgCancelStreamResponse, error) {
	k := m.k
	signer, err := k.parseAddr("signer", msg.Signer)
	if err != nil {
		return nil, err
	}
	s, err := k.directStream(ctx, msg.StreamId)
	if err != nil {
		return nil, err
	}
	if s.Payer != signer.String() && s.Payee != signer.String() {
		return nil, errorsmod.Wrapf(types.ErrStreamUnauthorized, "only stream %d's payer or payee may cancel it", s.Id)
	}
	paid, refunded, err := k.closeStream(ctx, &s, sdk.UnwrapSDKContext(ctx).BlockHeight(), signer.String(), "cancel", nil)
	if err != nil {
		return nil, err
	}
	return &types.MsgCancelStreamResponse{Paid: paid, Refunded: refunded}, nil
}

// CloseStream implements types.MsgServer.
func (m msgServer) CloseStream(ctx context.Context, msg *types.MsgCloseStream) (*types.MsgCloseStreamResponse, error) {
	k := m.k
	signer, err := k.parseAddr("signer", msg.Signer)
	if err != nil {
		return nil, err
	}
	s, err := k.directStream(ctx, msg.StreamId)
	if err != nil {
		return nil, err
	}
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if s.Status != types.STREAM_STATUS_CLOSED && !s.Exhausted(h) && !s.Ended(h) {
		return nil, errorsmod.Wrapf(types.ErrStreamNotDue, "stream %d still holds %s unaccrued and ends at %d", s.Id, s.AccrualAt(s.Unaccrued(h)), s.EndHeight)
	}
	paid, refunded, err := k.closeStream(ctx, &s, h, signer.String(), "close", nil)
	if err != nil {
		return nil, err
	}
	return &types.MsgCloseStreamResponse{Paid: paid, Refunded: refunded}, nil
}
