//go:build agentchain_v1

package app

import "github.com/agentchain/agentchain/app/upgrades"

// Upgrades is empty in the release before v2, built with -tags
// agentchain_v1 only to rehearse the v2 upgrade on a live network: a node
// running it halts at the v2 height with "UPGRADE "v2" NEEDED".
var Upgrades []upgrades.Upgrade
