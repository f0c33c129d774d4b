package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	"github.com/agentchain/agentchain/internal/invariant"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	"github.com/agentchain/agentchain/x/reputation/types"
)

// FeedbackWindowBlocks implements the market's ReputationReader: the market
// keeps a settled job at least this long, so that it can still be rated.
func (k Keeper) FeedbackWindowBlocks(ctx context.Context) (int64, error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return 0, err
	}
	return p.FeedbackWindowBlocks, nil
}

// BeforeJobPruned implements the market's ReputationReader: the job is
// about to leave state, so what it counted in its agents' signals moves
// to their pruned part. The signals themselves do not change: they were
// counted when the job settled. Feedback and rulings on the job stay.
func (k Keeper) BeforeJobPruned(ctx context.Context, job markettypes.Job) error {
	part := ReplaySignals([]markettypes.Job{job})
	for _, id := range invariant.SortedKeys(part) {
		s, err := k.PrunedSignals.Get(ctx, id)
		if errors.Is(err, collections.ErrNotFound) {
			s, err = types.NewSignals(id), nil
		}
		if err != nil {
			return err
		}
		addSignals(&s, *part[id])
		if err := k.PrunedSignals.Set(ctx, id, s); err != nil {
			return err
		}
	}
	return nil
}

// addSignals adds b's counts and volumes to a's.
func addSignals(a *types.Signals, b types.Signals) {
	a.JobsCompleted += b.JobsCompleted
	a.JobsResolved += b.JobsResolved
	a.JobsExpired += b.JobsExpired
	a.DisputesOpened += b.DisputesOpened
	a.DisputesLost += b.DisputesLost
	a.DeliveredOnTime += b.DeliveredOnTime
	a.JobsAsClient += b.JobsAsClient
	a.Earned = a.Earned.Add(b.Earned...)
	a.Spent = a.Spent.Add(b.Spent...)
}
