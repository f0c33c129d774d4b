//go:build !agentchain_v1

package agentid

// ConsensusVersion is the module's state version: 2 since the v2 upgrade,
// whose migration sets the pruning params and queues the expiring
// attestations (keeper.Migrator.Migrate1to2).
const ConsensusVersion = 2
