package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/keeperutil"
	"github.com/agentchain/agentchain/internal/typedevent"

	"github.com/agentchain/agentchain/x/escrow/types"
)

// EndBlocker settles what is due: disputes past their deadline (by the
// default split), then locked direct escrows past their expiry (refunded to
// the payer). Handlers apply a due timer themselves (timers.go), so this
// is clean-up that no party has to wait for. It handles at most max_expirations_per_block items in all;
// the rest stay queued for the next block. It reads only the queues' due
// heads, so its cost does not grow with the number of escrows.
//
// Each item runs in its own cache context and is contained: an error or a
// panic is logged and reported as EventQueueItemFailed, its writes are
// dropped, the item leaves the queue (the escrow stays as it was, and a
// party, anyone after expiry, or governance can still settle it), and the
// block goes on. EndBlocker itself only fails if it cannot read its params.
func (k Keeper) EndBlocker(ctx context.Context) error {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	params, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	budget := int(params.MaxExpirationsPerBlock)
	height := sdkCtx.BlockHeight()

	settle := k.settleDueTimer(params, height)
	budget -= k.runQueue(sdkCtx, k.DisputeQueue, "dispute", height, budget, settle)
	k.runQueue(sdkCtx, k.ExpiryQueue, "expiry", height, budget, settle)
	// Then closed direct escrows and streams past their retention.
	k.pruneClosed(sdkCtx, params)
	return nil
}

// settleDueTimer settles an escrow whose timer is due at height.
func (k Keeper) settleDueTimer(params types.Params, height int64) func(ctx sdk.Context, id uint64) error {
	return func(ctx sdk.Context, id uint64) error {
		e, err := k.GetEscrow(ctx, id)
		if err != nil {
			return err
		}
		if !timerDue(e, height) {
			return fmt.Errorf("escrow %d is %s: nothing is due", e.Id, e.Status)
		}
		return k.fireTimer(ctx, &e, params)
	}
}

// runQueue settles one queue's due entries within budget (keeperutil.RunQueue):
// a failed item is logged and reported as EventQueueItemFailed.
func (k Keeper) runQueue(ctx sdk.Context, queue collections.KeySet[QueueKey], name string, height int64, budget int, settle func(ctx sdk.Context, id uint64) error) int {
	n, err := keeperutil.RunQueue(ctx, queue, height, budget, settle, func(id uint64, err error) {
		k.logger.Error("escrow queue item failed", "queue", name, "escrow", id, "err", err)
		_ = typedevent.Emit(ctx, &types.EventQueueItemFailed{EscrowId: id, Queue: name, Error: err.Error()})
	})
	if err != nil {
		k.logger.Error("escrow queue walk failed", "queue", name, "err", err)
	}
	return n
}
