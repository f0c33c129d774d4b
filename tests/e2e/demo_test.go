package e2e

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	agentBinsOnce sync.Once
	agentBinsDir  string
	agentBinsErr  error
)

// agentBins returns the directory of the example agents' binaries:
// $AGENT_BIN_DIR (make test-e2e sets it), or a build made once per run.
func agentBins(t *testing.T) string {
	t.Helper()
	agentBinsOnce.Do(func() {
		if dir := os.Getenv("AGENT_BIN_DIR"); dir != "" {
			agentBinsDir, agentBinsErr = filepath.Abs(dir)
			return
		}
		dir, err := os.MkdirTemp("", "agentchain-e2e-agents-")
		if err != nil {
			agentBinsErr = err
			return
		}
		build := exec.Command("go", "build", "-o", dir+string(os.PathSeparator),
			"./examples/summarizer", "./examples/researcher", "./examples/report-writer", "./examples/agent-demo")
		build.Dir = repoRoot
		if out, err := build.CombinedOutput(); err != nil {
			agentBinsErr = &buildError{out: string(out), err: err}
			return
		}
		agentBinsDir = dir
	})
	if agentBinsErr != nil {
		t.Fatal(agentBinsErr)
	}
	for _, bin := range []string{"summarizer", "researcher", "report-writer", "agent-demo"} {
		if _, err := os.Stat(filepath.Join(agentBinsDir, bin)); err != nil {
			t.Fatalf("example agent binary: %v", err)
		}
	}
	return agentBinsDir
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string {
	return "build the example agents: " + e.err.Error() + "\n" + e.out
}

// `make demo` on a machine without a running devnet starts a throwaway one,
// runs the example agents as separate processes and tells the story: who
// registered, who hired whom, escrow locked and released, the market's take,
// a dispute and its ruling, a subcontract, reputations, and at the end that
// escrow is conserved. The devnet is gone afterwards.
func TestMakeDemoTellsTheStory(t *testing.T) {
	bins := agentBins(t)
	ports := freePorts(t, 1)
	tmp := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(repoRoot, "scripts", "demo.sh"))
	cmd.Env = append(os.Environ(),
		"BIN="+binPath, "BINDIR="+bins, "TMPDIR="+tmp,
		"RPC_PORT="+strconv.Itoa(ports.RPC), "GRPC_PORT="+strconv.Itoa(ports.GRPC),
		"P2P_PORT="+strconv.Itoa(ports.P2P), "API_PORT="+strconv.Itoa(ports.API), "PPROF_PORT="+strconv.Itoa(ports.Pprof),
	)
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	story := string(out)
	if err != nil {
		t.Fatalf("make demo: %v\n%s", err, story)
	}
	for _, want := range []string{
		"no devnet at",
		"alice sends 100 AGNT to demo-summarizer-a",
		"demo-summarizer-a registered as agent",
		`demo-summarizer-b lists "summarize" at 1.5 AGNT`,
		// Equal scores: the cheaper, faulty summarizer gets the first job...
		"job 1: demo-researcher hires demo-summarizer-b for 1.5 AGNT",
		"job 1: demo-researcher rejects the delivery (REJECT_REASON_SPEC_MISMATCH); carol (arbiter) will rule",
		"job 1: ruled 0% to demo-summarizer-b: pays 0 AGNT",
		// ...and its lost dispute sends the next one elsewhere.
		"job 2: demo-researcher hires demo-summarizer-a for 2 AGNT",
		"job 2: escrow releases 1.96 AGNT to demo-summarizer-a and 0.04 AGNT market take",
		"job 2: the client rates demo-summarizer-a 90/100",
		"job 3: demo-researcher hires demo-report-writer for 6 AGNT",
		"a subcontract of job 3",
		"job 3: completed",
		"the provider rates demo-researcher 80/100",
		"conserved = true",
	} {
		if !strings.Contains(story, want) {
			t.Fatalf("the story lacks %q:\n%s", want, story)
		}
	}
	// The throwaway devnet was removed.
	if entries, err := os.ReadDir(tmp); err != nil || len(entries) != 0 {
		t.Fatalf("the demo left %d entries in its temp dir (%v)", len(entries), err)
	}
	t.Logf("the story:\n%s", story)
}
