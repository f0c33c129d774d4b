//go:build !agentchain_v1

package reputation

// ConsensusVersion is the module's state version: 2 since the v2 upgrade,
// whose migration copies each aggregate into its top-agents index entry
// (keeper.Migrator.Migrate1to2).
const ConsensusVersion = 2
