package e2e

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/agentchain/agentchain/agentkit"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// The load test: agentkit clients drive one node as hard as it takes them,
// half with bank sends and half with whole job lifecycles (hire, accept,
// deliver, complete), and the node's CPU per included tx is reported for
// consecutive windows of txs, split into the part spent answering the
// clients' waiting (GetTx queries, or tx index lookups), their gas
// simulations, and the rest (CheckTx, execution, commit, indexing, the
// event streams).
//
// The split: the node's CPU is read from /proc for each window; the
// clients count their queries (hits and misses) and simulations; the
// node's CPU per query of each kind is measured on the same node once the
// load has stopped (in a quiet loop, less the idle rate); waiting and
// simulation are the counts times those costs, and the rest is what
// remains.
//
// Two client modes run on fresh nodes, one after the other:
//   - polling: agentkit as it was, every tx simulated and each wait a GetTx
//     every 200ms;
//   - agentkit: its defaults (at each new block one lookup of the txs
//     waited for, learned gas). On a node without a tx index
//     (LOAD_INDEXER=null) it streams Tx events instead, whose cost is in
//     the rest.
//
// `make test` runs a smoke run (a few thousand txs per mode) and checks
// the counts; `make loadtest` runs 10^5 txs per mode with windows of
// 10,000 (LOAD_TXS and LOAD_WINDOW change them) and prints the table.

type loadMode struct {
	name    string
	polling bool
}

type loadWindow struct {
	txs, cpuTicks int64
	loadQueries
	sims    int64
	seconds float64
	height  int64
}

// loadQueries counts what clients asked while waiting.
type loadQueries struct {
	getTxHits, getTxMiss int64 // GetTx queries (polling)
	requests, lookups    int64 // lookup requests at new blocks, hashes in them
	lookupHits           int64 // hashes found
	own, ownHits         int64 // a waiter's own lookups (stream down, safety check)
}

func (a loadQueries) minus(b loadQueries) loadQueries {
	return loadQueries{
		getTxHits: a.getTxHits - b.getTxHits, getTxMiss: a.getTxMiss - b.getTxMiss,
		requests: a.requests - b.requests, lookups: a.lookups - b.lookups, lookupHits: a.lookupHits - b.lookupHits,
		own: a.own - b.own, ownHits: a.ownHits - b.ownHits,
	}
}

// loadCosts are node CPU ms per call, measured on the quiet node.
type loadCosts struct {
	getTxHit, getTxMiss float64 // the SDK's GetTx
	oneHit, oneMiss     float64 // a lookup of one hash
	batch               int     // hashes per lookup request, as the clients asked
	batchHit, batchMiss float64 // a lookup request of batch hashes, all found / none
	sim                 float64 // a bank send's simulation
}

// waiting is the node CPU (ms) the queries q cost.
func (c loadCosts) waiting(q loadQueries) float64 {
	ms := float64(q.getTxHits)*c.getTxHit + float64(q.getTxMiss)*c.getTxMiss
	ms += float64(q.ownHits)*c.oneHit + float64(q.own-q.ownHits)*c.oneMiss
	if q.lookups > 0 {
		found := float64(q.lookupHits) / float64(q.lookups)
		ms += float64(q.requests) * (found*c.batchHit + (1-found)*c.batchMiss)
	}
	return ms
}

type loadReport struct {
	mode              loadMode
	windows           []loadWindow
	costs             loadCosts
	included, refused int64
	elapsed           time.Duration
}

func envInt(name string, def int64) int64 {
	if v, err := strconv.ParseInt(os.Getenv(name), 10, 64); err == nil && v > 0 {
		return v
	}
	return def
}

