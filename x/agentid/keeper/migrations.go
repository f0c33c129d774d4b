package keeper

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/x/agentid/types"
)

// Migrator runs x/agentid's store migrations during software upgrades.
type Migrator struct {
	k Keeper
}

// NewMigrator returns the migrator.
func NewMigrator(k Keeper) Migrator { return Migrator{k: k} }

// Migrate1to2 (the v2 upgrade): expired attestations leave state after a
// retention window. The new params take their defaults (version 1 stored
// neither, which reads as "keep forever") and every expiring attestation
// enters the expiry queue. It reads every attestation once; the upgrade
// block has no gas limit.
func (m Migrator) Migrate1to2(ctx sdk.Context) error {
	p, err := m.k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if p.AttestationRetentionBlocks == 0 && p.MaxPrunesPerBlock == 0 {
		p.AttestationRetentionBlocks = types.DefaultAttestationRetentionBlocks
		p.MaxPrunesPerBlock = types.DefaultMaxPrunesPerBlock
		if err := m.k.Params.Set(ctx, p); err != nil {
			return err
		}
	}
	queued, err := m.k.rebuildExpiryQueue(ctx)
	if err != nil {
		return err
	}
	m.k.logger.Info("agentid v2 migration: pruning params set, expiring attestations queued", "attestations", queued)
	return nil
}
