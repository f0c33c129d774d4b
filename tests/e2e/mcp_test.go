package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelcontextprotocol/go-sdk/mcp"

	sdkmath "cosmossdk.io/math"

	"github.com/agentchain/agentchain/agentkit"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// mcpSession is an MCP client session with a transcript of its calls.
type mcpSession struct {
	t       *testing.T
	name    string
	s       *mcp.ClientSession
	mu      *sync.Mutex
	journal *[]string
}

// call calls a tool and returns its result; the structured content is
// decoded into out when out is not nil.
func (m mcpSession) call(ctx context.Context, tool string, args map[string]any, out any) *mcp.CallToolResult {
	m.t.Helper()
	res, err := m.s.CallTool(ctx, &mcp.CallToolParams{Name: tool, Arguments: args})
	if err != nil {
		m.t.Fatalf("%s: %s: protocol error: %v", m.name, tool, err)
	}
	text := toolText(res)
	argJSON, _ := json.Marshal(args)
	m.mu.Lock()
	*m.journal = append(*m.journal, fmt.Sprintf("%s → %s %s\n  ← %s%s", m.name, tool, argJSON, map[bool]string{true: "ERROR ", false: ""}[res.IsError], text))
	m.mu.Unlock()
	if out != nil && !res.IsError {
		bz, err := json.Marshal(res.StructuredContent)
		if err != nil {
			m.t.Fatal(err)
		}
		if err := json.Unmarshal(bz, out); err != nil {
			m.t.Fatalf("%s: %s: structured content %s: %v", m.name, tool, bz, err)
		}
	}
	return res
}

// ok calls a tool that must succeed.
func (m mcpSession) ok(ctx context.Context, tool string, args map[string]any, out any) {
	m.t.Helper()
	res := m.call(ctx, tool, args, out)
	if res.IsError {
		m.t.Fatalf("%s: %s %v: tool error: %s", m.name, tool, args, toolText(res))
	}
	if res.StructuredContent == nil {
		m.t.Fatalf("%s: %s: no structured content", m.name, tool)
	}
}

// refused calls a tool that must fail as a tool error containing want.
func (m mcpSession) refused(ctx context.Context, tool string, args map[string]any, want ...string) {
	m.t.Helper()
	res := m.call(ctx, tool, args, nil)
	text := toolText(res)
	if !res.IsError {
		m.t.Fatalf("%s: %s %v: want a tool error, got %s", m.name, tool, args, text)
	}
	for _, w := range want {
		if !strings.Contains(text, w) {
			m.t.Errorf("%s: %s %v: error %q does not say %q", m.name, tool, args, text, w)
		}
	}
}

func toolText(res *mcp.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*mcp.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, " ")
}

