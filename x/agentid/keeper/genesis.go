package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/x/agentid/types"
)

// InitGenesis loads a validated genesis state. The module account must
// already hold the deposits of the agents that are not deactivated (bank's
// genesis runs first); a mismatch is an error, not a silent imbalance.
func (k Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	if err := k.AgentSeq.Set(ctx, gs.NextAgentId); err != nil {
		return err
	}
	for _, a := range gs.Agents {
		if err := k.Agents.Set(ctx, a.Id, a); err != nil {
			return fmt.Errorf("agent %d: %w", a.Id, err)
		}
	}
	for _, at := range gs.Attestations {
		attester, err := k.addressCodec.StringToBytes(at.Attester)
		if err != nil {
			return err
		}
		if err := k.Attestations.Set(ctx, collections.Join(at.AgentId, collections.Join(sdk.AccAddress(attester), at.ClaimType)), at); err != nil {
			return err
		}
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	for _, l := range gs.SpendLimits {
		// A policy exported in the fixed-window format carries over as a
		// bucket with what it had spent already drawn.
		l = l.FromLegacy(height)
		if err := k.SpendLimits.Set(ctx, collections.Join(l.AgentId, l.Denom), l); err != nil {
			return err
		}
	}
	for _, n := range gs.BindingNonces {
		addr, err := k.addressCodec.StringToBytes(n.Address)
		if err != nil {
			return err
		}
		if err := k.BindingNonces.Set(ctx, addr, n.Nonce); err != nil {
			return err
		}
	}
	// The expiry queue follows from the attestations.
	if _, err := k.rebuildExpiryQueue(ctx); err != nil {
		return err
	}
	return k.CheckDepositConservation(ctx)
}

// ExportGenesis exports the module's whole state.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	next, err := k.AgentSeq.Peek(ctx)
	if err != nil {
		return nil, err
	}
	if next == 0 {
		next = 1
	}
	gs := &types.GenesisState{Params: params, NextAgentId: next}
	if err := k.Agents.Walk(ctx, nil, func(_ uint64, a types.Agent) (bool, error) {
		gs.Agents = append(gs.Agents, a)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Attestations.Walk(ctx, nil, func(_ AttestationKey, a types.Attestation) (bool, error) {
		gs.Attestations = append(gs.Attestations, a)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.SpendLimits.Walk(ctx, nil, func(_ collections.Pair[uint64, string], l types.SpendLimit) (bool, error) {
		gs.SpendLimits = append(gs.SpendLimits, l)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.BindingNonces.Walk(ctx, nil, func(addr sdk.AccAddress, n uint64) (bool, error) {
		gs.BindingNonces = append(gs.BindingNonces, types.BindingNonce{Address: addr.String(), Nonce: n})
		return false, nil
	}); err != nil {
		return nil, err
	}
	return gs, nil
}
