package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/typedevent"

	"github.com/agentchain/agentchain/x/market/types"
)

// EndBlocker applies the market's timers that fall due at this block, from
// two queues keyed by (height, id), at most max_timeouts_per_block items in
// all; the rest wait for the next block. A job's timers are those of
// fireTimer; a due open request expires with its budget refunded. The
// queue is only clean-up: every handler applies a due timer itself (see
// timers.go), and a late timer records the heights an early one would.
//
// Every item runs in its own cache context: a failure or panic is logged,
// reported as EventQueueItemFailed, its writes dropped, and it leaves the
// queue (the record stays as it was; MsgSettleJob or MsgSettleRequest can
// retry it). A hook that fails here is contained on its own: the timer's
// coins move and EventHookFailed reports the lost signal.
func (k Keeper) EndBlocker(ctx context.Context) error {
	sdkCtx := withContainedHooks(sdk.UnwrapSDKContext(ctx))
	params, err := k.Params.Get(sdkCtx)
	if err != nil {
		return err
	}
	height := sdkCtx.BlockHeight()
	budget := int(params.MaxTimeoutsPerBlock)
	budget -= k.processQueue(sdkCtx, k.JobQueue, "job", height, budget, func(ctx sdk.Context, id uint64) error {
		j, err := k.GetJob(ctx, id)
		if err != nil {
			return err
		}
		passed, err := k.settleDue(ctx, &j, params, height+1)
		if err == nil && passed == 0 {
			err = fmt.Errorf("job %d is %s with deadline %d: nothing is due", j.Id, j.Status, j.Deadline)
		}
		return err
	})
	k.processQueue(sdkCtx, k.RequestQueue, "request", height, budget, func(ctx sdk.Context, id uint64) error {
		r, err := k.GetRequest(ctx, id)
		if err != nil {
			return err
		}
		if !requestDue(r, height) {
			return fmt.Errorf("request %d is %s with bid deadline %d: nothing is due", r.Id, r.Status, r.BidDeadline)
		}
		return k.closeRequest(ctx, &r, types.REQUEST_STATUS_EXPIRED)
	})
	return nil
}

// processQueue handles up to budget entries due at or before height and
// returns how many it took.
func (k Keeper) processQueue(
	ctx sdk.Context, queue collections.KeySet[QueueKey], name string, height int64, budget int,
	settle func(ctx sdk.Context, id uint64) error,
) int {
	if budget <= 0 {
		return 0
	}
	due := make([]QueueKey, 0, budget)
	rng := new(collections.Range[QueueKey]).EndExclusive(collections.Join(height+1, uint64(0)))
	if err := queue.Walk(ctx, rng, func(key QueueKey) (bool, error) {
		due = append(due, key)
		return len(due) >= budget, nil
	}); err != nil {
		k.logger.Error("market queue walk failed", "queue", name, "err", err)
		return 0
	}
	for _, key := range due {
		id := key.K2()
		if err := queue.Remove(ctx, key); err != nil {
			k.logger.Error("market queue remove failed", "queue", name, "id", id, "err", err)
			continue
		}
		if err := contained(ctx, func(ctx sdk.Context) error { return settle(ctx, id) }); err != nil {
			k.logger.Error("market queue item failed", "queue", name, "id", id, "err", err)
			_ = typedevent.Emit(ctx, &types.EventQueueItemFailed{Id: id, Queue: name, Error: err.Error()})
		}
	}
	return len(due)
}

// contained runs f in a cache context, recovering from panics, and keeps
// its writes only if it succeeds.
func contained(ctx sdk.Context, f func(ctx sdk.Context) error) (err error) {
	cacheCtx, write := ctx.CacheContext()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	if err := f(cacheCtx); err != nil {
		return err
	}
	write()
	return nil
}