func TestLoad(t *testing.T) {
	total, window, calls := int64(1_500), int64(500), 300
	if os.Getenv("AGENTCHAIN_LOAD") == "full" {
		total, window, calls = envInt("LOAD_TXS", 100_000), envInt("LOAD_WINDOW", 10_000), 2000
	}
	var reports []loadReport
	for _, mode := range []loadMode{{name: "polling", polling: true}, {name: "agentkit"}} {
		if only := os.Getenv("LOAD_MODES"); only != "" && !strings.Contains(only, mode.name) {
			continue
		}
		t.Run(mode.name, func(t *testing.T) {
			reports = append(reports, runLoad(t, mode, total, window, calls))
		})
	}
	printLoadTable(t, reports)
	if len(reports) != 2 {
		return
	}
	// The node CPU the clients' waiting costs, per tx.
	before, after := reports[0], reports[1]
	wBefore, wAfter := before.waitingPerTx(), after.waitingPerTx()
	// After the first tx of each kind and client, nothing is simulated.
	last := after.windows[len(after.windows)-1]
	simAfter := float64(last.sims) / float64(max(1, last.txs))
	t.Logf("waiting, node CPU per tx: polling %.3f ms, agentkit %.3f ms (%.1fx less); simulations per tx in agentkit's last window %.4f",
		wBefore, wAfter, wBefore/wAfter, simAfter)
	const factor = 10.0
	if wAfter*factor > wBefore {
		t.Errorf("agentkit's waiting costs the node %.3f ms per tx against %.3f ms when polling: not 1/%.0f", wAfter, wBefore, factor)
	}
	if simAfter > 0.01 {
		t.Errorf("agentkit simulates %.3f times per tx", simAfter)
	}
	for _, r := range reports {
		if r.refused*100 > r.included {
			t.Errorf("%s: %d txs refused against %d included", r.mode.name, r.refused, r.included)
		}
	}
}

// waitingPerTx is the node CPU (ms) per included tx that the clients'
// waiting cost over the whole run.
func (r loadReport) waitingPerTx() float64 {
	var ms float64
	var txs int64
	for _, w := range r.windows {
		ms += r.costs.waiting(w.loadQueries)
		txs += w.txs
	}
	return ms / float64(max(1, txs))
}

// loadCounters are the clients' counts, summed.
type loadCounters struct {
	included, refused    atomic.Int64
	getTxHits, getTxMiss atomic.Int64
	pollSims             atomic.Int64
	mu                   sync.Mutex
	clients              []*agentkit.Client
	hashes               []string // a sample of included txs, for the calibration
}

func (lc *loadCounters) sims() int64 {
	n := lc.pollSims.Load()
	lc.mu.Lock()
	defer lc.mu.Unlock()
	for _, c := range lc.clients {
		n += c.Stats().Simulations
	}
	return n
}

func (lc *loadCounters) queries() loadQueries {
	q := loadQueries{getTxHits: lc.getTxHits.Load(), getTxMiss: lc.getTxMiss.Load()}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	for _, c := range lc.clients {
		st := c.Stats()
		q.requests += st.LookupRequests
		q.lookups += st.Lookups
		q.lookupHits += st.IncludedByLookup
		q.own += st.TxQueries
		q.ownHits += st.IncludedByQuery
	}
	return q
}

