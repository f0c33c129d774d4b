package keeper

import (
	"context"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/x/escrow/types"
)

// Timers of direct escrows. expires_height and a dispute's deadline_height
// are the first heights at which the timer applies: a locked escrow is
// refunded to its payer, a dispute takes the default split. Every handler
// decides from those stored heights (loadDirect applies a due timer before
// the message is judged), so the EndBlock queue is only clean-up: a backlog
// in it cannot let a party act after its window, nor keep the other party
// from what the timer gives it. MsgSettleEscrow (or MsgRefund after expiry)
// moves the coins of a due escrow at once.

// timerDue reports whether a direct escrow's timer applies at height.
func timerDue(e types.Escrow, height int64) bool {
	if !e.IsDirect() {
		return false
	}
	switch e.Status {
	case types.ESCROW_STATUS_LOCKED:
		return e.ExpiresHeight > 0 && e.ExpiresHeight <= height
	case types.ESCROW_STATUS_DISPUTED:
		return e.Dispute != nil && e.Dispute.DeadlineHeight <= height
	}
	return false
}

// fireTimer applies a due escrow's timer: an expired locked escrow goes back
// to its payer; a timed-out dispute takes the default split, without an
// arbiter's fee.
func (k Keeper) fireTimer(ctx context.Context, e *types.Escrow, params types.Params) error {
	if e.Status == types.ESCROW_STATUS_DISPUTED {
		return k.split(ctx, e, params.DefaultPayeeShareBps, nil, "timeout")
	}
	return k.refund(ctx, e, e.Remaining(), "expired")
}

// loadDirect loads a direct escrow as it stands at the current height: a
// due timer has been applied in ctx. fired is the status the escrow was in
// when its timer applied (UNSPECIFIED when none was due).
func (k Keeper) loadDirect(ctx context.Context, id uint64) (e types.Escrow, fired types.EscrowStatus, err error) {
	e, err = k.directEscrow(ctx, id)
	if err != nil {
		return e, 0, err
	}
	if !timerDue(e, sdk.UnwrapSDKContext(ctx).BlockHeight()) {
		return e, 0, nil
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return e, 0, err
	}
	fired = e.Status
	return e, fired, k.fireTimer(ctx, &e, params)
}

// timedOut is the refusal of a message about an escrow whose timer applied.
func timedOut(e types.Escrow, fired types.EscrowStatus) error {
	if fired == types.ESCROW_STATUS_DISPUTED {
		return errorsmod.Wrapf(types.ErrTimedOut, "escrow %d's dispute timed out at height %d: the default split applies", e.Id, e.Dispute.DeadlineHeight)
	}
	return errorsmod.Wrapf(types.ErrTimedOut, "escrow %d expired at height %d: what it held goes back to the payer", e.Id, e.ExpiresHeight)
}

// SettleEscrow implements types.MsgServer.
func (m msgServer) SettleEscrow(ctx context.Context, msg *types.MsgSettleEscrow) (*types.MsgSettleEscrowResponse, error) {
	k := m.k
	if _, err := k.parseAddr("signer", msg.Signer); err != nil {
		return nil, err
	}
	e, fired, err := k.loadDirect(ctx, msg.EscrowId)
	if err != nil {
		return nil, err
	}
	if fired == 0 {
		switch {
		case e.Status == types.ESCROW_STATUS_DISPUTED:
			return nil, errorsmod.Wrapf(types.ErrNothingDue, "escrow %d's dispute times out at height %d", e.Id, e.Dispute.DeadlineHeight)
		case e.Status == types.ESCROW_STATUS_LOCKED && e.ExpiresHeight > 0:
			return nil, errorsmod.Wrapf(types.ErrNothingDue, "escrow %d expires at height %d", e.Id, e.ExpiresHeight)
		default:
			return nil, errorsmod.Wrapf(types.ErrNothingDue, "escrow %d is %s with no timer running", e.Id, e.Status)
		}
	}
	return &types.MsgSettleEscrowResponse{}, nil
}

// asOfNow returns an escrow as it stands at the query's height: a due timer
// is applied in a throw-away branch of the state, so a query shows what
// every handler would act on, whether or not the EndBlock queue got to it.
// If applying it fails, the stored escrow is returned.
func (k Keeper) asOfNow(ctx context.Context, e types.Escrow) types.Escrow {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if !timerDue(e, sdkCtx.BlockHeight()) {
		return e
	}
	branch, _ := sdkCtx.CacheContext()
	params, err := k.Params.Get(branch)
	if err != nil {
		return e
	}
	view := e
	if err := k.fireTimer(branch, &view, params); err != nil {
		return e
	}
	return view
}
