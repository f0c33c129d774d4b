package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/invariant"
	"github.com/agentchain/agentchain/internal/keeperutil"
	"github.com/agentchain/agentchain/internal/typedevent"
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
	if err := k.PrunedRulings.Remove(ctx, job.Id); err != nil {
		return err
	}
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

// EndBlock prunes feedback feedback_retention_blocks after it was given:
// at most max_prunes_per_block queue entries (jobs) a block, each in a cache
// context of its own, so a failure leaves that job's feedback in place and
// the block goes on (EventPruneFailed).
func (k Keeper) EndBlock(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if p.FeedbackRetentionBlocks == 0 || p.MaxPrunesPerBlock == 0 {
		return nil
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	due := sdkCtx.BlockHeight() - p.FeedbackRetentionBlocks
	_, err = keeperutil.RunQueue(sdkCtx, k.FeedbackQueue, due, int(p.MaxPrunesPerBlock),
		func(ctx sdk.Context, jobID uint64) error {
			// Feedback stays while its job may still be rated: pruned then,
			// the "rated once" check would find nothing and let its rater
			// rate the job again. Only a subscription is rated before it
			// settles, so only its feedback can be due that early; its
			// entry comes back a retention period from now.
			if open, err := k.stillRatable(ctx, jobID, p.FeedbackWindowBlocks); err != nil {
				return err
			} else if open {
				return k.FeedbackQueue.Set(ctx, collections.Join(ctx.BlockHeight(), jobID))
			}
			return k.pruneFeedback(ctx, jobID, due)
		},
		func(jobID uint64, err error) {
			k.logger.Error("feedback prune failed", "job", jobID, "err", err)
			_ = typedevent.Emit(sdkCtx, &types.EventPruneFailed{JobId: jobID, Error: err.Error()})
		})
	if err != nil {
		k.logger.Error("feedback queue walk failed", "err", err)
	}
	return nil
}

// stillRatable reports whether a job in state may still be rated: a
// running subscription, or a job settled within the feedback window (as
// SubmitFeedback decides). A job that left state cannot be.
func (k Keeper) stillRatable(ctx sdk.Context, jobID uint64, window int64) (bool, error) {
	job, err := k.market.GetJob(ctx, jobID)
	if errors.Is(err, markettypes.ErrJobNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	switch job.Status {
	case markettypes.JOB_STATUS_IN_PROGRESS:
		return job.StreamId != 0, nil
	case markettypes.JOB_STATUS_COMPLETED, markettypes.JOB_STATUS_RESOLVED:
		return ctx.BlockHeight() <= job.SettledHeight+window, nil
	}
	return false, nil
}

// pruneFeedback removes the feedback on a job given at or before due (a
// later one on the same job has its own queue entry). Before it goes, every
// aggregate it counted in is checkpointed as it stands, with the last change
// made so far: the aggregates themselves do not change, and the invariant
// replays only what comes after the checkpoint. A pruned feedback can no
// longer be answered or revoked.
func (k Keeper) pruneFeedback(ctx sdk.Context, jobID uint64, due int64) error {
	next, err := k.Seq.Peek(ctx)
	if err != nil {
		return err
	}
	for _, role := range []types.RaterRole{types.RATER_ROLE_CLIENT, types.RATER_ROLE_PROVIDER, types.RATER_ROLE_RULING} {
		key := collections.Join(jobID, int32(role))
		fb, err := k.Feedback.Get(ctx, key)
		if errors.Is(err, collections.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if fb.Height > due {
			continue
		}
		if next <= fb.Seq || (fb.Revoked && next <= fb.RevokeSeq) {
			return fmt.Errorf("job %d's %s feedback has sequence %d (revoked at %d), the next is %d", jobID, role, fb.Seq, fb.RevokeSeq, next)
		}
		for _, capability := range types.AggregateCapabilities(fb) {
			ak := collections.Join(fb.Subject, capability)
			agg, err := k.Aggregates.Get(ctx, ak)
			if err != nil {
				return fmt.Errorf("aggregate %d/%q: %w", fb.Subject, capability, err)
			}
			if err := k.Checkpoints.Set(ctx, ak, types.AggregateCheckpoint{Aggregate: agg, Seq: next - 1}); err != nil {
				return err
			}
		}
		if err := k.Feedback.Remove(ctx, key); err != nil {
			return err
		}
		if role == types.RATER_ROLE_RULING {
			// The rulings invariant must know the job's ruling left on
			// purpose while the job is still in state.
			if _, err := k.market.GetJob(ctx, jobID); err == nil {
				if err := k.PrunedRulings.Set(ctx, jobID); err != nil {
					return err
				}
			} else if pruned, perr := k.market.JobPruned(ctx, jobID); perr != nil {
				return fmt.Errorf("ruling on job %d: %w", jobID, perr)
			} else if !pruned {
				return fmt.Errorf("ruling on job %d: the job is not in state and was not pruned: %w", jobID, err)
			}
		}
		if err := typedevent.Emit(ctx, &types.EventFeedbackPruned{JobId: jobID, Role: role, Subject: fb.Subject, Height: fb.Height}); err != nil {
			return err
		}
	}
	return nil
}

// checkFeedbackQueue: every feedback has a queue entry of its job at or
// after the height it was given (there, or where pruning put it off while
// the job could still be rated; entries left by pruned feedback find
// nothing and are harmless); every checkpoint is of a stored aggregate and
// comes before the next change.
func (k Keeper) checkFeedbackQueue(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	latest := map[uint64]int64{} // job → its latest queue entry
	if err := k.FeedbackQueue.Walk(ctx, nil, func(key keeperutil.QueueKey) (bool, error) {
		latest[key.K2()] = max(latest[key.K2()], key.K1())
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Feedback.Walk(ctx, nil, func(key FeedbackKey, fb types.Feedback) (bool, error) {
		if h, ok := latest[key.K1()]; !ok || h < fb.Height {
			broken.Addf("job %d's %s feedback (height %d) is not in the prune queue", key.K1(), types.RaterRole(key.K2()), fb.Height)
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	next, err := k.Seq.Peek(ctx)
	if err != nil {
		return nil, err
	}
	if err := k.Checkpoints.Walk(ctx, nil, func(key AggKey, cp types.AggregateCheckpoint) (bool, error) {
		if cp.Aggregate.AgentId != key.K1() || cp.Aggregate.Capability != key.K2() || cp.Seq >= next {
			broken.Addf("checkpoint %d/%q holds aggregate %d/%q at sequence %d (next %d)",
				key.K1(), key.K2(), cp.Aggregate.AgentId, cp.Aggregate.Capability, cp.Seq, next)
		}
		has, err := k.Aggregates.Has(ctx, key)
		if err != nil {
			return true, err
		}
		if !has {
			broken.Addf("checkpoint %d/%q has no aggregate", key.K1(), key.K2())
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	return broken.List(), nil
}
