//go:build agentchain_v1

package agentid

// ConsensusVersion is 1 in the release before the v2 upgrade. Built with
// `-tags agentchain_v1` only to rehearse that upgrade on a live network
// (tests/e2e TestGovernedUpgrade).
const ConsensusVersion = 1
