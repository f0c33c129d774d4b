package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/rebase"
	"github.com/agentchain/agentchain/x/market/types"
)

// settleBatch is how many queue entries SettleAllDue reads at a time.
const settleBatch = 1000

// SettleAllDue applies every timer due at the context's height, however
// many: for a zero-height export, so that no job or request carries a
// passed deadline into the new chain. Each item is contained as in
// EndBlock.
func (k Keeper) SettleAllDue(ctx context.Context) error {
	sdkCtx := withContainedHooks(sdk.UnwrapSDKContext(ctx))
	params, err := k.Params.Get(sdkCtx)
	if err != nil {
		return err
	}
	height := sdkCtx.BlockHeight()
	settleJob := func(ctx sdk.Context, id uint64) error {
		j, err := k.GetJob(ctx, id)
		if err != nil {
			return err
		}
		_, err = k.settleDue(ctx, &j, params, height+1)
		return err
	}
	expireRequest := func(ctx sdk.Context, id uint64) error {
		r, err := k.GetRequest(ctx, id)
		if err != nil {
			return err
		}
		if !requestDue(r, height) {
			return fmt.Errorf("request %d is %s: nothing is due", r.Id, r.Status)
		}
		return k.closeRequest(ctx, &r, types.REQUEST_STATUS_EXPIRED)
	}
	// Every processed entry leaves its queue (settleDue runs a job's chained
	// timers at once), so each loop ends.
	for k.runQueue(sdkCtx, k.JobQueue, "job", height, settleBatch, settleJob) == settleBatch {
	}
	for k.runQueue(sdkCtx, k.RequestQueue, "request", height, settleBatch, expireRequest) == settleBatch {
	}
	return nil
}

// RebaseHeights moves every stored height for a chain restarted from a
// zero-height export of height exported (see internal/rebase), and the
// queues with them. Due timers must have been applied first
// (SettleAllDue): every deadline still open is then ahead of the new
// chain's first block, at the same distance as before (but for a job whose
// settlement failed and left the queue: see below).
func (k Keeper) RebaseHeights(ctx context.Context, exported int64) error {
	h := func(v int64) int64 { return rebase.Height(v, exported) }
	opt := func(v int64) int64 { return rebase.Optional(v, exported) }

	var listings []types.Listing
	if err := k.Listings.Walk(ctx, nil, func(_ uint64, l types.Listing) (bool, error) {
		listings = append(listings, l)
		return false, nil
	}); err != nil {
		return err
	}
	for _, l := range listings {
		l.CreatedHeight, l.UpdatedHeight = h(l.CreatedHeight), h(l.UpdatedHeight)
		if err := k.Listings.Set(ctx, l.Id, l); err != nil {
			return err
		}
	}

	var bids []types.Bid
	if err := k.Bids.Walk(ctx, nil, func(_ collections.Pair[uint64, uint32], b types.Bid) (bool, error) {
		bids = append(bids, b)
		return false, nil
	}); err != nil {
		return err
	}
	for _, b := range bids {
		b.CreatedHeight = h(b.CreatedHeight)
		if err := k.Bids.Set(ctx, collections.Join(b.RequestId, b.Id), b); err != nil {
			return err
		}
	}

	var requests []types.Request
	if err := k.Requests.Walk(ctx, nil, func(_ uint64, r types.Request) (bool, error) {
		requests = append(requests, r)
		return false, nil
	}); err != nil {
		return err
	}
	if err := k.RequestQueue.Clear(ctx, nil); err != nil {
		return err
	}
	if err := k.RequestPruneQueue.Clear(ctx, nil); err != nil {
		return err
	}
	for _, r := range requests {
		r.CreatedHeight, r.BidDeadline, r.ClosedHeight = h(r.CreatedHeight), h(r.BidDeadline), opt(r.ClosedHeight)
		if err := k.Requests.Set(ctx, r.Id, r); err != nil {
			return err
		}
		if r.Status == types.REQUEST_STATUS_OPEN {
			if err := k.RequestQueue.Set(ctx, collections.Join(r.BidDeadline, r.Id)); err != nil {
				return err
			}
		}
		if requestClosed(r) {
			if err := k.RequestPruneQueue.Set(ctx, collections.Join(r.ClosedHeight, r.Id)); err != nil {
				return err
			}
		}
	}

	var jobs []types.Job
	if err := k.Jobs.Walk(ctx, nil, func(_ uint64, j types.Job) (bool, error) {
		jobs = append(jobs, j)
		return false, nil
	}); err != nil {
		return err
	}
	if err := k.JobQueue.Clear(ctx, nil); err != nil {
		return err
	}
	if err := k.PruneQueue.Clear(ctx, nil); err != nil {
		return err
	}
	for _, j := range jobs {
		j.DeliverBy, j.CreatedHeight = h(j.DeliverBy), h(j.CreatedHeight)
		j.AcceptedHeight, j.SettledHeight = opt(j.AcceptedHeight), opt(j.SettledHeight)
		if j.Deadline != 0 {
			// SettleAllDue applied every due timer it found in the queue; a
			// job whose settlement failed in an EndBlock (contained, and out
			// of the queue since) keeps its passed deadline. It stays in the
			// new chain's past, queued there, so the new chain's first
			// EndBlock tries it again: the export does not fail for it.
			j.Deadline = opt(j.Deadline)
			if err := k.JobQueue.Set(ctx, collections.Join(j.Deadline, j.Id)); err != nil {
				return err
			}
		}
		for i := range j.Milestones {
			m := &j.Milestones[i]
			m.DeliveredHeight, m.CompletedHeight = opt(m.DeliveredHeight), opt(m.CompletedHeight)
		}
		if j.Rejection != nil {
			r := *j.Rejection
			r.Height = h(r.Height)
			j.Rejection = &r
		}
		if j.Status.IsFinal() {
			if err := k.PruneQueue.Set(ctx, collections.Join(j.SettledHeight, j.Id)); err != nil {
				return err
			}
		}
		if err := k.Jobs.Set(ctx, j.Id, j); err != nil {
			return err
		}
	}
	return nil
}
