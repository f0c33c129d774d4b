package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// faultRow is one line of the fault matrix's table.
type faultRow struct {
	name           string
	duringBlocks   int64 // blocks the network made while the fault lasted
	recoveryBlocks int64 // blocks until every node was back in step
	jobsSettled    int   // workload jobs that reached a final state meanwhile
	hashesCompared int   // (height, node) app hashes compared with node 0's
}

// The fault matrix: on 4 validators running a steady agent workload, the
// faults CometBFT's own e2e runner applies to its testnets. make test runs
// the reduced matrix (kill, two-down, restart); make test-faults runs all
// (AGENTCHAIN_FAULTS=all, or a comma-separated list).
func TestFaultMatrix(t *testing.T) {
	cases := map[string]func(t *testing.T, fx *faultRun) faultRow{
		"kill":       faultKill,
		"pause":      faultPause,
		"two-down":   faultTwoDown,
		"late-node":  faultLateNode,
		"state-sync": faultStateSync,
		"restart":    faultRestartAll,
	}
	order := []string{"kill", "pause", "two-down", "late-node", "state-sync", "restart"}
	want := os.Getenv("AGENTCHAIN_FAULTS")
	switch want {
	case "":
		order = []string{"kill", "two-down", "restart"}
	case "all":
	default:
		order = strings.Split(want, ",")
	}

	n := StartNetwork(t, NetworkOptions{
		Validators: 4, ExtraNodes: 2,
		// Snapshots every 20 blocks, so that a new node can state sync. They
		// are kept for 200 blocks: a restoring node picks a snapshot after
		// discovering for 5s, then fetches it, and CometBFT never drops a
		// snapshot it has started restoring whose chunks every peer has
		// pruned meanwhile (the node stalls, logging "cannot add nil chunk").
		BeforeStart: func(n *Network) {
			for _, node := range n.Nodes {
				app := filepath.Join(node.Home, "config", "app.toml")
				SetTOML(t, app, "state-sync", "snapshot-interval", "20")
				SetTOML(t, app, "state-sync", "snapshot-keep-recent", "10")
			}
		},
	})
	validators := append([]*Node{}, n.Nodes...)
	wl := startWorkload(t, n, validators)
	defer wl.stop()
	fx := &faultRun{n: n, wl: wl, validators: validators}
	n.WaitBlocks(10)

	var rows []faultRow
	for _, name := range order {
		run, ok := cases[name]
		if !ok {
			t.Fatalf("unknown fault %q (known: %v)", name, order)
		}
		_, before, _, _ := wl.stats(context.Background(), n.Nodes[0])
		row := run(t, fx)
		_, after, _, _ := wl.stats(context.Background(), n.Nodes[0])
		row.name, row.jobsSettled = name, after-before
		rows = append(rows, row)
		t.Logf("fault %s: done (%+v)", name, row)
	}

	// Every job the workload made ends in a final state.
	wl.stopHiring()
	var jobs, settled, txs, errs int
	waitFor(t, 3*time.Minute, "every workload job to settle", func() bool {
		jobs, settled, txs, errs = wl.stats(context.Background(), n.Nodes[0])
		return settled == jobs
	})
	wl.stop()
	if jobs < 10 {
		t.Fatalf("the workload made only %d jobs", jobs)
	}

	// The books hold on every node, and every node has the same app hash at
	// every height it has.
	tip := n.WaitBlocks(3)
	for _, node := range n.Nodes {
		if n.Running(node) {
			n.WaitForHeight(node, tip, startTimeout)
			fx.invariantsHold(t, node)
		}
	}
	compared := fx.compareHashes(t, 1, tip)

	var b strings.Builder
	fmt.Fprintf(&b, "\n%-11s %14s %15s %12s %16s\n", "fault", "blocks during", "recovery blocks", "jobs settled", "hashes compared")
	for _, r := range rows {
		fmt.Fprintf(&b, "%-11s %14d %15d %12d %16d\n", r.name, r.duringBlocks, r.recoveryBlocks, r.jobsSettled, r.hashesCompared)
	}
	fmt.Fprintf(&b, "workload: %d jobs, all settled; %d transactions tried, %d refused (a race between actors) or lost to faults; %d (height, node) app hashes equal over heights 1-%d\n",
		jobs, txs, errs, compared, tip)
	fmt.Fprintf(&b, "most frequent refusals and failures:%s\n", wl.topReasons())
	t.Log(b.String())
}

