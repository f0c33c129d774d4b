//go:build agentchain_v1

package keeper

// indexClientAgents is false in the release before the v2 upgrade (built
// with -tags agentchain_v1 to rehearse it): jobs are not indexed by client
// agent, and the v2 migration builds the index from them.
const indexClientAgents = false
