package types

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultGenesis returns the genesis state of a new chain.
func DefaultGenesis() *GenesisState {
	return &GenesisState{
		Params:      DefaultParams(),
		NextAgentId: 1,
	}
}

// Validate checks a genesis state: valid params and records, no duplicate
// ids, names or agent addresses, ids below next_agent_id, and no attestation
// or spend limit that points at a missing agent.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	if gs.NextAgentId == 0 {
		return fmt.Errorf("next_agent_id must be at least 1")
	}
	ids := make(map[uint64]*Agent, len(gs.Agents))
	names := make(map[string]bool, len(gs.Agents))
	addrs := make(map[string]bool, len(gs.Agents))
	for i := range gs.Agents {
		a := &gs.Agents[i]
		if a.Id == 0 || a.Id >= gs.NextAgentId {
			return fmt.Errorf("agent %d: id must be in [1, next_agent_id=%d)", a.Id, gs.NextAgentId)
		}
		if ids[a.Id] != nil {
			return fmt.Errorf("duplicate agent id %d", a.Id)
		}
		ids[a.Id] = a
		if err := a.Validate(gs.Params); err != nil {
			return fmt.Errorf("agent %d: %w", a.Id, err)
		}
		if names[a.Name] {
			return fmt.Errorf("duplicate agent name %q", a.Name)
		}
		names[a.Name] = true
		if addrs[a.AgentAddress] {
			return fmt.Errorf("agent address %s bound twice", a.AgentAddress)
		}
		addrs[a.AgentAddress] = true
	}
	type attKey struct {
		id            uint64
		attester, typ string
	}
	atts := map[attKey]bool{}
	for _, at := range gs.Attestations {
		if ids[at.AgentId] == nil {
			return fmt.Errorf("attestation for missing agent %d", at.AgentId)
		}
		if _, err := sdk.AccAddressFromBech32(at.Attester); err != nil {
			return fmt.Errorf("attestation attester: %w", err)
		}
		if err := ValidateClaimType(at.ClaimType); err != nil {
			return err
		}
		if err := ValidateURI("attestation uri", at.Uri); err != nil {
			return err
		}
		if err := ValidateHash("attestation hash", at.Hash); err != nil {
			return err
		}
		// A negative expiry is one that passed before a zero-height restart.
		k := attKey{at.AgentId, at.Attester, at.ClaimType}
		if atts[k] {
			return fmt.Errorf("duplicate attestation %d/%s/%s", at.AgentId, at.Attester, at.ClaimType)
		}
		atts[k] = true
	}
	type limitKey struct {
		id    uint64
		denom string
	}
	limits := map[limitKey]bool{}
	for _, l := range gs.SpendLimits {
		a := ids[l.AgentId]
		if a == nil {
			return fmt.Errorf("spend limit for missing agent %d", l.AgentId)
		}
		if a.Status == AGENT_STATUS_DEACTIVATED {
			return fmt.Errorf("spend limit for deactivated agent %d", l.AgentId)
		}
		if err := l.Validate(); err != nil {
			return fmt.Errorf("spend limit of agent %d: %w", l.AgentId, err)
		}
		k := limitKey{l.AgentId, l.Denom}
		if limits[k] {
			return fmt.Errorf("duplicate spend limit %d/%s", l.AgentId, l.Denom)
		}
		limits[k] = true
	}
	nonces := map[string]bool{}
	for _, n := range gs.BindingNonces {
		if _, err := sdk.AccAddressFromBech32(n.Address); err != nil {
			return fmt.Errorf("binding nonce address: %w", err)
		}
		if n.Nonce == 0 {
			return fmt.Errorf("binding nonce of %s is zero", n.Address)
		}
		if nonces[n.Address] {
			return fmt.Errorf("duplicate binding nonce for %s", n.Address)
		}
		nonces[n.Address] = true
	}
	return nil
}

// Validate checks an agent record against the parameters.
func (a Agent) Validate(p Params) error {
	if err := ValidateName(a.Name); err != nil {
		return err
	}
	for field, addr := range map[string]string{"owner": a.Owner, "agent_address": a.AgentAddress} {
		if _, err := sdk.AccAddressFromBech32(addr); err != nil {
			return fmt.Errorf("%s: %w", field, err)
		}
	}
	if a.PayoutAddress != "" {
		if _, err := sdk.AccAddressFromBech32(a.PayoutAddress); err != nil {
			return fmt.Errorf("payout_address: %w", err)
		}
	}
	if err := ValidateCard(a.CardUri, a.CardHash); err != nil {
		return err
	}
	norm, err := NormalizeCapabilities(a.Capabilities, p.MaxCapabilities)
	if err != nil {
		return err
	}
	if len(norm) != len(a.Capabilities) {
		return fmt.Errorf("capabilities are not normalized")
	}
	for i := range norm {
		if norm[i] != a.Capabilities[i] {
			return fmt.Errorf("capabilities are not normalized")
		}
	}
	if err := ValidateEndpoints(a.Endpoints, p.MaxEndpoints); err != nil {
		return err
	}
	switch a.Status {
	case AGENT_STATUS_ACTIVE, AGENT_STATUS_SUSPENDED, AGENT_STATUS_DEACTIVATED:
	default:
		return fmt.Errorf("unknown status %d", a.Status)
	}
	if err := a.Deposit.Validate(); err != nil {
		return fmt.Errorf("deposit: %w", err)
	}
	if a.Status == AGENT_STATUS_DEACTIVATED && !a.Deposit.IsZero() {
		return fmt.Errorf("a deactivated agent holds no deposit")
	}
	// Heights may be negative after a zero-height restart (internal/rebase).
	if a.UpdatedHeight < a.CreatedHeight {
		return fmt.Errorf("heights: created %d, updated %d", a.CreatedHeight, a.UpdatedHeight)
	}
	return nil
}

// Payout returns where the market pays the agent.
func (a Agent) Payout() string {
	if a.PayoutAddress != "" {
		return a.PayoutAddress
	}
	return a.AgentAddress
}
