package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/agentchain/agentchain/internal/keeperutil"
	"github.com/agentchain/agentchain/internal/rebase"
	"github.com/agentchain/agentchain/x/reputation/types"
)

// RebaseHeights moves every stored height for a chain restarted from a
// zero-height export of height exported (see internal/rebase): feedback
// heights and the heights the aggregates (and their checkpoints) are decayed
// to shift together, so every score decays on from exactly where it was;
// the prune queue is rebuilt at the new heights.
func (k Keeper) RebaseHeights(ctx context.Context, exported int64) error {
	var feedback []types.Feedback
	if err := k.Feedback.Walk(ctx, nil, func(_ FeedbackKey, fb types.Feedback) (bool, error) {
		feedback = append(feedback, fb)
		return false, nil
	}); err != nil {
		return err
	}
	var queued []keeperutil.QueueKey
	if err := k.FeedbackQueue.Walk(ctx, nil, func(key keeperutil.QueueKey) (bool, error) {
		queued = append(queued, key)
		return false, nil
	}); err != nil {
		return err
	}
	for _, key := range queued {
		if err := k.FeedbackQueue.Remove(ctx, key); err != nil {
			return err
		}
	}
	for _, fb := range feedback {
		fb.Height = rebase.Height(fb.Height, exported)
		if err := k.FeedbackQueue.Set(ctx, collections.Join(fb.Height, fb.JobId)); err != nil {
			return err
		}
		if fb.Revoked {
			fb.RevokedHeight = rebase.Height(fb.RevokedHeight, exported)
		}
		fb.ResponseHeight = rebase.Optional(fb.ResponseHeight, exported)
		if err := k.Feedback.Set(ctx, collections.Join(fb.JobId, int32(fb.Role)), fb); err != nil {
			return err
		}
	}
	var aggs []types.Aggregate
	if err := k.Aggregates.Walk(ctx, nil, func(_ AggKey, a types.Aggregate) (bool, error) {
		aggs = append(aggs, a)
		return false, nil
	}); err != nil {
		return err
	}
	for _, a := range aggs {
		a.Height = rebase.Height(a.Height, exported)
		if err := k.Aggregates.Set(ctx, collections.Join(a.AgentId, a.Capability), a); err != nil {
			return err
		}
	}
	var checkpoints []types.AggregateCheckpoint
	if err := k.Checkpoints.Walk(ctx, nil, func(_ AggKey, cp types.AggregateCheckpoint) (bool, error) {
		checkpoints = append(checkpoints, cp)
		return false, nil
	}); err != nil {
		return err
	}
	for _, cp := range checkpoints {
		cp.Aggregate.Height = rebase.Height(cp.Aggregate.Height, exported)
		if err := k.Checkpoints.Set(ctx, collections.Join(cp.Aggregate.AgentId, cp.Aggregate.Capability), cp); err != nil {
			return err
		}
	}
	return nil
}
