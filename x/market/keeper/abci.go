package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/keeperutil"
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
	budget -= k.runQueue(sdkCtx, k.JobQueue, "job", height, budget, func(ctx sdk.Context, id uint64) error {
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
	k.runQueue(sdkCtx, k.RequestQueue, "request", height, budget, func(ctx sdk.Context, id uint64) error {
		r, err := k.GetRequest(ctx, id)
		if err != nil {
			return err
		}
		if !requestDue(r, height) {
			return fmt.Errorf("request %d is %s with bid deadline %d: nothing is due", r.Id, r.Status, r.BidDeadline)
		}
		return k.closeRequest(ctx, &r, types.REQUEST_STATUS_EXPIRED)
	})
	// Then settled jobs past their retention, within their own bound.
	if err := k.pruneSettled(sdkCtx, params); err != nil {
		k.logger.Error("market prune walk failed", "err", err)
	}
	// And closed requests past theirs, within the same bound again.
	k.pruneRequests(sdkCtx, params)
	return nil
}

// runQueue settles one queue's due entries within budget (keeperutil.RunQueue):
// a failed item is logged and reported as EventQueueItemFailed.
func (k Keeper) runQueue(ctx sdk.Context, queue collections.KeySet[QueueKey], name string, height int64, budget int, settle func(ctx sdk.Context, id uint64) error) int {
	n, err := keeperutil.RunQueue(ctx, queue, height, budget, settle, func(id uint64, err error) {
		k.logger.Error("market queue item failed", "queue", name, "id", id, "err", err)
		_ = typedevent.Emit(ctx, &types.EventQueueItemFailed{Id: id, Queue: name, Error: err.Error()})
	})
	if err != nil {
		k.logger.Error("market queue walk failed", "queue", name, "err", err)
	}
	return n
}
