package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/gogoproto/proto"

	"github.com/agentchain/agentchain/agentkit"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reputationtypes "github.com/agentchain/agentchain/x/reputation/types"
)

// The node-level load test: real nodes on loopback (one validator, then
// four), driven from many accounts created in genesis for the run, with
// txs offered at rising rates for three workloads:
//   - send: bank sends, signed before the step's clock starts, each
//     account sending its own txs in order at its scheduled times;
//   - lifecycle: whole jobs (hire → accept → deliver → complete) started
//     at a rate; each next tx is signed when the one before it is in a
//     block (its job id is known only then);
//   - mixed: half sends, half lifecycles that end with the client's
//     feedback.
//
// For each step it reports the tx/s included, p50/p95/p99 from broadcast
// (the node's CheckTx answer) to the block holding the tx being readable
// from the node, the mean block time, the mempool's size (mean, max over
// the nodes), each node's CPU (% of one core) and RSS, and the load
// generator's own CPU; a step is saturated when the node includes less
// than 80% of what was offered (in the window's second half), refuses more
// than 1% or keeps 5% of the txs waiting for more than three blocks. The rates rise until a step saturates (full run),
// and the lifecycle/send ratio compares the highest included tx/s of each
// on the same network.
//
// `make test` runs a smoke run (one validator, two short steps of each
// workload) and checks what it counts against the chain; `make loadtest`
// runs the full plan on one and on four validators (LOAD_STEP, LOAD_VALIDATORS,
// LOAD_SEND_RATES, LOAD_HIRE_RATES, LOAD_MIX_RATES, LOAD_BLOCK_TIME change it;
// LOAD_BIN runs another build, LOAD_SIG_CACHE sets the nodes'
// verified-signature-cache; a rate list of 0 skips that workload).

type nodeLoadPlan struct {
	validators          []int
	step, blockTime     time.Duration
	sendRates, mixRates []int // tx/s offered
	hireRates           []int // lifecycles started per second
	senders, clients    int
	providers           int
	full                bool
}

func nodeLoadPlanFromEnv() nodeLoadPlan {
	p := nodeLoadPlan{
		validators: []int{1}, step: 3 * time.Second, blockTime: 500 * time.Millisecond,
		sendRates: []int{20, 60}, hireRates: []int{3, 8}, mixRates: []int{40},
		senders: 60, clients: 12, providers: 3,
	}
	if os.Getenv("AGENTCHAIN_LOAD") == "full" {
		p = nodeLoadPlan{
			validators: []int{1, 4}, step: 15 * time.Second, blockTime: time.Second,
			sendRates: []int{100, 200, 400, 800, 1600, 3200}, hireRates: []int{25, 50, 100, 200, 400},
			mixRates: []int{100, 200, 400, 800, 1600},
			senders:  2000, clients: 400, providers: 100, full: true,
		}
	}
	ints := func(name string, def []int) []int {
		v := os.Getenv(name)
		if v == "" {
			return def
		}
		var out []int
		for _, f := range strings.Split(v, ",") {
			if n, err := strconv.Atoi(strings.TrimSpace(f)); err == nil && n > 0 {
				out = append(out, n)
			}
		}
		return out
	}
	p.validators = ints("LOAD_VALIDATORS", p.validators)
	p.sendRates = ints("LOAD_SEND_RATES", p.sendRates)
	p.hireRates = ints("LOAD_HIRE_RATES", p.hireRates)
	p.mixRates = ints("LOAD_MIX_RATES", p.mixRates)
	if d, err := time.ParseDuration(os.Getenv("LOAD_STEP")); err == nil && d > 0 {
		p.step = d
	}
	if d, err := time.ParseDuration(os.Getenv("LOAD_BLOCK_TIME")); err == nil && d > 0 {
		p.blockTime = d
	}
	return p
}

// loadStep is one step's measurements.
type loadStep struct {
	validators     int
	workload       string
	offered        float64 // tx/s offered (the plan's; for lifecycles 4 or 5 txs per job started)
	sent, refused  int64   // txs broadcast, refused by CheckTx
	included       int64   // txs of the step in blocks
	failed         int64   // of those, failed in their block
	inWindow       int64   // txs included in the window's second half (the first is the ramp)
	lifecycles     int64   // jobs that reached their last tx
	p50, p95, p99  time.Duration
	blockTime      time.Duration
	mempoolMean    float64
	mempoolMax     int
	cpu            []float64 // % of one core, per node
	cpuPerTx       []float64 // node CPU ms per tx included while the window ran
	rss            []int64   // MiB, max per node
	generatorCPU   float64
	drain          time.Duration
	saturated      bool
	notIncluded    int64
	windowDuration time.Duration
	sendsOK        int64 // sends that succeeded
	jobsLeft       int64 // jobs neither finished nor failed when the drain ended
	completed      int64 // jobs whose MsgComplete succeeded
}

// includedRate is the tx/s included in the window's second half: a job's
// txs reach their steady rate only after its first blocks.
func (s loadStep) includedRate() float64 {
	return float64(s.inWindow) / (s.windowDuration.Seconds() / 2)
}

