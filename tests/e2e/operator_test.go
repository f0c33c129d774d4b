package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// guideNode writes a node home the way docs/validators.md does (init, then
// the settings it recommends), on the test's ports: node i listens on the
// i-th ten of the port plan, with CometBFT's metrics on the 6th port.
func (n *Network) guideNode(i int, moniker string) *Node {
	n.t.Helper()
	home := filepath.Join(n.Dir, moniker)
	runBin(n.t, "init", moniker, "--chain-id", n.ChainID, "--home", home)
	node := n.plannedNode(i, moniker, home)
	cfg, app, client := filepath.Join(home, "config", "config.toml"), filepath.Join(home, "config", "app.toml"), filepath.Join(home, "config", "client.toml")
	SetTOML(n.t, cfg, "rpc", "laddr", strconv.Quote("tcp://"+node.RPC))
	SetTOML(n.t, cfg, "rpc", "pprof_laddr", strconv.Quote(node.Pprof))
	SetTOML(n.t, cfg, "p2p", "laddr", strconv.Quote("tcp://"+node.P2P))
	SetTOML(n.t, cfg, "p2p", "addr_book_strict", "false") // peers on 127.0.0.1
	SetTOML(n.t, cfg, "p2p", "allow_duplicate_ip", "true")
	SetTOML(n.t, cfg, "consensus", "timeout_commit", strconv.Quote(testBlockTime.String()))
	SetTOML(n.t, cfg, "consensus", "double_sign_check_height", "10")
	SetTOML(n.t, cfg, "instrumentation", "prometheus", "true")
	SetTOML(n.t, cfg, "instrumentation", "prometheus_listen_addr", strconv.Quote(fmt.Sprintf("127.0.0.1:%d", n.ports.P2P+i*n.ports.Stride+5)))
	SetTOML(n.t, app, "api", "enable", "true")
	SetTOML(n.t, app, "api", "address", strconv.Quote("tcp://"+node.API))
	SetTOML(n.t, app, "grpc", "address", strconv.Quote(node.GRPC))
	SetTOML(n.t, app, "telemetry", "enabled", "true")
	SetTOML(n.t, app, "telemetry", "prometheus-retention-time", "60")
	SetTOML(n.t, app, "state-sync", "snapshot-interval", "20")
	SetTOML(n.t, app, "state-sync", "snapshot-keep-recent", "10")
	SetTOML(n.t, client, "", "chain-id", strconv.Quote(n.ChainID))
	SetTOML(n.t, client, "", "keyring-backend", strconv.Quote("test"))
	SetTOML(n.t, client, "", "node", strconv.Quote("tcp://"+node.RPC))
	n.Nodes = append(n.Nodes, node)
	return node
}

// peers points a node at others (config.toml persistent_peers).
func (n *Network) peers(node *Node, others ...*Node) {
	n.t.Helper()
	var list []string
	for _, o := range others {
		list = append(list, n.NodeID(o)+"@"+o.P2P)
	}
	SetTOML(n.t, filepath.Join(node.Home, "config", "config.toml"), "p2p", "persistent_peers", strconv.Quote(strings.Join(list, ",")))
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	bz, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, bz, 0o600); err != nil {
		t.Fatal(err)
	}
}

// editGenesis changes a genesis file's JSON in place.
func editGenesis(t *testing.T, path string, edit func(g map[string]any)) {
	t.Helper()
	bz, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var g map[string]any
	if err := json.Unmarshal(bz, &g); err != nil {
		t.Fatal(err)
	}
	edit(g)
	if bz, err = json.MarshalIndent(g, "", " "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bz, 0o600); err != nil {
		t.Fatal(err)
	}
}

func obj(m map[string]any, path ...string) map[string]any {
	for _, k := range path {
		m = m[k].(map[string]any)
	}
	return m
}

type stakingValidator struct {
	Validator struct {
		OperatorAddress string `json:"operator_address"`
		Jailed          bool   `json:"jailed"`
		Status          string `json:"status"`
		Tokens          string `json:"tokens"`
	} `json:"validator"`
}

