package e2e

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A node starts from config.yml's genesis, and a bank send lands: the
// recipient gains exactly the amount, the sender loses amount plus fee.
func TestNodeStartsAndBankSendLands(t *testing.T) {
	n := StartNetwork(t, NetworkOptions{})

	alice := n.Accounts["alice"]
	if alice == "" || n.KeyAddress("alice") != alice {
		t.Fatalf("alice missing from the keyring or summary: %q", alice)
	}
	recipient := n.AddKey("newcomer")
	if got := n.Balance(recipient, "uagnt"); got != 0 {
		t.Fatalf("new account already holds %d", got)
	}
	before := n.Balance(alice, "uagnt")

	res := n.MustSucceed(n.Tx("alice", "bank", "send", alice, recipient, "1234567uagnt"))
	if _, ok := res.FindEvent("transfer"); !ok {
		t.Fatalf("no transfer event in %+v", res.Events)
	}

	if got := n.Balance(recipient, "uagnt"); got != 1234567 {
		t.Fatalf("recipient holds %d, want 1234567", got)
	}
	fee, _ := strconv.ParseInt(strings.TrimSuffix(DefaultFees, "uagnt"), 10, 64)
	if got, want := n.Balance(alice, "uagnt"), before-1234567-fee; got != want {
		t.Fatalf("alice holds %d, want %d", got, want)
	}

	// A send of more than the sender holds is refused and moves nothing.
	res = n.Tx("newcomer", "bank", "send", recipient, alice, "99999999999uagnt")
	if res.Code == 0 {
		t.Fatalf("overdraft accepted: %+v", res)
	}
	if got := n.Balance(recipient, "uagnt"); got != 1234567-fee {
		t.Fatalf("after a refused send the sender holds %d, want %d (only the fee gone)", got, 1234567-fee)
	}
}

// A node stopped with SIGTERM exits cleanly and, restarted, resumes the same
// chain from where it stopped instead of starting over.
func TestRestartedNodeResumes(t *testing.T) {
	n := StartNetwork(t, NetworkOptions{})
	node := n.Nodes[0]
	n.WaitForHeight(node, 5, startTimeout)
	hashBefore, err := n.BlockAppHash(node, 4)
	if err != nil {
		t.Fatal(err)
	}

	if !n.StopNode(node) {
		t.Fatal("node did not exit on SIGTERM")
	}
	stopped := lastCommittedHeight(t, node)
	if stopped < 5 {
		t.Fatalf("stopped at height %d", stopped)
	}

	n.StartNode(node)
	h := n.WaitForHeight(node, stopped+3, startTimeout)
	// Block 4 is still the same block: the chain resumed rather than restarted.
	hashAfter, err := n.BlockAppHash(node, 4)
	if err != nil {
		t.Fatal(err)
	}
	if hashBefore != hashAfter {
		t.Fatalf("block 4 changed across the restart: %s vs %s", hashBefore, hashAfter)
	}
	logText, _ := os.ReadFile(node.logPath)
	if strings.Count(string(logText), "InitChain") > 1 {
		t.Fatal("the restarted node ran InitChain again")
	}
	t.Logf("stopped at %d, resumed to %d", stopped, h)
}

var ansiRe = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// lastCommittedHeight reads the height of a stopped node from its own log.
func lastCommittedHeight(t *testing.T, node *Node) int64 {
	t.Helper()
	f, err := os.Open(node.logPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var last int64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := ansiRe.ReplaceAllString(sc.Text(), "")
		if !strings.Contains(line, "committed state") {
			continue
		}
		if i := strings.Index(line, "height="); i >= 0 {
			fields := strings.Fields(line[i+len("height="):])
			if len(fields) > 0 {
				if h, err := strconv.ParseInt(fields[0], 10, 64); err == nil {
					last = h
				}
			}
		}
	}
	return last
}

