// Package e2e runs real agentchaind processes on 127.0.0.1 and drives them
// through the CLI, the way users and agent programs do. The binary is built
// once per run (or taken from $AGENTCHAIND_BIN); every node a test starts is
// stopped, and its files removed, when the test ends, also when it fails.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Fixed limits keep every wait bounded.
const (
	startTimeout  = 90 * time.Second
	txTimeout     = 30 * time.Second
	stopTimeout   = 20 * time.Second
	testBlockTime = 200 * time.Millisecond
	// DefaultFees pays for up to 400,000 gas at the devnet's minimum price.
	DefaultFees = "1000uagnt"
)

var (
	binPath  string
	repoRoot string
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	wd, err := os.Getwd()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	repoRoot = filepath.Clean(filepath.Join(wd, "..", ".."))

	if bin := os.Getenv("AGENTCHAIND_BIN"); bin != "" {
		binPath, err = filepath.Abs(bin)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	} else {
		dir, err := os.MkdirTemp("", "agentchain-e2e-bin-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		binPath = filepath.Join(dir, "agentchaind")
		build := exec.Command("go", "build", "-o", binPath, "./cmd/agentchaind")
		build.Dir = repoRoot
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "build agentchaind:", err)
			return 1
		}
	}
	if _, err := os.Stat(binPath); err != nil {
		fmt.Fprintln(os.Stderr, "agentchaind binary:", err)
		return 1
	}
	return m.Run()
}

// Ports is the port plan of node 0 of a network; node i adds i*Stride.
type Ports struct {
	P2P, RPC, GRPC, API, Pprof, Stride int
}

// portsMu serialises port reservation inside one test binary.
var portsMu sync.Mutex

// freePorts finds a block of 10*n consecutive loopback ports that are all
// free right now, and lays node i's ports out in its i-th ten.
func freePorts(t *testing.T, n int) Ports {
	t.Helper()
	portsMu.Lock()
	defer portsMu.Unlock()
	for attempt := 0; attempt < 200; attempt++ {
		// Below Linux's ephemeral range (32768 up): a port there can be
		// taken by any outgoing connection while its node is down, and the
		// node could not listen on it again when it restarts.
		base := 20000 + 10*rand.IntN(1200) // 20000..31990
		ok := true
		for p := base; p < base+10*n && ok; p++ {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				break
			}
			_ = l.Close()
		}
		if ok {
			return Ports{P2P: base, RPC: base + 1, GRPC: base + 2, API: base + 3, Pprof: base + 4, Stride: 10}
		}
	}
	t.Fatal("no block of free loopback ports found")
	return Ports{}
}

