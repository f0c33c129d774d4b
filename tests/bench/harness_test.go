// Package bench measures agentchain's messages against a bank send on the
// real application, in-process: pre-signed transactions executed through
// FinalizeBlock and Commit, as CometBFT drives a validator, on a goleveldb
// database in a temporary directory, as a validator keeps its state.
//
// Absolute tx/s drifts a lot from run to run on a shared machine, so every
// row is reported as a ratio against a bank send measured in the same run,
// block by block: CPU time (getrusage) per tx, runtime.GC() before each
// block, blocks of at least 1,000 txs, the two blocks of each pair run in
// alternating order (A-B, B-A, ...), and the median ratio of at least five
// pairs. `make bench` runs the full table; `make test` runs one short pair
// per row to prove every row still executes.
package bench

import (
	"context"
	"flag"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	dbm "github.com/cosmos/cosmos-db"

	"github.com/cosmos/cosmos-sdk/baseapp"

	"github.com/agentchain/agentchain/internal/devnet"
	"github.com/agentchain/agentchain/testutil/apptest"
)

var (
	full    = flag.Bool("bench.full", false, "run the full benchmark (blocks of 1,000 txs, 7 pairs per row)")
	rowsRun = flag.String("bench.rows", "", "run only the rows whose name matches this regular expression (for profiling)")
	// iavlCache is the iavl-cache-size agentchaind init writes to app.toml.
	iavlCache = flag.Int("bench.iavl-cache", devnet.IAVLCacheSize, "IAVL node cache size (nodes) of every chain, as app.toml's iavl-cache-size")
)

// TestMain runs the Go GC at agentchaind's target (unless GOGC is set), so
// the garbage collector costs what it costs a node.
func TestMain(m *testing.M) {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(devnet.GCPercent)
	}
	os.Exit(m.Run())
}

// sizes returns the txs per block and the number of A-B pairs.
func sizes() (txsPerBlock, pairs int) {
	if *full {
		return 1000, 7
	}
	return 20, 1
}

// Env is the chain a row runs on, with pools of funded accounts that rows
// take so that no two rows share an account's sequence.
type Env struct {
	*apptest.TestApp
	TB   testing.TB
	DB   *dbm.GoLevelDB
	next int
}

// Pool hands out n funded accounts not used by any other row.
func (e *Env) Pool(n int) []*apptest.Account {
	if e.next+n > len(e.Accounts) {
		panic(fmt.Sprintf("bench: %d accounts requested, %d left", n, len(e.Accounts)-e.next))
	}
	p := e.Accounts[e.next : e.next+n]
	e.next += n
	return p
}

// Workload produces the txs of one measured block.
type Workload interface {
	// Setup runs once before any measurement (unmeasured blocks allowed).
	Setup(e *Env, txsPerBlock, blocks int)
	// Block returns the signed txs of the next measured block.
	Block(e *Env, n int) [][]byte
}

// TxRow is a row of the table: a workload compared with the baseline.
type TxRow struct {
	Name string
	// Target is the ratio the issue asks for, e.g. "≥ 0.8"; empty for none.
	Target string
	Work   Workload
}

