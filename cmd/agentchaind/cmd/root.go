// Package cmd builds agentchaind's command tree: the node (init, start,
// export, comet), keys, genesis tools, a tx and a query command for every
// module through autocli, and the local-network generator.
package cmd

import (
	"errors"
	"io"
	"os"

	cmtcfg "github.com/cometbft/cometbft/config"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/config"
	"github.com/cosmos/cosmos-sdk/client/debug"
	"github.com/cosmos/cosmos-sdk/client/keys"
	"github.com/cosmos/cosmos-sdk/client/pruning"
	"github.com/cosmos/cosmos-sdk/client/rpc"
	"github.com/cosmos/cosmos-sdk/client/snapshot"
	"github.com/cosmos/cosmos-sdk/server"
	serverconfig "github.com/cosmos/cosmos-sdk/server/config"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	authcmd "github.com/cosmos/cosmos-sdk/x/auth/client/cli"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	genutilcli "github.com/cosmos/cosmos-sdk/x/genutil/client/cli"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/internal/devnet"
)

// NewRootCmd returns agentchaind's root command.
func NewRootCmd() *cobra.Command {
	// A throwaway app instance provides the codecs and module list that the
	// client commands need; it never touches a real database.
	tempApp := app.New(log.NewNopLogger(), dbm.NewMemDB(), nil, false, viper.New())

	initClientCtx := client.Context{}.
		WithCodec(tempApp.AppCodec()).
		WithInterfaceRegistry(tempApp.InterfaceRegistry()).
		WithTxConfig(tempApp.TxConfig()).
		WithLegacyAmino(tempApp.LegacyAmino()).
		WithInput(os.Stdin).
		WithAccountRetriever(authtypes.AccountRetriever{}).
		WithHomeDir(app.DefaultNodeHome).
		WithViper("AGENTCHAIND")

	rootCmd := &cobra.Command{
		Use:           "agentchaind",
		Short:         "agentchain node and client: a blockchain where AI agents identify, hire and pay each other",
		SilenceErrors: true,
		SilenceUsage:  true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.OutOrStdout())
			cmd.SetErr(cmd.ErrOrStderr())

			clientCtx := initClientCtx.WithCmdContext(cmd.Context())
			clientCtx, err := client.ReadPersistentCommandFlags(clientCtx, cmd.Flags())
			if err != nil {
				return err
			}
			clientCtx, err = config.ReadFromClientConfig(clientCtx)
			if err != nil {
				return err
			}
			if err := client.SetCmdClientContextHandler(clientCtx, cmd); err != nil {
				return err
			}
			appTemplate, appConfig := initAppConfig()
			return server.InterceptConfigsPreRunHandler(cmd, appTemplate, appConfig, initCometConfig())
		},
	}

	initRootCmd(rootCmd, tempApp)

	autoCliOpts := tempApp.AutoCliOpts()
	// Defaults only: the real client.toml of --home is read in the pre-run.
	// (Reading the default home here would also put its folder first in the
	// shared viper's search path, shadowing the client.toml of --home.)
	clientCtx, _ := config.ReadDefaultValuesFromDefaultClientConfig(initClientCtx)
	autoCliOpts.ClientCtx = clientCtx
	if err := autoCliOpts.EnhanceRootCommand(rootCmd); err != nil {
		panic(err)
	}
	return rootCmd
}

// initCometConfig returns CometBFT's defaults. The SDK turns the default 1 s
// timeout_commit into 5 s when it writes a new config.toml; local networks
// written by `agentchaind testnet init-files` set their own block time.
func initCometConfig() *cmtcfg.Config {
	return cmtcfg.DefaultConfig()
}

// initAppConfig returns the app.toml template and defaults: a minimum gas
// price in uagnt (a node refuses to start without one), gRPC and REST
// enabled on loopback only, a short list of indexed events and a smaller
// IAVL node cache.
func initAppConfig() (string, any) {
	srvCfg := serverconfig.DefaultConfig()
	srvCfg.MinGasPrices = app.DefaultMinGasPrices
	srvCfg.API.Enable = true
	srvCfg.API.Address = "tcp://127.0.0.1:1317"
	srvCfg.GRPC.Address = "127.0.0.1:9090"
	// Index only what clients search txs by: indexing every attribute of
	// every event makes the tx index, and its compactions, grow fastest
	// of all the node's data (docs/validators.md).
	srvCfg.IndexEvents = devnet.IndexedEvents
	// A smaller IAVL node cache: less heap for the GC to scan as it fills.
	srvCfg.IAVLCacheSize = devnet.IAVLCacheSize
	return serverconfig.DefaultConfigTemplate + app.ConfigTemplate, nodeAppConfig{
		Config:     *srvCfg,
		Agentchain: agentchainConfig{VerifiedSignatureCache: app.DefaultVerifiedSignatureCache},
	}
}

