package keeper

import (
	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/x/reputation/types"
)

// Migrator runs x/reputation's store migrations during software upgrades.
type Migrator struct {
	k Keeper
}

// NewMigrator returns the migrator.
func NewMigrator(k Keeper) Migrator { return Migrator{k: k} }

// Migrate1to2 (the v2 upgrade) writes a copy of every aggregate into its
// top-agents index entry: version 1 kept the entries' keys only, and the
// query read each candidate's aggregate from the primary map. The entry's
// key, (capability, score at last write, aggregate key), does not change.
// It also turns on feedback pruning (feedback_retention_blocks, the default
// or twice the feedback window if that is longer, and
// max_prunes_per_block) and queues every feedback at the height it was
// given. It reads every aggregate and feedback once; the upgrade block has
// no gas limit.
func (m Migrator) Migrate1to2(ctx sdk.Context) error {
	if err := m.startFeedbackRetention(ctx); err != nil {
		return err
	}
	entries := m.k.Aggregates.Indexes.Score.Entries()
	copied := 0
	err := m.k.Aggregates.Walk(ctx, nil, func(key AggKey, a types.Aggregate) (bool, error) {
		copied++
		return false, entries.Set(ctx, collections.Join(collections.Join(a.Capability, a.ScoreMicro), key), a)
	})
	if err != nil {
		return err
	}
	m.k.logger.Info("reputation v2 migration: aggregates copied into the top-agents index", "aggregates", copied)
	return nil
}

// startFeedbackRetention sets the version 2 params of feedback pruning and
// queues the feedback already in state.
func (m Migrator) startFeedbackRetention(ctx sdk.Context) error {
	p, err := m.k.Params.Get(ctx)
	if err != nil {
		return err
	}
	p.FeedbackRetentionBlocks = max(types.DefaultFeedbackRetentionBlocks, 2*p.FeedbackWindowBlocks)
	p.MaxPrunesPerBlock = types.DefaultMaxPrunesPerBlock
	if err := p.Validate(); err != nil {
		return err
	}
	if err := m.k.Params.Set(ctx, p); err != nil {
		return err
	}
	queued := 0
	err = m.k.Feedback.Walk(ctx, nil, func(key FeedbackKey, fb types.Feedback) (bool, error) {
		queued++
		return false, m.k.FeedbackQueue.Set(ctx, collections.Join(fb.Height, key.K1()))
	})
	if err != nil {
		return err
	}
	m.k.logger.Info("reputation v2 migration: feedback queued for pruning", "feedback", queued, "retention_blocks", p.FeedbackRetentionBlocks)
	return nil
}