// `make localnet` (scripts/localnet.sh) brings up four validators on
// loopback that all advance and agree on the app hash at every height.
func TestLocalnetFourValidatorsAgree(t *testing.T) {
	ln := startLocalnet(t)
	n := ln.Network

	const target = 8
	for _, node := range n.Nodes {
		n.WaitForHeight(node, target, 2*startTimeout)
	}
	// All four validators sign: the set has four members.
	var vals struct {
		Validators []struct {
			Status string `json:"status"`
		} `json:"validators"`
	}
	n.QueryJSON(&vals, "staking", "validators")
	bonded := 0
	for _, v := range vals.Validators {
		if v.Status == "BOND_STATUS_BONDED" {
			bonded++
		}
	}
	if bonded != 4 {
		t.Fatalf("%d bonded validators, want 4", bonded)
	}
	for h := int64(2); h <= target; h++ {
		want, err := n.BlockAppHash(n.Nodes[0], h)
		if err != nil {
			t.Fatal(err)
		}
		for _, node := range n.Nodes[1:] {
			got, err := n.BlockAppHash(node, h)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("height %d: node %d app hash %s, node 0 %s", h, node.Index, got, want)
			}
		}
	}

	// localnet-stop stops every node.
	ln.Run("stop")
	for _, node := range n.Nodes {
		if _, err := n.Status(node); err == nil {
			t.Fatalf("node %d still answers after localnet-stop", node.Index)
		}
	}
}

// `make start` (scripts/start.sh) on a fresh folder initialises a devnet
// from config.yml and serves CometBFT RPC, gRPC and REST; SIGINT (Ctrl-C)
// stops it cleanly and the next start resumes the same chain.
func TestMakeStartServesAndResumes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "devnet")
	ports := freePorts(t, 1)
	env := append(os.Environ(),
		"BIN="+binPath,
		"DEVNET_DIR="+dir,
		"LOG_LEVEL=info",
		fmt.Sprintf("P2P_PORT=%d", ports.P2P),
		fmt.Sprintf("RPC_PORT=%d", ports.RPC),
		fmt.Sprintf("GRPC_PORT=%d", ports.GRPC),
		fmt.Sprintf("API_PORT=%d", ports.API),
		fmt.Sprintf("PPROF_PORT=%d", ports.Pprof),
	)
	node := &Node{
		RPC:  fmt.Sprintf("127.0.0.1:%d", ports.RPC),
		GRPC: fmt.Sprintf("127.0.0.1:%d", ports.GRPC),
		API:  fmt.Sprintf("127.0.0.1:%d", ports.API),
	}
	n := &Network{t: t, Nodes: []*Node{node}}

	start := func(logName string) (*exec.Cmd, chan error) {
		logFile, err := os.Create(filepath.Join(t.TempDir(), logName))
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("bash", filepath.Join(repoRoot, "scripts", "start.sh"))
		cmd.Env = env
		cmd.Stdout, cmd.Stderr = logFile, logFile
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		node.logPath = logFile.Name()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait(); _ = logFile.Close() }()
		t.Cleanup(func() {
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		})
		return cmd, done
	}
	interrupt := func(cmd *exec.Cmd, done chan error) {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
		select {
		case err := <-done:
			// Ctrl-C is a normal way to stop the devnet: it must exit 0.
			if err != nil {
				t.Fatalf("devnet exited with %v on SIGINT", err)
			}
		case <-time.After(stopTimeout):
			t.Fatal("devnet did not stop on SIGINT")
		}
	}

	cmd, done := start("first.log")
	n.WaitForHeight(node, 3, startTimeout)
	logText, _ := os.ReadFile(node.logPath)
	for _, want := range []string{"new devnet written", node.RPC, node.GRPC, node.API, "alice", "bob"} {
		if !strings.Contains(string(logText), want) {
			t.Fatalf("start output lacks %q:\n%s", want, logText)
		}
	}
	// REST and gRPC answer.
	var nodeInfo map[string]any
	if err := getJSON("http://"+node.API+"/cosmos/base/tendermint/v1beta1/node_info", &nodeInfo); err != nil {
		t.Fatalf("REST: %v", err)
	}
	conn, err := net.DialTimeout("tcp", node.GRPC, 5*time.Second)
	if err != nil {
		t.Fatalf("gRPC port: %v", err)
	}
	_ = conn.Close()
	bob, _ := os.ReadFile(filepath.Join(dir, "network.json"))
	if !strings.Contains(string(bob), "agent1") {
		t.Fatalf("network.json has no accounts: %s", bob)
	}

	interrupt(cmd, done)
	st := lastCommittedHeight(t, node)
	if st < 3 {
		t.Fatalf("stopped at height %d", st)
	}

	cmd, done = start("second.log")
	n.WaitForHeight(node, st+2, startTimeout)
	logText, _ = os.ReadFile(node.logPath)
	if !strings.Contains(string(logText), "resuming the devnet") {
		t.Fatalf("second start did not resume:\n%s", logText)
	}
	interrupt(cmd, done)
}

