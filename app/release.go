//go:build !agentchain_v1

package app

import (
	"github.com/agentchain/agentchain/app/upgrades"
	v2 "github.com/agentchain/agentchain/app/upgrades/v2"
)

// Upgrades are the upgrades this release knows, oldest first: a chain
// halted for any of them resumes with this binary.
var Upgrades = []upgrades.Upgrade{v2.Upgrade}