// Node is one running (or stopped) agentchaind process of a network.
type Node struct {
	Index   int
	Moniker string
	Home    string
	RPC     string // host:port
	GRPC    string
	API     string
	// Pprof is the node's Go profiling endpoint (host:port).
	Pprof   string
	logPath string
	// Bin is the agentchaind binary the node runs (default: the one built
	// for the run); a software upgrade swaps it.
	Bin string
	// P2P is the node's peer-to-peer address (host:port).
	P2P string

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// Network is a local network started by a test.
type Network struct {
	t       *testing.T
	Dir     string
	ChainID string
	Nodes   []*Node
	// Accounts maps config.yml account names to addresses.
	Accounts map[string]string
	// ports is the port plan; nodes added later take the next free tens.
	ports Ports
}

// NetworkOptions shape a test network.
type NetworkOptions struct {
	Validators int
	BlockTime  time.Duration
	// Config is the config.yml to use (default: the repository's).
	Config string
	// ExtraNodes reserves ports for that many nodes added later (AddNode).
	ExtraNodes int
	// Bin is the binary the validators run (default: the one built for the run).
	Bin string
	// BeforeStart may change the nodes' files before they first start.
	BeforeStart func(n *Network)
}

// In returns the network for use inside a subtest: its helpers then report
// failures to t, not to the test that started the network.
func (n *Network) In(t *testing.T) *Network {
	c := *n
	c.t = t
	return &c
}

// StartNetwork writes a network with `agentchaind testnet init-files`,
// starts every node and waits until all of them have produced a block.
func StartNetwork(t *testing.T, opts NetworkOptions) *Network {
	t.Helper()
	if opts.Validators <= 0 {
		opts.Validators = 1
	}
	if opts.BlockTime <= 0 {
		opts.BlockTime = testBlockTime
	}
	if opts.Config == "" {
		opts.Config = filepath.Join(repoRoot, "config.yml")
	}
	dir := t.TempDir()
	ports := freePorts(t, opts.Validators+opts.ExtraNodes)
	netDir := filepath.Join(dir, "net")
	out := runBin(t, "testnet", "init-files",
		"--config", opts.Config,
		"--output-dir", netDir,
		"--validators", strconv.Itoa(opts.Validators),
		"--block-time", opts.BlockTime.String(),
		"--timeout-propose", "1s",
		"--p2p-port", strconv.Itoa(ports.P2P),
		"--rpc-port", strconv.Itoa(ports.RPC),
		"--grpc-port", strconv.Itoa(ports.GRPC),
		"--api-port", strconv.Itoa(ports.API),
		"--pprof-port", strconv.Itoa(ports.Pprof),
		"--port-stride", strconv.Itoa(ports.Stride),
		"--json",
	)
	n := loadNetwork(t, netDir, out)
	n.ports = ports
	for i, node := range n.Nodes {
		node.Bin = opts.Bin
		node.P2P = fmt.Sprintf("127.0.0.1:%d", ports.P2P+i*ports.Stride)
	}
	t.Cleanup(n.StopAll)
	if opts.BeforeStart != nil {
		opts.BeforeStart(n)
	}
	for _, node := range n.Nodes {
		n.StartNode(node)
	}
	for _, node := range n.Nodes {
		n.WaitForHeight(node, 2, startTimeout) // height 1 committed: gRPC queries answer
	}
	return n
}

// loadNetwork reads a network summary (network.json's JSON).
func loadNetwork(t *testing.T, dir string, summaryJSON []byte) *Network {
	t.Helper()
	var summary struct {
		ChainID string `json:"chain_id"`
		Nodes   []struct {
			Moniker string `json:"moniker"`
			Home    string `json:"home"`
			RPC     string `json:"rpc"`
			GRPC    string `json:"grpc"`
			API     string `json:"api"`
			Pprof   string `json:"pprof"`
		} `json:"nodes"`
		Accounts []struct {
			Name    string `json:"name"`
			Address string `json:"address"`
		} `json:"accounts"`
	}
	if err := json.Unmarshal(summaryJSON, &summary); err != nil {
		t.Fatalf("network summary: %v\n%s", err, summaryJSON)
	}
	n := &Network{t: t, Dir: dir, ChainID: summary.ChainID, Accounts: map[string]string{}}
	for i, s := range summary.Nodes {
		n.Nodes = append(n.Nodes, &Node{
			Index: i, Moniker: s.Moniker, Home: s.Home, RPC: s.RPC, GRPC: s.GRPC, API: s.API, Pprof: s.Pprof,
			logPath: filepath.Join(dir, fmt.Sprintf("node%d.log", i)),
		})
	}
	for _, a := range summary.Accounts {
		n.Accounts[a.Name] = a.Address
	}
	return n
}

// StartNode starts a node's process; its output goes to a log file that is
// printed if the test fails.
func (n *Network) StartNode(node *Node) {
	n.t.Helper()
	node.mu.Lock()
	defer node.mu.Unlock()
	if node.cmd != nil {
		n.t.Fatalf("node %d already running", node.Index)
	}
	logFile, err := os.OpenFile(node.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		n.t.Fatal(err)
	}
	bin := node.Bin
	if bin == "" {
		bin = binPath
	}
	cmd := exec.Command(bin, "start", "--home", node.Home, "--log_level", "info", "--log_no_color")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Own process group, so that a stop reaches everything the node spawned.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = logFile.Close()
		n.t.Fatalf("start node %d: %v", node.Index, err)
	}
	done := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		_ = logFile.Close()
		close(done)
	}()
	node.cmd, node.done = cmd, done
}

