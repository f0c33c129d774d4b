package keeper

import (
	"context"
	"fmt"

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
// contained by keeperutil.RunQueue (EventRecordPruned; one that cannot be
// removed leaves the queue and stays, reported by EventQueueItemFailed). The
// books do not move: a closed record holds nothing. Escrows and streams of
// a module leave with the module's record (x/market prunes a settled
// job's; PruneModuleEscrow).

// pruneClosed removes due closed direct escrows, then streams, through
// the queue runner the timers use.
func (k Keeper) pruneClosed(ctx sdk.Context, p types.Params) {
	if p.ClosedRetentionBlocks == 0 || p.MaxPrunesPerBlock == 0 {
		return
	}
	due := ctx.BlockHeight() - p.ClosedRetentionBlocks
	budget := int(p.MaxPrunesPerBlock)
	budget -= k.runQueue(ctx, k.PruneQueue, "prune-escrow", due, budget, func(ctx sdk.Context, id uint64) error {
		return k.pruneEscrow(ctx, id, due)
	})
	k.runQueue(ctx, k.PruneStreams, "prune-stream", due, budget, func(ctx sdk.Context, id uint64) error {
		return k.pruneStream(ctx, id, due)
	})
}

// pruneEscrow removes a closed direct escrow closed at or before due (its
// queue entry is already gone).
func (k Keeper) pruneEscrow(ctx sdk.Context, id uint64, due int64) error {
	e, err := k.Escrows.Get(ctx, id)
	if err != nil {
		return err
	}
	if !e.IsDirect() || e.Status != types.ESCROW_STATUS_CLOSED || e.ClosedHeight > due {
		return fmt.Errorf("escrow %d (%q, %s, closed at %d) is not a closed direct escrow due at %d", id, e.OwnerModule, e.Status, e.ClosedHeight, due)
	}
	if err := k.Escrows.Remove(ctx, id); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventRecordPruned{Kind: "escrow", Id: id, ClosedHeight: e.ClosedHeight})
}

// pruneStream removes a closed direct stream closed at or before due.
func (k Keeper) pruneStream(ctx sdk.Context, id uint64, due int64) error {
	s, err := k.Streams.Get(ctx, id)
	if err != nil {
		return err
	}
	if s.OwnerModule != "" || s.Status != types.STREAM_STATUS_CLOSED || s.ClosedHeight > due {
		return fmt.Errorf("stream %d (%q, %s, closed at %d) is not a closed direct stream due at %d", id, s.OwnerModule, s.Status, s.ClosedHeight, due)
	}
	if err := k.Streams.Remove(ctx, id); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventRecordPruned{Kind: "stream", Id: id, ClosedHeight: s.ClosedHeight})
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
