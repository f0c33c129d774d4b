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
// It reads every aggregate once; the upgrade block has no gas limit.
func (m Migrator) Migrate1to2(ctx sdk.Context) error {
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