// StopNode stops a node with SIGTERM, and SIGKILL if it has not exited
// within stopTimeout. It reports whether the node exited on SIGTERM.
func (n *Network) StopNode(node *Node) bool {
	node.mu.Lock()
	defer node.mu.Unlock()
	if node.cmd == nil {
		return true
	}
	pgid := node.cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	clean := true
	select {
	case <-node.done:
	case <-time.After(stopTimeout):
		clean = false
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-node.done
	}
	node.cmd, node.done = nil, nil
	return clean
}

// StopAll stops every node; when the test failed it prints their logs' tails.
func (n *Network) StopAll() {
	for _, node := range n.Nodes {
		n.StopNode(node)
	}
	if n.t.Failed() {
		for _, node := range n.Nodes {
			bz, err := os.ReadFile(node.logPath)
			if err != nil {
				continue
			}
			lines := strings.Split(string(bz), "\n")
			if len(lines) > 40 {
				lines = lines[len(lines)-40:]
			}
			n.t.Logf("---- last lines of node %d log ----\n%s", node.Index, strings.Join(lines, "\n"))
		}
	}
}

// runBin runs agentchaind with args and returns its stdout; it fails the
// test on a non-zero exit.
func runBin(t *testing.T, args ...string) []byte {
	t.Helper()
	out, errOut, err := execBin(args...)
	if err != nil {
		t.Fatalf("agentchaind %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

func execBin(args ...string) ([]byte, []byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binPath, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.Bytes(), stderr.Bytes(), err
}

// CLI runs a client command against node 0 and returns its stdout.
func (n *Network) CLI(args ...string) []byte {
	n.t.Helper()
	return runBin(n.t, n.clientArgs(n.Nodes[0], args)...)
}

// CLIOn runs a client command against a given node and returns stdout,
// stderr and the error, without failing the test.
func (n *Network) CLIOn(node *Node, args ...string) ([]byte, []byte, error) {
	return execBin(n.clientArgs(node, args)...)
}

func (n *Network) clientArgs(node *Node, args []string) []string {
	full := append([]string{}, args...)
	full = append(full, "--home", node.Home)
	if len(args) > 0 && (args[0] == "q" || args[0] == "query" || args[0] == "tx" || args[0] == "status") {
		full = append(full, "--node", "tcp://"+node.RPC)
	}
	return full
}

// QueryJSON runs `agentchaind query ...` with JSON output into out.
func (n *Network) QueryJSON(out any, args ...string) {
	n.t.Helper()
	bz := n.CLI(append(append([]string{"query"}, args...), "--output", "json")...)
	if err := json.Unmarshal(bz, out); err != nil {
		n.t.Fatalf("query %v: %v\n%s", args, err, bz)
	}
}

// TxResult is a transaction as included in a block.
type TxResult struct {
	Hash      string
	Height    int64
	Code      uint32
	Codespace string
	RawLog    string
	Events    []Event
}

// Event is an ABCI event of an included transaction.
type Event struct {
	Type       string
	Attributes map[string]string
}

// FindEvent returns the first event of the given type.
func (r TxResult) FindEvent(typ string) (Event, bool) {
	for _, e := range r.Events {
		if e.Type == typ {
			return e, true
		}
	}
	return Event{}, false
}

// Tx signs and broadcasts `agentchaind tx <args>` from a key in node 0's
// keyring, waits until the tx is included in a block, and returns its result
// as the block recorded it: a message handler's refusal shows only there,
// not in CheckTx. A CheckTx refusal is returned with Height 0.
func (n *Network) Tx(from string, args ...string) TxResult {
	n.t.Helper()
	return n.TxOn(n.Nodes[0], from, args...)
}

// TxOn is Tx from a key in the given node's keyring, through that node.
// --fees and --gas in args replace the defaults.
func (n *Network) TxOn(node *Node, from string, args ...string) TxResult {
	n.t.Helper()
	full := append([]string{"tx"}, args...)
	for _, d := range [][2]string{{"--fees", DefaultFees}, {"--gas", "400000"}} {
		if !slices.Contains(args, d[0]) {
			full = append(full, d[0], d[1])
		}
	}
	full = append(full, "--from", from, "--yes", "--output", "json", "--broadcast-mode", "sync")
	out, errOut, err := n.CLIOn(node, full...)
	if err != nil {
		n.t.Fatalf("tx %v: %v\nstdout: %s\nstderr: %s", args, err, out, errOut)
	}
	var resp struct {
		TxHash    string `json:"txhash"`
		Code      uint32 `json:"code"`
		Codespace string `json:"codespace"`
		RawLog    string `json:"raw_log"`
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		n.t.Fatalf("tx %v: %v\n%s", args, err, out)
	}
	if resp.Code != 0 {
		return TxResult{Hash: resp.TxHash, Code: resp.Code, Codespace: resp.Codespace, RawLog: resp.RawLog}
	}
	return n.WaitForTx(resp.TxHash)
}

// WaitForTx polls node 0 until the tx is included, then returns its result.
func (n *Network) WaitForTx(hash string) TxResult {
	n.t.Helper()
	deadline := time.Now().Add(txTimeout)
	for time.Now().Before(deadline) {
		out, _, err := n.CLIOn(n.Nodes[0], "query", "tx", hash, "--output", "json")
		if err == nil {
			var raw struct {
				Height    string `json:"height"`
				TxHash    string `json:"txhash"`
				Code      uint32 `json:"code"`
				Codespace string `json:"codespace"`
				RawLog    string `json:"raw_log"`
				Events    []struct {
					Type       string `json:"type"`
					Attributes []struct {
						Key   string `json:"key"`
						Value string `json:"value"`
					} `json:"attributes"`
				} `json:"events"`
			}
			if err := json.Unmarshal(out, &raw); err != nil {
				n.t.Fatalf("decode tx %s: %v\n%s", hash, err, out)
			}
			h, _ := strconv.ParseInt(raw.Height, 10, 64)
			res := TxResult{Hash: raw.TxHash, Height: h, Code: raw.Code, Codespace: raw.Codespace, RawLog: raw.RawLog}
			for _, e := range raw.Events {
				ev := Event{Type: e.Type, Attributes: map[string]string{}}
				for _, a := range e.Attributes {
					ev.Attributes[a.Key] = a.Value
				}
				res.Events = append(res.Events, ev)
			}
			return res
		}
		time.Sleep(100 * time.Millisecond)
	}
	n.t.Fatalf("tx %s not included within %s", hash, txTimeout)
	return TxResult{}
}

// MustSucceed fails the test unless the tx was included with code 0.
func (n *Network) MustSucceed(r TxResult) TxResult {
	n.t.Helper()
	if r.Code != 0 || r.Height == 0 {
		n.t.Fatalf("tx %s failed: code %d: %s", r.Hash, r.Code, r.RawLog)
	}
	return r
}

// nodeStatus is the part of CometBFT's /status the tests read.
type nodeStatus struct {
	Height  int64
	AppHash string
}

// Status asks a node's CometBFT RPC for its latest height and app hash.
func (n *Network) Status(node *Node) (nodeStatus, error) {
	var body struct {
		Result struct {
			SyncInfo struct {
				LatestBlockHeight string `json:"latest_block_height"`
				LatestAppHash     string `json:"latest_app_hash"`
			} `json:"sync_info"`
		} `json:"result"`
	}
	if err := getJSON("http://"+node.RPC+"/status", &body); err != nil {
		return nodeStatus{}, err
	}
	h, err := strconv.ParseInt(body.Result.SyncInfo.LatestBlockHeight, 10, 64)
	if err != nil {
		return nodeStatus{}, err
	}
	return nodeStatus{Height: h, AppHash: body.Result.SyncInfo.LatestAppHash}, nil
}

// BlockAppHash returns the app hash in the header of the block at a height
// (the state after executing the block before it).
func (n *Network) BlockAppHash(node *Node, height int64) (string, error) {
	var body struct {
		Result struct {
			Block struct {
				Header struct {
					AppHash string `json:"app_hash"`
				} `json:"header"`
			} `json:"block"`
		} `json:"result"`
	}
	if err := getJSON(fmt.Sprintf("http://%s/block?height=%d", node.RPC, height), &body); err != nil {
		return "", err
	}
	if body.Result.Block.Header.AppHash == "" {
		return "", errors.New("no block at that height")
	}
	return body.Result.Block.Header.AppHash, nil
}

// WaitForHeight waits until a node reports at least the given height.
func (n *Network) WaitForHeight(node *Node, height int64, timeout time.Duration) int64 {
	n.t.Helper()
	deadline := time.Now().Add(timeout)
	var last nodeStatus
	var lastErr error
	for time.Now().Before(deadline) {
		last, lastErr = n.Status(node)
		if lastErr == nil && last.Height >= height {
			return last.Height
		}
		time.Sleep(100 * time.Millisecond)
	}
	n.t.Fatalf("node %d did not reach height %d within %s (last height %d, err %v)",
		node.Index, height, timeout, last.Height, lastErr)
	return 0
}

// WaitBlocks waits until node 0 has advanced by k blocks.
func (n *Network) WaitBlocks(k int64) int64 {
	n.t.Helper()
	st, err := n.Status(n.Nodes[0])
	if err != nil {
		n.t.Fatal(err)
	}
	return n.WaitForHeight(n.Nodes[0], st.Height+k, startTimeout)
}

var httpClient = &http.Client{Timeout: 5 * time.Second}

func getJSON(url string, out any) error {
	resp, err := httpClient.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// Balance returns an address's balance of a denom, read through the CLI.
func (n *Network) Balance(addr, denom string) int64 {
	n.t.Helper()
	var resp struct {
		Balance struct {
			Amount string `json:"amount"`
		} `json:"balance"`
	}
	n.QueryJSON(&resp, "bank", "balance", addr, denom)
	v, err := strconv.ParseInt(resp.Balance.Amount, 10, 64)
	if err != nil {
		n.t.Fatalf("balance %q: %v", resp.Balance.Amount, err)
	}
	return v
}

// KeyAddress returns the address of a key in node 0's test keyring.
func (n *Network) KeyAddress(name string) string {
	n.t.Helper()
	out := n.CLI("keys", "show", name, "-a")
	return strings.TrimSpace(string(out))
}

// AddKey creates a new key in node 0's test keyring and returns its address.
func (n *Network) AddKey(name string) string {
	n.t.Helper()
	n.CLI("keys", "add", name, "--output", "json")
	return n.KeyAddress(name)
}

// Signal sends sig to a running node's process group (SIGSTOP, SIGCONT).
func (n *Network) Signal(node *Node, sig syscall.Signal) {
	n.t.Helper()
	node.mu.Lock()
	defer node.mu.Unlock()
	if node.cmd == nil {
		n.t.Fatalf("node %d is not running", node.Index)
	}
	if err := syscall.Kill(-node.cmd.Process.Pid, sig); err != nil {
		n.t.Fatalf("signal %v to node %d: %v", sig, node.Index, err)
	}
}

// KillNode stops a node with SIGKILL, as a power cut would, and waits for
// its process to be gone.
func (n *Network) KillNode(node *Node) {
	node.mu.Lock()
	defer node.mu.Unlock()
	if node.cmd == nil {
		return
	}
	_ = syscall.Kill(-node.cmd.Process.Pid, syscall.SIGKILL)
	<-node.done
	node.cmd, node.done = nil, nil
}

// Running reports whether a node's process is running.
func (n *Network) Running(node *Node) bool {
	node.mu.Lock()
	defer node.mu.Unlock()
	if node.cmd == nil {
		return false
	}
	select {
	case <-node.done:
		return false
	default:
		return true
	}
}

// SetTOML sets key = value in a section ("" for the top) of a TOML file
// written by agentchaind (one key per line); value is written as given.
func SetTOML(t *testing.T, path, section, key, value string) {
	t.Helper()
	bz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(bz), "\n")
	cur, done := "", false
	for i, line := range lines {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]") {
			cur = strings.Trim(trimmed, "[]")
			continue
		}
		if cur == section && strings.HasPrefix(trimmed, key+" ") || cur == section && strings.HasPrefix(trimmed, key+"=") {
			lines[i] = key + " = " + value
			done = true
			break
		}
	}
	if !done {
		t.Fatalf("%s: no key %q in section [%s]", path, key, section)
	}
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o600); err != nil {
		t.Fatal(err)
	}
}

