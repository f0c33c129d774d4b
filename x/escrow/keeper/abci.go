package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

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

	settle := func(ctx sdk.Context, e *types.Escrow) error {
		if !timerDue(*e, height) {
			return fmt.Errorf("escrow %d is %s: nothing is due", e.Id, e.Status)
		}
		return k.fireTimer(ctx, e, params)
	}
	budget -= k.processQueue(sdkCtx, k.DisputeQueue, "dispute", height, budget, settle)
	k.processQueue(sdkCtx, k.ExpiryQueue, "expiry", height, budget, settle)
	return nil
}

// processQueue handles up to budget entries due at or before height and
// returns how many it took.
func (k Keeper) processQueue(
	ctx sdk.Context, queue collections.KeySet[QueueKey], name string, height int64, budget int,
	settle func(ctx sdk.Context, e *types.Escrow) error,
) int {
	if budget <= 0 {
		return 0
	}
	// Collect first, then act: the walk must not see its own writes.
	due := make([]QueueKey, 0, budget)
	rng := new(collections.Range[QueueKey]).EndExclusive(collections.Join(height+1, uint64(0)))
	err := queue.Walk(ctx, rng, func(key QueueKey) (bool, error) {
		due = append(due, key)
		return len(due) >= budget, nil
	})
	if err != nil {
		k.logger.Error("escrow queue walk failed", "queue", name, "err", err)
		return 0
	}
	for _, key := range due {
		id := key.K2()
		if err := queue.Remove(ctx, key); err != nil {
			k.logger.Error("escrow queue remove failed", "queue", name, "escrow", id, "err", err)
			continue
		}
		if err := k.settleContained(ctx, id, settle); err != nil {
			k.logger.Error("escrow queue item failed", "queue", name, "escrow", id, "err", err)
			_ = typedevent.Emit(ctx, &types.EventQueueItemFailed{EscrowId: id, Queue: name, Error: err.Error()})
		}
	}
	return len(due)
}

// settleContained runs settle for one escrow in a cache context, recovering
// from panics; the writes are kept only if it succeeds.
func (k Keeper) settleContained(ctx sdk.Context, id uint64, settle func(ctx sdk.Context, e *types.Escrow) error) (err error) {
	cacheCtx, write := ctx.CacheContext()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	e, err := k.GetEscrow(cacheCtx, id)
	if err != nil {
		return err
	}
	if err := settle(cacheCtx, &e); err != nil {
		return err
	}
	write()
	return nil
}