func runLoad(t *testing.T, mode loadMode, total, window int64, calls int) loadReport {
	// One-second blocks, as on the devnet.
	nw := StartNetwork(t, NetworkOptions{BlockTime: time.Second, BeforeStart: func(n *Network) {
		// LOAD_INDEXER=null runs the node as a validator is advised to
		// run (no tx index; waits then rely on the event stream alone).
		if v := os.Getenv("LOAD_INDEXER"); v != "" {
			SetTOML(t, filepath.Join(n.Nodes[0].Home, "config", "config.toml"), "tx_index", "indexer", strconv.Quote(v))
		}
		// LOAD_IAVL_CACHE sets app.toml's iavl-cache-size (nodes).
		if v := os.Getenv("LOAD_IAVL_CACHE"); v != "" {
			SetTOML(t, filepath.Join(n.Nodes[0].Home, "config", "app.toml"), "", "iavl-cache-size", v)
		}
	}})
	node := nw.Nodes[0]
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	alice := dial(t, ctx, node, devnetSigner(t, "alice"))
	// Each sender keeps 8 sends in flight, each pair 8 lifecycles: about
	// 290 txs offered per second, more than 2 cores include.
	const senders, inflight, pairs, jobsPerPair = 24, 8, 12, 8
	keys := fundedKeys(t, ctx, alice, "load-"+mode.name, senders+2*pairs, 1_000_000_000)
	lc := &loadCounters{}
	newClient := func(s agentkit.Signer) *agentkit.Client {
		cfg := agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC, InclusionTimeout: 2 * time.Minute}
		if mode.polling {
			cfg.SimulateEveryTx, cfg.NoEventStream = true, true
		}
		c := dialWith(t, ctx, cfg, s)
		lc.mu.Lock()
		lc.clients = append(lc.clients, c)
		lc.mu.Unlock()
		return c
	}
	// broadcast sends msgs and waits, as the mode does.
	broadcast := func(c *agentkit.Client, msgs ...sdk.Msg) (*agentkit.TxResult, error) {
		var res *agentkit.TxResult
		var err error
		if mode.polling {
			res, err = pollBroadcast(ctx, c, lc, msgs)
		} else {
			res, err = c.Broadcast(ctx, msgs...)
		}
		if err != nil {
			if ctx.Err() == nil {
				lc.refused.Add(1)
			}
			return nil, err
		}
		if n := lc.included.Add(1); n%97 == 0 {
			lc.mu.Lock()
			if len(lc.hashes) < 2000 {
				lc.hashes = append(lc.hashes, res.Hash)
			}
			lc.mu.Unlock()
		}
		return res, nil
	}

	// Providers with listings, set up before the clock starts.
	type pair struct {
		client, provider *agentkit.Client
		listing          uint64
	}
	ps := make([]pair, pairs)
	var setup sync.WaitGroup
	setupErrs := make(chan error, pairs)
	for i := 0; i < pairs; i++ {
		setup.Add(1)
		go func() {
			defer setup.Done()
			ownerKey, clientKey := keys[senders+2*i], keys[senders+2*i+1]
			owner := dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC}, ownerKey)
			agentKey := agentkit.FromSecret(fmt.Sprintf("load-agent-%s-%d-%d", mode.name, i, time.Now().UnixNano()))
			if _, err := owner.Send(ctx, agentKey.Address(), sdk.NewCoins(agnt(200_000_000))); err != nil {
				setupErrs <- err
				return
			}
			provider := newClient(agentKey)
			id, err := listProvider(ctx, owner, provider, agentKey, fmt.Sprintf("load-%s-%d", mode.name, i), 1_000, 100_000)
			if err != nil {
				setupErrs <- err
				return
			}
			ps[i] = pair{client: newClient(clientKey), provider: provider, listing: id}
		}()
	}
	setup.Wait()
	close(setupErrs)
	for err := range setupErrs {
		t.Fatal(err)
	}
	sink := agentkit.FromSecret("load-sink").Address()
	// The setup's txs are not counted: the windows start here.
	lc.included.Store(0)

	var wg sync.WaitGroup
	done := func() bool { return ctx.Err() != nil || lc.included.Load() >= total }
	for i := 0; i < senders; i++ {
		c := newClient(keys[i])
		for j := 0; j < inflight; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !done() {
					if _, err := broadcast(c, &banktypes.MsgSend{FromAddress: c.AddressString(), ToAddress: c.Bech32(sink), Amount: sdk.NewCoins(agnt(1))}); err != nil {
						time.Sleep(100 * time.Millisecond)
					}
				}
			}()
		}
	}
	for _, p := range ps {
		for j := 0; j < jobsPerPair; j++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var height int64 = 1
				for !done() {
					res, err := broadcast(p.client, &markettypes.MsgHire{
						Client: p.client.AddressString(), ListingId: p.listing, SpecUri: "https://client.example/spec",
						SpecHash: agentkit.Hash([]byte("spec")), DeliverBy: height + 50_000,
					})
					if err != nil {
						time.Sleep(100 * time.Millisecond)
						continue
					}
					height = res.Height
					var hired markettypes.MsgHireResponse
					if err := p.client.Response(res, 0, &hired); err != nil {
						continue
					}
					if _, err := broadcast(p.provider, &markettypes.MsgAcceptJob{Signer: p.provider.AddressString(), JobId: hired.JobId}); err != nil {
						continue
					}
					if _, err := broadcast(p.provider, &markettypes.MsgDeliver{Signer: p.provider.AddressString(), JobId: hired.JobId, ResultUri: "https://agents.example/result", ResultHash: agentkit.Hash([]byte("result"))}); err != nil {
						continue
					}
					_, _ = broadcast(p.client, &markettypes.MsgComplete{Client: p.client.AddressString(), JobId: hired.JobId})
				}
			}()
		}
	}

	// Windows: sampled as the count crosses each boundary.
	report := loadReport{mode: mode}
	start := time.Now()
	deadline := start.Add(time.Duration(total/20+120) * time.Second) // at least 20 tx/s, or the run is cut
	prevTicks, prevAt := nodeCPUTicks(t, node), time.Now()
	prevQ := lc.queries()
	prevSims := lc.sims()
	var prevTxs int64
	next := window
	for prevTxs < total && time.Now().Before(deadline) {
		time.Sleep(100 * time.Millisecond)
		n := lc.included.Load()
		if n < next && n < total {
			continue
		}
		ticks, at := nodeCPUTicks(t, node), time.Now()
		q := lc.queries()
		sims := lc.sims()
		h, _ := alice.Height(ctx)
		report.windows = append(report.windows, loadWindow{
			txs: n - prevTxs, cpuTicks: ticks - prevTicks, loadQueries: q.minus(prevQ),
			sims: sims - prevSims, seconds: at.Sub(prevAt).Seconds(), height: h,
		})
		prevTicks, prevAt, prevQ, prevSims, prevTxs = ticks, at, q, sims, n
		if dir := os.Getenv("LOAD_PROFILE_DIR"); dir != "" && (len(report.windows) == 1 || n+window >= total) {
			// A CPU profile of the node at the first and at the last window.
			go profileNode(t, node, "profile?seconds=10", filepath.Join(dir, fmt.Sprintf("%s-%d.pprof", mode.name, n)))
			go profileNode(t, node, "heap", filepath.Join(dir, fmt.Sprintf("%s-%d.heap", mode.name, n)))
		}
		for next <= n {
			next += window
		}
	}
	report.elapsed = time.Since(start)
	cancel()
	wg.Wait()
	report.included, report.refused = prevTxs, lc.refused.Load()
	if prevTxs < total {
		t.Errorf("%s: %d of %d txs included before the deadline", mode.name, prevTxs, total)
	}
	all := lc.queries()
	batch := 1
	if all.requests > 0 {
		batch = max(1, int((all.lookups+all.requests/2)/all.requests))
	}
	report.costs = calibrate(t, node, alice, lc.hashes, calls, batch)
	return report
}

