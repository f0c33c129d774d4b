package cmd

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/internal/devnet"
)

const (
	flagConfig         = "config"
	flagOutputDir      = "output-dir"
	flagValidators     = "validators"
	flagChainID        = "chain-id"
	flagP2PPort        = "p2p-port"
	flagRPCPort        = "rpc-port"
	flagGRPCPort       = "grpc-port"
	flagAPIPort        = "api-port"
	flagPprofPort      = "pprof-port"
	flagPortStride     = "port-stride"
	flagBlockTime      = "block-time"
	flagTimeoutPropose = "timeout-propose"
	flagMinGasPrices   = "min-gas-prices"
	flagJSON           = "json"
)

// NewTestnetCmd returns `agentchaind testnet`, which writes the files of a
// local network defined by config.yml.
func NewTestnetCmd(tempApp *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "testnet",
		Short: "Write and describe local networks of one or more validators on 127.0.0.1",
		// These commands work on files only: skip the root's pre-run, which
		// would write config files into the default --home.
		PersistentPreRunE: func(*cobra.Command, []string) error { return nil },
		RunE:              func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	cmd.AddCommand(initFilesCmd(tempApp), describeCmd())
	return cmd
}

func initFilesCmd(tempApp *app.App) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "init-files",
		Short: "Write the node homes of a local network from config.yml",
		Long: `Writes one home folder per validator (node0, node1, ...) under --output-dir, with
config.toml, app.toml and client.toml on 127.0.0.1 ports, node and validator keys, a
test keyring holding every account of config.yml, and one genesis collected from every
validator's gentx. Accounts, balances, validators, bonded stake and genesis overrides come
from config.yml (Ignite CLI v1 format); node i listens on each base port plus i*stride.`,
		Example: `  agentchaind testnet init-files --config config.yml --output-dir .devnet
  agentchaind testnet init-files --validators 4 --output-dir .localnet --block-time 500ms`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			cfgPath, _ := f.GetString(flagConfig)
			cfg, err := devnet.LoadConfig(cfgPath)
			if err != nil {
				return err
			}
			out, _ := f.GetString(flagOutputDir)
			numVals, _ := f.GetInt(flagValidators)
			chainID, _ := f.GetString(flagChainID)
			blockTime, _ := f.GetDuration(flagBlockTime)
			timeoutPropose, _ := f.GetDuration(flagTimeoutPropose)
			minGas, _ := f.GetString(flagMinGasPrices)
			var ports devnet.Ports
			ports.P2P, _ = f.GetInt(flagP2PPort)
			ports.RPC, _ = f.GetInt(flagRPCPort)
			ports.GRPC, _ = f.GetInt(flagGRPCPort)
			ports.API, _ = f.GetInt(flagAPIPort)
			ports.Pprof, _ = f.GetInt(flagPprofPort)
			ports.Stride, _ = f.GetInt(flagPortStride)

			net, err := devnet.Generate(devnet.Options{
				Config:         cfg,
				OutputDir:      out,
				NumValidators:  numVals,
				ChainID:        chainID,
				Ports:          ports,
				BlockTime:      blockTime,
				TimeoutPropose: timeoutPropose,
				MinGasPrices:   minGas,
				BaseDenom:      app.BaseDenom,
				DisplayDenom:   app.DisplayDenom,
				DenomExponent:  app.BaseDenomExponent,
				Encoding: devnet.Encoding{
					Codec:    tempApp.AppCodec(),
					TxConfig: tempApp.TxConfig(),
				},
				DefaultGenesis: tempApp.DefaultGenesis(),
				ValidateGenesis: func(state map[string]json.RawMessage) error {
					return tempApp.BasicModuleManager.ValidateGenesis(tempApp.AppCodec(), tempApp.TxConfig(), state)
				},
			})
			if err != nil {
				return err
			}
			if asJSON, _ := f.GetBool(flagJSON); asJSON {
				bz, err := json.MarshalIndent(net, "", "  ")
				if err != nil {
					return err
				}
				_, err = fmt.Fprintln(cmd.OutOrStdout(), string(bz))
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "wrote %d node(s) to %s\n%s", len(net.Nodes), out, net.Describe())
			return err
		},
	}
	d := devnet.DefaultPorts()
	f := cmd.Flags()
	f.String(flagConfig, "config.yml", "the network definition (Ignite CLI v1 config.yml)")
	f.String(flagOutputDir, ".testnet", "folder to write the node homes into; must be empty or absent")
	f.Int(flagValidators, 0, "number of validator nodes (0: one per validator in config.yml; more are generated)")
	f.String(flagChainID, "", "chain id (default: genesis.chain_id of config.yml)")
	f.Int(flagP2PPort, d.P2P, "P2P port of node 0")
	f.Int(flagRPCPort, d.RPC, "CometBFT RPC port of node 0")
	f.Int(flagGRPCPort, d.GRPC, "gRPC port of node 0")
	f.Int(flagAPIPort, d.API, "REST API port of node 0")
	f.Int(flagPprofPort, d.Pprof, "pprof port of node 0 (the ABCI proxy address takes the next port)")
	f.Int(flagPortStride, d.Stride, "port step between consecutive nodes")
	f.Duration(flagBlockTime, 0, "consensus.timeout_commit, overriding config.yml (e.g. 1s, 200ms)")
	f.Duration(flagTimeoutPropose, 0, "consensus.timeout_propose, overriding config.yml (default 1s)")
	f.String(flagMinGasPrices, app.DefaultMinGasPrices, "minimum gas prices written into each app.toml")
	f.Bool(flagJSON, false, "print the network summary as JSON")
	return cmd
}

func describeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "describe",
		Short:   "Print the endpoints and funded accounts of a network written by init-files",
		Example: `  agentchaind testnet describe --output-dir .devnet`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			out, _ := cmd.Flags().GetString(flagOutputDir)
			net, err := devnet.LoadSummary(out)
			if err != nil {
				return fmt.Errorf("no network in %s (run init-files first): %w", out, err)
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), net.Describe())
			return err
		},
	}
	cmd.Flags().String(flagOutputDir, ".testnet", "folder the network was written into")
	return cmd
}
