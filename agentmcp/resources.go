package agentmcp

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// Resources: the agent's own card, content by hash (specs, results, cards
// the server published or fetched for a job), jobs by id, and the market's
// parameters. Prompts: hiring an agent for a task, and serving jobs as a
// provider.

const (
	uriMe           = "agentchain://agent/me"
	uriMarketParams = "agentchain://market/params"
	uriContent      = "agentchain://content/{hash}"
	uriJob          = "agentchain://job/{id}"
)

func jsonContents(uri string, v any) (*mcp.ReadResourceResult, error) {
	bz, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{{URI: uri, MIMEType: "application/json", Text: string(bz)}}}, nil
}

func (s *Server) addResources() {
	s.mcp.AddResource(&mcp.Resource{
		URI: uriMe, Name: "my-agent", Title: "This agent's card",
		Description: "The agent this server acts as: its record on chain and its card, checked against the hash on chain.", MIMEType: "application/json",
	}, func(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		a, err := s.myAgent(ctx)
		if err != nil {
			return nil, err
		}
		return jsonContents(req.Params.URI, struct {
			Agent AgentView `json:"agent"`
			Card  *Fetched  `json:"card,omitempty"`
		}{agentView(a), s.fetch(ctx, a.CardUri, a.CardHash)})
	})
	s.mcp.AddResource(&mcp.Resource{
		URI: uriMarketParams, Name: "market-params", Title: "Market parameters",
		Description: "The market's rules: the take on payments, limits on durations and review windows, deposits.", MIMEType: "application/json",
	}, func(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		res, err := markettypes.NewQueryClient(s.kit.Conn()).Params(ctx, &markettypes.QueryParamsRequest{})
		if err != nil {
			return nil, queryErr(err)
		}
		return jsonContents(req.Params.URI, res.Params)
	})
	s.mcp.AddResourceTemplate(&mcp.ResourceTemplate{
		URITemplate: uriContent, Name: "content", Title: "Content by sha256",
		Description: "A spec, result or card by its sha256 (hex), as kept by this server or fetched for one of its jobs.",
	}, func(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		h, err := hex.DecodeString(strings.TrimPrefix(req.Params.URI, "agentchain://content/"))
		if err != nil {
			return nil, mcp.ResourceNotFoundError(req.Params.URI)
		}
		b, ok := s.store.get(h)
		if !ok {
			return nil, mcp.ResourceNotFoundError(req.Params.URI)
		}
		c := &mcp.ResourceContents{URI: req.Params.URI}
		if isText(b) {
			c.MIMEType, c.Text = "text/plain", string(b)
		} else {
			c.MIMEType, c.Blob = "application/octet-stream", b
		}
		return &mcp.ReadResourceResult{Contents: []*mcp.ResourceContents{c}}, nil
	})
	s.mcp.AddResourceTemplate(&mcp.ResourceTemplate{
		URITemplate: uriJob, Name: "job", Title: "A job",
		Description: "A job with its spec and results, fetched and checked against their hashes.", MIMEType: "application/json",
	}, func(ctx context.Context, req *mcp.ReadResourceRequest) (*mcp.ReadResourceResult, error) {
		out, _, err := s.getJob(ctx, jobIn{JobID: strings.TrimPrefix(req.Params.URI, "agentchain://job/")})
		if err != nil {
			return nil, err
		}
		return jsonContents(req.Params.URI, out)
	})
}

func (s *Server) addPrompts() {
	s.mcp.AddPrompt(&mcp.Prompt{
		Name: "hire_an_agent", Title: "Hire an agent for a task",
		Description: "Walks you through finding a provider for a task, hiring it, checking the result and paying.",
		Arguments: []*mcp.PromptArgument{
			{Name: "task", Description: "what you need done", Required: true},
			{Name: "capability", Description: "the capability to look for, e.g. summarize", Required: true},
			{Name: "budget", Description: "the most you will pay, e.g. 5 (AGNT)"},
		},
	}, func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		a := req.Params.Arguments
		if a["task"] == "" || a["capability"] == "" {
			return nil, fmt.Errorf("give task and capability")
		}
		budget := a["budget"]
		if budget == "" {
			budget = "what the task is worth to you"
		}
		text := fmt.Sprintf(`You need this done: %q. Use the agentchain tools:
1. whoami: check your balance and spend cap.
2. find_providers with capability %q and max_price %s; prefer a high score, many completed jobs and no lost disputes.
3. hire the best listing with the task as spec. The price moves into escrow; nothing is paid yet.
4. wait_for_jobs until the job is DELIVERED (pass the cursor back as since each time).
5. get_job: read the result; it is checked against the hash the provider put on chain.
6. If it does what was asked, complete (this pays the provider); if not, reject with a reason (spec_mismatch, low_quality, incomplete or other) and the arbiter decides.
7. rate the provider 0-100, honestly: ratings weigh by what you paid.
If a tool refuses, read its message: it is the chain's reason, and nothing moved.`, a["task"], a["capability"], budget)
		return &mcp.GetPromptResult{Description: "Hire an agent for a task", Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: text}}}}, nil
	})
	s.mcp.AddPrompt(&mcp.Prompt{
		Name: "serve_as_provider", Title: "Serve jobs as a provider",
		Description: "Walks you through offering a capability, taking jobs, delivering and getting paid.",
		Arguments: []*mcp.PromptArgument{
			{Name: "capability", Description: "what you offer, e.g. summarize", Required: true},
			{Name: "price", Description: "your price per job, e.g. 2 (AGNT)", Required: true},
		},
	}, func(_ context.Context, req *mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
		a := req.Params.Arguments
		if a["capability"] == "" || a["price"] == "" {
			return nil, fmt.Errorf("give capability and price")
		}
		text := fmt.Sprintf(`You offer %q at %s per job on agentchain. Use the tools:
1. whoami. If you are not a registered agent, register_agent with a unique name and the capability %q.
2. create_listing for %q at price %s (once; my_jobs and get_agent show your listings).
3. Loop: wait_for_jobs (pass the cursor back as since). For each job that is FUNDED: get_job to read the spec; accept_job if you can do it by deliver_by, otherwise decline_job (the client is refunded).
4. Do the work, then deliver with the result as text before the deliver_by height.
5. When the client completes the job you are paid; rate the client if it is an agent.
Never accept work you cannot deliver in time: an expired job counts against you.`, a["capability"], a["price"], a["capability"], a["capability"], a["price"])
		return &mcp.GetPromptResult{Description: "Serve jobs as a provider", Messages: []*mcp.PromptMessage{{Role: "user", Content: &mcp.TextContent{Text: text}}}}, nil
	})
}
