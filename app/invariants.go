package app

import (
	"context"
	"fmt"
	"strings"

	"github.com/agentchain/agentchain/internal/invariant"
)

// Invariants returns the invariants of agentchain's four modules (each also
// served by its module's Invariants query).
func (app *App) Invariants() []invariant.Invariant {
	var out []invariant.Invariant
	out = append(out, app.AgentIDKeeper.Invariants()...)
	out = append(out, app.EscrowKeeper.Invariants()...)
	out = append(out, app.MarketKeeper.Invariants()...)
	out = append(out, app.ReputationKeeper.Invariants()...)
	return out
}

// CheckInvariants runs every invariant against ctx and returns an error
// naming each violation, and how many invariants it checked.
func (app *App) CheckInvariants(ctx context.Context) (int, error) {
	checked, broken, err := invariant.Run(ctx, app.Invariants())
	if err != nil {
		return len(checked), err
	}
	if len(broken) > 0 {
		return len(checked), fmt.Errorf("%d invariant violations:\n  %s", len(broken), strings.Join(broken, "\n  "))
	}
	return len(checked), nil
}
