//go:build !agentchain_v1

package keeper

// indexClientAgents: since the v2 upgrade every job is indexed by its
// client agent (JobIndexes.ClientAgent).
const indexClientAgents = true
