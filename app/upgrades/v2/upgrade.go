// Package v2 is agentchain's first software upgrade: x/market 1 → 2, whose
// migration indexes every existing job by its client agent (new query
// jobs-by-client-agent, sets the pruning params and queues settled jobs and
// closed requests), x/reputation 1 → 2, whose migration copies each
// aggregate into its top-agents index entry, and x/agentid 1 → 2, whose
// migration sets the attestation pruning params and queues the expiring
// attestations. It adds no store.
package v2

import (
	"github.com/agentchain/agentchain/app/upgrades"
)

// Name is the plan name a governance proposal uses.
const Name = "v2"

// Upgrade is the v2 upgrade.
var Upgrade = upgrades.Upgrade{
	Name:          Name,
	CreateHandler: upgrades.RunMigrations,
}
