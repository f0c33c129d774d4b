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
//     is not deactivated, and an agent has at most MaxSpendPoliciesPerAgent.
func (k Keeper) Invariants() []invariant.Invariant {
	return []invariant.Invariant{
		{Name: "agentid/deposits", Check: func(ctx context.Context) ([]string, error) {
			if err := k.CheckDepositConservation(ctx); err != nil {
				return []string{err.Error()}, nil
			}
			return nil, nil
		}},
		{Name: "agentid/spend-policies", Check: k.checkSpendPolicies},
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
