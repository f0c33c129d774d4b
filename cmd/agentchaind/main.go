// Command agentchaind is agentchain's node daemon and command-line client.
package main

import (
	"fmt"
	"os"
	"runtime/debug"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/cmd/agentchaind/cmd"
	"github.com/agentchain/agentchain/internal/devnet"
)

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(devnet.GCPercent) // a node's default GC target
	}
	rootCmd := cmd.NewRootCmd()
	if err := svrcmd.Execute(rootCmd, "AGENTCHAIND", app.DefaultNodeHome); err != nil {
		fmt.Fprintln(rootCmd.OutOrStderr(), err)
		os.Exit(1)
	}
}
