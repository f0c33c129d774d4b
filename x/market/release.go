//go:build !agentchain_v1

package market

// ConsensusVersion is the module's state version: 2 since the v2 upgrade,
// whose migration indexes the jobs made before it by client agent
// (keeper.Migrator.Migrate1to2).
const ConsensusVersion = 2