// pollBroadcast is agentkit's old way: submit (every tx simulated) and ask
// GetTx every 200ms until the tx is in a block.
func pollBroadcast(ctx context.Context, c *agentkit.Client, lc *loadCounters, msgs []sdk.Msg) (*agentkit.TxResult, error) {
	hash, err := c.Submit(ctx, msgs...)
	if err != nil {
		return nil, err
	}
	svc := txtypes.NewServiceClient(c.Conn())
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		res, err := svc.GetTx(ctx, &txtypes.GetTxRequest{Hash: hash})
		if err != nil || res.TxResponse == nil {
			lc.getTxMiss.Add(1)
			continue
		}
		lc.getTxHits.Add(1)
		r := res.TxResponse
		out := &agentkit.TxResult{Hash: r.TxHash, Height: r.Height, Code: r.Code, GasUsed: r.GasUsed, Log: r.RawLog}
		if bz, err := hex.DecodeString(r.Data); err == nil {
			var data sdk.TxMsgData
			if data.Unmarshal(bz) == nil {
				out.MsgResponses = data.MsgResponses
			}
		}
		if r.Code != 0 {
			return out, fmt.Errorf("tx %s failed: %s", r.TxHash, r.RawLog)
		}
		return out, nil
	}
	return nil, fmt.Errorf("tx %s not included", hash)
}

// profileNode saves a profile of the node (profile?seconds=10: CPU; heap).
func profileNode(t *testing.T, node *Node, which, path string) {
	resp, err := http.Get("http://" + node.Pprof + "/debug/pprof/" + which)
	if err != nil {
		t.Logf("profile: %v", err)
		return
	}
	defer resp.Body.Close()
	bz, err := io.ReadAll(resp.Body)
	if err == nil {
		err = os.WriteFile(path, bz, 0o644)
	}
	if err != nil {
		t.Logf("profile: %v", err)
	}
}

// nodeCPUTicks reads the node process's user+system CPU time in clock
// ticks (1/100 s).
func nodeCPUTicks(t *testing.T, node *Node) int64 {
	t.Helper()
	node.mu.Lock()
	pid := node.cmd.Process.Pid
	node.mu.Unlock()
	ticks, err := procCPUTicks(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		t.Fatal(err)
	}
	return ticks
}

// procCPUTicks reads a process's user+system CPU time, in clock ticks
// (1/100 s), from its /proc stat file.
func procCPUTicks(path string) (int64, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	// Fields after the command name (which is in parentheses).
	fields := strings.Fields(string(bz[strings.LastIndexByte(string(bz), ')')+2:]))
	utime, _ := strconv.ParseInt(fields[11], 10, 64)
	stime, _ := strconv.ParseInt(fields[12], 10, 64)
	return utime + stime, nil
}

