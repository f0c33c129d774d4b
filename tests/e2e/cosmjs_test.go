package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	// npmTimeout bounds `npm ci` (a cold install fetches a few MB).
	npmTimeout = 5 * time.Minute
	// cosmjsTimeout bounds the JS program: two flows of seven txs each take
	// seconds on 200ms blocks; the rest is slack for a loaded machine.
	cosmjsTimeout = 4 * time.Minute
	// lockStamp, inside node_modules, records the sha256 of package.json and
	// package-lock.json that the installed modules came from.
	lockStamp = ".agentchain-lock.sha256"
)

// TestCosmJSWallet proves that a standard Cosmos wallet client can drive the
// chain in both sign modes: tests/cosmjs/flow.mjs (CosmJS) registers an
// agent, lists a service, hires it, accepts, delivers and completes the job,
// once with SIGN_MODE_DIRECT and once with SIGN_MODE_LEGACY_AMINO_JSON,
// checking chain state after each step. Amino JSON signing only verifies if
// the client's JSON equals the chain's, byte for byte, so this also guards
// the amino options of every message in the flow.
func TestCosmJSWallet(t *testing.T) {
	var missing []string
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		missing = append(missing, "node")
	}
	npmBin, err := exec.LookPath("npm")
	if err != nil {
		missing = append(missing, "npm")
	}
	if len(missing) > 0 {
		t.Skipf("the CosmJS wallet test needs Node.js: %s not on PATH", strings.Join(missing, " and "))
	}

	dir := filepath.Join(repoRoot, "tests", "cosmjs")
	installNodeModules(t, npmBin, dir)
	protoPath := cosmjsProtoPath(t)

	n := StartNetwork(t, NetworkOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), cosmjsTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, nodeBin, "flow.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"AGENTCHAIN_RPC=http://"+n.Nodes[0].RPC,
		"AGENTCHAIN_REST=http://"+n.Nodes[0].API,
		"AGENTCHAIN_CHAIN_ID="+n.ChainID,
		"AGENTCHAIN_DIRECT_CLIENT_MNEMONIC="+devnetMnemonic(t, "alice"),
		"AGENTCHAIN_AMINO_CLIENT_MNEMONIC="+devnetMnemonic(t, "bob"),
		"AGENTCHAIN_PROTO_PATH="+strings.Join(protoPath, string(os.PathListSeparator)),
	)
	cmd.WaitDelay = 5 * time.Second
	start := time.Now()
	out, err := cmd.CombinedOutput()
	switch {
	case ctx.Err() != nil:
		t.Fatalf("node flow.mjs did not finish within %s:\n%s", cosmjsTimeout, out)
	case err != nil:
		t.Fatalf("node flow.mjs: %v\n%s", err, out)
	}
	t.Logf("node flow.mjs passed in %s:\n%s", time.Since(start).Round(time.Millisecond), out)
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

// cosmjsProtoPath returns the include directories of agentchain's protos:
// the repository's proto/ and the SDK, gogoproto and cosmos-proto protos in
// the Go module cache, at the versions in go.mod (as scripts/protocgen.sh).
func cosmjsProtoPath(t *testing.T) []string {
	t.Helper()
	mods := []string{"github.com/cosmos/cosmos-sdk", "github.com/cosmos/gogoproto", "github.com/cosmos/cosmos-proto"}
	dirs, err := moduleDirs(mods)
	if err != nil {
		// Not extracted yet (a module cache trimmed to what the build needs).
		download := exec.Command("go", append([]string{"mod", "download"}, mods...)...)
		download.Dir = repoRoot
		if out, derr := download.CombinedOutput(); derr != nil {
			t.Fatalf("go mod download: %v\n%s", derr, out)
		}
		if dirs, err = moduleDirs(mods); err != nil {
			t.Fatal(err)
		}
	}
	return []string{
		filepath.Join(repoRoot, "proto"),
		filepath.Join(dirs[0], "proto"),
		dirs[1],
		filepath.Join(dirs[2], "proto"),
	}
}

// moduleDirs returns the module cache directory of each module.
func moduleDirs(mods []string) ([]string, error) {
	cmd := exec.Command("go", append([]string{"list", "-m", "-f", "{{.Dir}}"}, mods...)...)
	cmd.Dir = repoRoot
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, errors.New("go list -m: " + err.Error() + ": " + stderr.String())
	}
	dirs := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	for i, d := range dirs {
		if i >= len(mods) || d == "" {
			return nil, errors.New("go list -m: a module has no directory: " + strings.Join(mods, " "))
		}
	}
	if len(dirs) != len(mods) {
		return nil, errors.New("go list -m: unexpected output: " + string(out))
	}
	return dirs, nil
}