type faultRun struct {
	n          *Network
	wl         *workload
	validators []*Node
}

func (fx *faultRun) height(t *testing.T, node *Node) int64 {
	t.Helper()
	st, err := fx.n.Status(node)
	if err != nil {
		t.Fatalf("node %d: %v", node.Index, err)
	}
	return st.Height
}

// waitCaughtUp waits until every node is running and at node 0's height,
// and returns how many blocks node 0 made meanwhile.
func (fx *faultRun) waitCaughtUp(t *testing.T, timeout time.Duration) int64 {
	t.Helper()
	start := fx.height(t, fx.n.Nodes[0])
	deadline := time.Now().Add(timeout)
	for {
		ref := fx.height(t, fx.n.Nodes[0])
		all := true
		for _, node := range fx.n.Nodes {
			if !fx.n.Running(node) {
				bz, _ := os.ReadFile(node.logPath)
				t.Fatalf("node %d is not running; its log ends:\n%s", node.Index, tail(bz, 20))
			}
			st, err := fx.n.Status(node)
			if err != nil || st.Height < ref-1 {
				all = false
				break
			}
		}
		if all {
			return ref - start
		}
		if time.Now().After(deadline) {
			t.Fatalf("nodes did not catch up with node 0 (height %d) within %s", ref, timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// compareHashes compares every running node's app hash with node 0's at
// every height in [from, to] that both have, and returns how many it
// compared.
func (fx *faultRun) compareHashes(t *testing.T, from, to int64) int {
	t.Helper()
	compared := 0
	for h := from; h <= to; h++ {
		want, err := fx.n.BlockAppHash(fx.n.Nodes[0], h)
		if err != nil {
			continue // pruned, or not reached
		}
		for _, node := range fx.n.Nodes[1:] {
			if !fx.n.Running(node) {
				continue
			}
			got, err := fx.n.BlockAppHash(node, h)
			if err != nil {
				continue // a state-synced node has no blocks before its snapshot
			}
			if got != want {
				t.Fatalf("height %d: node %d app hash %s, node 0 %s: the chain forked", h, node.Index, got, want)
			}
			compared++
		}
	}
	return compared
}

// invariantsHold runs every module's invariants on a node's state.
func (fx *faultRun) invariantsHold(t *testing.T, node *Node) {
	t.Helper()
	for _, module := range []string{"agentid", "escrow", "market", "reputation"} {
		out, errOut, err := fx.n.CLIOn(node, "query", module, "invariants", "--output", "json")
		if err != nil {
			t.Fatalf("node %d %s invariants: %v\n%s", node.Index, module, err, errOut)
		}
		if !strings.Contains(string(out), `"checked"`) || strings.Contains(string(out), `"broken"`) && !strings.Contains(string(out), `"broken":[]`) {
			t.Fatalf("node %d %s invariants: %s", node.Index, module, out)
		}
	}
}

// faultKill: kill -9 one validator; the others go on; it restarts and
// catches up.
func faultKill(t *testing.T, fx *faultRun) faultRow {
	n, victim := fx.n, fx.validators[3]
	h0 := fx.height(t, n.Nodes[0])
	n.KillNode(victim)
	n.WaitForHeight(n.Nodes[0], h0+15, startTimeout)
	h1 := fx.height(t, n.Nodes[0])
	n.StartNode(victim)
	rec := fx.waitCaughtUp(t, 2*startTimeout)
	return faultRow{duringBlocks: h1 - h0, recoveryBlocks: rec, hashesCompared: fx.compareHashes(t, h0-2, h1+rec)}
}

// faultPause: SIGSTOP one validator for at least 30 blocks, then SIGCONT.
func faultPause(t *testing.T, fx *faultRun) faultRow {
	n, victim := fx.n, fx.validators[2]
	h0 := fx.height(t, n.Nodes[0])
	n.Signal(victim, syscall.SIGSTOP)
	n.WaitForHeight(n.Nodes[0], h0+30, 2*startTimeout)
	h1 := fx.height(t, n.Nodes[0])
	n.Signal(victim, syscall.SIGCONT)
	rec := fx.waitCaughtUp(t, 2*startTimeout)
	return faultRow{duringBlocks: h1 - h0, recoveryBlocks: rec, hashesCompared: fx.compareHashes(t, h0-2, h1+rec)}
}

// faultTwoDown: two of four validators down (half the power): the chain
// stops (no fork: the two left agree), and resumes when they come back.
func faultTwoDown(t *testing.T, fx *faultRun) faultRow {
	n := fx.n
	down := fx.validators[2:4]
	h0 := fx.height(t, n.Nodes[0])
	for _, v := range down {
		n.KillNode(v)
	}
	// Give the two left far longer than a block: at most the block that was
	// being decided lands.
	time.Sleep(3 * time.Second)
	stalled := fx.height(t, n.Nodes[0])
	time.Sleep(5 * time.Second)
	h1 := fx.height(t, n.Nodes[0])
	if h1 != stalled || h1 > h0+2 {
		t.Fatalf("with two of four validators down the chain went from %d to %d to %d", h0, stalled, h1)
	}
	for _, v := range down {
		n.StartNode(v)
	}
	n.WaitForHeight(n.Nodes[0], h1+10, 2*startTimeout)
	rec := fx.waitCaughtUp(t, 2*startTimeout)
	return faultRow{duringBlocks: h1 - h0, recoveryBlocks: rec + 10, hashesCompared: fx.compareHashes(t, h0-2, h1+10+rec)}
}

// faultLateNode: a full node joins after some hundreds of blocks and
// catches up by block sync.
func faultLateNode(t *testing.T, fx *faultRun) faultRow {
	n := fx.n
	n.WaitForHeight(n.Nodes[0], 300, 5*time.Minute)
	h0 := fx.height(t, n.Nodes[0])
	late := n.AddNode("late-node", nil)
	n.StartNode(late)
	n.WaitForHeight(late, h0, 3*time.Minute)
	fx.waitCaughtUp(t, 2*time.Minute)
	h1 := fx.height(t, n.Nodes[0])
	// Blocks during: how far behind it joined; recovery: blocks until level.
	return faultRow{duringBlocks: h0, recoveryBlocks: h1 - h0, hashesCompared: fx.compareHashes(t, 1, h1)}
}

// faultStateSync: a fresh node starts from a snapshot of the validators'
// state and reaches the same app hash as the others.
func faultStateSync(t *testing.T, fx *faultRun) faultRow {
	n := fx.n
	h0 := fx.height(t, n.Nodes[0])
	trust := h0 - 5
	synced := n.AddNode("state-synced", func(home string) {
		n.SetStateSync(home, n.Nodes[:2], trust, true)
	})
	n.StartNode(synced)
	n.WaitForHeight(synced, h0+5, 3*time.Minute)
	rec := fx.waitCaughtUp(t, 2*time.Minute)
	// It did not replay the chain: its first block is its snapshot's.
	var st struct {
		Result struct {
			SyncInfo struct {
				Earliest string `json:"earliest_block_height"`
			} `json:"sync_info"`
		} `json:"result"`
	}
	if err := getJSON("http://"+synced.RPC+"/status", &st); err != nil {
		t.Fatal(err)
	}
	if earliest, _ := strconv.ParseInt(st.Result.SyncInfo.Earliest, 10, 64); earliest <= 1 {
		t.Fatalf("the state-synced node has blocks from %d: it replayed the chain", earliest)
	}
	h1 := fx.height(t, n.Nodes[0])
	fx.invariantsHold(t, synced)
	return faultRow{recoveryBlocks: h1 - h0 + rec, hashesCompared: fx.compareHashes(t, h0, h1)}
}

// faultRestartAll: every node stops at once, as in a power cut, and starts
// again from its last committed state.
func faultRestartAll(t *testing.T, fx *faultRun) faultRow {
	n := fx.n
	h0 := fx.height(t, n.Nodes[0])
	var running []*Node
	for _, node := range n.Nodes {
		if n.Running(node) {
			running = append(running, node)
			n.KillNode(node)
		}
	}
	for _, node := range running {
		n.StartNode(node)
	}
	n.WaitForHeight(n.Nodes[0], h0+10, 2*startTimeout)
	fx.waitCaughtUp(t, 2*startTimeout)
	h1 := fx.height(t, n.Nodes[0])
	return faultRow{recoveryBlocks: h1 - h0, hashesCompared: fx.compareHashes(t, h0-5, h1)}
}
