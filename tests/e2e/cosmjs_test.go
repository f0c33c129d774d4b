package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/agentchain/agentchain/agentkit"
)

const (
	// npmTimeout bounds `npm ci` (a cold install fetches a few MB).
	npmTimeout = 5 * time.Minute
	// cosmjsTimeout bounds the JS program: two flows of about 70 txs each
	// take a minute or two on 200ms blocks; the rest is slack for a loaded
	// machine.
	cosmjsTimeout = 8 * time.Minute
	// lockStamp, inside node_modules, records the sha256 of package.json and
	// package-lock.json that the installed modules came from.
	lockStamp = ".agentchain-lock.sha256"
)

// TestCosmJSWallet proves that a standard Cosmos wallet client can drive
// every message of the four modules in both sign modes through the
// TypeScript package (ts/, @agentchain/client): tests/cosmjs/flow.mjs
// (CosmJS) signs each of them once with SIGN_MODE_DIRECT and once with
// SIGN_MODE_LEGACY_AMINO_JSON, checks the typed events and the state after
// each step with the package's query clients, calls every query once, and
// fails unless every message was signed in both modes. Amino JSON signing
// only verifies if the package's JSON equals the chain's, byte for byte, so
// this guards the amino converters of every message. carol is the devnet's
// arbiter and attester (config.yml); the genesis edit below keeps the test
// independent of that file's choice.
func TestCosmJSWallet(t *testing.T) {
	nodeBin, npmBin := nodeTools(t)
	prepareCosmJS(t, npmBin)

	carol := agentkit.Bech32(devnetSigner(t, "carol").Address())
	n := StartNetwork(t, NetworkOptions{BeforeStart: func(n *Network) {
		editGenesis(t, filepath.Join(n.Nodes[0].Home, "config", "genesis.json"), func(g map[string]any) {
			obj(g, "app_state", "agentid", "params")["attesters"] = []any{carol}
		})
	}})
	runNodeScript(t, context.Background(), nodeBin, "flow.mjs", cosmjsTimeout,
		"AGENTCHAIN_RPC=http://"+n.Nodes[0].RPC,
		"AGENTCHAIN_CHAIN_ID="+n.ChainID,
		"AGENTCHAIN_DIRECT_CLIENT_MNEMONIC="+devnetMnemonic(t, "alice"),
		"AGENTCHAIN_AMINO_CLIENT_MNEMONIC="+devnetMnemonic(t, "bob"),
		"AGENTCHAIN_ATTESTER_MNEMONIC="+devnetMnemonic(t, "carol"),
	)
}

// runNodeScript runs a program of tests/cosmjs with node, with env added
// to the test's environment, and fails the test unless it exits 0 within
// timeout. Its output goes to the test log.
func runNodeScript(t *testing.T, ctx context.Context, nodeBin, script string, timeout time.Duration, env ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodeBin, script)
	cmd.Dir = filepath.Join(repoRoot, "tests", "cosmjs")
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	switch {
	case ctx.Err() != nil:
		t.Fatalf("node %s did not finish within %s:\n%s", script, timeout, out)
	case err != nil:
		t.Fatalf("node %s: %v\n%s", script, err, out)
	}
	t.Logf("node %s passed in %s:\n%s", script, time.Since(start).Round(time.Millisecond), out)
}

// nodeTools returns the paths of node and npm, and skips the test when
// either is missing.
func nodeTools(t *testing.T) (nodeBin, npmBin string) {
	t.Helper()
	var missing []string
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		missing = append(missing, "node")
	}
	npmBin, err = exec.LookPath("npm")
	if err != nil {
		missing = append(missing, "npm")
	}
	if len(missing) > 0 {
		t.Skipf("this test needs Node.js: %s not on PATH", strings.Join(missing, " and "))
	}
	return nodeBin, npmBin
}

// prepareCosmJS builds the TypeScript package (ts/, which tests/cosmjs
// links) from its sources and installs tests/cosmjs's modules.
func prepareCosmJS(t *testing.T, npmBin string) {
	t.Helper()
	pkg := filepath.Join(repoRoot, "ts")
	installNodeModules(t, npmBin, pkg)
	runNpm(t, npmBin, pkg, "run", "build")
	installNodeModules(t, npmBin, filepath.Join(repoRoot, "tests", "cosmjs"))
}

// runNpm runs an npm command in dir.
func runNpm(t *testing.T, npmBin, dir string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), npmTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, npmBin, args...)
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm %s in %s: %v\n%s", strings.Join(args, " "), dir, err, out)
	}
}

// installNodeModules runs `npm ci` in dir unless node_modules already holds
// an install of the same package.json and package-lock.json.
func installNodeModules(t *testing.T, npmBin, dir string) {
	t.Helper()
	h := sha256.New()
	for _, f := range []string{"package.json", "package-lock.json"} {
		bz, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		h.Write(bz)
	}
	want := hex.EncodeToString(h.Sum(nil))
	stamp := filepath.Join(dir, "node_modules", lockStamp)
	if got, err := os.ReadFile(stamp); err == nil && strings.TrimSpace(string(got)) == want {
		return
	}

	ctx, cancel := context.WithTimeout(context.Background(), npmTimeout)
	defer cancel()
	// No install scripts: nothing the test uses needs one.
	cmd := exec.CommandContext(ctx, npmBin, "ci", "--no-audit", "--no-fund", "--ignore-scripts")
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
	if err := os.WriteFile(stamp, []byte(want+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}
