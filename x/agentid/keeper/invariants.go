package keeper

import (
	"context"

	"cosmossdk.io/collections"

	"github.com/agentchain/agentchain/internal/invariant"
	"github.com/agentchain/agentchain/x/agentid/types"
)

// maxBroken bounds the violations an invariant reports.
const maxBroken = 20

// Invariants are the agentid module's checks of its whole state:
//
//   - deposits: the module account holds exactly the deposits of the agents
//     that are not deactivated;
//   - spend-policies: every policy is well formed, belongs to an agent that
//     is not deactivated, and an agent has at most MaxSpendPoliciesPerAgent;
//   - attestation-expiry: every attestation that expires waits in the
//     expiry queue at (its expires height, its agent), so it leaves state
//     after the retention window (entries whose attestation was revoked or
//     renewed since may remain: they find nothing to prune).
func (k Keeper) Invariants() []invariant.Invariant {
	return []invariant.Invariant{
		{Name: "agentid/deposits", Check: func(ctx context.Context) ([]string, error) {
			if err := k.CheckDepositConservation(ctx); err != nil {
				return []string{err.Error()}, nil
			}
			return nil, nil
		}},
		{Name: "agentid/spend-policies", Check: k.checkSpendPolicies},
		{Name: "agentid/attestation-expiry", Check: k.checkAttestationExpiry},
	}
}

func (k Keeper) checkSpendPolicies(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	perAgent := map[uint64]int{}
	err := k.SpendLimits.Walk(ctx, nil, func(key collections.Pair[uint64, string], l types.SpendLimit) (bool, error) {
		if key.K1() != l.AgentId || key.K2() != l.Denom {
			broken.Addf("policy stored under %d/%s says %d/%s", key.K1(), key.K2(), l.AgentId, l.Denom)
		}
		if err := l.Validate(); err != nil {
			broken.Addf("policy %d/%s: %s", l.AgentId, l.Denom, err)
		}
		a, err := k.GetAgent(ctx, l.AgentId)
		switch {
		case err != nil:
			broken.Addf("policy %d/%s: %s", l.AgentId, l.Denom, err)
		case a.Status == types.AGENT_STATUS_DEACTIVATED:
			broken.Addf("policy %d/%s belongs to a deactivated agent", l.AgentId, l.Denom)
		}
		perAgent[l.AgentId]++
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	for _, id := range invariant.SortedKeys(perAgent) {
		if perAgent[id] > MaxSpendPoliciesPerAgent {
			broken.Addf("agent %d has %d spend policies, at most %d", id, perAgent[id], MaxSpendPoliciesPerAgent)
		}
	}
	return broken.List(), nil
}

func (k Keeper) checkAttestationExpiry(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	err := k.Attestations.Walk(ctx, nil, func(key AttestationKey, at types.Attestation) (bool, error) {
		if key.K1() != at.AgentId || key.K2().K2() != at.ClaimType {
			broken.Addf("attestation stored under agent %d, claim %q says agent %d, claim %q", key.K1(), key.K2().K2(), at.AgentId, at.ClaimType)
		}
		if at.ExpiresHeight == 0 {
			return false, nil
		}
		has, err := k.AttestationExpiry.Has(ctx, collections.Join(at.ExpiresHeight, at.AgentId))
		if err != nil {
			return true, err
		}
		if !has {
			broken.Addf("attestation %q of agent %d by %s expires at %d but is not in the expiry queue", at.ClaimType, at.AgentId, at.Attester, at.ExpiresHeight)
		}
		return false, nil
	})
	return broken.List(), err
}
