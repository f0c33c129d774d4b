package cmd

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"
	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	"github.com/cosmos/cosmos-sdk/version"

	"github.com/agentchain/agentchain/agentkit"
	"github.com/agentchain/agentchain/agentmcp"
)

// The environment variables the MCP server reads secrets from (never
// flags: flags show in process lists).
const (
	envMCPMnemonic   = "AGENT_MNEMONIC"
	envMCPToken      = "AGENTCHAIN_MCP_TOKEN" //nolint:gosec // the variable's name, not a credential
	envKeyringSecret = "AGENTCHAIN_KEYRING_PASSPHRASE"
)

// MCPCmd runs the Model Context Protocol server: one agent identity that
// an LLM host drives through tools.
func MCPCmd() *cobra.Command {
	var (
		cfg                     agentkit.Config
		keyName, backend, krDir string
		httpAddr, contentListen string
		contentDir, contentURL  string
		maxPrice                string
		readOnly, fetchPrivate  bool
		toolTimeout             time.Duration
	)
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve an agent to LLM hosts over the Model Context Protocol (stdio, or streamable HTTP with --http)",
		Long: `Serve one agent identity to an LLM host over the Model Context Protocol.

With no --http, the server speaks MCP on standard input and output (desktop
hosts start it as a command). With --http 127.0.0.1:8765 it serves
streamable HTTP at http://127.0.0.1:8765/mcp; bound to anything but
loopback it requires a bearer token ($` + envMCPToken + `).

The agent's key comes from a keyring (--key, --keyring-backend, the
keyring under --home or --keyring-dir; a "file" keyring's passphrase from
$` + envKeyringSecret + `) or from a mnemonic in $` + envMCPMnemonic + `. It signs
and is never shown. The owner's on-chain spend cap is the hard limit on
what it spends; --max-price caps one hire or bid; --read-only signs nothing.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			home, _ := cmd.Flags().GetString(flags.FlagHome)
			if krDir == "" {
				krDir = home
			}
			signer, err := loadMCPKey(keyName, backend, krDir)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if !strings.Contains(cfg.RPC, "://") {
				cfg.RPC = "http://" + cfg.RPC
			}
			// A model acts a few times a minute: every tx is simulated
			// first, so that a refusal (a spend cap, a wrong status) comes
			// back before any fee is paid.
			cfg.SimulateEveryTx = true
			kit, err := agentkit.Dial(ctx, cfg, signer)
			if err != nil {
				return err
			}
			defer kit.Close()

			scfg := agentmcp.Config{ReadOnly: readOnly, ToolTimeout: toolTimeout, FetchPrivate: fetchPrivate, Version: version.Version}
			if maxPrice != "" {
				if scfg.MaxPrice, err = agentmcp.ParseAmount("--max-price", maxPrice, false); err != nil {
					return err
				}
			}
			listen := httpAddr
			if listen == "" {
				listen = contentListen
			}
			if contentDir == "" {
				contentDir = filepath.Join(home, "mcp-content")
			}
			scfg.ContentDir, scfg.ContentURL = contentDir, contentURL
			if scfg.ContentURL == "" && listen != "" {
				scfg.ContentURL = "http://" + listen + "/content"
			}
			srv, err := agentmcp.New(kit, scfg)
			if err != nil {
				return err
			}
			defer srv.Close()

			if httpAddr == "" {
				if contentListen != "" {
					stopContent, err := serveHTTP(ctx, contentListen, srv.ContentHandler(), time.Minute)
					if err != nil {
						return err
					}
					defer stopContent()
				}
				// stdio: standard output carries the protocol only.
				err := srv.MCP().Run(ctx, &mcp.StdioTransport{})
				if err != nil && ctx.Err() == nil && !errors.Is(err, context.Canceled) {
					return err
				}
				return nil
			}
			token := os.Getenv(envMCPToken)
			if token == "" && !agentmcp.IsLoopback(httpAddr) {
				return fmt.Errorf("--http %s is not a loopback address: set a bearer token in $%s", httpAddr, envMCPToken)
			}
			stopHTTP, err := serveHTTP(ctx, httpAddr, srv.HTTPHandler(token), 0)
			if err != nil {
				return err
			}
			defer stopHTTP()
			fmt.Fprintf(cmd.ErrOrStderr(), "agentchain MCP server for %s on http://%s/mcp\n", kit.AddressString(), httpAddr)
			<-ctx.Done()
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.GRPC, "grpc-addr", "127.0.0.1:9090", "the node's gRPC address")
	f.StringVar(&cfg.RPC, "rpc-addr", "http://127.0.0.1:26657", "the node's CometBFT RPC address")
	f.StringVar(&cfg.ChainID, "chain-id", "", "the chain id (default: asked of the node)")
	f.StringVar(&keyName, "key", "", "the agent's key in the keyring (default: a mnemonic in $"+envMCPMnemonic+")")
	f.StringVar(&backend, "keyring-backend", keyring.BackendTest, "the keyring backend: test, file or os")
	f.StringVar(&krDir, "keyring-dir", "", "the keyring's directory (default: --home)")
	f.StringVar(&httpAddr, "http", "", "serve streamable HTTP on this address (e.g. 127.0.0.1:8765) instead of stdio")
	f.StringVar(&contentListen, "content-listen", "", "with stdio: serve published content over HTTP on this address")
	f.StringVar(&contentDir, "content-dir", "", "where published content is kept (default: <home>/mcp-content)")
	f.StringVar(&contentURL, "content-url", "", "the public base URL of the content (default: http://<listen address>/content)")
	f.StringVar(&maxPrice, "max-price", "", "the most one hire, request budget or bid may be, e.g. 5 (AGNT) or 5000000uagnt")
	f.BoolVar(&readOnly, "read-only", false, "expose only the tools that read; sign nothing")
	f.BoolVar(&fetchPrivate, "fetch-private", false, "allow fetching specs and results from loopback and private addresses")
	f.DurationVar(&toolTimeout, "tool-timeout", 90*time.Second, "the longest a tool call may take")
	return cmd
}

func loadMCPKey(name, backend, dir string) (agentkit.Signer, error) {
	if name == "" {
		m := os.Getenv(envMCPMnemonic)
		if m == "" {
			return nil, fmt.Errorf("no key: give --key (a key of the keyring) or a mnemonic in $%s", envMCPMnemonic)
		}
		return agentkit.FromMnemonic(m)
	}
	// Standard input may be the MCP channel: a "file" keyring's passphrase
	// comes from the environment, never from a prompt.
	in := strings.NewReader(os.Getenv(envKeyringSecret) + "\n" + os.Getenv(envKeyringSecret) + "\n")
	kr, err := keyring.New("agentchain", backend, dir, in, agentkit.KeyringCodec())
	if err != nil {
		return nil, fmt.Errorf("keyring %s: %w", dir, err)
	}
	return agentkit.FromKeyring(kr, name)
}

// serveHTTP serves h on addr until the returned stop is called. A client
// gets 10 s for its headers and 30 s for its whole request, and an idle
// connection is closed after 2 minutes, so slow or idle clients cannot hold
// connections open; writeTimeout bounds each response (0 for none: MCP
// streams its answers).
func serveHTTP(ctx context.Context, addr string, h http.Handler, writeTimeout time.Duration) (func(), error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	srv := &http.Server{
		Handler: h, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: writeTimeout,
		IdleTimeout: 2 * time.Minute, BaseContext: func(net.Listener) context.Context { return ctx },
	}
	go func() { _ = srv.Serve(ln) }()
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}, nil
}