func TestNodeLoad(t *testing.T) {
	plan := nodeLoadPlanFromEnv()
	var all []loadStep
	for _, v := range plan.validators {
		t.Run(fmt.Sprintf("validators=%d", v), func(t *testing.T) {
			all = append(all, runNodeLoad(t, plan, v)...)
		})
	}
	printNodeLoad(t, all)
}

// loadAccount is an account created in genesis for the run; its txs are
// signed and broadcast in sequence order under mu.
type loadAccount struct {
	key  agentkit.Signer
	addr string
	node int
	mu   sync.Mutex
	num  uint64
	seq  uint64
}

// loadTx is a broadcast tx waiting for its block.
type loadTx struct {
	sentAt time.Time
	step   *loadCounter
	then   func(code uint32, data []byte)
}

// loadCounter counts one step's txs.
type loadCounter struct {
	sent, refused, included, failed, inWindow atomic.Int64
	whileOpen                                 atomic.Int64 // txs included while the window ran
	lifecycles, pending, jobs, sendsOK        atomic.Int64
	completed                                 atomic.Int64
	mu                                        sync.Mutex
	latencies                                 []time.Duration
	open                                      atomic.Bool  // the step's window is running
	steadyFrom                                atomic.Int64 // unix ns: the window's second half
}

type nodeLoadRun struct {
	t       *testing.T
	nw      *Network
	ctx     context.Context
	chainID string
	http    *http.Client
	rpcs    []string

	pendMu  sync.Mutex
	pending map[string]*loadTx

	blockMu    sync.Mutex
	blockTimes []time.Time // header times of the blocks seen
	mempool    []int       // samples, max over the nodes
	rssMax     []int64

	lastErrMu sync.Mutex
	lastErr   string
}

var expectedSeq = regexp.MustCompile(`expected (\d+), got (\d+)`)

