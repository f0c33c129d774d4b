package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/typedevent"

	"github.com/agentchain/agentchain/x/market/types"
)

// Pruning: a settled job (COMPLETED, CANCELLED, EXPIRED, RESOLVED) leaves
// state once settled_job_retention_blocks have passed since it settled,
// and never before the reputation module's feedback window on it closed
// (a rating needs the job). It leaves with everything only it used: its
// index entries, its closed escrow or stream in x/escrow. What others
// need stays: the agents' signals keep what it counted (x/reputation is
// told first, and its invariant adds the pruned part to its replay of the
// jobs on record); feedback and rulings on it stay; a purchase's (client,
// request id) marker stays forever, so a request id still settles at
// most once; a subscontract keeps its parent id. Its history is in the
// events of the txs and blocks that made it (README: an indexer query).
//
// Settled jobs wait in PruneQueue by (settled height, id), so EndBlock
// looks only at the oldest: at most max_prunes_per_block a block, each in
// its own cache context with panics recovered (keeperutil.RunQueue). A job
// that cannot be pruned (an error) leaves the queue and stays in state,
// reported by EventQueueItemFailed.

// Finished requests follow the same window: a cancelled or expired one
// leaves settled_job_retention_blocks after it closed, with its bids and
// its closed escrow (RequestPruneQueue, by (closed height, id)); an
// accepted one leaves with the job it became, whose escrow it was (x/
// reputation reads an RFQ job's request for its capability, so the
// request never goes first). An open request never leaves.

// retention is the number of blocks a settled job stays, or 0 (forever).
func (k Keeper) retention(ctx context.Context, p types.Params) (int64, error) {
	if p.SettledJobRetentionBlocks == 0 {
		return 0, nil
	}
	keep := p.SettledJobRetentionBlocks
	if r := k.holder.reputation; r != nil {
		window, err := r.FeedbackWindowBlocks(ctx)
		if err != nil {
			return 0, err
		}
		// Feedback is taken up to settled + window inclusive.
		keep = max(keep, window+1)
	}
	return keep, nil
}

// pruneSettled removes the settled jobs whose retention has passed, oldest
// first, at most max_prunes_per_block, through the queue runner the timers
// use (each contained; a failure leaves the job in state and the queue).
func (k Keeper) pruneSettled(ctx sdk.Context, p types.Params) error {
	keep, err := k.retention(ctx, p)
	if err != nil || keep == 0 {
		return err
	}
	// Settled at or before this height: due.
	due := ctx.BlockHeight() - keep
	k.runQueue(ctx, k.PruneQueue, "prune", due, int(p.MaxPrunesPerBlock), func(ctx sdk.Context, id uint64) error {
		return k.pruneJob(ctx, id, due)
	})
	return nil
}

// pruneJob removes one settled job, settled at or before due, with its
// escrow or stream (its queue entry is already gone).
func (k Keeper) pruneJob(ctx sdk.Context, id uint64, due int64) error {
	j, err := k.Jobs.Get(ctx, id)
	if err != nil {
		return err
	}
	if !j.Status.IsFinal() || j.SettledHeight > due {
		return fmt.Errorf("job %d is %s, settled at %d: not a settled job due at %d", id, j.Status, j.SettledHeight, due)
	}
	if r := k.holder.reputation; r != nil {
		if err := r.BeforeJobPruned(ctx, j); err != nil {
			return fmt.Errorf("reputation: %w", err)
		}
	}
	if j.EscrowId != 0 {
		if err := k.escrow.PruneModuleEscrow(ctx, types.ModuleName, j.EscrowId); err != nil {
			return err
		}
	}
	if j.StreamId != 0 {
		if err := k.escrow.PruneModuleStream(ctx, types.ModuleName, j.StreamId); err != nil {
			return err
		}
	}
	if err := k.Jobs.Remove(ctx, id); err != nil {
		return err
	}
	if err := typedevent.Emit(ctx, &types.EventJobPruned{JobId: id, Status: j.Status, SettledHeight: j.SettledHeight}); err != nil {
		return err
	}
	if j.RequestId == 0 {
		return nil
	}
	// The request it was made from goes with it (its escrow was the job's).
	r, err := k.Requests.Get(ctx, j.RequestId)
	if err != nil {
		return fmt.Errorf("request %d of job %d: %w", j.RequestId, id, err)
	}
	if r.Status != types.REQUEST_STATUS_ACCEPTED || r.JobId != id {
		return fmt.Errorf("request %d is %s with job %d: not the accepted request of job %d", r.Id, r.Status, r.JobId, id)
	}
	return k.removeRequest(ctx, r)
}

