// Package upgrades is the registry of agentchain's named software upgrades.
// A governance proposal (x/upgrade MsgSoftwareUpgrade) names one and a
// height; at that height every node running a binary without the upgrade
// halts with "UPGRADE <name> NEEDED", and the binary that has it runs its
// handler (module migrations) and its store changes when restarted.
//
// Adding an upgrade: write a package under app/upgrades/<name> with its
// Upgrade value, add it to the app's release list (app/release.go), and bump
// the ConsensusVersion of every module it migrates.
package upgrades

import (
	"context"

	storetypes "cosmossdk.io/store/types"
	upgradetypes "cosmossdk.io/x/upgrade/types"

	"github.com/cosmos/cosmos-sdk/types/module"
)

// Upgrade is one named upgrade.
type Upgrade struct {
	// Name is the plan name governance proposes.
	Name string
	// CreateHandler returns the handler that runs at the upgrade height,
	// typically the module migrations.
	CreateHandler func(mm *module.Manager, cfg module.Configurator) upgradetypes.UpgradeHandler
	// StoreUpgrades are the stores the upgrade adds, renames or deletes;
	// the app's store loader applies them when the node restarts at the
	// upgrade height.
	StoreUpgrades storetypes.StoreUpgrades
}

// RunMigrations is the handler of an upgrade that only migrates modules:
// every module whose ConsensusVersion grew runs its registered migrations.
func RunMigrations(mm *module.Manager, cfg module.Configurator) upgradetypes.UpgradeHandler {
	return func(ctx context.Context, _ upgradetypes.Plan, fromVM module.VersionMap) (module.VersionMap, error) {
		return mm.RunMigrations(ctx, cfg, fromVM)
	}
}
