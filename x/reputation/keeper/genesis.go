package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	markettypes "github.com/agentchain/agentchain/x/market/types"
	"github.com/agentchain/agentchain/x/reputation/types"
)

// InitGenesis loads a validated genesis state (aggregates equal to the
// replay of the feedback) and checks that every feedback's job and agents
// exist (agentid's and market's genesis run first), and that every ruling
// rates the provider of a resolved job that was not self-dealt.
func (k Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	if err := k.Seq.Set(ctx, gs.NextSeq); err != nil {
		return err
	}
	for _, fb := range gs.Feedback {
		job, err := k.market.GetJob(ctx, fb.JobId)
		if err != nil {
			// Feedback outlives its job, which the market prunes after
			// its retention window: it was checked when it was given.
			pruned, perr := k.market.JobPruned(ctx, fb.JobId)
			if perr != nil || !pruned {
				return fmt.Errorf("feedback on job %d: %w", fb.JobId, err)
			}
		} else if fb.Role == types.RATER_ROLE_RULING &&
			(job.Status != markettypes.JOB_STATUS_RESOLVED || job.SelfDealing || fb.Subject != job.Provider) {
			return fmt.Errorf("ruling on job %d: the job is %s (self-dealt: %t) with provider %d; the ruling rates agent %d",
				fb.JobId, job.Status, job.SelfDealing, job.Provider, fb.Subject)
		}
		if _, err := k.agents.GetAgent(ctx, fb.Subject); err != nil {
			return fmt.Errorf("feedback on job %d: subject: %w", fb.JobId, err)
		}
		if err := k.Feedback.Set(ctx, collections.Join(fb.JobId, int32(fb.Role)), fb); err != nil {
			return err
		}
		if err := k.FeedbackQueue.Set(ctx, collections.Join(fb.Height, fb.JobId)); err != nil {
			return err
		}
	}
	for _, id := range gs.PrunedRulings {
		if err := k.PrunedRulings.Set(ctx, id); err != nil {
			return err
		}
	}
	for _, cp := range gs.Checkpoints {
		if err := k.Checkpoints.Set(ctx, collections.Join(cp.Aggregate.AgentId, cp.Aggregate.Capability), cp); err != nil {
			return err
		}
	}
	for _, a := range gs.Aggregates {
		if err := k.Aggregates.Set(ctx, collections.Join(a.AgentId, a.Capability), a); err != nil {
			return err
		}
	}
	for _, s := range gs.Signals {
		if _, err := k.agents.GetAgent(ctx, s.AgentId); err != nil {
			return fmt.Errorf("signals: %w", err)
		}
		if err := k.Signals.Set(ctx, s.AgentId, s); err != nil {
			return err
		}
	}
	for _, s := range gs.PrunedSignals {
		if err := k.PrunedSignals.Set(ctx, s.AgentId, s); err != nil {
			return err
		}
	}
	return nil
}

// ExportGenesis exports the module's state, feedback in sequence order.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	next, err := k.Seq.Peek(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: p, NextSeq: max(next, 1)}
	if err := k.Feedback.Walk(ctx, nil, func(_ FeedbackKey, fb types.Feedback) (bool, error) {
		gs.Feedback = append(gs.Feedback, fb)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Aggregates.Walk(ctx, nil, func(_ AggKey, a types.Aggregate) (bool, error) {
		gs.Aggregates = append(gs.Aggregates, a)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Signals.Walk(ctx, nil, func(_ uint64, s types.Signals) (bool, error) {
		gs.Signals = append(gs.Signals, s)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.PrunedSignals.Walk(ctx, nil, func(_ uint64, s types.Signals) (bool, error) {
		gs.PrunedSignals = append(gs.PrunedSignals, s)
		return false, nil
	}); err != nil {
		return nil, err
	}
	// The prune queue is not exported: InitGenesis rebuilds it from the
	// feedback heights.
	if err := k.Checkpoints.Walk(ctx, nil, func(_ AggKey, cp types.AggregateCheckpoint) (bool, error) {
		gs.Checkpoints = append(gs.Checkpoints, cp)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.PrunedRulings.Walk(ctx, nil, func(id uint64) (bool, error) {
		gs.PrunedRulings = append(gs.PrunedRulings, id)
		return false, nil
	}); err != nil {
		return nil, err
	}
	return gs, nil
}