// pruneRequests removes the cancelled and expired requests whose
// retention has passed, oldest first, at most max_prunes_per_block, through
// the same contained queue runner.
func (k Keeper) pruneRequests(ctx sdk.Context, p types.Params) {
	if p.SettledJobRetentionBlocks == 0 {
		return
	}
	due := ctx.BlockHeight() - p.SettledJobRetentionBlocks
	k.runQueue(ctx, k.RequestPruneQueue, "prune-request", due, int(p.MaxPrunesPerBlock), func(ctx sdk.Context, id uint64) error {
		return k.pruneRequest(ctx, id, due)
	})
}

// pruneRequest removes one closed request, closed at or before due, with
// its bids and its escrow (its queue entry is already gone).
func (k Keeper) pruneRequest(ctx sdk.Context, id uint64, due int64) error {
	r, err := k.Requests.Get(ctx, id)
	if err != nil {
		return err
	}
	if !requestClosed(r) || r.ClosedHeight > due {
		return fmt.Errorf("request %d is %s, closed at %d: not a closed request due at %d", id, r.Status, r.ClosedHeight, due)
	}
	if err := k.escrow.PruneModuleEscrow(ctx, types.ModuleName, r.EscrowId); err != nil {
		return err
	}
	return k.removeRequest(ctx, r)
}

// removeRequest deletes a finished request and its bids.
func (k Keeper) removeRequest(ctx context.Context, r types.Request) error {
	var bids []collections.Pair[uint64, uint32]
	err := k.Bids.Walk(ctx, collections.NewPrefixedPairRange[uint64, uint32](r.Id), func(key collections.Pair[uint64, uint32], _ types.Bid) (bool, error) {
		bids = append(bids, key)
		return false, nil
	})
	if err != nil {
		return err
	}
	for _, key := range bids {
		if err := k.Bids.Remove(ctx, key); err != nil {
			return err
		}
	}
	if err := k.Requests.Remove(ctx, r.Id); err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventRequestPruned{
		RequestId: r.Id, Status: r.Status, ClosedHeight: r.ClosedHeight, JobId: r.JobId, Bids: uint32(len(bids)),
	})
}

// RequestPruned reports whether request id existed and has been pruned:
// ids are never reused.
func (k Keeper) RequestPruned(ctx context.Context, id uint64) (bool, error) {
	if id == 0 {
		return false, nil
	}
	next, err := k.RequestSeq.Peek(ctx)
	if err != nil {
		return false, err
	}
	if id >= next {
		return false, nil
	}
	has, err := k.Requests.Has(ctx, id)
	return !has, err
}

// rebuildRequestPruneQueue queues every closed request in state (genesis,
// the v2 migration).
func (k Keeper) rebuildRequestPruneQueue(ctx context.Context) (int, error) {
	n := 0
	err := k.Requests.Walk(ctx, nil, func(id uint64, r types.Request) (bool, error) {
		if !requestClosed(r) {
			return false, nil
		}
		n++
		return false, k.RequestPruneQueue.Set(ctx, collections.Join(r.ClosedHeight, id))
	})
	return n, err
}

// JobPruned reports whether job id existed and has been pruned: ids are
// never reused, so an id below the next one that is not in state was
// pruned.
func (k Keeper) JobPruned(ctx context.Context, id uint64) (bool, error) {
	if id == 0 {
		return false, nil
	}
	next, err := k.JobSeq.Peek(ctx)
	if err != nil {
		return false, err
	}
	if id >= next {
		return false, nil
	}
	has, err := k.Jobs.Has(ctx, id)
	return !has, err
}

// rebuildPruneQueue queues every settled job in state (genesis, the v2
// migration).
func (k Keeper) rebuildPruneQueue(ctx context.Context) (int, error) {
	n := 0
	err := k.Jobs.Walk(ctx, nil, func(id uint64, j types.Job) (bool, error) {
		if !j.Status.IsFinal() {
			return false, nil
		}
		n++
		return false, k.PruneQueue.Set(ctx, collections.Join(j.SettledHeight, id))
	})
	if errors.Is(err, collections.ErrNotFound) {
		err = nil
	}
	return n, err
}
