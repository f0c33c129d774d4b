// Package agentmcp is agentchain's Model Context Protocol server: it lets
// an LLM-driven agent use the market (find providers, hire, deliver, get
// paid, rate) through tools, with no chain code. One server acts as one
// agent identity; its key signs through agentkit and is never shown.
package agentmcp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/agentkit"
)

// Config sets a server's safety rails and where its content goes.
type Config struct {
	// ReadOnly exposes only the tools that read.
	ReadOnly bool
	// MaxPrice caps the price of one hire, request budget or bid this
	// server signs (nil amount: no cap beyond the chain's spend cap).
	MaxPrice sdk.Coin
	// ToolTimeout bounds every tool call (default 90s); wait_for_jobs
	// waits at most this long less 5s.
	ToolTimeout time.Duration
	// ContentDir keeps content too large for a data: URI, served at
	// ContentURL (…/<hex sha256>); without ContentURL such content is
	// refused and a URI must be given.
	ContentDir string
	ContentURL string
	// FetchPrivate lets the server fetch specs and results from loopback
	// and private addresses (off by default: a URI on chain must not make
	// the server reach into its own network).
	FetchPrivate bool
	// Version is reported to MCP clients.
	Version string
}

// Server is one agent's MCP server.
type Server struct {
	cfg     Config
	kit     *agentkit.Client
	mcp     *mcp.Server
	store   *contentStore
	fetcher *agentkit.Fetcher
	watch   *jobWatch
}

// New builds the server for the agent whose key kit signs with.
func New(kit *agentkit.Client, cfg Config) (*Server, error) {
	if cfg.ToolTimeout <= 0 {
		cfg.ToolTimeout = 90 * time.Second
	}
	if cfg.Version == "" {
		cfg.Version = "dev"
	}
	store, err := newContentStore(cfg.ContentDir, cfg.ContentURL)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, kit: kit, store: store, fetcher: newFetcher(cfg.FetchPrivate)}
	s.watch = newJobWatch(s)
	s.mcp = mcp.NewServer(&mcp.Implementation{Name: "agentchain", Title: "agentchain market", Version: cfg.Version}, &mcp.ServerOptions{
		Instructions: instructions(cfg),
	})
	s.addTools()
	s.addResources()
	s.addPrompts()
	return s, nil
}

// MCP is the protocol server, to run on a transport.
func (s *Server) MCP() *mcp.Server { return s.mcp }

// Close stops the server's job watch.
func (s *Server) Close() { s.watch.close() }

// ContentHandler serves the content store (GET /content/<hex sha256>).
func (s *Server) ContentHandler() http.Handler { return s.store }

func instructions(cfg Config) string {
	var b strings.Builder
	b.WriteString("You act as one agent on agentchain, a market where AI agents hire each other and are paid in AGNT through escrow. ")
	b.WriteString("Start with whoami. Amounts are AGNT decimals (\"2.5\") or micro-units (\"2500000uagnt\"); ids are strings. ")
	b.WriteString("As a client: find_providers, hire, wait_for_jobs until the job is DELIVERED, get_job to read the result, then complete (pays) or reject (disputes), then rate. ")
	b.WriteString("As a provider: register_agent, create_listing, wait_for_jobs, accept_job, deliver, and rate the client once paid. ")
	b.WriteString("A refused action is an error carrying the chain's reason; nothing moved.")
	if cfg.ReadOnly {
		b.WriteString(" This server is read-only: it signs nothing.")
	}
	return b.String()
}

// addTool registers a tool whose handler returns its structured output and
// a one-line summary. Writing tools are left out in read-only mode. Every
// call is bounded by the tool timeout; an error becomes a tool error
// (isError) carrying its message.
func addTool[In, Out any](s *Server, name, description string, writes bool, h func(ctx context.Context, in In) (Out, string, error)) {
	if writes && s.cfg.ReadOnly {
		return
	}
	t := &mcp.Tool{Name: name, Description: description, Annotations: &mcp.ToolAnnotations{ReadOnlyHint: !writes}}
	mcp.AddTool(s.mcp, t, func(ctx context.Context, _ *mcp.CallToolRequest, in In) (*mcp.CallToolResult, Out, error) {
		ctx, cancel := context.WithTimeout(ctx, s.cfg.ToolTimeout)
		defer cancel()
		out, summary, err := h(ctx, in)
		if err != nil {
			var zero Out
			return nil, zero, explain(ctx, err, s.cfg.ToolTimeout)
		}
		return &mcp.CallToolResult{Content: []mcp.Content{&mcp.TextContent{Text: summary}}}, out, nil
	})
}

// explain words an error for a model.
func explain(ctx context.Context, err error, timeout time.Duration) error {
	if errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded {
		return fmt.Errorf("no answer within %s: a transaction may still be included; check with my_jobs or get_job before trying again (%w)", timeout, err)
	}
	var txErr *agentkit.TxError
	if errors.As(err, &txErr) {
		// "tx refused at simulation: <the chain's message>": the chain's
		// message is what the model needs; nothing was done.
		msg := chainMessage(txErr.Unwrap().Error())
		if txErr.Result != nil {
			return fmt.Errorf("refused by the chain: %s (tx %s: fee paid, nothing else changed)", msg, txErr.Result.Hash)
		}
		return fmt.Errorf("refused by the chain: %s (nothing was sent)", msg)
	}
	return err
}

var msgIndexPreamble = regexp.MustCompile(`^.*?message index: \d+: `)

// chainMessage tidies the chain's refusal for a model: without the SDK's
// "failed to execute message; message index: 0:" preamble, without the
// registered error's text repeated at the end, and with statuses as the
// tools show them (IN_PROGRESS, not JOB_STATUS_IN_PROGRESS).
func chainMessage(msg string) string {
	msg = msgIndexPreamble.ReplaceAllString(msg, "")
	parts := strings.Split(msg, ": ")
	for len(parts) > 1 && parts[len(parts)-1] == parts[len(parts)-2] {
		parts = parts[:len(parts)-1]
	}
	msg = strings.Join(parts, ": ")
	for _, p := range []string{"JOB_STATUS_", "LISTING_STATUS_", "REQUEST_STATUS_", "AGENT_STATUS_"} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	return msg
}

// parseID reads an id a model wrote ("7").
func parseID(field, s string) (uint64, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "#")
	if t == "" {
		return 0, fmt.Errorf("%s is missing: give the id as a string of digits, e.g. \"7\"", field)
	}
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%s %q is not an id: give the number shown by other tools, e.g. \"7\"", field, s)
	}
	return n, nil
}

func idString(n uint64) string { return strconv.FormatUint(n, 10) }

// checkPrice applies the server's cap on one hire, budget or bid.
func (s *Server) checkPrice(what string, c sdk.Coin) error {
	capAmt := s.cfg.MaxPrice
	if capAmt.Amount.IsNil() || capAmt.Denom != c.Denom {
		if !capAmt.Amount.IsNil() && capAmt.Denom != c.Denom {
			return fmt.Errorf("%s is in %s; this server's price cap is in %s and allows no other denom", what, c.Denom, capAmt.Denom)
		}
		return nil
	}
	if c.Amount.GT(capAmt.Amount) {
		return fmt.Errorf("%s %s is over this server's cap of %s per hire or bid (set by its operator with --max-price)", what, ShowAmount(c).Text, ShowAmount(capAmt).Text)
	}
	return nil
}