// NodeID returns a node's CometBFT node id.
func (n *Network) NodeID(node *Node) string {
	n.t.Helper()
	return strings.TrimSpace(string(runBin(n.t, "comet", "show-node-id", "--home", node.Home)))
}

// plannedNode is node i of the port plan (the i-th ten of its ports), with
// its home and log file.
func (n *Network) plannedNode(i int, moniker, home string) *Node {
	p := n.ports
	addr := func(base int) string { return fmt.Sprintf("127.0.0.1:%d", base+i*p.Stride) }
	return &Node{
		Index: i, Moniker: moniker, Home: home,
		RPC: addr(p.RPC), GRPC: addr(p.GRPC), API: addr(p.API), P2P: addr(p.P2P), Pprof: addr(p.Pprof),
		logPath: filepath.Join(n.Dir, moniker+".log"),
	}
}

// SetStateSync points a node home's state sync at servers, trusting the
// block at trustHeight as servers[0] reports it; enable turns it on (off
// for a node restored from a snapshot file, which keeps the trust
// settings for later).
func (n *Network) SetStateSync(home string, servers []*Node, trustHeight int64, enable bool) {
	n.t.Helper()
	var block struct {
		Result struct {
			BlockID struct {
				Hash string `json:"hash"`
			} `json:"block_id"`
		} `json:"result"`
	}
	if err := getJSON(fmt.Sprintf("http://%s/block?height=%d", servers[0].RPC, trustHeight), &block); err != nil {
		n.t.Fatal(err)
	}
	var urls []string
	for _, s := range servers {
		urls = append(urls, "http://"+s.RPC)
	}
	cfg := filepath.Join(home, "config", "config.toml")
	SetTOML(n.t, cfg, "statesync", "enable", strconv.FormatBool(enable))
	SetTOML(n.t, cfg, "statesync", "rpc_servers", strconv.Quote(strings.Join(urls, ",")))
	SetTOML(n.t, cfg, "statesync", "trust_height", strconv.FormatInt(trustHeight, 10))
	SetTOML(n.t, cfg, "statesync", "trust_hash", strconv.Quote(block.Result.BlockID.Hash))
	// 5s is CometBFT's least: anything shorter means 25s.
	SetTOML(n.t, cfg, "statesync", "discovery_time", strconv.Quote("5s"))
}