// Localnet is a network run by scripts/localnet.sh (`make localnet`).
type Localnet struct {
	*Network
	Dir string
	env []string
	t   *testing.T
}

// startLocalnet starts a 4-validator network with scripts/localnet.sh on
// free loopback ports; it is stopped when the test ends, and the nodes'
// logs are printed if the test failed.
func startLocalnet(t *testing.T) *Localnet {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "localnet")
	ports := freePorts(t, 4)
	ln := &Localnet{Dir: dir, t: t, env: append(os.Environ(),
		"BIN="+binPath,
		"LOCALNET_DIR="+dir,
		"VALIDATORS=4",
		"BLOCK_TIME=300ms",
		fmt.Sprintf("P2P_PORT=%d", ports.P2P),
		fmt.Sprintf("RPC_PORT=%d", ports.RPC),
		fmt.Sprintf("GRPC_PORT=%d", ports.GRPC),
		fmt.Sprintf("API_PORT=%d", ports.API),
		fmt.Sprintf("PPROF_PORT=%d", ports.Pprof),
		fmt.Sprintf("PORT_STRIDE=%d", ports.Stride),
	)}
	t.Cleanup(func() { ln.Run("stop") })
	out := ln.Run("start")
	summary, err := os.ReadFile(filepath.Join(dir, "network.json"))
	if err != nil {
		t.Fatalf("no network summary: %v\n%s", err, out)
	}
	ln.Network = loadNetwork(t, dir, summary)
	if len(ln.Nodes) != 4 {
		t.Fatalf("%d nodes, want 4", len(ln.Nodes))
	}
	for i, node := range ln.Nodes {
		node.logPath = filepath.Join(dir, fmt.Sprintf("node%d.log", i))
	}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, node := range ln.Nodes {
			bz, _ := os.ReadFile(node.logPath)
			lines := strings.Split(string(bz), "\n")
			if len(lines) > 30 {
				lines = lines[len(lines)-30:]
			}
			t.Logf("---- node %d ----\n%s", node.Index, strings.Join(lines, "\n"))
		}
	})
	return ln
}

// Run runs `localnet.sh arg` (start, stop, status).
func (ln *Localnet) Run(arg string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(repoRoot, "scripts", "localnet.sh"), arg)
	cmd.Env = ln.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		ln.t.Fatalf("localnet.sh %s: %v\n%s", arg, err, out)
	}
	return string(out)
}

// Kill kills a node's process at once (SIGKILL), as a crash would.
func (ln *Localnet) Kill(node *Node) {
	ln.t.Helper()
	bz, err := os.ReadFile(filepath.Join(ln.Dir, fmt.Sprintf("node%d.pid", node.Index)))
	if err != nil {
		ln.t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(bz)))
	if err != nil {
		ln.t.Fatal(err)
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		ln.t.Fatal(err)
	}
	waitFor(ln.t, 20*time.Second, fmt.Sprintf("node %d to die", node.Index), func() bool {
		return syscall.Kill(pid, 0) != nil
	})
}
