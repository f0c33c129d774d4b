package cmd

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/agentchain/agentchain/internal/dashboard"
)

// DashboardCmd serves the read-only web dashboard for a node.
func DashboardCmd() *cobra.Command {
	var (
		listen, rest, rpc, chainID string
		publicREST, publicRPC      string
		allowRemote                bool
	)
	cmd := &cobra.Command{
		Use:   "dashboard",
		Short: "Serve the read-only web dashboard of a node: network, agents, listings, jobs, requests, streams",
		Long: `Serve a web dashboard for people to look at the chain through a node:
the network (height, block time, validators, escrow conservation), agents
(search by name and capability; card, keys, attestations, spend policy,
listings, reputation and its history, feedback), listings by capability,
jobs (a timeline of each job's states with heights, escrow, deliverables,
disputes and splits), requests and bids, streams and purchases. Pages
update live on every new block.

The server embeds its pages and proxies GET requests to the node's REST API
(/api/...) and the read methods of its CometBFT RPC (/rpc/..., with the
/rpc/websocket event subscription). It holds no key and forwards no
transaction. /chain-info.json describes the chain for a Keplr-style wallet.

It listens on loopback unless --allow-remote is given. The chain info names
the node's URLs as given by --node-rest and --node-rpc; when the dashboard
serves other hosts, give the addresses they reach the node at with
--public-rest and --public-rpc.`,
		Example: `agentchaind dashboard
agentchaind dashboard --listen 127.0.0.1:8090 --node-rest http://127.0.0.1:1317 --node-rpc http://127.0.0.1:26657`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := dashboard.CheckListen(listen, allowRemote); err != nil {
				return err
			}
			srv, err := dashboard.New(dashboard.Config{NodeREST: rest, NodeRPC: rpc, ChainID: chainID, PublicREST: publicREST, PublicRPC: publicRPC})
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return dashboard.Serve(ctx, listen, srv, func(addr net.Addr) {
				fmt.Fprintf(cmd.ErrOrStderr(), "agentchain dashboard on http://%s/ (node REST %s, RPC %s)\n", addr, rest, rpc)
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", dashboard.DefaultListen, "the address to serve the dashboard on")
	f.BoolVar(&allowRemote, "allow-remote", false, "allow a --listen address that is not loopback")
	f.StringVar(&rest, "node-rest", "http://127.0.0.1:1317", "the node's REST API (make start's)")
	f.StringVar(&rpc, "node-rpc", "http://127.0.0.1:26657", "the node's CometBFT RPC (make start's)")
	f.StringVar(&chainID, "chain-id", "", "the chain id for /chain-info.json (default: asked of the node)")
	f.StringVar(&publicREST, "public-rest", "", "the node's REST API as wallets reach it, for /chain-info.json (default: --node-rest)")
	f.StringVar(&publicRPC, "public-rpc", "", "the node's CometBFT RPC as wallets reach it, for /chain-info.json (default: --node-rpc)")
	return cmd
}