func runNodeLoad(t *testing.T, plan nodeLoadPlan, validators int) []loadStep {
	secret := func(kind string, i int) agentkit.Signer {
		return agentkit.FromSecret(fmt.Sprintf("nodeload-%s-%d", kind, i))
	}
	mk := func(kind string, n int) []*loadAccount {
		out := make([]*loadAccount, n)
		for i := range out {
			k := secret(kind, i)
			out[i] = &loadAccount{key: k, addr: sdk.MustBech32ifyAddressBytes("agent", k.Address()), node: i % validators}
		}
		return out
	}
	senders, clients := mk("send", plan.senders), mk("client", plan.clients)
	owners, agents := mk("owner", plan.providers), mk("agent", plan.providers)
	var everyone []*loadAccount
	for _, g := range [][]*loadAccount{senders, clients, owners, agents} {
		everyone = append(everyone, g...)
	}

	nw := StartNetwork(t, NetworkOptions{Validators: validators, BlockTime: plan.blockTime, Bin: os.Getenv("LOAD_BIN"), BeforeStart: func(n *Network) {
		addGenesisAccounts(t, n, everyone, "1000000000000")
		for _, node := range n.Nodes {
			if v := os.Getenv("LOAD_SIG_CACHE"); v != "" {
				SetTOML(t, filepath.Join(node.Home, "config", "app.toml"), "agentchain", "verified-signature-cache", v)
			}
			cfg := filepath.Join(node.Home, "config", "config.toml")
			// Room for what the full run offers; the defaults (5,000 txs,
			// 1 GB) would refuse the highest steps at once.
			SetTOML(t, cfg, "mempool", "size", "20000")
			SetTOML(t, cfg, "mempool", "cache_size", "40000")
		}
	}})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := &nodeLoadRun{
		t: t, nw: nw, ctx: ctx, chainID: nw.ChainID, pending: map[string]*loadTx{},
		http: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxConnsPerHost: 512}},
	}
	for _, node := range nw.Nodes {
		r.rpcs = append(r.rpcs, "http://"+node.RPC)
	}
	r.rssMax = make([]int64, len(nw.Nodes))
	r.syncAccounts(everyone)

	// Providers: each owner registers its agent, which lists a service.
	listings := make([]uint64, plan.providers)
	var setup sync.WaitGroup
	errs := make(chan error, plan.providers)
	for i := range owners {
		setup.Add(1)
		go func() {
			defer setup.Done()
			node := nw.Nodes[i%validators]
			cfg := agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC, InclusionTimeout: 2 * time.Minute}
			owner, provider := dialWith(t, ctx, cfg, owners[i].key), dialWith(t, ctx, cfg, agents[i].key)
			id, err := listProvider(ctx, owner, provider, agents[i].key, fmt.Sprintf("nodeload-%d", i), 1_000, 1_000_000)
			if err != nil {
				errs <- err
				return
			}
			listings[i] = id
		}()
	}
	setup.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	r.syncAccounts(append(slices.Clone(owners), agents...))

	go r.track()
	go r.sample()

	sink := agentkit.FromSecret("nodeload-sink").Address()
	sinkAddr := sdk.MustBech32ifyAddressBytes("agent", sink)
	var steps []loadStep
	run := func(workload string, rates []int, perJob int, start func(c *loadCounter, rate int, until time.Time)) {
		for _, rate := range rates {
			c := &loadCounter{}
			offered := float64(rate)
			if perJob > 0 {
				offered = float64(rate * perJob)
			}
			s := r.step(validators, workload, offered, c, plan.step, func(until time.Time) { start(c, rate, until) })
			if s.refused > 0 || s.notIncluded > 0 {
				r.syncAccounts(everyone) // refused or dropped txs left sequences behind
			}
			steps = append(steps, s)
			t.Logf("%d validator(s) %s at %.0f tx/s: %d sent, %d refused, %d included (%d failed), %.0f tx/s in the window, p50 %s p95 %s p99 %s, drain %s",
				validators, workload, offered, s.sent, s.refused, s.included, s.failed, s.includedRate(), s.p50, s.p95, s.p99, s.drain)
			if plan.full && s.saturated {
				break // the next rate would only pile up
			}
		}
	}

	// Sends, signed before each step's clock starts.
	run("send", plan.sendRates, 0, func(c *loadCounter, rate int, until time.Time) {
		r.offerSends(c, senders, sinkAddr, rate, until)
	})

	// Lifecycles.
	lifecycle := func(c *loadCounter, hires int, until time.Time, feedback bool) {
		r.offerJobs(c, clients, agents, listings, hires, until, feedback)
	}
	run("lifecycle", plan.hireRates, 4, func(c *loadCounter, rate int, until time.Time) { lifecycle(c, rate, until, false) })

	// Mixed: half the rate sends, half lifecycles with feedback (5 txs).
	run("mixed", plan.mixRates, 0, func(c *loadCounter, rate int, until time.Time) {
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); r.offerSends(c, senders, sinkAddr, rate/2, until) }()
		go func() { defer wg.Done(); lifecycle(c, max(1, rate/10), until, true) }()
		wg.Wait()
	})

	// What the run counted, checked against the chain.
	for _, s := range steps {
		if s.sent == 0 || s.included == 0 {
			t.Errorf("%s at %.0f tx/s: nothing included (%d sent)", s.workload, s.offered, s.sent)
		}
		if !plan.full && (s.refused > 0 || s.failed > 0 || s.notIncluded > 0 || s.jobsLeft > 0) {
			t.Errorf("smoke %s at %.0f tx/s: %d refused, %d failed, %d never included, %d jobs unfinished (last refusal: %s)",
				s.workload, s.offered, s.refused, s.failed, s.notIncluded, s.jobsLeft, r.lastError())
		}
		if s.included > 0 && (s.p50 <= 0 || s.p99 < s.p50) {
			t.Errorf("%s: latencies p50 %s p99 %s", s.workload, s.p50, s.p99)
		}
		if s.blockTime <= 0 || len(s.cpu) != validators || s.cpu[0] <= 0 || s.rss[0] <= 0 {
			t.Errorf("%s: block time %s, CPU %v, RSS %v", s.workload, s.blockTime, s.cpu, s.rss)
		}
	}
	var sends, jobs, left int64
	for _, s := range steps {
		sends += s.sendsOK
		jobs += s.completed
		left += s.jobsLeft + s.notIncluded
	}
	if got := nw.Balance(sinkAddr, "uagnt"); got != sends && left == 0 {
		t.Errorf("the sink holds %d uagnt; the run counted %d sends that succeeded", got, sends)
	}
	// Every finished job is completed on chain: the providers' agents
	// count them.
	var completed int64
	api := "http://" + nw.Nodes[0].API
	for _, a := range agents {
		var agent struct {
			Agent struct {
				ID string `json:"id"`
			} `json:"agent"`
		}
		var rep struct {
			Signals struct {
				Completed string `json:"jobs_completed"`
			} `json:"signals"`
		}
		if err := getJSON(api+"/agentchain/agentid/v1/agent_by_address/"+a.addr, &agent); err != nil {
			t.Fatal(err)
		}
		if err := getJSON(api+"/agentchain/reputation/v1/agents/"+agent.Agent.ID, &rep); err != nil {
			t.Fatal(err)
		}
		n, _ := strconv.ParseInt(rep.Signals.Completed, 10, 64)
		completed += n
	}
	if completed != jobs && left == 0 {
		t.Errorf("the providers completed %d jobs on chain; the run counted %d", completed, jobs)
	}
	return steps
}

// listProvider registers agentKey as owner's agent named name, offering
// "summarize", and lists that service through provider (a client of the
// agent key) at price uagnt; it returns the listing's id.
func listProvider(ctx context.Context, owner, provider *agentkit.Client, agentKey agentkit.Signer, name string, price, maxDuration int64) (uint64, error) {
	if _, err := owner.RegisterAgent(ctx, agentkit.AgentSpec{Name: name, Capabilities: []string{"summarize"}}, agentKey); err != nil {
		return 0, err
	}
	l, err := provider.CreateListing(ctx, agentkit.ListingSpec{
		Capability: "summarize", Title: "Summaries", TermsURI: "https://agents.example/terms", Terms: []byte("terms"),
		Price: agnt(price), MaxDurationBlocks: maxDuration, ReviewWindowBlocks: 100,
	})
	if err != nil {
		return 0, err
	}
	return l.Id, nil
}