// TestOperatorGuide follows docs/validators.md on real processes: a
// two-validator genesis ceremony from `init` and `keys add` to
// `collect-gentxs`; the metrics the guide says to watch; a third node that
// joins later and becomes a validator with create-validator; that
// validator jailed for downtime and unjailed; a node rebuilt from a
// snapshot file of another; and a damaged node wiped and state synced.
func TestOperatorGuide(t *testing.T) {
	n := &Network{t: t, Dir: t.TempDir(), ChainID: "agentchain-guide-1", Accounts: map[string]string{}}
	n.ports = freePorts(t, 5)
	t.Cleanup(n.StopAll)

	// 1. Keys. 2. The genesis ceremony: the coordinator (op1) funds both
	// operators, each signs a gentx, the coordinator collects them.
	op1, op2 := n.guideNode(0, "op1"), n.guideNode(1, "op2")
	keyOf := func(node *Node) string {
		t.Helper()
		var key struct {
			Address  string `json:"address"`
			Mnemonic string `json:"mnemonic"`
		}
		out := runBin(t, "keys", "add", "operator", "--keyring-backend", "test", "--home", node.Home, "--output", "json")
		if err := json.Unmarshal(out, &key); err != nil || key.Mnemonic == "" {
			t.Fatalf("keys add: %v %s", err, out)
		}
		shown := strings.TrimSpace(string(runBin(t, "keys", "show", "operator", "--keyring-backend", "test", "--home", node.Home, "--address")))
		if shown != key.Address || !strings.HasPrefix(shown, "agent1") {
			t.Fatalf("keys show %q, keys add %q", shown, key.Address)
		}
		return key.Address
	}
	addr1, addr2 := keyOf(op1), keyOf(op2)
	genesis1 := filepath.Join(op1.Home, "config", "genesis.json")
	for _, a := range []string{addr1, addr2} {
		runBin(t, "genesis", "add-genesis-account", a, "10000000000uagnt", "--home", op1.Home)
	}
	// The network's parameters (section 2): a block gas bound, and a short
	// downtime window so that the test can jail a validator.
	editGenesis(t, genesis1, func(g map[string]any) {
		obj(g, "consensus", "params", "block")["max_gas"] = "100000000"
		slashing := obj(g, "app_state", "slashing", "params")
		slashing["signed_blocks_window"] = "20"
		slashing["downtime_jail_duration"] = "60s"
	})
	copyFile(t, genesis1, filepath.Join(op2.Home, "config", "genesis.json"))
	gentxs := filepath.Join(n.Dir, "gentxs")
	for _, op := range []*Node{op1, op2} {
		runBin(t, "genesis", "gentx", "operator", "1000000000uagnt", "--chain-id", n.ChainID, "--moniker", op.Moniker,
			"--commission-rate", "0.05", "--commission-max-rate", "0.20", "--commission-max-change-rate", "0.01",
			"--min-self-delegation", "1", "--keyring-backend", "test", "--home", op.Home)
		files, _ := filepath.Glob(filepath.Join(op.Home, "config", "gentx", "*.json"))
		if len(files) != 1 {
			t.Fatalf("%s gentx files: %v", op.Moniker, files)
		}
		copyFile(t, files[0], filepath.Join(gentxs, op.Moniker+".json"))
	}
	runBin(t, "genesis", "collect-gentxs", "--gentx-dir", gentxs, "--home", op1.Home)
	runBin(t, "genesis", "validate", genesis1, "--home", op1.Home)
	copyFile(t, genesis1, filepath.Join(op2.Home, "config", "genesis.json"))
	runBin(t, "genesis", "validate", filepath.Join(op2.Home, "config", "genesis.json"), "--home", op2.Home)
	n.peers(op1, op2)
	n.peers(op2, op1)
	n.StartNode(op1)
	n.StartNode(op2)
	n.WaitForHeight(op1, 3, startTimeout)
	var status struct {
		SyncInfo struct {
			CatchingUp bool `json:"catching_up"`
		} `json:"sync_info"`
	}
	if out, errOut, err := n.CLIOn(op2, "status"); err != nil || json.Unmarshal(out, &status) != nil || status.SyncInfo.CatchingUp {
		t.Fatalf("status: %v %s %s", err, out, errOut)
	}

	if out, errOut, err := execBin("version"); err != nil || len(bytes.TrimSpace(append(out, errOut...))) == 0 {
		t.Fatalf("agentchaind version: %v", err)
	}
	var slashingParams struct {
		Params struct {
			Window string `json:"signed_blocks_window"`
		} `json:"params"`
	}
	if out, _, err := n.CLIOn(op1, "query", "slashing", "params", "--output", "json"); err != nil ||
		json.Unmarshal(out, &slashingParams) != nil || slashingParams.Params.Window != "20" {
		t.Fatalf("slashing params: %v %s", err, out)
	}

	// 4. The metrics the guide says to watch exist.
	t.Run("metrics", func(t *testing.T) {
		doc, err := os.ReadFile(filepath.Join(repoRoot, "docs", "validators.md"))
		if err != nil {
			t.Fatal(err)
		}
		names := map[string]bool{}
		for _, m := range regexp.MustCompile("`(cometbft_[a-z_]+)`").FindAllStringSubmatch(string(doc), -1) {
			names[m[1]] = true
		}
		if len(names) < 10 {
			t.Fatalf("the guide names %d metrics", len(names))
		}
		// A transaction the mempool refuses (a fee below the minimum gas
		// price), so that the failure counter has a value.
		if r := n.TxOn(op1, "operator", "bank", "send", "operator", addr2, "1uagnt", "--fees", "1uagnt"); r.Code == 0 {
			t.Fatalf("a send paying 1uagnt for 400,000 gas was accepted: %+v", r)
		}
		n.WaitBlocks(3)
		scrape := fetch(t, fmt.Sprintf("http://127.0.0.1:%d/metrics", n.ports.P2P+5))
		for name := range names {
			// Histograms export name_bucket, name_sum and name_count.
			if !regexp.MustCompile(`(?m)^` + name + `(_bucket|_sum|_count)?(\{|\s)`).MatchString(scrape) {
				t.Errorf("CometBFT exports no %s", name)
			}
		}
		app := fetch(t, "http://"+op1.API+"/metrics?format=prometheus")
		if !strings.Contains(app, "# TYPE ") {
			t.Errorf("the application's metrics endpoint answers:\n%.300s", app)
		}
	})

	// 2. A validator that joins later: a full node catches up, its
	// operator is funded, create-validator with its consensus key.
	op3 := n.guideNode(2, "op3")
	addr3 := keyOf(op3)
	copyFile(t, genesis1, filepath.Join(op3.Home, "config", "genesis.json"))
	runBin(t, "genesis", "validate", filepath.Join(op3.Home, "config", "genesis.json"), "--home", op3.Home)
	n.peers(op3, op1, op2)
	n.StartNode(op3)
	n.WaitForHeight(op3, n.WaitBlocks(0), startTimeout)
	funded := n.MustSucceed(n.TxOn(op1, "operator", "bank", "send", "operator", addr3, "2000000000uagnt"))
	n.WaitForHeight(op3, funded.Height, startTimeout)
	pubkey := strings.TrimSpace(string(runBin(t, "comet", "show-validator", "--home", op3.Home)))
	validatorJSON := filepath.Join(n.Dir, "validator.json")
	if err := os.WriteFile(validatorJSON, []byte(fmt.Sprintf(`{
  "pubkey": %s,
  "amount": "100000000uagnt",
  "moniker": "op3",
  "commission-rate": "0.05",
  "commission-max-rate": "0.20",
  "commission-max-change-rate": "0.01",
  "min-self-delegation": "1"
}`, pubkey)), 0o600); err != nil {
		t.Fatal(err)
	}
	n.MustSucceed(n.TxOn(op3, "operator", "staking", "create-validator", validatorJSON))
	valoper := strings.TrimSpace(string(runBin(t, "keys", "show", "operator", "--keyring-backend", "test", "--bech", "val", "--address", "--home", op3.Home)))
	validator := func() stakingValidator {
		t.Helper()
		var v stakingValidator
		out, errOut, err := n.CLIOn(op1, "query", "staking", "validator", valoper, "--output", "json")
		if err != nil || json.Unmarshal(out, &v) != nil {
			t.Fatalf("query staking validator: %v %s %s", err, out, errOut)
		}
		return v
	}
	waitFor(t, time.Minute, "op3 to join the validator set", func() bool {
		var vals struct {
			Result struct {
				Total string `json:"total"`
			} `json:"result"`
		}
		return validator().Validator.Status == "BOND_STATUS_BONDED" &&
			getJSON("http://"+op1.RPC+"/validators", &vals) == nil && vals.Result.Total == "3"
	})

	// 4. Jailed: op3 stops; with a 20-block window it is jailed; it comes
	// back, waits out the jail and unjails.
	n.StopNode(op3)
	signingInfo := func() string {
		out, _, _ := n.CLIOn(op1, "query", "slashing", "signing-info", pubkey, "--output", "json")
		return string(out)
	}
	waitFor(t, 2*time.Minute, "op3 to be jailed for downtime", func() bool { return validator().Validator.Jailed })
	// It comes back; the jail (60s, the SDK's least) runs while the rest
	// of the guide goes on, and it unjails at the end.
	var info struct {
		Info struct {
			JailedUntil time.Time `json:"jailed_until"`
		} `json:"val_signing_info"`
	}
	if err := json.Unmarshal([]byte(signingInfo()), &info); err != nil || info.Info.JailedUntil.IsZero() {
		t.Fatalf("signing-info: %v %s", err, signingInfo())
	}
	n.StartNode(op3)
	n.WaitForHeight(op3, n.WaitBlocks(0), startTimeout)
	if r := n.TxOn(op3, "operator", "slashing", "unjail"); r.Code == 0 || !strings.Contains(r.RawLog, "still jailed") {
		t.Fatalf("unjail before the jail time passed: code %d %s", r.Code, r.RawLog)
	}

	// 6. A node rebuilt from a snapshot file of op3.
	n.StopNode(op3)
	stopped := n.WaitBlocks(0)
	runBin(t, "snapshots", "export", "--home", op3.Home)
	list := string(runBin(t, "snapshots", "list", "--home", op3.Home))
	m := regexp.MustCompile(`height: (\d+) format: (\d+)`).FindAllStringSubmatch(list, -1)
	if len(m) == 0 {
		t.Fatalf("snapshots list: %s", list)
	}
	snapHeight, format := m[len(m)-1][1], m[len(m)-1][2]
	archive := filepath.Join(n.Dir, "snapshot.tar.gz")
	runBin(t, "snapshots", "dump", snapHeight, format, "--output", archive, "--home", op3.Home)
	// double_sign_check_height is 10: a validator that signed one of the
	// last 10 blocks refuses to start (another copy of it may be running).
	n.WaitForHeight(op1, stopped+12, startTimeout)
	n.StartNode(op3)
	h, _ := strconv.ParseInt(snapHeight, 10, 64)
	n.WaitForHeight(op1, h+2, startTimeout)

	restored := n.guideNode(3, "restored")
	copyFile(t, genesis1, filepath.Join(restored.Home, "config", "genesis.json"))
	n.peers(restored, op1, op2)
	n.SetStateSync(restored.Home, []*Node{op1, op2}, h, false)
	runBin(t, "snapshots", "load", archive, "--home", restored.Home)
	runBin(t, "snapshots", "restore", snapHeight, format, "--home", restored.Home)
	runBin(t, "comet", "bootstrap-state", "--height", snapHeight, "--home", restored.Home)
	n.StartNode(restored)
	tip := n.WaitBlocks(3)
	n.WaitForHeight(restored, tip, startTimeout)
	fx := &faultRun{n: n}
	if compared := fx.compareHashes(t, h+1, tip); compared < 3*int(tip-h-1) {
		t.Fatalf("compared %d app hashes over heights %d-%d", compared, h+1, tip)
	}

	// 6. A damaged node: wiped (address book kept) and state synced.
	n.StopNode(restored)
	runBin(t, "comet", "unsafe-reset-all", "--keep-addr-book", "--home", restored.Home)
	if _, err := os.Stat(filepath.Join(restored.Home, "config", "addrbook.json")); err != nil {
		t.Fatalf("unsafe-reset-all --keep-addr-book: %v", err)
	}
	// Snapshots every 20 blocks on op1 and op2: trust a block past the
	// newest one they have.
	tip = n.WaitBlocks(25)
	n.SetStateSync(restored.Home, []*Node{op1, op2}, tip-3, true)
	n.StartNode(restored)
	n.WaitForHeight(restored, tip+3, 2*startTimeout)
	var st struct {
		Result struct {
			SyncInfo struct {
				Earliest string `json:"earliest_block_height"`
			} `json:"sync_info"`
		} `json:"result"`
	}
	if err := getJSON("http://"+restored.RPC+"/status", &st); err != nil {
		t.Fatal(err)
	}
	if earliest, _ := strconv.ParseInt(st.Result.SyncInfo.Earliest, 10, 64); earliest <= h {
		t.Fatalf("the wiped node has blocks from %d: it did not state sync", earliest)
	}
	tip = n.WaitBlocks(2)
	n.WaitForHeight(restored, tip, startTimeout)
	fx.compareHashes(t, tip-5, tip)
	for _, node := range n.Nodes {
		fx.invariantsHold(t, node)
	}

	// 4. Unjail, once the jail time has passed.
	waitFor(t, 2*time.Minute, "op3's jail time to pass", func() bool { return time.Now().After(info.Info.JailedUntil.Add(2 * time.Second)) })
	n.MustSucceed(n.TxOn(op3, "operator", "slashing", "unjail"))
	waitFor(t, time.Minute, "op3 to be back in the set", func() bool {
		v := validator()
		return !v.Validator.Jailed && v.Validator.Status == "BOND_STATUS_BONDED"
	})
	n.WaitForHeight(op3, n.WaitBlocks(3), startTimeout)
}

