package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/rebase"
	"github.com/agentchain/agentchain/x/escrow/types"
)

// settleBatch is how many queue entries SettleAllDue reads at a time.
const settleBatch = 1000

// SettleAllDue applies every timer due at the context's height, however
// many: for a zero-height export, so that no record carries a passed
// deadline into the new chain. Each item is contained as in EndBlock.
func (k Keeper) SettleAllDue(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	height := sdkCtx.BlockHeight()
	settle := k.settleDueTimer(params, height)
	// Every processed entry leaves its queue, so each loop ends.
	for k.runQueue(sdkCtx, k.DisputeQueue, "dispute", height, settleBatch, settle) == settleBatch {
	}
	for k.runQueue(sdkCtx, k.ExpiryQueue, "expiry", height, settleBatch, settle) == settleBatch {
	}
	return nil
}

// RebaseHeights moves every stored height for a chain restarted from a
// zero-height export of height exported (see internal/rebase), and the
// queues with them. Due timers must have been applied first
// (SettleAllDue): every expiry and dispute deadline still open is then
// ahead of the new chain's first block.
func (k Keeper) RebaseHeights(ctx context.Context, exported int64) error {
	var escrows []types.Escrow
	if err := k.Escrows.Walk(ctx, nil, func(_ uint64, e types.Escrow) (bool, error) {
		escrows = append(escrows, e)
		return false, nil
	}); err != nil {
		return err
	}
	if err := k.ExpiryQueue.Clear(ctx, nil); err != nil {
		return err
	}
	if err := k.DisputeQueue.Clear(ctx, nil); err != nil {
		return err
	}
	for _, e := range escrows {
		e.CreatedHeight = rebase.Height(e.CreatedHeight, exported)
		e.ExpiresHeight = rebase.Optional(e.ExpiresHeight, exported)
		e.ClosedHeight = rebase.Optional(e.ClosedHeight, exported)
		if e.Dispute != nil {
			d := *e.Dispute
			d.OpenedHeight = rebase.Height(d.OpenedHeight, exported)
			d.DeadlineHeight = rebase.Height(d.DeadlineHeight, exported)
			e.Dispute = &d
		}
		if err := k.Escrows.Set(ctx, e.Id, e); err != nil {
			return err
		}
		switch {
		case e.IsDirect() && e.Status == types.ESCROW_STATUS_LOCKED && e.ExpiresHeight != 0:
			if err := k.ExpiryQueue.Set(ctx, collections.Join(e.ExpiresHeight, e.Id)); err != nil {
				return err
			}
		case e.Status == types.ESCROW_STATUS_DISPUTED:
			if err := k.DisputeQueue.Set(ctx, collections.Join(e.Dispute.DeadlineHeight, e.Id)); err != nil {
				return err
			}
		}
	}
	if err := k.rebaseStreams(ctx, exported); err != nil {
		return err
	}
	// The prune queues follow the closed heights.
	if err := k.PruneQueue.Clear(ctx, nil); err != nil {
		return err
	}
	if err := k.PruneStreams.Clear(ctx, nil); err != nil {
		return err
	}
	return k.rebuildPruneQueues(ctx)
}

// rebaseStreams moves every height of every stream. Accrual depends only
// on differences of heights, so every amount stays what it was.
func (k Keeper) rebaseStreams(ctx context.Context, exported int64) error {
	var streams []types.Stream
	if err := k.Streams.Walk(ctx, nil, func(_ uint64, s types.Stream) (bool, error) {
		streams = append(streams, s)
		return false, nil
	}); err != nil {
		return err
	}
	for _, s := range streams {
		s.StartHeight = rebase.Height(s.StartHeight, exported)
		s.AnchorHeight = rebase.Height(s.AnchorHeight, exported)
		s.CreatedHeight = rebase.Height(s.CreatedHeight, exported)
		s.CliffHeight = rebase.Optional(s.CliffHeight, exported)
		s.EndHeight = rebase.Optional(s.EndHeight, exported)
		s.ClosedHeight = rebase.Optional(s.ClosedHeight, exported)
		s.ExhaustedHeight = rebase.Optional(s.ExhaustedHeight, exported)
		if err := k.Streams.Set(ctx, s.Id, s); err != nil {
			return err
		}
	}
	return nil
}