// addGenesisAccounts gives each account coins in every node's genesis.
func addGenesisAccounts(t *testing.T, n *Network, accts []*loadAccount, amount string) {
	t.Helper()
	for _, node := range n.Nodes {
		path := filepath.Join(node.Home, "config", "genesis.json")
		bz, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var gen map[string]json.RawMessage
		if err := json.Unmarshal(bz, &gen); err != nil {
			t.Fatal(err)
		}
		var state map[string]json.RawMessage
		if err := json.Unmarshal(gen["app_state"], &state); err != nil {
			t.Fatal(err)
		}
		var auth, bank map[string]any
		if err := json.Unmarshal(state["auth"], &auth); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(state["bank"], &bank); err != nil {
			t.Fatal(err)
		}
		accounts, _ := auth["accounts"].([]any)
		balances, _ := bank["balances"].([]any)
		for _, a := range accts {
			accounts = append(accounts, map[string]any{
				"@type": "/cosmos.auth.v1beta1.BaseAccount", "address": a.addr, "account_number": "0", "sequence": "0", "pub_key": nil,
			})
			balances = append(balances, map[string]any{
				"address": a.addr, "coins": []any{map[string]any{"denom": "uagnt", "amount": amount}},
			})
		}
		auth["accounts"], bank["balances"] = accounts, balances
		if state["auth"], err = json.Marshal(auth); err != nil {
			t.Fatal(err)
		}
		if state["bank"], err = json.Marshal(bank); err != nil {
			t.Fatal(err)
		}
		if gen["app_state"], err = json.Marshal(state); err != nil {
			t.Fatal(err)
		}
		if bz, err = json.Marshal(gen); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, bz, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// syncAccounts reads the accounts' numbers and sequences from the chain.
func (r *nodeLoadRun) syncAccounts(accts []*loadAccount) {
	r.t.Helper()
	api := "http://" + r.nw.Nodes[0].API
	var wg sync.WaitGroup
	var next atomic.Int64
	var failed atomic.Value
	for g := 0; g < 16; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := next.Add(1) - 1; i < int64(len(accts)); i = next.Add(1) - 1 {
				a := accts[i]
				var out struct {
					Info struct {
						AccountNumber string `json:"account_number"`
						Sequence      string `json:"sequence"`
					} `json:"info"`
				}
				if err := getJSON(api+"/cosmos/auth/v1beta1/account_info/"+a.addr, &out); err != nil {
					failed.Store(err)
					return
				}
				a.mu.Lock()
				a.num, _ = strconv.ParseUint(out.Info.AccountNumber, 10, 64)
				a.seq, _ = strconv.ParseUint(out.Info.Sequence, 10, 64)
				a.mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if err, ok := failed.Load().(error); ok {
		r.t.Fatalf("account info: %v", err)
	}
}

// loadGas is every tx's gas limit: enough for each of the run's messages.
const loadGas = 400_000

// sign builds a tx of msgs signed by a (SIGN_MODE_DIRECT) with sequence seq.
func (r *nodeLoadRun) sign(a *loadAccount, seq uint64, msgs ...sdk.Msg) []byte {
	bz, err := signDirect(r.chainID, a.key, a.num, seq, loadGas, fee(r.t), msgs...)
	if err != nil {
		r.t.Fatal(err)
	}
	return bz
}

// signDirect encodes msgs as a tx signed by key (SIGN_MODE_DIRECT) for the
// account number and sequence given, paying feeAmount uagnt for gas.
func signDirect(chainID string, key agentkit.Signer, accNum, seq, gas uint64, feeAmount int64, msgs ...sdk.Msg) ([]byte, error) {
	anys := make([]*codectypes.Any, len(msgs))
	for i, m := range msgs {
		a, err := codectypes.NewAnyWithValue(m)
		if err != nil {
			return nil, err
		}
		anys[i] = a
	}
	body, err := (&txtypes.TxBody{Messages: anys}).Marshal()
	if err != nil {
		return nil, err
	}
	pub, err := codectypes.NewAnyWithValue(key.PubKey())
	if err != nil {
		return nil, err
	}
	authInfo, err := (&txtypes.AuthInfo{
		SignerInfos: []*txtypes.SignerInfo{{
			PublicKey: pub,
			ModeInfo:  &txtypes.ModeInfo{Sum: &txtypes.ModeInfo_Single_{Single: &txtypes.ModeInfo_Single{Mode: signing.SignMode_SIGN_MODE_DIRECT}}},
			Sequence:  seq,
		}},
		Fee: &txtypes.Fee{Amount: sdk.NewCoins(agnt(feeAmount)), GasLimit: gas},
	}).Marshal()
	if err != nil {
		return nil, err
	}
	doc, err := (&txtypes.SignDoc{BodyBytes: body, AuthInfoBytes: authInfo, ChainId: chainID, AccountNumber: accNum}).Marshal()
	if err != nil {
		return nil, err
	}
	sig, err := key.Sign(doc)
	if err != nil {
		return nil, err
	}
	return (&txtypes.TxRaw{BodyBytes: body, AuthInfoBytes: authInfo, Signatures: [][]byte{sig}}).Marshal()
}

// broadcast offers a signed tx to a node (broadcast_tx_sync) and, when its
// CheckTx passes, waits for it: then runs when its block is seen. It
// returns the node's refusal log, or "".
func (r *nodeLoadRun) broadcast(node int, tx []byte, c *loadCounter, then func(code uint32, data []byte)) string {
	hash := agentkit.TxHash(tx)
	r.pendMu.Lock()
	r.pending[hash] = &loadTx{sentAt: time.Now(), step: c, then: then}
	r.pendMu.Unlock()
	c.sent.Add(1)
	c.pending.Add(1)
	refusal := r.post(node, tx)
	if refusal != "" {
		r.pendMu.Lock()
		_, still := r.pending[hash]
		delete(r.pending, hash)
		r.pendMu.Unlock()
		if still {
			c.pending.Add(-1)
		}
		c.refused.Add(1)
		r.lastErrMu.Lock()
		r.lastErr = refusal
		r.lastErrMu.Unlock()
	}
	return refusal
}

func (r *nodeLoadRun) lastError() string {
	r.lastErrMu.Lock()
	defer r.lastErrMu.Unlock()
	return r.lastErr
}

// post sends broadcast_tx_sync and returns the refusal, or "".
func (r *nodeLoadRun) post(node int, tx []byte) string {
	code, log, err := broadcastSync(r.http, r.rpcs[node], tx)
	switch {
	case err != nil:
		return err.Error()
	case code != 0:
		return log
	}
	return ""
}

// broadcastSync offers tx to a node's mempool through CometBFT's
// broadcast_tx_sync and returns CheckTx's code and log.
func broadcastSync(client *http.Client, rpc string, tx []byte) (uint32, string, error) {
	body := fmt.Sprintf(`{"jsonrpc":"2.0","id":1,"method":"broadcast_tx_sync","params":{"tx":%q}}`, base64.StdEncoding.EncodeToString(tx))
	resp, err := client.Post(rpc, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	var out struct {
		Result *struct {
			Code uint32 `json:"code"`
			Log  string `json:"log"`
		} `json:"result"`
		Error *struct {
			Message string `json:"message"`
			Data    string `json:"data"`
		} `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, "", err
	}
	switch {
	case out.Error != nil:
		return 0, "", fmt.Errorf("%s: %s", out.Error.Message, out.Error.Data)
	case out.Result == nil:
		return 0, "", fmt.Errorf("no result")
	}
	return out.Result.Code, out.Result.Log, nil
}

// submit signs msgs as a's next tx and broadcasts it; a refusal for a
// wrong sequence (a tx of a's refused under load, earlier) takes the
// node's and tries once more. It reports whether the node took the tx.
func (r *nodeLoadRun) submit(a *loadAccount, c *loadCounter, then func(code uint32, data []byte), msgs ...sdk.Msg) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	for attempt := 0; attempt < 2; attempt++ {
		refusal := r.broadcast(a.node, r.sign(a, a.seq, msgs...), c, then)
		if refusal == "" {
			a.seq++
			return true
		}
		m := expectedSeq.FindStringSubmatch(refusal)
		if m == nil {
			return false
		}
		a.seq, _ = strconv.ParseUint(m[1], 10, 64)
		c.refused.Add(-1) // not a refusal of the load: a stale count
		c.sent.Add(-1)
	}
	return false
}

// offerSends offers rate sends per second until the step ends: each
// sender's txs are signed before the clock starts and sent in order at its
// scheduled times (sender i's k-th at (i + k×senders)/rate seconds).
func (r *nodeLoadRun) offerSends(c *loadCounter, senders []*loadAccount, sink string, rate int, until time.Time) {
	if rate <= 0 {
		return
	}
	window := time.Until(until)
	total := int(float64(rate) * window.Seconds())
	n := min(len(senders), total)
	signed := make([][][]byte, n)
	for i := 0; i < n; i++ {
		a := senders[i]
		a.mu.Lock()
		for k := 0; i+k*n < total; k++ {
			signed[i] = append(signed[i], r.sign(a, a.seq+uint64(k), &banktypes.MsgSend{FromAddress: a.addr, ToAddress: sink, Amount: sdk.NewCoins(agnt(1))}))
		}
		a.mu.Unlock()
	}
	start := time.Now()
	c.open.Store(true)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := senders[i]
			a.mu.Lock()
			defer a.mu.Unlock()
			for k, tx := range signed[i] {
				at := start.Add(time.Duration(float64(i+k*n) / float64(rate) * float64(time.Second)))
				if d := time.Until(at); d > 0 {
					select {
					case <-r.ctx.Done():
						return
					case <-time.After(d):
					}
				}
				if r.broadcast(a.node, tx, c, func(code uint32, _ []byte) {
					if code == 0 {
						c.sendsOK.Add(1)
					}
				}) != "" {
					return // the sender's later txs would have the wrong sequence
				}
				a.seq++
			}
		}()
	}
	wg.Wait()
}

// offerJobs starts hires jobs per second until the step ends, each on the
// next client and provider in turn; each job's next tx is signed and sent
// when its previous one is in a block. With feedback the client then rates
// the provider.
func (r *nodeLoadRun) offerJobs(c *loadCounter, clients, agents []*loadAccount, listings []uint64, hires int, until time.Time, feedback bool) {
	if hires <= 0 {
		return
	}
	start := time.Now()
	c.open.Store(true)
	for k := 0; ; k++ {
		at := start.Add(time.Duration(float64(k) / float64(hires) * float64(time.Second)))
		if !at.Before(until) {
			return
		}
		if d := time.Until(at); d > 0 {
			select {
			case <-r.ctx.Done():
				return
			case <-time.After(d):
			}
		}
		client, p := clients[k%len(clients)], k%len(agents)
		provider := agents[p]
		steps := []func(job uint64) (*loadAccount, sdk.Msg){
			func(uint64) (*loadAccount, sdk.Msg) {
				return client, &markettypes.MsgHire{
					Client: client.addr, ListingId: listings[p], SpecUri: "https://client.example/spec",
					SpecHash: agentkit.Hash([]byte("spec")), DeliverBy: 1_000_000,
				}
			},
			func(job uint64) (*loadAccount, sdk.Msg) {
				return provider, &markettypes.MsgAcceptJob{Signer: provider.addr, JobId: job}
			},
			func(job uint64) (*loadAccount, sdk.Msg) {
				return provider, &markettypes.MsgDeliver{Signer: provider.addr, JobId: job, ResultUri: "https://agents.example/result", ResultHash: agentkit.Hash([]byte("result"))}
			},
			func(job uint64) (*loadAccount, sdk.Msg) {
				return client, &markettypes.MsgComplete{Client: client.addr, JobId: job}
			},
		}
		if feedback {
			steps = append(steps, func(job uint64) (*loadAccount, sdk.Msg) {
				return client, &reputationtypes.MsgSubmitFeedback{Rater: client.addr, JobId: job, Score: 90, Tags: []string{"fast"}}
			})
		}
		c.jobs.Add(1)
		go r.runJob(c, steps, 0, 0)
	}
}

// runJob sends a job's i-th tx and, once it succeeded in a block, the next.
func (r *nodeLoadRun) runJob(c *loadCounter, steps []func(job uint64) (*loadAccount, sdk.Msg), i int, job uint64) {
	if i == len(steps) {
		c.lifecycles.Add(1)
		c.jobs.Add(-1)
		return
	}
	a, msg := steps[i](job)
	ok := r.submit(a, c, func(code uint32, data []byte) {
		if i == 0 {
			var hired bool
			if job, hired = hiredJob(code, data); !hired {
				c.jobs.Add(-1)
				return
			}
		} else if code != 0 {
			c.jobs.Add(-1)
			return
		}
		if _, isComplete := msg.(*markettypes.MsgComplete); isComplete {
			c.completed.Add(1)
		}
		go r.runJob(c, steps, i+1, job)
	}, msg)
	if !ok {
		c.jobs.Add(-1)
	}
}

// hiredJob reads the job id from a successful hire's result data.
func hiredJob(code uint32, data []byte) (uint64, bool) {
	if code != 0 {
		return 0, false
	}
	var msgData sdk.TxMsgData
	if msgData.Unmarshal(data) != nil || len(msgData.MsgResponses) != 1 {
		return 0, false
	}
	var res markettypes.MsgHireResponse
	if proto.Unmarshal(msgData.MsgResponses[0].Value, &res) != nil {
		return 0, false
	}
	return res.JobId, true
}

// step runs one step: offer runs until the window ends; then the txs still
// waiting get up to drainLimit to reach a block.
func (r *nodeLoadRun) step(validators int, workload string, offered float64, c *loadCounter, window time.Duration, offer func(until time.Time)) loadStep {
	const drainLimit = 60 * time.Second
	ticks0, gen0 := r.cpuTicks(), selfCPUTicks(r.t)
	r.blockMu.Lock()
	blocks0, mem0 := len(r.blockTimes), len(r.mempool)
	for i := range r.rssMax {
		r.rssMax[i] = 0
	}
	r.blockMu.Unlock()
	start := time.Now()
	until := start.Add(window)
	c.steadyFrom.Store(start.Add(window / 2).UnixNano())
	done := make(chan struct{})
	go func() { offer(until); close(done) }()
	<-done
	if d := time.Until(until); d > 0 {
		time.Sleep(d)
	}
	c.open.Store(false)
	elapsed := time.Since(start)
	ticks1, gen1 := r.cpuTicks(), selfCPUTicks(r.t)
	drainStart := time.Now()
	for (c.pending.Load() > 0 || c.jobs.Load() > 0) && time.Since(drainStart) < drainLimit && r.ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
	}
	drain := time.Since(drainStart)

	s := loadStep{
		validators: validators, workload: workload, offered: offered,
		sent: c.sent.Load(), refused: c.refused.Load(), included: c.included.Load(), failed: c.failed.Load(),
		inWindow: c.inWindow.Load(), lifecycles: c.lifecycles.Load(), drain: drain, windowDuration: elapsed,
		notIncluded: c.pending.Load(), generatorCPU: float64(gen1-gen0) / elapsed.Seconds(), sendsOK: c.sendsOK.Load(), jobsLeft: c.jobs.Load(), completed: c.completed.Load(),
	}
	for i := range ticks1 {
		s.cpu = append(s.cpu, float64(ticks1[i]-ticks0[i])/elapsed.Seconds())
		s.cpuPerTx = append(s.cpuPerTx, float64(ticks1[i]-ticks0[i])*10/float64(max(1, c.whileOpen.Load())))
	}
	c.mu.Lock()
	lat := slices.Clone(c.latencies)
	c.mu.Unlock()
	slices.Sort(lat)
	pct := func(p int) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, len(lat)*p/100)]
	}
	s.p50, s.p95, s.p99 = pct(50), pct(95), pct(99)
	r.blockMu.Lock()
	if bt := r.blockTimes[blocks0:]; len(bt) > 1 {
		s.blockTime = bt[len(bt)-1].Sub(bt[0]) / time.Duration(len(bt)-1)
	}
	var sum int
	for _, m := range r.mempool[mem0:] {
		sum += m
		s.mempoolMax = max(s.mempoolMax, m)
	}
	if n := len(r.mempool) - mem0; n > 0 {
		s.mempoolMean = float64(sum) / float64(n)
	}
	for _, rss := range r.rssMax {
		s.rss = append(s.rss, rss>>20)
	}
	r.blockMu.Unlock()
	// Saturated: the node falls behind (less than 80% of the offer
	// included), refuses the offer, or keeps txs waiting for more than
	// three blocks.
	s.saturated = s.includedRate() < 0.8*offered || s.refused*100 > s.sent || (s.blockTime > 0 && s.p95 > 3*s.blockTime)
	return s
}

// track reads every block of node 0 as soon as its results are readable,
// and settles the txs waiting for it.
func (r *nodeLoadRun) track() {
	var height int64
	if st, err := r.nw.Status(r.nw.Nodes[0]); err == nil {
		height = st.Height
	}
	rpc := r.rpcs[0]
	for r.ctx.Err() == nil {
		var res struct {
			Result struct {
				TxsResults []struct {
					Code uint32 `json:"code"`
					Data []byte `json:"data"`
				} `json:"txs_results"`
			} `json:"result"`
			Error json.RawMessage `json:"error"`
		}
		if err := r.rpcGet(fmt.Sprintf("%s/block_results?height=%d", rpc, height+1), &res); err != nil || len(res.Error) > 0 {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		seen := time.Now()
		var block struct {
			Result struct {
				Block struct {
					Header struct {
						Time time.Time `json:"time"`
					} `json:"header"`
					Data struct {
						Txs [][]byte `json:"txs"`
					} `json:"data"`
				} `json:"block"`
			} `json:"result"`
		}
		if err := r.rpcGet(fmt.Sprintf("%s/block?height=%d", rpc, height+1), &block); err != nil {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		height++
		r.blockMu.Lock()
		r.blockTimes = append(r.blockTimes, block.Result.Block.Header.Time)
		r.blockMu.Unlock()
		for i, tx := range block.Result.Block.Data.Txs {
			hash := agentkit.TxHash(tx)
			r.pendMu.Lock()
			p := r.pending[hash]
			delete(r.pending, hash)
			r.pendMu.Unlock()
			if p == nil || i >= len(res.Result.TxsResults) {
				continue
			}
			tr := res.Result.TxsResults[i]
			c := p.step
			c.included.Add(1)
			if c.open.Load() {
				c.whileOpen.Add(1)
				if seen.UnixNano() >= c.steadyFrom.Load() {
					c.inWindow.Add(1)
				}
			}
			if tr.Code != 0 {
				c.failed.Add(1)
			}
			c.mu.Lock()
			c.latencies = append(c.latencies, seen.Sub(p.sentAt))
			c.mu.Unlock()
			if p.then != nil {
				p.then(tr.Code, tr.Data)
			}
			c.pending.Add(-1)
		}
	}
}

func (r *nodeLoadRun) rpcGet(url string, out any) error {
	resp, err := r.http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	bz, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(bz))
	}
	return json.Unmarshal(bz, out)
}

// sample records the mempools' size (max over the nodes) and each node's
// RSS four times a second.
func (r *nodeLoadRun) sample() {
	for r.ctx.Err() == nil {
		most := 0
		for _, rpc := range r.rpcs {
			var out struct {
				Result struct {
					N string `json:"n_txs"`
				} `json:"result"`
			}
			if r.rpcGet(rpc+"/num_unconfirmed_txs", &out) == nil {
				n, _ := strconv.Atoi(out.Result.N)
				most = max(most, n)
			}
		}
		r.blockMu.Lock()
		r.mempool = append(r.mempool, most)
		for i, node := range r.nw.Nodes {
			r.rssMax[i] = max(r.rssMax[i], nodeRSS(node))
		}
		r.blockMu.Unlock()
		time.Sleep(250 * time.Millisecond)
	}
}

// cpuTicks is each node's CPU time so far, in ticks of 1/100 s (so a
// difference per second is a percentage of one core).
func (r *nodeLoadRun) cpuTicks() []int64 {
	out := make([]int64, len(r.nw.Nodes))
	for i, node := range r.nw.Nodes {
		out[i] = nodeCPUTicks(r.t, node)
	}
	return out
}

// nodeRSS is a node's resident memory in bytes (0 when unreadable).
func nodeRSS(node *Node) int64 {
	node.mu.Lock()
	cmd := node.cmd
	node.mu.Unlock()
	if cmd == nil {
		return 0
	}
	bz, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(bz), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// selfCPUTicks is this test process's CPU time (the load generator).
func selfCPUTicks(t *testing.T) int64 {
	t.Helper()
	ticks, err := procCPUTicks("/proc/self/stat")
	if err != nil {
		t.Fatal(err)
	}
	return ticks
}

func printNodeLoad(t *testing.T, steps []loadStep) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nnode-level load: offered and included tx/s, broadcast→block latency, block time, mempool (mean/max), node CPU %% of one core and RSS MiB per node, generator CPU %%\n")
	fmt.Fprintf(&b, "%-4s %-9s %8s %8s %7s %7s %7s %7s %6s %6s %13s %-18s %-22s %-18s %5s %s\n",
		"vals", "workload", "offered", "incl/s", "refused", "p50", "p95", "p99", "block", "drain", "mempool", "cpu%", "cpu ms/tx", "rss", "gen%", "")
	for _, s := range steps {
		cpu := make([]string, len(s.cpu))
		perTx := make([]string, len(s.cpu))
		rss := make([]string, len(s.rss))
		for i := range s.cpu {
			cpu[i] = strconv.Itoa(int(s.cpu[i]))
			perTx[i] = strconv.FormatFloat(s.cpuPerTx[i], 'f', 2, 64)
			rss[i] = strconv.FormatInt(s.rss[i], 10)
		}
		mark := ""
		if s.saturated {
			mark = "saturated"
		}
		fmt.Fprintf(&b, "%-4d %-9s %8.0f %8.0f %7d %7s %7s %7s %6s %6s %6.0f/%-6d %-18s %-22s %-18s %5.0f %s\n",
			s.validators, s.workload, s.offered, s.includedRate(), s.refused, ms(s.p50), ms(s.p95), ms(s.p99),
			ms(s.blockTime), ms(s.drain), s.mempoolMean, s.mempoolMax, strings.Join(cpu, ","), strings.Join(perTx, ","), strings.Join(rss, ","), s.generatorCPU, mark)
	}
	// Saturation points and the lifecycle/send ratio, per network.
	best := map[[2]string]float64{}
	firstSat := map[[2]string]float64{}
	var nets []string
	for _, s := range steps {
		k := [2]string{strconv.Itoa(s.validators), s.workload}
		if !slices.Contains(nets, k[0]) {
			nets = append(nets, k[0])
		}
		best[k] = max(best[k], s.includedRate())
		if _, ok := firstSat[k]; !ok && s.saturated {
			firstSat[k] = s.offered
		}
	}
	for _, v := range nets {
		for _, w := range []string{"send", "lifecycle", "mixed"} {
			k := [2]string{v, w}
			if sat, ok := firstSat[k]; ok {
				fmt.Fprintf(&b, "%s validator(s), %s: at most %.0f tx/s included; saturated from %.0f tx/s offered\n", v, w, best[k], sat)
			} else {
				fmt.Fprintf(&b, "%s validator(s), %s: at most %.0f tx/s included; not saturated by the rates offered\n", v, w, best[k])
			}
		}
		if s := best[[2]string{v, "send"}]; s > 0 {
			_, sendSat := firstSat[[2]string{v, "send"}]
			_, jobSat := firstSat[[2]string{v, "lifecycle"}]
			how := "both saturated: a ratio of capacities"
			if !sendSat || !jobSat {
				how = "not both saturated: a ratio of what was offered, not of capacities"
			}
			fmt.Fprintf(&b, "%s validator(s): lifecycle/send ratio %.2f (highest included tx/s of each; %s)\n", v, best[[2]string{v, "lifecycle"}]/s, how)
		}
	}
	t.Log(b.String())
}

func ms(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	if d < 10*time.Second {
		return strconv.FormatInt(d.Milliseconds(), 10) + "ms"
	}
	return d.Round(time.Second).String()
}