func fetch(t *testing.T, url string) string {
	t.Helper()
	resp, err := httpClient.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	bz, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return string(bz)
}

// Every agentchaind command line in docs/validators.md names a real
// command and only flags that command has.
func TestValidatorGuideCommands(t *testing.T) {
	f, err := os.Open(filepath.Join(repoRoot, "docs", "validators.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	inShell := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case strings.HasPrefix(line, "```"):
			inShell = !inShell && line == "```sh"
		case inShell && strings.HasPrefix(line, "agentchaind "):
			lines = append(lines, line)
		}
	}
	if len(lines) < 25 {
		t.Fatalf("found only %d agentchaind commands in the guide", len(lines))
	}
	word := regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	helps := map[string]string{} // command path → its help, "" if none
	helpOf := func(path []string) string {
		key := strings.Join(path, " ")
		if h, ok := helps[key]; ok {
			return h
		}
		out, _, err := execBin(append(append([]string{}, path...), "--help")...)
		h := string(out)
		if err != nil || !strings.Contains(h, "agentchaind "+key) {
			h = ""
		}
		helps[key] = h
		return h
	}
	for _, line := range lines {
		fields := strings.Fields(line)[1:]
		// The command path: leading words that agentchaind knows as
		// subcommands (the help of a path names the path in its usage).
		var path []string
		var help string
		for _, w := range fields {
			if !word.MatchString(w) {
				break
			}
			h := helpOf(append(append([]string{}, path...), w))
			if h == "" {
				break
			}
			path, help = append(path, w), h
		}
		if len(path) == 0 {
			t.Errorf("%q: no such command", line)
			continue
		}
		if strings.Contains(help, "Available Commands:") && len(path) < len(fields) && word.MatchString(fields[len(path)]) {
			t.Errorf("%q: %q is not a subcommand of agentchaind %s", line, fields[len(path)], strings.Join(path, " "))
		}
		for _, w := range fields {
			if !strings.HasPrefix(w, "--") {
				continue
			}
			flag := strings.SplitN(w, "=", 2)[0]
			if !regexp.MustCompile(`(?m)^\s+(-[a-zA-Z], )?` + regexp.QuoteMeta(flag) + `\b`).MatchString(help) {
				t.Errorf("%q: agentchaind %s has no flag %s", line, strings.Join(path, " "), flag)
			}
		}
	}
}
