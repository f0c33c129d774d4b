package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/keeperutil"
	"github.com/agentchain/agentchain/internal/typedevent"
	"github.com/agentchain/agentchain/x/agentid/types"
)

// Pruning: an attestation that expired (expires_height > 0, reached)
// leaves state attestation_retention_blocks after its expires_height. An
// expired claim no longer holds for anyone (queries show it expired, the
// market ignores it), so nothing live reads it; its history is in the
// events of the txs that made it.
//
// Each expiring attestation puts (expires height, agent id) in
// AttestationExpiry when it is written. EndBlock takes the oldest due
// entries, at most max_prunes_per_block a block, through the queue runner
// the market and escrow timers use (each contained in its own cache
// context), and removes that agent's attestations that expired at or
// before the due height. An entry whose attestation was revoked or
// re-attested since finds nothing to remove and simply leaves; the
// invariant asks only that every expiring attestation in state has its
// entry. The work of one entry is bounded by the attestations of one
// agent (one per attester, listed in params, and claim type).

// queueExpiry records when an attestation's expiry makes it prunable.
func (k Keeper) queueExpiry(ctx context.Context, at types.Attestation) error {
	if at.ExpiresHeight == 0 {
		return nil
	}
	return k.AttestationExpiry.Set(ctx, collections.Join(at.ExpiresHeight, at.AgentId))
}

// EndBlock prunes the attestations whose retention after expiry passed.
func (k Keeper) EndBlock(ctx context.Context) error {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	if p.AttestationRetentionBlocks == 0 || p.MaxPrunesPerBlock == 0 {
		return nil
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	due := sdkCtx.BlockHeight() - p.AttestationRetentionBlocks
	_, err = keeperutil.RunQueue(sdkCtx, k.AttestationExpiry, due, int(p.MaxPrunesPerBlock),
		func(ctx sdk.Context, agentID uint64) error { return k.pruneExpired(ctx, agentID, due) },
		func(agentID uint64, err error) {
			k.logger.Error("attestation prune failed", "agent", agentID, "err", err)
			_ = typedevent.Emit(sdkCtx, &types.EventPruneFailed{AgentId: agentID, Error: err.Error()})
		})
	if err != nil {
		k.logger.Error("attestation expiry walk failed", "err", err)
	}
	return nil
}

// pruneExpired removes the attestations of an agent that expired at or
// before due.
func (k Keeper) pruneExpired(ctx sdk.Context, agentID uint64, due int64) error {
	var expired []AttestationKey
	var records []types.Attestation
	err := k.Attestations.Walk(ctx, collections.NewPrefixedPairRange[uint64, collections.Pair[sdk.AccAddress, string]](agentID),
		func(key AttestationKey, at types.Attestation) (bool, error) {
			if at.ExpiresHeight != 0 && at.ExpiresHeight <= due {
				expired = append(expired, key)
				records = append(records, at)
			}
			return false, nil
		})
	if err != nil {
		return fmt.Errorf("attestations of agent %d: %w", agentID, err)
	}
	for i, key := range expired {
		if err := k.Attestations.Remove(ctx, key); err != nil {
			return err
		}
		at := records[i]
		if err := typedevent.Emit(ctx, &types.EventAttestationPruned{
			AgentId: at.AgentId, Attester: at.Attester, ClaimType: at.ClaimType, ExpiresHeight: at.ExpiresHeight,
		}); err != nil {
			return err
		}
	}
	return nil
}

// rebuildExpiryQueue queues every expiring attestation in state (genesis,
// a zero-height restart, the v2 migration).
func (k Keeper) rebuildExpiryQueue(ctx context.Context) (int, error) {
	if err := k.AttestationExpiry.Clear(ctx, nil); err != nil {
		return 0, err
	}
	n := 0
	err := k.Attestations.Walk(ctx, nil, func(_ AttestationKey, at types.Attestation) (bool, error) {
		if at.ExpiresHeight == 0 {
			return false, nil
		}
		n++
		return false, k.queueExpiry(ctx, at)
	})
	return n, err
}