// calibrate measures the node's CPU per call, in ms, on the quiet node:
// GetTx hit and miss, a lookup of one hash found and not, a lookup request
// of batch hashes all found and none, and a bank-send simulation; each
// call kind in a loop of four goroutines, less the idle rate measured just
// before.
func calibrate(t *testing.T, node *Node, c *agentkit.Client, hashes []string, calls, batch int) loadCosts {
	t.Helper()
	ctx := context.Background()
	time.Sleep(2 * time.Second) // the last blocks settle
	t0, s0 := nodeCPUTicks(t, node), time.Now()
	time.Sleep(3 * time.Second)
	idle := float64(nodeCPUTicks(t, node)-t0) / time.Since(s0).Seconds() // ticks per second
	svc := txtypes.NewServiceClient(c.Conn())
	measure := func(n int, call func(i int)) float64 {
		t1, s1 := nodeCPUTicks(t, node), time.Now()
		var wg sync.WaitGroup
		var next atomic.Int64
		for g := 0; g < 4; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := next.Add(1) - 1; i < int64(n); i = next.Add(1) - 1 {
					call(int(i))
				}
			}()
		}
		wg.Wait()
		ticks := float64(nodeCPUTicks(t, node)-t1) - idle*time.Since(s1).Seconds()
		return max(0, ticks*10/float64(n)) // ms per call
	}
	if len(hashes) == 0 {
		t.Fatal("no included tx to calibrate the queries with")
	}
	absent := func(i int) string { return fmt.Sprintf("%064X", i+1) }
	some := func(i, n int, hash func(int) string) []string {
		out := make([]string, n)
		for j := range out {
			out[j] = hash(i*n + j)
		}
		return out
	}
	included := func(i int) string { return hashes[i%len(hashes)] }
	lookup := func(hs []string) {
		if _, err := c.LookupTxs(ctx, hs...); err != nil {
			t.Errorf("calibration lookup: %v", err)
		}
	}
	var k loadCosts
	k.getTxHit = measure(calls, func(i int) { _, _ = svc.GetTx(ctx, &txtypes.GetTxRequest{Hash: included(i)}) })
	k.getTxMiss = measure(calls, func(i int) { _, _ = svc.GetTx(ctx, &txtypes.GetTxRequest{Hash: absent(i)}) })
	if os.Getenv("LOAD_INDEXER") != "null" {
		k.oneHit = measure(calls, func(i int) { lookup([]string{included(i)}) })
		k.oneMiss = measure(calls, func(i int) { lookup([]string{absent(i)}) })
		k.batch = batch
		k.batchHit = measure(calls, func(i int) { lookup(some(i, batch, included)) })
		k.batchMiss = measure(calls, func(i int) { lookup(some(i, batch, absent)) })
	}
	k.sim = measure(calls/2, func(i int) {
		_, _ = c.EstimateGas(ctx, &banktypes.MsgSend{FromAddress: c.AddressString(), ToAddress: c.AddressString(), Amount: sdk.NewCoins(agnt(1))})
	})
	return k
}

func printLoadTable(t *testing.T, reports []loadReport) {
	var b strings.Builder
	fmt.Fprintf(&b, "\nnode CPU per included tx (ms), by part; queries per tx: GetTx (polling) or hashes looked up (agentkit)\n")
	fmt.Fprintf(&b, "%-9s %-13s %8s %8s %8s %8s %8s %8s %7s %8s\n", "mode", "window", "tx/s", "total", "waiting", "simul.", "rest", "queries", "sims/tx", "height")
	for _, r := range reports {
		var first int64
		for _, w := range r.windows {
			if w.txs == 0 {
				continue
			}
			tot := float64(w.cpuTicks) * 10 / float64(w.txs)
			waiting := r.costs.waiting(w.loadQueries) / float64(w.txs)
			simul := float64(w.sims) * r.costs.sim / float64(w.txs)
			queries := float64(w.getTxHits+w.getTxMiss+w.lookups+w.own) / float64(w.txs)
			fmt.Fprintf(&b, "%-9s %-13s %8.0f %8.2f %8.3f %8.2f %8.2f %8.2f %7.3f %8d\n", r.mode.name,
				fmt.Sprintf("%d-%d", first+1, first+w.txs), float64(w.txs)/w.seconds, tot, waiting, simul, tot-waiting-simul,
				queries, float64(w.sims)/float64(w.txs), w.height)
			first += w.txs
		}
		k := r.costs
		fmt.Fprintf(&b, "%-9s included %d, refused %d in %s; waiting %.3f ms/tx\n", r.mode.name, r.included, r.refused, r.elapsed.Round(time.Second), r.waitingPerTx())
		fmt.Fprintf(&b, "%-9s node CPU per call (ms): GetTx hit %.3f miss %.3f; lookup of 1 hit %.3f miss %.3f; of %d hits %.3f misses %.3f; simulation %.3f\n",
			"", k.getTxHit, k.getTxMiss, k.oneHit, k.oneMiss, k.batch, k.batchHit, k.batchMiss, k.sim)
	}
	t.Log(b.String())
}