// bearer adds a token to every request.
type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// TestMCPServersCompleteAJob: two MCP servers, a client agent over
// streamable HTTP (with a bearer token) and a provider agent over stdio,
// driven through the Go SDK's MCP client, complete a whole job (find →
// hire → accept → deliver → complete → rate) and the chain shows it; the
// provider's wait_for_jobs wakes when the client hires; a hire over the
// owner's spend cap is a tool error with the cap's message that moves
// nothing; tools/list describes every tool; bad arguments are tool errors
// that say what to fix; concurrent calls from one session keep sequences.
func TestMCPServersCompleteAJob(t *testing.T) {
	nw := StartNetwork(t, NetworkOptions{})
	node := nw.Nodes[0]
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	alice := dial(t, ctx, node, devnetSigner(t, "alice"))

	providerMnemonic, _ := agentkit.NewMnemonic()
	clientMnemonic, _ := agentkit.NewMnemonic()
	providerKey, _ := agentkit.FromMnemonic(providerMnemonic)
	clientKey, _ := agentkit.FromMnemonic(clientMnemonic)
	fund(t, ctx, alice, providerKey.Address(), 100_000_000)
	fund(t, ctx, alice, clientKey.Address(), 100_000_000)
	// The client agent is owned by alice, who caps what its key may spend:
	// 5 AGNT per 100 blocks.
	clientAgent, err := alice.RegisterAgent(ctx, agentkit.AgentSpec{Name: "mcp-client", Capabilities: []string{"research"}}, clientKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SetSpendPolicy(ctx, clientAgent.Id, sdkmath.NewInt(5_000_000), "uagnt", 100); err != nil {
		t.Fatal(err)
	}

	ports := freePorts(t, 1)
	httpAddr := fmt.Sprintf("127.0.0.1:%d", ports.P2P)
	contentAddr := fmt.Sprintf("127.0.0.1:%d", ports.P2P+1)
	common := []string{"mcp", "--grpc-addr", node.GRPC, "--rpc-addr", "http://" + node.RPC, "--fetch-private", "--tool-timeout", "60s"}

	var journal []string
	var mu sync.Mutex
	client := mcp.NewClient(&mcp.Implementation{Name: "agentchain-e2e", Version: "1"}, nil)

	// The provider: stdio, started by the MCP client as a command.
	providerCmd := exec.Command(binPath, append(common, "--home", t.TempDir(), "--content-listen", contentAddr)...)
	providerCmd.Env = append(os.Environ(), "AGENT_MNEMONIC="+providerMnemonic)
	providerCmd.Stderr = stderrLog(t, "provider-mcp")
	ps, err := client.Connect(ctx, &mcp.CommandTransport{Command: providerCmd}, nil)
	if err != nil {
		t.Fatalf("connect to the provider's MCP server over stdio: %v", err)
	}
	defer ps.Close()
	provider := mcpSession{t: t, name: "provider", s: ps, mu: &mu, journal: &journal}

	// The client: streamable HTTP with a bearer token.
	const token = "e2e-secret-token"
	clientCmd := exec.Command(binPath, append(common, "--home", t.TempDir(), "--http", httpAddr, "--max-price", "50")...)
	clientCmd.Env = append(os.Environ(), "AGENT_MNEMONIC="+clientMnemonic, "AGENTCHAIN_MCP_TOKEN="+token)
	clientCmd.Stderr = stderrLog(t, "client-mcp")
	if err := clientCmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = clientCmd.Process.Signal(os.Interrupt); _ = clientCmd.Wait() })
	endpoint := "http://" + httpAddr + "/mcp"
	waitFor(t, 30*time.Second, "the client's MCP server to listen", func() bool {
		resp, err := http.Get(endpoint) //nolint:gosec,noctx // a loopback URL built by the test
		if err == nil {
			_ = resp.Body.Close()
		}
		return err == nil
	})
	// Without the token: refused.
	resp, err := http.Post(endpoint, "application/json", strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`)) //nolint:gosec,noctx // a loopback URL built by the test
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("a request without the bearer token: HTTP %d, want 401", resp.StatusCode)
	}
	// From a web page (an Origin header), even with the token: refused.
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, strings.NewReader(`{"jsonrpc":"2.0","id":1,"method":"tools/list"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Origin", "https://evil.example")
	req.Header.Set("Content-Type", "application/json")
	if resp, err = http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a request from a web page: HTTP %d, want 403", resp.StatusCode)
	}
	cs, err := client.Connect(ctx, &mcp.StreamableClientTransport{
		Endpoint: endpoint, HTTPClient: &http.Client{Transport: bearer{token: token, next: http.DefaultTransport}},
	}, nil)
	if err != nil {
		t.Fatalf("connect to the client's MCP server over HTTP: %v", err)
	}
	defer cs.Close()
	buyer := mcpSession{t: t, name: "client", s: cs, mu: &mu, journal: &journal}

	t.Run("tools/list describes every tool", func(t *testing.T) {
		tools, err := cs.ListTools(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"whoami", "register_agent", "update_agent", "find_providers", "get_agent", "get_reputation",
			"create_listing", "set_listing_status", "hire", "post_request", "place_bid", "accept_bid", "my_jobs", "get_job",
			"accept_job", "decline_job", "deliver", "complete", "reject", "rate", "wait_for_jobs",
		}
		have := map[string]*mcp.Tool{}
		for _, tool := range tools.Tools {
			have[tool.Name] = tool
			if len(tool.Description) < 20 {
				t.Errorf("tool %s: description %q", tool.Name, tool.Description)
			}
			in, _ := json.Marshal(tool.InputSchema)
			out, _ := json.Marshal(tool.OutputSchema)
			var inSchema struct {
				Type       string         `json:"type"`
				Properties map[string]any `json:"properties"`
				Required   []string       `json:"required"`
			}
			if err := json.Unmarshal(in, &inSchema); err != nil || inSchema.Type != "object" {
				t.Errorf("tool %s: input schema %s", tool.Name, in)
			}
			if tool.OutputSchema == nil || !strings.Contains(string(out), `"properties"`) {
				t.Errorf("tool %s: output schema %s", tool.Name, out)
			}
			required := map[string][]string{
				"hire": {"listing_id"}, "rate": {"job_id", "score"}, "deliver": {"job_id"}, "find_providers": {"capability"},
				"create_listing": {"capability", "title", "price"}, "register_agent": {"name", "capabilities"},
				"place_bid": {"request_id", "price", "delivery_blocks"}, "reject": {"job_id", "reason"},
			}[tool.Name]
			for _, r := range required {
				if !slicesContains(inSchema.Required, r) {
					t.Errorf("tool %s: %q is not required in %s", tool.Name, r, in)
				}
			}
		}
		for _, name := range want {
			if have[name] == nil {
				t.Errorf("tool %s is missing", name)
			}
		}
	})

	// The provider registers and offers a capability; three listings at
	// once from one session keep the key's sequence right.
	var me struct {
		Address    string `json:"address"`
		Registered bool   `json:"registered"`
	}
	provider.ok(ctx, "whoami", nil, &me)
	if me.Address != agentkit.Bech32(providerKey.Address()) || me.Registered {
		t.Fatalf("provider whoami: %+v", me)
	}
	var agent struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	provider.ok(ctx, "register_agent", map[string]any{"name": "mcp-provider", "capabilities": []string{"summarize"}, "description": "Summaries, fast."}, &agent)
	type listingOut struct {
		ID    string `json:"id"`
		Price struct {
			Amount string `json:"amount"`
		} `json:"price"`
	}
	var listings [3]listingOut
	var wg sync.WaitGroup
	for i, price := range []string{"2", "6 AGNT", "60000000uagnt"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			provider.ok(ctx, "create_listing", map[string]any{"capability": "summarize", "title": fmt.Sprintf("Summaries %d", i), "price": price}, &listings[i])
		}()
	}
	wg.Wait()
	if listings[0].Price.Amount != "2000000" || listings[1].Price.Amount != "6000000" || listings[2].Price.Amount != "60000000" {
		t.Fatalf("listings: %+v", listings)
	}

	// The provider waits for work; the client finds it and hires.
	var wait struct {
		Cursor  string `json:"cursor"`
		Changes []struct {
			JobID    string `json:"job_id"`
			Event    string `json:"event"`
			Role     string `json:"role"`
			Status   string `json:"status"`
			NextStep string `json:"next_step"`
		} `json:"changes"`
		TimedOut bool `json:"timed_out"`
	}
	woke := make(chan struct{})
	go func() {
		defer close(woke)
		provider.ok(ctx, "wait_for_jobs", map[string]any{"timeout_seconds": 50}, &wait)
	}()
	time.Sleep(time.Second) // the wait is in place
	var offers struct {
		Offers []struct {
			ListingID    string `json:"listing_id"`
			ProviderName string `json:"provider_name"`
			Price        struct {
				AGNT string `json:"agnt"`
			} `json:"price"`
		} `json:"offers"`
	}
	buyer.ok(ctx, "find_providers", map[string]any{"capability": "summarize", "max_price": "5"}, &offers)
	if len(offers.Offers) != 1 || offers.Offers[0].ListingID != listings[0].ID || offers.Offers[0].ProviderName != "mcp-provider" || offers.Offers[0].Price.AGNT != "2" {
		t.Fatalf("find_providers: %+v", offers)
	}
	// A spec too long for a data: URI is published by the client's server.
	spec := "Summarize the following in one sentence. " + strings.Repeat("Agents hire agents on agentchain, paying through escrow. ", 12)
	var job struct {
		ID         string `json:"id"`
		Status     string `json:"status"`
		SpecURI    string `json:"spec_uri"`
		Milestones []struct {
			ResultURI string `json:"result_uri"`
		} `json:"milestones"`
	}
	buyer.ok(ctx, "hire", map[string]any{"listing_id": offers.Offers[0].ListingID, "spec": spec}, &job)
	if job.Status != "FUNDED" || !strings.HasPrefix(job.SpecURI, "http://"+httpAddr+"/content/") {
		t.Fatalf("hire: %+v", job)
	}
	select {
	case <-woke:
	case <-time.After(40 * time.Second):
		t.Fatal("the provider's wait_for_jobs did not wake on the hire")
	}
	if wait.TimedOut || len(wait.Changes) == 0 || wait.Changes[0].JobID != job.ID || wait.Changes[0].Role != "provider" || wait.Changes[0].Event != "funded" {
		t.Fatalf("provider's wait: %+v", wait)
	}

	// The provider reads the spec (fetched from the client's content
	// server and checked against its hash), accepts and delivers.
	var got struct {
		Job struct {
			Status string `json:"status"`
			Role   string `json:"role"`
		} `json:"job"`
		Spec struct {
			Verified bool   `json:"verified"`
			Text     string `json:"text"`
		} `json:"spec"`
		Results []struct {
			Verified bool   `json:"verified"`
			Text     string `json:"text"`
		} `json:"results"`
	}
	provider.ok(ctx, "get_job", map[string]any{"job_id": job.ID}, &got)
	if !got.Spec.Verified || got.Spec.Text != spec || got.Job.Role != "provider" {
		t.Fatalf("provider's get_job: %+v", got)
	}
	provider.ok(ctx, "accept_job", map[string]any{"job_id": job.ID}, &job)
	if job.Status != "IN_PROGRESS" {
		t.Fatalf("accept_job: %+v", job)
	}
	provider.refused(ctx, "accept_job", map[string]any{"job_id": job.ID}, "refused by the chain", "IN_PROGRESS")
	const result = "Agents hire agents on agentchain and pay through escrow."
	provider.ok(ctx, "deliver", map[string]any{"job_id": job.ID, "result": result}, &job)
	if job.Status != "DELIVERED" || !strings.HasPrefix(job.Milestones[0].ResultURI, "data:") {
		t.Fatalf("deliver: %+v", job)
	}

	// The client sees the delivery, checks it, pays and rates.
	buyer.ok(ctx, "wait_for_jobs", map[string]any{"timeout_seconds": 5}, &wait)
	if len(wait.Changes) != 1 || wait.Changes[0].JobID != job.ID || wait.Changes[0].Status != "DELIVERED" || wait.Changes[0].Role != "client" {
		t.Fatalf("client's wait: %+v", wait)
	}
	got.Results = nil
	buyer.ok(ctx, "get_job", map[string]any{"job_id": job.ID}, &got)
	if len(got.Results) != 1 || !got.Results[0].Verified || got.Results[0].Text != result {
		t.Fatalf("client's get_job: %+v", got)
	}
	paidBefore, err := alice.Balance(ctx, providerKey.Address(), "uagnt")
	if err != nil {
		t.Fatal(err)
	}
	buyer.ok(ctx, "complete", map[string]any{"job_id": job.ID}, &job)
	if job.Status != "COMPLETED" {
		t.Fatalf("complete: %+v", job)
	}
	buyer.refused(ctx, "complete", map[string]any{"job_id": job.ID}, "refused by the chain", "COMPLETED")
	buyer.ok(ctx, "rate", map[string]any{"job_id": job.ID, "score": 90, "tags": []string{"fast"}}, nil)
	provider.ok(ctx, "rate", map[string]any{"job_id": job.ID, "score": 80}, nil)

	// The chain shows it.
	jobID, _ := parseUint(job.ID)
	onChain, err := alice.Job(ctx, jobID)
	if err != nil {
		t.Fatal(err)
	}
	if onChain.Status != markettypes.JOB_STATUS_COMPLETED || onChain.Client != agentkit.Bech32(clientKey.Address()) || !onChain.Price.Amount.Equal(sdkmath.NewInt(2_000_000)) {
		t.Fatalf("job on chain: %+v", onChain)
	}
	paidAfter, err := alice.Balance(ctx, providerKey.Address(), "uagnt")
	if err != nil {
		t.Fatal(err)
	}
	if !paidAfter.GT(paidBefore) {
		t.Errorf("the provider was not paid: %s → %s", paidBefore, paidAfter)
	}
	providerID, _ := parseUint(agent.ID)
	rep, err := alice.Reputation(ctx, providerID, "")
	if err != nil || rep.Count != 1 {
		t.Errorf("the provider's reputation after one rating: %+v %v", rep, err)
	}

	// Over the spend cap (5 AGNT per 100 blocks, 2 spent): a tool error
	// with the chain's message, and nothing moves.
	balBefore, err := alice.Balance(ctx, clientKey.Address(), "uagnt")
	if err != nil {
		t.Fatal(err)
	}
	buyer.refused(ctx, "hire", map[string]any{"listing_id": listings[1].ID, "spec": "Summarize this."}, "spend cap")
	// Over the server's own --max-price (50 AGNT).
	buyer.refused(ctx, "hire", map[string]any{"listing_id": listings[2].ID, "spec": "Summarize this."}, "over this server's cap")
	balAfter, err := alice.Balance(ctx, clientKey.Address(), "uagnt")
	if err != nil {
		t.Fatal(err)
	}
	if !balAfter.Equal(balBefore) {
		t.Errorf("refused hires moved %s uagnt", balBefore.Sub(balAfter))
	}
	var mine struct {
		Jobs []struct {
			ID string `json:"id"`
		} `json:"jobs"`
	}
	buyer.ok(ctx, "my_jobs", map[string]any{"role": "client"}, &mine)
	if len(mine.Jobs) != 1 {
		t.Errorf("after refused hires the client has %d jobs, want 1", len(mine.Jobs))
	}
	var who struct {
		SpendCaps []struct {
			Available struct {
				Amount string `json:"amount"`
			} `json:"available"`
		} `json:"spend_caps"`
	}
	buyer.ok(ctx, "whoami", nil, &who)
	if len(who.SpendCaps) != 1 {
		t.Errorf("client whoami shows %d spend caps", len(who.SpendCaps))
	}

	t.Run("bad arguments are tool errors that say what to fix", func(t *testing.T) {
		buyer.refused(ctx, "get_job", map[string]any{}, "job_id")
		buyer.refused(ctx, "get_job", map[string]any{"job_id": 7}, "job_id")
		buyer.refused(ctx, "get_job", map[string]any{"job_id": "seven"}, "not an id")
		buyer.refused(ctx, "get_job", map[string]any{"job_id": "999999"}, "not found")
		provider.refused(ctx, "create_listing", map[string]any{"capability": "summarize", "title": "x", "price": "-1"}, "negative")
		provider.refused(ctx, "create_listing", map[string]any{"capability": "summarize", "title": "x", "price": "0.0000001"}, "finer than 1 uagnt")
		provider.refused(ctx, "create_listing", map[string]any{"capability": "summarize", "title": "x", "price": "two"}, "not an amount")
		buyer.refused(ctx, "rate", map[string]any{"job_id": job.ID, "score": 101}, "0-100")
		buyer.refused(ctx, "reject", map[string]any{"job_id": job.ID, "reason": "bad vibes"}, "spec_mismatch")
		buyer.refused(ctx, "hire", map[string]any{"listing_id": listings[0].ID}, "spec is missing")
		buyer.refused(ctx, "my_jobs", map[string]any{"status": "DONE"}, "FUNDED")
	})

	t.Run("resources and prompts", func(t *testing.T) {
		res, err := ps.ReadResource(ctx, &mcp.ReadResourceParams{URI: "agentchain://agent/me"})
		if err != nil || len(res.Contents) != 1 || !strings.Contains(res.Contents[0].Text, `"mcp-provider"`) || !strings.Contains(res.Contents[0].Text, `"verified": true`) {
			t.Errorf("agent card resource: %+v %v", res, err)
		}
		res, err = ps.ReadResource(ctx, &mcp.ReadResourceParams{URI: "agentchain://market/params"})
		if err != nil || len(res.Contents) != 1 || res.Contents[0].Text == "" {
			t.Errorf("market params resource: %+v %v", res, err)
		}
		res, err = ps.ReadResource(ctx, &mcp.ReadResourceParams{URI: "agentchain://job/" + job.ID})
		if err != nil || len(res.Contents) != 1 || !strings.Contains(res.Contents[0].Text, `"COMPLETED"`) {
			t.Errorf("job resource: %+v %v", res, err)
		}
		specHash := fmt.Sprintf("%x", agentkit.Hash([]byte(spec)))
		res, err = ps.ReadResource(ctx, &mcp.ReadResourceParams{URI: "agentchain://content/" + specHash})
		if err != nil || len(res.Contents) != 1 || res.Contents[0].Text != spec {
			t.Errorf("content resource by hash: %+v %v", res, err)
		}
		prompts, err := ps.ListPrompts(ctx, nil)
		if err != nil || len(prompts.Prompts) != 2 {
			t.Fatalf("prompts: %+v %v", prompts, err)
		}
		p, err := ps.GetPrompt(ctx, &mcp.GetPromptParams{Name: "hire_an_agent", Arguments: map[string]string{"task": "a summary", "capability": "summarize"}})
		if err != nil || len(p.Messages) == 0 {
			t.Errorf("hire_an_agent prompt: %+v %v", p, err)
		}
	})

	t.Run("read-only mode signs nothing", func(t *testing.T) {
		roCmd := exec.Command(binPath, append(common, "--home", t.TempDir(), "--read-only")...)
		roCmd.Env = append(os.Environ(), "AGENT_MNEMONIC="+providerMnemonic)
		ro, err := client.Connect(ctx, &mcp.CommandTransport{Command: roCmd}, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer ro.Close()
		tools, err := ro.ListTools(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, tool := range tools.Tools {
			names = append(names, tool.Name)
			if !tool.Annotations.ReadOnlyHint {
				t.Errorf("read-only server exposes %s", tool.Name)
			}
		}
		sort.Strings(names)
		if slicesContains(names, "hire") || !slicesContains(names, "get_job") {
			t.Errorf("read-only tools: %v", names)
		}
	})

	t.Logf("MCP transcript:\n%s", strings.Join(journal, "\n"))
}

func slicesContains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func parseUint(s string) (uint64, error) {
	var n uint64
	_, err := fmt.Sscan(s, &n)
	return n, err
}

// stderrLog keeps a process's standard error in a file, shown when the
// test fails.
func stderrLog(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), name+".stderr"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			if bz, err := os.ReadFile(f.Name()); err == nil {
				t.Logf("---- %s stderr ----\n%s", name, bz)
			}
		}
		_ = f.Close()
	})
	return f
}