// measurement is one executed block.
type measurement struct {
	cpu    time.Duration
	txs    int
	gas    int64
	allocs uint64
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// execMeasured runs one block and measures it; every tx must succeed, or the
// benchmark measures failures and the row fails.
// labels tag the block's CPU profile samples (bench=baseline|row and
// row=<name>), so that `go tool pprof -tagfocus bench=row` shows the
// measured blocks without their setup.
func execMeasured(tb testing.TB, e *Env, txs [][]byte, labels pprof.LabelSet) measurement {
	tb.Helper()
	runtime.GC()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	var res *abci.ResponseFinalizeBlock
	var err error
	t0 := cpuTime()
	pprof.Do(context.Background(), labels, func(context.Context) {
		res, err = e.FinalizeAndCommit(txs)
	})
	t1 := cpuTime()
	runtime.ReadMemStats(&ms1)
	if err != nil {
		tb.Fatalf("block: %v", err)
	}
	m := measurement{cpu: t1 - t0, txs: len(txs), allocs: ms1.Mallocs - ms0.Mallocs}
	for i, r := range res.TxResults {
		if r.Code != 0 {
			tb.Fatalf("tx %d of a measured block failed: code %d: %s", i, r.Code, r.Log)
		}
		m.gas += r.GasUsed
	}
	return m
}

// Result is a row's line in the table.
type Result struct {
	Name          string
	TxPerSec      float64
	GasPerTx      int64
	AllocsPerTx   uint64
	Ratio         float64 // this row's throughput / the baseline's, median of pairs
	Spread        string
	Target        string
	BaselineTxSec float64
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// runRow measures a row against the baseline on a fresh chain.
func runRow(t *testing.T, baseline Workload, row TxRow) Result {
	t.Helper()
	n, pairs := sizes()
	e := newEnv(t, 600)
	baseline.Setup(e, n, pairs)
	row.Work.Setup(e, n, pairs)

	baseLabels := pprof.Labels("bench", "baseline", "row", row.Name)
	rowLabels := pprof.Labels("bench", "row", "row", row.Name)
	var ratios []float64
	var rowAll, baseAll measurement
	for p := 0; p < pairs; p++ {
		a := baseline.Block(e, n)
		b := row.Work.Block(e, n)
		var ma, mb measurement
		if p%2 == 0 {
			ma = execMeasured(t, e, a, baseLabels)
			mb = execMeasured(t, e, b, rowLabels)
		} else {
			mb = execMeasured(t, e, b, rowLabels)
			ma = execMeasured(t, e, a, baseLabels)
		}
		perA := float64(ma.cpu) / float64(ma.txs)
		perB := float64(mb.cpu) / float64(mb.txs)
		ratios = append(ratios, perA/perB)
		t.Logf("%s: pair %d (%s first): baseline %.0f µs/tx, row %.0f µs/tx, ratio %.2f", row.Name, p,
			map[bool]string{true: "baseline", false: "row"}[p%2 == 0], perA/1e3, perB/1e3, perA/perB)
		for _, acc := range []struct {
			dst *measurement
			m   measurement
		}{{&baseAll, ma}, {&rowAll, mb}} {
			acc.dst.cpu += acc.m.cpu
			acc.dst.txs += acc.m.txs
			acc.dst.gas += acc.m.gas
			acc.dst.allocs += acc.m.allocs
		}
	}
	sorted := append([]float64(nil), ratios...)
	sort.Float64s(sorted)
	return Result{
		Name:          row.Name,
		TxPerSec:      float64(rowAll.txs) / rowAll.cpu.Seconds(),
		GasPerTx:      rowAll.gas / int64(rowAll.txs),
		AllocsPerTx:   rowAll.allocs / uint64(rowAll.txs),
		Ratio:         median(ratios),
		Spread:        fmt.Sprintf("%.2f–%.2f", sorted[0], sorted[len(sorted)-1]),
		Target:        row.Target,
		BaselineTxSec: float64(baseAll.txs) / baseAll.cpu.Seconds(),
	}
}

// rows are the table's rows after the baseline, in order. Modules append
// theirs from their own files in this package.
var rows []TxRow

// CompareRow measures how a unit of work scales with the size of the state:
// the same step on a chain holding SizeA items and on one holding SizeB.
// The ratio reported is cost per unit on B over cost per unit on A; a step
// that does not depend on the total state has a ratio near 1.
type CompareRow struct {
	Name   string
	Target string
	// Sizes of the two chains (full run); the smoke run uses Smoke.
	SizeA, SizeB   int
	SmokeA, SmokeB int
	// Setup builds a chain holding size items, ready for steps steps.
	Setup func(tb testing.TB, size, steps int) *Env
	// Step runs one measured unit; it returns the number of units done.
	// Only FinalizeBlock/Commit or query calls inside measure() count.
	Step func(tb testing.TB, e *Env, measure func(func())) int
}

var compareRows []CompareRow

// measureInto times f in CPU time after a GC, adding to *m; its CPU
// profile samples carry the labels bench=size ("small" or "large") and
// row=name.
func measureInto(m *measurement, size, name string) func(func()) {
	return func(f func()) {
		runtime.GC()
		var ms0, ms1 runtime.MemStats
		runtime.ReadMemStats(&ms0)
		t0 := cpuTime()
		pprof.Do(context.Background(), pprof.Labels("bench", size, "row", name), func(context.Context) { f() })
		t1 := cpuTime()
		runtime.ReadMemStats(&ms1)
		m.cpu += t1 - t0
		m.allocs += ms1.Mallocs - ms0.Mallocs
	}
}

// CompareResult is a comparison's line.
type CompareResult struct {
	Name         string
	SizeA, SizeB int
	CostA, CostB time.Duration // per unit
	Ratio        float64
	Spread       string
	Target       string
}

// comparePairs is the number of A-B pairs of a scaling row: three times a
// row's, since a scaling step is short and this machine's noise moves a
// single pair by a fifth either way.
func comparePairs() int {
	_, pairs := sizes()
	if *full {
		return 3 * pairs
	}
	return pairs
}

func runCompare(t *testing.T, row CompareRow) CompareResult {
	t.Helper()
	pairs := comparePairs()
	sa, sb := row.SmokeA, row.SmokeB
	if *full {
		sa, sb = row.SizeA, row.SizeB
	}
	ea := row.Setup(t, sa, pairs)
	eb := row.Setup(t, sb, pairs)
	ea.Compact()
	eb.Compact()
	var ratios []float64
	var ta, tb measurement
	for p := 0; p < pairs; p++ {
		var ma, mb measurement
		runA := func() { ma.txs += row.Step(t, ea, measureInto(&ma, "small", row.Name)) }
		runB := func() { mb.txs += row.Step(t, eb, measureInto(&mb, "large", row.Name)) }
		if p%2 == 0 {
			runA()
			runB()
		} else {
			runB()
			runA()
		}
		if ma.txs == 0 || mb.txs == 0 {
			t.Fatalf("%s: a step did no work", row.Name)
		}
		ratios = append(ratios, (float64(mb.cpu)/float64(mb.txs))/(float64(ma.cpu)/float64(ma.txs)))
		ta.cpu += ma.cpu
		ta.txs += ma.txs
		tb.cpu += mb.cpu
		tb.txs += mb.txs
	}
	sorted := append([]float64(nil), ratios...)
	sort.Float64s(sorted)
	return CompareResult{
		Name: row.Name, SizeA: sa, SizeB: sb,
		CostA: ta.cpu / time.Duration(ta.txs), CostB: tb.cpu / time.Duration(tb.txs),
		Ratio: median(ratios), Spread: fmt.Sprintf("%.2f–%.2f", sorted[0], sorted[len(sorted)-1]),
		Target: row.Target,
	}
}

// TestBenchTable prints the benchmark table. It never fails on speed: only
// on a row that cannot execute.
func TestBenchTable(t *testing.T) {
	n, pairs := sizes()
	results := []Result{}
	// The baseline against itself calibrates the method: its ratio should be
	// close to 1.00, and its spread shows the noise of this machine.
	match := regexp.MustCompile(*rowsRun)
	const selfName = "bank MsgSend (baseline)"
	// Each row runs in a subtest of its own, so that its chains' databases
	// are closed and their memory freed before the next row: a validator's
	// process holds one chain, and the garbage collector would otherwise
	// mark every earlier row's heap during the later rows' blocks.
	if match.MatchString(selfName) {
		t.Run(selfName, func(t *testing.T) {
			results = append(results, runRow(t, &bankSend{}, TxRow{Name: selfName, Work: &bankSend{}}))
		})
	}
	for _, row := range rows {
		if match.MatchString(row.Name) {
			t.Run(row.Name, func(t *testing.T) { results = append(results, runRow(t, &bankSend{}, row)) })
		}
	}

	var compares []CompareResult
	for _, row := range compareRows {
		if *rowsRun == "" || match.MatchString(row.Name) {
			t.Run(row.Name, func(t *testing.T) { compares = append(compares, runCompare(t, row)) })
		}
	}

	var b strings.Builder
	gc := debug.SetGCPercent(100)
	debug.SetGCPercent(gc)
	fmt.Fprintf(&b, "\nagentchain benchmark: %d txs per block, %d A-B pairs per row, in-process FinalizeBlock+Commit, goleveldb (IAVL cache %d nodes, GOGC %d)\n", n, pairs, *iavlCache, gc)
	fmt.Fprintf(&b, "ratio = row throughput / bank MsgSend throughput in the same run (CPU time per tx, median of pairs)\n\n")
	fmt.Fprintf(&b, "| %-38s | %9s | %8s | %9s | %6s | %11s | %7s |\n", "row", "tx/s", "gas/tx", "allocs/tx", "ratio", "pair range", "target")
	fmt.Fprintf(&b, "|%s|%s|%s|%s|%s|%s|%s|\n", strings.Repeat("-", 40), strings.Repeat("-", 11), strings.Repeat("-", 10),
		strings.Repeat("-", 11), strings.Repeat("-", 8), strings.Repeat("-", 13), strings.Repeat("-", 9))
	for _, r := range results {
		fmt.Fprintf(&b, "| %-38s | %9.0f | %8d | %9d | %6.2f | %11s | %7s |\n",
			r.Name, r.TxPerSec, r.GasPerTx, r.AllocsPerTx, r.Ratio, r.Spread, r.Target)
	}
	fmt.Fprintf(&b, "\nbank MsgSend baseline across rows: ")
	for i, r := range results {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%.0f", r.BaselineTxSec)
	}
	b.WriteString(" tx/s\n")
	if len(compares) > 0 {
		fmt.Fprintf(&b, "\nscaling: the same unit of work on a small and a large state; ratio = cost per unit on the large / on the small (median of %d pairs)\n\n", comparePairs())
		fmt.Fprintf(&b, "| %-56s | %8s | %8s | %12s | %12s | %6s | %11s | %7s |\n", "comparison", "small", "large", "cost small", "cost large", "ratio", "pair range", "target")
		fmt.Fprintf(&b, "|%s|%s|%s|%s|%s|%s|%s|%s|\n", strings.Repeat("-", 58), strings.Repeat("-", 10), strings.Repeat("-", 10),
			strings.Repeat("-", 14), strings.Repeat("-", 14), strings.Repeat("-", 8), strings.Repeat("-", 13), strings.Repeat("-", 9))
		for _, r := range compares {
			fmt.Fprintf(&b, "| %-56s | %8d | %8d | %12s | %12s | %6.2f | %11s | %7s |\n",
				r.Name, r.SizeA, r.SizeB, r.CostA.Round(time.Microsecond), r.CostB.Round(time.Microsecond), r.Ratio, r.Spread, r.Target)
		}
	}
	t.Log(b.String())
	if *full {
		fmt.Fprint(os.Stdout, b.String())
	}
}

// SetupBlock runs an unmeasured block in which every tx must succeed.
func (e *Env) SetupBlock(txs [][]byte) *abci.ResponseFinalizeBlock {
	e.TB.Helper()
	res := e.NextBlock(txs)
	for i, r := range res.TxResults {
		if r.Code != 0 {
			e.TB.Fatalf("setup tx %d failed: code %d: %s", i, r.Code, r.Log)
		}
	}
	return res
}

// newEnv starts an in-process chain set up as a validator runs, with
// accounts funded accounts: its state in goleveldb in a temporary directory
// (not on the Go heap, where an in-memory database holding every version
// would make the garbage collector scan it) and the IAVL node cache
// agentchaind init writes (iavl-cache-size = 50,000 nodes;
// -bench.iavl-cache sets another).
func newEnv(tb testing.TB, accounts int) *Env {
	tb.Helper()
	db, err := dbm.NewGoLevelDB("application", tb.TempDir(), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	app := apptest.New(tb, apptest.Options{
		Accounts: accounts, DB: db,
		BaseAppOptions: []func(*baseapp.BaseApp){baseapp.SetIAVLCacheSize(*iavlCache)},
	})
	return &Env{TestApp: app, TB: tb, DB: db}
}

// Compact compacts the whole database. Scaling setups write their state in
// one block, which leaves goleveldb compaction work that would otherwise
// run in the background during the measured blocks; a node that gathered
// the same state over months has long done it. Compaction caused by the
// measured blocks' own writes still counts.
func (e *Env) Compact() {
	e.TB.Helper()
	if err := e.DB.ForceCompact(nil, nil); err != nil {
		e.TB.Fatal(err)
	}
}
