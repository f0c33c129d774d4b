package keeper

import (
	"context"
	"fmt"
	"math"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/typedevent"

	"github.com/agentchain/agentchain/x/escrow/types"
)

// Pruning: a closed direct escrow or stream holds nothing, waits on no
// timer and is referenced by nothing, so it leaves state
// closed_retention_blocks after it closed (0 keeps them forever). They
// wait in PruneQueue and PruneStreams by (closed height, id); EndBlock
// removes the oldest due ones, at most max_prunes_per_block in all, each
// in its own cache context (EventRecordPruned; one that cannot be removed
// leaves the queue and stays, reported by EventQueueItemFailed). The
// books do not move: a closed record holds nothing. Escrows and streams of
// a module leave with the module's record (x/market prunes a settled
// job's; PruneModuleEscrow).

// pruneClosed removes due closed direct escrows, then streams.
func (k Keeper) pruneClosed(ctx sdk.Context, p types.Params) {
	if p.ClosedRetentionBlocks == 0 || p.MaxPrunesPerBlock == 0 {
		return
	}
	due := ctx.BlockHeight() - p.ClosedRetentionBlocks
	budget := int(p.MaxPrunesPerBlock)
	budget -= k.pruneQueue(ctx, k.PruneQueue, "escrow", due, budget, k.pruneEscrow)
	k.pruneQueue(ctx, k.PruneStreams, "stream", due, budget, k.pruneStream)
}

func (k Keeper) pruneQueue(ctx sdk.Context, queue collections.KeySet[QueueKey], kind string, due int64, budget int, prune func(ctx sdk.Context, id uint64, closed int64) error) int {
	if budget <= 0 {
		return 0
	}
	var items []QueueKey
	rng := new(collections.Range[QueueKey]).EndInclusive(collections.Join(due, uint64(math.MaxUint64)))
	if err := queue.Walk(ctx, rng, func(key QueueKey) (bool, error) {
		items = append(items, key)
		return len(items) >= budget, nil
	}); err != nil {
		k.logger.Error("escrow prune walk failed", "kind", kind, "err", err)
		return 0
	}
	for _, key := range items {
		cache, write := ctx.CacheContext()
		err := prune(cache, key.K2(), key.K1())
		if err == nil {
			err = queue.Remove(cache, key)
		}
		if err == nil {
			err = typedevent.Emit(cache, &types.EventRecordPruned{Kind: kind, Id: key.K2(), ClosedHeight: key.K1()})
		}
		if err != nil {
			k.logger.Error("escrow prune failed; the record stays", "kind", kind, "id", key.K2(), "err", err)
			_ = typedevent.Emit(ctx, &types.EventQueueItemFailed{EscrowId: key.K2(), Queue: "prune-" + kind, Error: err.Error()})
			_ = queue.Remove(ctx, key)
			continue
		}
		write()
	}
	return len(items)
}

func (k Keeper) pruneEscrow(ctx sdk.Context, id uint64, closed int64) error {
	e, err := k.Escrows.Get(ctx, id)
	if err != nil {
		return err
	}
	if !e.IsDirect() || e.Status != types.ESCROW_STATUS_CLOSED || e.ClosedHeight != closed {
		return fmt.Errorf("escrow %d (%q, %s, closed at %d) is not the closed direct escrow queued at %d", id, e.OwnerModule, e.Status, e.ClosedHeight, closed)
	}
	return k.Escrows.Remove(ctx, id)
}

func (k Keeper) pruneStream(ctx sdk.Context, id uint64, closed int64) error {
	s, err := k.Streams.Get(ctx, id)
	if err != nil {
		return err
	}
	if s.OwnerModule != "" || s.Status != types.STREAM_STATUS_CLOSED || s.ClosedHeight != closed {
		return fmt.Errorf("stream %d (%q, %s, closed at %d) is not the closed direct stream queued at %d", id, s.OwnerModule, s.Status, s.ClosedHeight, closed)
	}
	return k.Streams.Remove(ctx, id)
}

// rebuildPruneQueues queues every closed direct escrow and stream in
// state (genesis).
func (k Keeper) rebuildPruneQueues(ctx context.Context) error {
	if err := k.Escrows.Walk(ctx, nil, func(id uint64, e types.Escrow) (bool, error) {
		if !e.IsDirect() || e.Status != types.ESCROW_STATUS_CLOSED {
			return false, nil
		}
		return false, k.PruneQueue.Set(ctx, collections.Join(e.ClosedHeight, id))
	}); err != nil {
		return err
	}
	return k.Streams.Walk(ctx, nil, func(id uint64, s types.Stream) (bool, error) {
		if s.OwnerModule != "" || s.Status != types.STREAM_STATUS_CLOSED {
			return false, nil
		}
		return false, k.PruneStreams.Set(ctx, collections.Join(s.ClosedHeight, id))
	})
}

// checkPruneQueues is the escrow/prune-queue invariant: every closed
// direct escrow and stream waits in its queue at its closed height, and
// every entry is one.
func (k Keeper) checkPruneQueues(ctx context.Context) ([]string, error) {
	// collections.Pair holds pointers: the maps key on the values.
	type entry struct {
		height int64
		id     uint64
	}
	var broken []string
	want := map[entry]bool{}
	wantStreams := map[entry]bool{}
	if err := k.Escrows.Walk(ctx, nil, func(id uint64, e types.Escrow) (bool, error) {
		if e.IsDirect() && e.Status == types.ESCROW_STATUS_CLOSED {
			want[entry{e.ClosedHeight, id}] = true
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Streams.Walk(ctx, nil, func(id uint64, s types.Stream) (bool, error) {
		if s.OwnerModule == "" && s.Status == types.STREAM_STATUS_CLOSED {
			wantStreams[entry{s.ClosedHeight, id}] = true
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	for _, q := range []struct {
		kind  string
		queue collections.KeySet[QueueKey]
		want  map[entry]bool
	}{{"escrow", k.PruneQueue, want}, {"stream", k.PruneStreams, wantStreams}} {
		if err := q.queue.Walk(ctx, nil, func(key QueueKey) (bool, error) {
			e := entry{key.K1(), key.K2()}
			if !q.want[e] {
				broken = append(broken, fmt.Sprintf("prune queue entry (%d, %d) is no closed direct %s", key.K1(), key.K2(), q.kind))
			}
			delete(q.want, e)
			return len(broken) >= maxBroken, nil
		}); err != nil {
			return nil, err
		}
		if len(q.want) > 0 {
			broken = append(broken, fmt.Sprintf("%d closed direct %ss are not in the prune queue", len(q.want), q.kind))
		}
	}
	return broken, nil
}
