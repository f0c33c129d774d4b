package cmd

import (
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/agentchain/agentchain/agentkit"
	"github.com/agentchain/agentchain/agentkit/x402"
	"github.com/agentchain/agentchain/agentmcp"
)

// X402Cmd groups the x402 (HTTP 402 pay-per-call) commands.
func X402Cmd() *cobra.Command {
	cmd := &cobra.Command{Use: "x402", Short: "x402 pay-per-call: the facilitator resource servers verify and settle payments with"}
	cmd.AddCommand(x402FacilitatorCmd())
	return cmd
}

func x402FacilitatorCmd() *cobra.Command {
	var (
		cfg    agentkit.Config
		listen string
		public bool
	)
	cmd := &cobra.Command{
		Use:   "facilitator",
		Short: "Serve an x402 v2 facilitator for this chain: GET /supported, POST /verify, POST /settle",
		Long: `Serve an x402 version 2 facilitator for the "exact" scheme on network
cosmos:<chain-id>, through a node. It holds no key and pays no fee: each
payment is a tx the client signed (a market MsgPurchase of the resource's
listing), which pays its own fee.

/verify decodes the payment and checks its signature, chain id, message,
amount, listing and payTo, that its request id is unused on chain and its
height limit not passed, then simulates it (balance, spend cap). /settle
does the same, broadcasts, and answers once the tx is in a block; the same
payload settled twice answers the same and pays once.

It listens on loopback unless --public is given.`,
		Example: `agentchaind x402 facilitator --listen 127.0.0.1:4020
curl -s http://127.0.0.1:4020/supported`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if !public && !agentmcp.IsLoopback(listen) {
				return fmt.Errorf("--listen %s is not a loopback address: add --public to serve it", listen)
			}
			if !strings.Contains(cfg.RPC, "://") {
				cfg.RPC = "http://" + cfg.RPC
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			kit, err := agentkit.Dial(ctx, cfg, nil)
			if err != nil {
				return err
			}
			defer kit.Close()
			f := x402.NewFacilitator(kit)
			stopHTTP, err := serveHTTP(ctx, listen, f.Handler(), 2*time.Minute) // a settlement waits up to a minute for its block
			if err != nil {
				return err
			}
			defer stopHTTP()
			fmt.Fprintf(cmd.ErrOrStderr(), "agentchain x402 facilitator for %s on http://%s\n", x402.Network(kit.ChainID()), listen)
			<-ctx.Done()
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:4020", "the address to serve on")
	f.BoolVar(&public, "public", false, "allow a non-loopback --listen address")
	f.StringVar(&cfg.GRPC, "grpc-addr", "127.0.0.1:9090", "the node's gRPC address")
	f.StringVar(&cfg.RPC, "rpc-addr", "http://127.0.0.1:26657", "the node's CometBFT RPC address")
	f.StringVar(&cfg.ChainID, "chain-id", "", "the chain id (default: asked of the node)")
	f.DurationVar(&cfg.InclusionTimeout, "settle-timeout", 60*time.Second, "the longest /settle waits for a block")
	return cmd
}