// AddNode writes the home of a new full node (no validator) that follows
// the network: its own keys, the network's genesis, node 0's settings with
// its own ports, and every validator as a persistent peer. prepare may
// change its files (state sync, say) before the caller starts it.
func (n *Network) AddNode(moniker string, prepare func(home string)) *Node {
	n.t.Helper()
	i := len(n.Nodes)
	home := filepath.Join(n.Dir, moniker)
	runBin(n.t, "init", moniker, "--home", home, "--chain-id", n.ChainID)
	src := n.Nodes[0].Home
	for _, f := range []string{"genesis.json", "config.toml", "app.toml", "client.toml"} {
		bz, err := os.ReadFile(filepath.Join(src, "config", f))
		if err != nil {
			n.t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(home, "config", f), bz, 0o600); err != nil {
			n.t.Fatal(err)
		}
	}
	node := n.plannedNode(i, moniker, home)
	cfg, app := filepath.Join(home, "config", "config.toml"), filepath.Join(home, "config", "app.toml")
	var peers []string
	for _, v := range n.Nodes {
		peers = append(peers, n.NodeID(v)+"@"+v.P2P)
	}
	SetTOML(n.t, cfg, "", "moniker", strconv.Quote(moniker))
	SetTOML(n.t, cfg, "rpc", "laddr", strconv.Quote("tcp://"+node.RPC))
	SetTOML(n.t, cfg, "rpc", "pprof_laddr", strconv.Quote(node.Pprof))
	SetTOML(n.t, cfg, "p2p", "laddr", strconv.Quote("tcp://"+node.P2P))
	SetTOML(n.t, cfg, "p2p", "persistent_peers", strconv.Quote(strings.Join(peers, ",")))
	SetTOML(n.t, app, "api", "address", strconv.Quote("tcp://"+node.API))
	SetTOML(n.t, app, "grpc", "address", strconv.Quote(node.GRPC))
	SetTOML(n.t, filepath.Join(home, "config", "client.toml"), "", "node", strconv.Quote("tcp://"+node.RPC))
	if prepare != nil {
		prepare(home)
	}
	n.Nodes = append(n.Nodes, node)
	return node
}
