package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/agentkit"
)

// v1Binary returns the release before the v2 upgrade: AGENTCHAIND_V1_BIN
// (make test-e2e builds it), or a build of this tree with -tags
// agentchain_v1.
func v1Binary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("AGENTCHAIND_V1_BIN"); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			t.Fatal(err)
		}
		return abs
	}
	bin := filepath.Join(t.TempDir(), "agentchaind-v1")
	build := exec.Command("go", "build", "-tags", "agentchain_v1", "-o", bin, "./cmd/agentchaind")
	build.Dir = repoRoot
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the v1 release: %v\n%s", err, out)
	}
	return bin
}

// A governed software upgrade on four validators: the network runs the
// release before v2 with a workload; a software-upgrade proposal passes;
// every node halts at the plan's height and the old binary refuses to go on;
// the nodes restart on this tree's binary, whose v2 handler runs x/market's
// 1 → 2 migration (jobs indexed by client agent). The state the new binary
// reads equals the old one's, the app hashes agree, every invariant holds,
// and the workload goes on.
func TestGovernedUpgrade(t *testing.T) {
	v1 := v1Binary(t)
	// Proposals settle in seconds, not minutes.
	cfg, err := os.ReadFile(filepath.Join(repoRoot, "config.yml"))
	if err != nil {
		t.Fatal(err)
	}
	patched := strings.NewReplacer(
		`        voting_period: "120s"`, `        voting_period: "8s"`,
		`        expedited_voting_period: "60s"`, `        expedited_voting_period: "4s"`,
	).Replace(string(cfg))
	if patched == string(cfg) {
		t.Fatal("config.yml's gov voting periods moved; update this test")
	}
	cfgPath := filepath.Join(t.TempDir(), "config.yml")
	if err := os.WriteFile(cfgPath, []byte(patched), 0o600); err != nil {
		t.Fatal(err)
	}

	n := StartNetwork(t, NetworkOptions{Validators: 4, Config: cfgPath, Bin: v1})
	ctx := context.Background()
	wl := startWorkload(t, n, n.Nodes)
	defer wl.stop()

	// An agent under a spend cap that it has partly used: its window must
	// come through the upgrade as it was.
	owner := dial(t, ctx, n.Nodes[0], devnetSigner(t, "alice"))
	defer owner.Close()
	capped := agentkit.FromSecret("upgrade capped agent")
	fund(t, ctx, owner, capped.Address(), 50_000_000)
	agent, err := owner.RegisterAgent(ctx, agentkit.AgentSpec{Name: "upgrade-capped", Capabilities: []string{"summarize"}}, capped)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := owner.SetSpendPolicy(ctx, agent.Id, sdkmath.NewInt(5_000_000), "uagnt", 10_000); err != nil {
		t.Fatal(err)
	}
	spender := dial(t, ctx, n.Nodes[0], capped)
	defer spender.Close()
	// (A send to the agent's own owner would not count.)
	if _, err := spender.Send(ctx, agentkit.FromSecret("upgrade sink").Address(), sdk.NewCoins(agnt(1_234_567))); err != nil {
		t.Fatal(err)
	}

	// Some business first, then the proposal.
	waitFor(t, 3*time.Minute, "the workload to hire", func() bool {
		jobs, settled, _, _ := wl.stats(ctx, n.Nodes[0])
		return jobs >= 6 && settled >= 2
	})
	var govParams struct {
		Params struct {
			MinDeposit []struct {
				Denom  string `json:"denom"`
				Amount string `json:"amount"`
			} `json:"min_deposit"`
		} `json:"params"`
	}
	n.QueryJSON(&govParams, "gov", "params")
	if len(govParams.Params.MinDeposit) == 0 {
		t.Fatal("gov params without a minimum deposit")
	}
	deposit := govParams.Params.MinDeposit[0].Amount + govParams.Params.MinDeposit[0].Denom
	h0 := n.WaitBlocks(1)
	upgradeHeight := h0 + 150
	res := n.MustSucceed(n.Tx("alice", "upgrade", "software-upgrade", "v2",
		"--upgrade-height", strconv.FormatInt(upgradeHeight, 10),
		"--title", "agentchain v2", "--summary", "x/market 1 -> 2: jobs indexed by client agent; x/reputation 1 -> 2: top-agents index carries the aggregates; x/agentid 1 -> 2: expired attestations pruned",
		"--deposit", deposit, "--no-validate"))
	ev, ok := res.FindEvent("submit_proposal")
	if !ok {
		t.Fatalf("no submit_proposal event: %+v", res.Events)
	}
	proposal := ev.Attributes["proposal_id"]
	for _, voter := range []string{"alice", "validator1", "validator2", "validator3"} {
		n.MustSucceed(n.Tx(voter, "gov", "vote", proposal, "yes"))
	}
	var prop struct {
		Proposal struct {
			Status string `json:"status"`
		} `json:"proposal"`
	}
	waitFor(t, time.Minute, "the proposal to pass", func() bool {
		n.QueryJSON(&prop, "gov", "proposal", proposal)
		return prop.Proposal.Status == "PROPOSAL_STATUS_PASSED"
	})
	var plan struct {
		Plan struct {
			Name   string `json:"name"`
			Height string `json:"height"`
		} `json:"plan"`
	}
	n.QueryJSON(&plan, "upgrade", "plan")
	if plan.Plan.Name != "v2" || plan.Plan.Height != strconv.FormatInt(upgradeHeight, 10) {
		t.Fatalf("upgrade plan %+v, want v2 at %d", plan.Plan, upgradeHeight)
	}
	// The workload rests for the last blocks before the upgrade, longer than
	// any of its timers (escrows expire 40 blocks on, reviews last 30), so
	// that the blocks either side of the upgrade hold the same state.
	wl.pause(t)
	quietFrom := n.WaitBlocks(0)
	before, _, _, _ := wl.stats(ctx, n.Nodes[0])
	if quietFrom > upgradeHeight-90 {
		t.Fatalf("the proposal passed at height %d, too close to the upgrade height %d for the quiet stretch", quietFrom, upgradeHeight)
	}

	// The new binary, started before the upgrade height, refuses to run:
	// node 3 tries it, then goes back to the old one and catches up.
	early := n.Nodes[3]
	n.StopNode(early)
	early.Bin = ""
	n.StartNode(early)
	waitFor(t, time.Minute, "the new binary to refuse to run before the upgrade height", func() bool {
		bz, _ := os.ReadFile(early.logPath)
		return bytes.Contains(bz, []byte(`BINARY UPDATED BEFORE TRIGGER! UPGRADE "v2"`))
	})
	n.StopNode(early)
	early.Bin = v1
	n.StartNode(early)
	n.WaitForHeight(early, n.WaitBlocks(0), startTimeout)

	// Every node halts at the upgrade height and says why.
	const needed = `UPGRADE "v2" NEEDED at height: `
	for _, node := range n.Nodes {
		waitFor(t, 2*time.Minute, fmt.Sprintf("node %d to halt for the upgrade", node.Index), func() bool {
			bz, _ := os.ReadFile(node.logPath)
			return bytes.Contains(bz, []byte(needed+strconv.FormatInt(upgradeHeight, 10)))
		})
	}
	last := upgradeHeight - 1
	// CometBFT stored the block at the upgrade height before the
	// application refused it: its latest block is that one, and the last
	// state committed is the one before.
	for _, node := range n.Nodes {
		if st, err := n.Status(node); err != nil || st.Height != upgradeHeight {
			t.Fatalf("node %d halted at %d (%v), want %d", node.Index, st.Height, err, upgradeHeight)
		}
	}
	if quietFrom > last-45 {
		t.Fatalf("the workload rested only from height %d", quietFrom)
	}
	var v1Index struct {
		Jobs []json.RawMessage `json:"jobs"`
	}
	n.QueryJSON(&v1Index, "market", "jobs-by-client-agent", strconv.FormatUint(wl.clientAgent, 10))
	if len(v1Index.Jobs) != 0 {
		t.Fatalf("the release before v2 indexes jobs by client agent: %d", len(v1Index.Jobs))
	}
	oldState := n.stateSnapshot(t, n.Nodes[0], last)
	for _, node := range n.Nodes {
		n.StopNode(node)
		info := filepath.Join(node.Home, "data", "upgrade-info.json")
		bz, err := os.ReadFile(info)
		if err != nil || !bytes.Contains(bz, []byte(`"name":"v2"`)) {
			t.Fatalf("node %d: %s: %v %s", node.Index, info, err, bz)
		}
	}

	// The old binary refuses to run past the height it does not know.
	runCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	out, err := exec.CommandContext(runCtx, v1, "start", "--home", n.Nodes[0].Home).CombinedOutput()
	if err == nil || !bytes.Contains(out, []byte(needed)) {
		t.Fatalf("the old binary restarted past the upgrade height: %v\n%s", err, tail(out, 20))
	}

	// The new binary: the upgrade runs at the planned height.
	for _, node := range n.Nodes {
		node.Bin = ""
		n.StartNode(node)
	}
	for _, node := range n.Nodes {
		n.WaitForHeight(node, upgradeHeight+3, startTimeout)
	}
	var applied struct {
		Height string `json:"height"`
	}
	n.QueryJSON(&applied, "upgrade", "applied", "v2")
	if applied.Height != strconv.FormatInt(upgradeHeight, 10) {
		t.Fatalf("v2 applied at %q, want %d", applied.Height, upgradeHeight)
	}
	var versions struct {
		ModuleVersions []struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"module_versions"`
	}
	for _, module := range []string{"agentid", "market", "reputation"} {
		n.QueryJSON(&versions, "upgrade", "module-versions", module)
		if len(versions.ModuleVersions) != 1 || versions.ModuleVersions[0].Version != "2" {
			t.Fatalf("%s's version after the upgrade: %+v", module, versions.ModuleVersions)
		}
		n.QueryJSON(&versions, "upgrade", "module-versions", module, "--height", strconv.FormatInt(last, 10))
		if len(versions.ModuleVersions) != 1 || versions.ModuleVersions[0].Version != "1" {
			t.Fatalf("%s's version before the upgrade: %+v", module, versions.ModuleVersions)
		}
	}

	// The new binary reads the old state exactly as the old one did, and the
	// upgrade block changed nothing but the index and the versions.
	newBinOld := n.stateSnapshot(t, n.Nodes[0], last)
	if diff := diffSnapshots(oldState, newBinOld, nil); diff != "" {
		t.Fatalf("the new binary reads height %d differently:\n%s", last, diff)
	}
	// Scores decay and spend buckets refill with height: those are compared
	// by what they store. Minting adds to the supply every block.
	afterUpgrade := n.stateSnapshot(t, n.Nodes[0], upgradeHeight)
	viewOfNow := func(key string) bool {
		return strings.HasPrefix(key, "agentid spend-policies ") || strings.HasPrefix(key, "reputation reputation ") ||
			key == "bank total-supply"
	}
	if supply(t, afterUpgrade["bank total-supply"]) <= supply(t, oldState["bank total-supply"]) {
		t.Fatalf("supply before %s and after %s the upgrade", oldState["bank total-supply"], afterUpgrade["bank total-supply"])
	}
	if diff := diffSnapshots(oldState, afterUpgrade, viewOfNow); diff != "" {
		t.Fatalf("the upgrade changed state beyond the index:\n%s", diff)
	}
	key := "agentid spend-policies " + strconv.FormatUint(agent.Id, 10)
	pOld, pNew := spendPolicy(t, oldState[key]), spendPolicy(t, afterUpgrade[key])
	availOld, _ := strconv.ParseInt(pOld.Available, 10, 64)
	availNew, _ := strconv.ParseInt(pNew.Available, 10, 64)
	// The send drew 1,234,567 (and its fee) from a 5,000,000 bucket that
	// refills 500 a block; by the upgrade it has not refilled.
	if pOld.Cap != "5000000" || availOld <= 0 || availOld > 5_000_000-1_000_000 ||
		pNew.Cap != pOld.Cap || pNew.WindowBlocks != pOld.WindowBlocks || pNew.FullHeight != pOld.FullHeight ||
		availNew < availOld || availNew > availOld+500 {
		t.Fatalf("the capped agent's window before %+v and after %+v the upgrade", pOld, pNew)
	}
	for key := range afterUpgrade {
		if strings.HasPrefix(key, "reputation reputation ") {
			if a, b := reputationStored(t, oldState[key]), reputationStored(t, afterUpgrade[key]); a != b {
				t.Fatalf("%s before %s and after %s the upgrade", key, a, b)
			}
		}
	}

	// The migration indexed exactly the client agent's jobs made before it.
	var want []string
	for key, js := range oldState {
		if !strings.HasPrefix(key, "market job ") {
			continue
		}
		var j struct {
			Job struct {
				ID          string `json:"id"`
				ClientAgent string `json:"client_agent"`
			} `json:"job"`
		}
		if err := json.Unmarshal([]byte(js), &j); err != nil {
			t.Fatal(err)
		}
		if j.Job.ClientAgent == strconv.FormatUint(wl.clientAgent, 10) {
			want = append(want, j.Job.ID)
		}
	}
	got := jobIDs(t, n, "market", "jobs-by-client-agent", strconv.FormatUint(wl.clientAgent, 10), "--height", strconv.FormatInt(upgradeHeight, 10))
	slices.Sort(want)
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Fatalf("jobs-by-client-agent after the migration: %v, want %v", got, want)
	}

	// The workload goes on, on the new binary: new jobs, all settled.
	wl.resume()
	waitFor(t, 3*time.Minute, "the workload to hire on the new binary, the client agent too", func() bool {
		jobs, _, _, _ := wl.stats(ctx, n.Nodes[0])
		return jobs >= before+3 && len(jobIDs(t, n, "market", "jobs-by-client-agent", strconv.FormatUint(wl.clientAgent, 10))) > len(want)
	})
	wl.stopHiring()
	var jobs, settled int
	waitFor(t, 3*time.Minute, "every workload job to settle", func() bool {
		jobs, settled, _, _ = wl.stats(ctx, n.Nodes[0])
		return settled == jobs
	})
	wl.stop()

	fx := &faultRun{n: n, validators: n.Nodes}
	tip := n.WaitBlocks(2)
	for _, node := range n.Nodes {
		n.WaitForHeight(node, tip, startTimeout)
		fx.invariantsHold(t, node)
	}
	compared := fx.compareHashes(t, 1, tip)
	t.Logf("upgrade v2 at height %d: %d state queries equal on both binaries and across the upgrade block; %d jobs of the client agent indexed by the migration; workload %d jobs (%d after the upgrade), all settled; %d (height, node) app hashes equal over heights 1-%d",
		upgradeHeight, len(oldState), len(want), jobs, jobs-before, compared, tip)
}

// stateSnapshot runs the queries that show every agent, spend window,
// listing, job, escrow, reputation and balance at a height, and returns
// their JSON outputs by query.
func (n *Network) stateSnapshot(t *testing.T, node *Node, height int64) map[string]string {
	t.Helper()
	snap := map[string]string{}
	at := strconv.FormatInt(height, 10)
	q := func(args ...string) []byte {
		t.Helper()
		full := append(append([]string{"query"}, args...), "--height", at, "--output", "json")
		out, errOut, err := n.CLIOn(node, full...)
		if err != nil {
			t.Fatalf("query %v at %d: %v\n%s", args, height, err, errOut)
		}
		snap[strings.Join(args, " ")] = string(out)
		return out
	}
	var agents struct {
		Agents []struct {
			ID    string `json:"id"`
			Owner string `json:"owner"`
		} `json:"agents"`
	}
	if err := json.Unmarshal(q("agentid", "agents", "--page-limit", "1000"), &agents); err != nil {
		t.Fatal(err)
	}
	if len(agents.Agents) == 0 {
		t.Fatal("no agents")
	}
	for _, a := range agents.Agents {
		q("agentid", "spend-policies", a.ID)
		q("reputation", "reputation", a.ID)
		q("reputation", "feedback-received", a.ID, "--page-limit", "1000")
		q("market", "listings-by-provider", a.ID)
		q("bank", "balances", a.Owner)
	}
	var jobs []string
	for _, s := range []string{"funded", "in-progress", "delivered", "completed", "cancelled", "expired", "disputed", "resolved"} {
		var page struct {
			Jobs []struct {
				ID string `json:"id"`
			} `json:"jobs"`
		}
		if err := json.Unmarshal(q("market", "jobs-by-status", s, "--page-limit", "1000"), &page); err != nil {
			t.Fatal(err)
		}
		for _, j := range page.Jobs {
			jobs = append(jobs, j.ID)
		}
	}
	if len(jobs) == 0 {
		t.Fatal("no jobs")
	}
	for _, id := range jobs {
		q("market", "job", id)
	}
	for _, s := range []string{"locked", "disputed", "closed"} {
		q("escrow", "escrows-by-status", s, "--page-limit", "1000")
	}
	q("escrow", "total-held")
	q("bank", "total-supply")
	for _, name := range []string{"alice", "bob", "carol"} {
		q("bank", "balances", n.Accounts[name])
	}
	return snap
}

type spendPolicyView struct {
	Denom        string `json:"denom"`
	Cap          string `json:"cap"`
	WindowBlocks string `json:"window_blocks"`
	Available    string `json:"available"`
	FullHeight   string `json:"full_height"`
}

// spendPolicy decodes the only policy of a spend-policies answer.
func spendPolicy(t *testing.T, js string) spendPolicyView {
	t.Helper()
	var res struct {
		Policies []spendPolicyView `json:"policies"`
	}
	if err := json.Unmarshal([]byte(js), &res); err != nil || len(res.Policies) != 1 {
		t.Fatalf("spend policies %s: %v", js, err)
	}
	return res.Policies[0]
}

// supply is the uagnt supply of a total-supply answer.
func supply(t *testing.T, js string) int64 {
	t.Helper()
	var res struct {
		Supply []struct {
			Denom  string `json:"denom"`
			Amount string `json:"amount"`
		} `json:"supply"`
	}
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Supply {
		if c.Denom == "uagnt" {
			v, _ := strconv.ParseInt(c.Amount, 10, 64)
			return v
		}
	}
	return 0
}

// reputationStored is a reputation answer without what decays with height.
func reputationStored(t *testing.T, js string) string {
	t.Helper()
	var res map[string]json.RawMessage
	if err := json.Unmarshal([]byte(js), &res); err != nil {
		t.Fatal(err)
	}
	delete(res, "score")
	delete(res, "weight")
	bz, _ := json.Marshal(res)
	return string(bz)
}

// diffSnapshots names the queries whose outputs differ, leaving out those
// skip names.
func diffSnapshots(a, b map[string]string, skip func(string) bool) string {
	var out []string
	for k, v := range a {
		if skip != nil && skip(k) {
			continue
		}
		if w, ok := b[k]; !ok {
			out = append(out, "missing: "+k)
		} else if w != v {
			out = append(out, fmt.Sprintf("%s:\n  before %s\n  after  %s", k, v, w))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			out = append(out, "new: "+k)
		}
	}
	slices.Sort(out)
	return strings.Join(out, "\n")
}

// jobIDs runs a query that answers with jobs and returns their ids.
func jobIDs(t *testing.T, n *Network, args ...string) []string {
	t.Helper()
	var page struct {
		Jobs []struct {
			ID string `json:"id"`
		} `json:"jobs"`
	}
	n.QueryJSON(&page, append(args, "--page-limit", "1000")...)
	var ids []string
	for _, j := range page.Jobs {
		ids = append(ids, j.ID)
	}
	return ids
}

func tail(b []byte, lines int) string {
	all := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(all) > lines {
		all = all[len(all)-lines:]
	}
	return strings.Join(all, "\n")
}
