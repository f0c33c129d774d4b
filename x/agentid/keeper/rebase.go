package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/rebase"
	"github.com/agentchain/agentchain/x/agentid/types"
)

// RebaseHeights moves every stored height for a chain restarted from a
// zero-height export of height exported (see internal/rebase): agents'
// creation and update heights, attestations' expiries, and spend buckets'
// heights, so that each bucket refills from where it was.
func (k Keeper) RebaseHeights(ctx context.Context, exported int64) error {
	var agents []types.Agent
	if err := k.Agents.Walk(ctx, nil, func(_ uint64, a types.Agent) (bool, error) {
		agents = append(agents, a)
		return false, nil
	}); err != nil {
		return err
	}
	for _, a := range agents {
		a.CreatedHeight = rebase.Height(a.CreatedHeight, exported)
		a.UpdatedHeight = rebase.Height(a.UpdatedHeight, exported)
		if err := k.Agents.Set(ctx, a.Id, a); err != nil {
			return err
		}
	}
	var attestations []types.Attestation
	if err := k.Attestations.Walk(ctx, nil, func(_ AttestationKey, at types.Attestation) (bool, error) {
		attestations = append(attestations, at)
		return false, nil
	}); err != nil {
		return err
	}
	for _, at := range attestations {
		attester, err := k.addressCodec.StringToBytes(at.Attester)
		if err != nil {
			return err
		}
		at.ExpiresHeight = rebase.Optional(at.ExpiresHeight, exported)
		at.CreatedHeight = rebase.Height(at.CreatedHeight, exported)
		if err := k.Attestations.Set(ctx, collections.Join(at.AgentId, collections.Join(sdk.AccAddress(attester), at.ClaimType)), at); err != nil {
			return err
		}
	}
	if _, err := k.rebuildExpiryQueue(ctx); err != nil {
		return err
	}
	var limits []types.SpendLimit
	if err := k.SpendLimits.Walk(ctx, nil, func(_ collections.Pair[uint64, string], l types.SpendLimit) (bool, error) {
		limits = append(limits, l)
		return false, nil
	}); err != nil {
		return err
	}
	for _, l := range limits {
		l.UsedHeight = rebase.Height(l.UsedHeight, exported)
		if err := k.SpendLimits.Set(ctx, collections.Join(l.AgentId, l.Denom), l); err != nil {
			return err
		}
	}
	return nil
}
