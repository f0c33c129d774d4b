package keeper

import (
	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/typedevent"

	"github.com/agentchain/agentchain/x/market/types"
)

// Migrator runs x/market's store migrations during software upgrades.
type Migrator struct {
	k Keeper
}

// NewMigrator returns the migrator.
func NewMigrator(k Keeper) Migrator { return Migrator{k: k} }

// Migrate1to2 (the v2 upgrade) indexes every existing job by its client
// agent; from version 2 on, the index follows every write. It also sets
// the pruning params to their defaults and queues every settled job for
// pruning, and queues the closed requests (counted from the upgrade) the
// same way. It reads every job and request once; the upgrade block has no
// gas limit.
func (m Migrator) Migrate1to2(ctx sdk.Context) error {
	idx := m.k.Jobs.Indexes.ClientAgent
	indexed := 0
	err := m.k.Jobs.Walk(ctx, nil, func(id uint64, j types.Job) (bool, error) {
		if j.ClientAgent == 0 {
			return false, nil
		}
		indexed++
		return false, idx.Reference(ctx, id, j, func() (types.Job, error) { return types.Job{}, collections.ErrNotFound })
	})
	if err != nil {
		return err
	}
	// v2 prunes settled jobs: the new params take their defaults and the
	// settled jobs enter the prune queue.
	params, err := m.k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if params.MaxPrunesPerBlock == 0 {
		params.SettledJobRetentionBlocks = types.DefaultSettledJobRetentionBlocks
		params.MaxPrunesPerBlock = types.DefaultMaxPrunesPerBlock
		if err := m.k.Params.Set(ctx, params); err != nil {
			return err
		}
	}
	settled, err := m.k.rebuildPruneQueue(ctx)
	if err != nil {
		return err
	}
	// Requests closed before v2 carry no closed height: they count from
	// the upgrade, then wait in their prune queue.
	var closed []types.Request
	err = m.k.Requests.Walk(ctx, nil, func(_ uint64, r types.Request) (bool, error) {
		if requestClosed(r) && r.ClosedHeight == 0 {
			closed = append(closed, r)
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	for _, r := range closed {
		r.ClosedHeight = ctx.BlockHeight()
		if err := m.k.Requests.Set(ctx, r.Id, r); err != nil {
			return err
		}
	}
	closedQueued, err := m.k.rebuildRequestPruneQueue(ctx)
	if err != nil {
		return err
	}
	m.k.logger.Info("market v2 migration: jobs indexed by client agent, settled jobs queued for pruning", "jobs", indexed, "settled", settled, "closed requests", closedQueued)
	return typedevent.Emit(ctx, &types.EventMigrated{FromVersion: 1, ToVersion: 2, Records: uint64(indexed)})
}