// nodeAppConfig is app.toml: the SDK's settings and agentchain's own.
type nodeAppConfig struct {
	serverconfig.Config `mapstructure:",squash"`

	Agentchain agentchainConfig `mapstructure:"agentchain"`
}

type agentchainConfig struct {
	VerifiedSignatureCache int `mapstructure:"verified-signature-cache"`
}

func initRootCmd(rootCmd *cobra.Command, tempApp *app.App) {
	basicManager := tempApp.BasicModuleManager
	txConfig := tempApp.TxConfig()

	rootCmd.AddCommand(
		genutilcli.InitCmd(basicManager, app.DefaultNodeHome),
		NewTestnetCmd(tempApp),
		MCPCmd(),
		X402Cmd(),
		DashboardCmd(),
		debug.Cmd(),
		pruning.Cmd(newApp, app.DefaultNodeHome),
		snapshot.Cmd(newApp),
	)

	server.AddCommands(rootCmd, app.DefaultNodeHome, newApp, appExport, func(*cobra.Command) {})

	rootCmd.AddCommand(
		server.StatusCommand(),
		genesisCommand(txConfig, basicManager),
		queryCommand(),
		txCommand(),
		keys.Commands(),
	)
}

func genesisCommand(txConfig client.TxConfig, basicManager module.BasicManager) *cobra.Command {
	return genutilcli.Commands(txConfig, basicManager, app.DefaultNodeHome)
}

func queryCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        "query",
		Aliases:                    []string{"q"},
		Short:                      "Query the chain: one subcommand per module, plus blocks and txs",
		DisableFlagParsing:         false,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(
		rpc.QueryEventForTxCmd(),
		server.QueryBlockCmd(),
		authcmd.QueryTxsByEventsCmd(),
		server.QueryBlocksCmd(),
		authcmd.QueryTxCmd(),
		server.QueryBlockResultsCmd(),
	)
	return cmd
}

func txCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        "tx",
		Short:                      "Build, sign and broadcast transactions: one subcommand per module",
		DisableFlagParsing:         false,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(
		authcmd.GetSignCommand(),
		authcmd.GetSignBatchCommand(),
		authcmd.GetMultiSignCommand(),
		authcmd.GetMultiSignBatchCmd(),
		authcmd.GetValidateSignaturesCommand(),
		authcmd.GetBroadcastCommand(),
		authcmd.GetEncodeCommand(),
		authcmd.GetDecodeCommand(),
		authcmd.GetSimulateCmd(),
	)
	return cmd
}

// newApp creates the application for `start` and the other node commands.
func newApp(logger log.Logger, db dbm.DB, traceStore io.Writer, appOpts servertypes.AppOptions) servertypes.Application {
	baseappOptions := server.DefaultBaseappOptions(appOpts)
	return app.New(logger, db, traceStore, true, appOpts, baseappOptions...)
}

// appExport exports the state for a new genesis (`agentchaind export`).
func appExport(
	logger log.Logger, db dbm.DB, traceStore io.Writer, height int64, forZeroHeight bool,
	jailAllowedAddrs []string, appOpts servertypes.AppOptions, modulesToExport []string,
) (servertypes.ExportedApp, error) {
	viperAppOpts, ok := appOpts.(*viper.Viper)
	if !ok {
		return servertypes.ExportedApp{}, errors.New("appOpts is not a viper.Viper")
	}
	var a *app.App
	if height != -1 {
		a = app.New(logger, db, traceStore, false, viperAppOpts)
		if err := a.LoadHeight(height); err != nil {
			return servertypes.ExportedApp{}, err
		}
	} else {
		a = app.New(logger, db, traceStore, true, viperAppOpts)
	}
	return a.ExportAppStateAndValidators(forZeroHeight, jailAllowedAddrs, modulesToExport)
}
