package app

import (
	"fmt"

	upgradetypes "cosmossdk.io/x/upgrade/types"
)

// setUpgradeHandlers registers the handler of every upgrade this release
// knows (Upgrades), and, when the node restarts at the height of one of
// them, the store loader that adds, renames or deletes its stores. The
// plan is read from disk, where x/upgrade wrote it when the chain halted.
// A binary that lacks the handler of a plan reaching its height halts with
// "UPGRADE <name> NEEDED at height <h>"; one that has the handler of a plan
// not yet reached refuses to run ("BINARY UPDATED BEFORE TRIGGER"); and one
// that lacks the handler of the last applied plan refuses to start.
func (app *App) setUpgradeHandlers() {
	for _, u := range Upgrades {
		app.UpgradeKeeper.SetUpgradeHandler(u.Name, u.CreateHandler(app.ModuleManager, app.configurator))
	}
	info, err := app.UpgradeKeeper.ReadUpgradeInfoFromDisk()
	if err != nil {
		panic(fmt.Errorf("read the upgrade plan from disk: %w", err))
	}
	if info.Name == "" || app.UpgradeKeeper.IsSkipHeight(info.Height) {
		return
	}
	for _, u := range Upgrades {
		if u.Name != info.Name {
			continue
		}
		stores := u.StoreUpgrades
		if len(stores.Added)+len(stores.Renamed)+len(stores.Deleted) > 0 {
			app.SetStoreLoader(upgradetypes.UpgradeStoreLoader(info.Height, &stores))
		}
	}
}
