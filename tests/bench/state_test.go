package bench

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	dbm "github.com/cosmos/cosmos-db"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/testutil/apptest"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reputationkeeper "github.com/agentchain/agentchain/x/reputation/keeper"
	reptypes "github.com/agentchain/agentchain/x/reputation/types"
)

var stateJobs = flag.Int("bench.state-jobs", 100_000, "settled jobs of the full state-size run")

// storeSize is what a module's committed store holds: its keys and the
// bytes of its keys and values. An IAVL tree of n keys keeps n leaves and
// n-1 inner nodes (each inner node: a key, two child hashes, heights).
type storeSize struct {
	keys, bytes int64
}

// measureDB is everything the node's database holds, every store and
// every IAVL version (the test app prunes no versions, as an archive node):
// its growth is what the blocks wrote, IAVL inner and leaf nodes, fast-node
// entries and version metadata included.
func measureDB(db dbm.DB) storeSize {
	var s storeSize
	it, err := db.Iterator(nil, nil)
	if err != nil {
		panic(err)
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		s.keys++
		s.bytes += int64(len(it.Key()) + len(it.Value()))
	}
	return s
}

func measureStore(e *Env, key string) storeSize {
	e.TB.Helper()
	var s storeSize
	it := e.Ctx().KVStore(e.GetKey(key)).Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		s.keys++
		s.bytes += int64(len(it.Key()) + len(it.Value()))
	}
	return s
}

// TestStateBytesPerSettledJob runs whole jobs (hire, accept, deliver,
// complete, the client's feedback) through real blocks twice, without
// pruning and with it (feedback window 10 blocks; job retention 1, feedback
// retention 11; up to 1,000 prunes a block), and reports what the market,
// escrow and reputation stores keep: keys and bytes, per settled job. `make bench` runs
// -bench.state-jobs (10^5) jobs; `make test` runs 300 and checks that
// pruning keeps the stores bounded while every invariant holds.
func TestStateBytesPerSettledJob(t *testing.T) {
	jobs, batch := 300, 100
	if *full {
		jobs, batch = *stateJobs, 1_000
	}
	stores := []string{markettypes.StoreKey, escrowtypes.StoreKey, reptypes.StoreKey}
	type run struct {
		sizes   map[string]storeSize
		written storeSize // the database's growth
		inState int64
		// feedback records left in state
		feedback int64
	}
	runs := map[bool]run{}
	for _, prune := range []bool{false, true} {
		db := dbm.NewMemDB()
		e := &Env{TestApp: apptest.New(t, apptest.Options{Accounts: 200, DB: db}), TB: t}
		rp, err := e.ReputationKeeper.Params.Get(e.Ctx())
		if err != nil {
			t.Fatal(err)
		}
		rp.FeedbackWindowBlocks, rp.FeedbackRetentionBlocks, rp.MaxPrunesPerBlock = 10, 0, 1_000
		if prune {
			rp.FeedbackRetentionBlocks = 11 // the least above the window
		}
		if err := e.ReputationKeeper.Params.Set(e.Ctx(), rp); err != nil {
			t.Fatal(err)
		}
		mp, err := e.MarketKeeper.Params.Get(e.Ctx())
		if err != nil {
			t.Fatal(err)
		}
		mp.SettledJobRetentionBlocks, mp.MaxPrunesPerBlock = 0, 1_000
		if prune {
			mp.SettledJobRetentionBlocks = 1
		}
		if err := e.MarketKeeper.Params.Set(e.Ctx(), mp); err != nil {
			t.Fatal(err)
		}
		m := newMarket(e)
		before := map[string]storeSize{}
		for _, s := range stores {
			before[s] = measureStore(e, s)
		}
		dbBefore := measureDB(db)
		for done := 0; done < jobs; done += batch {
			n := min(batch, jobs-done)
			hires, ids := m.hires(e, n)
			e.SetupBlock(hires)
			e.SetupBlock(m.accepts(e, ids))
			e.SetupBlock(m.delivers(e, ids))
			e.SetupBlock(m.completes(e, ids))
			feedback := make([][]byte, len(ids))
			for k, id := range ids {
				c := m.jobClient[id]
				feedback[k] = e.Sign(c, apptest.Tx{Msgs: []sdk.Msg{&reptypes.MsgSubmitFeedback{Rater: c.Addr.String(), JobId: id, Score: 80}}})
				delete(m.jobClient, id)
				delete(m.jobProvider, id)
			}
			e.SetupBlock(feedback)
		}
		// Past the last job's feedback window and retention.
		for i := 0; i < 15; i++ {
			e.NextBlock(nil)
		}
		if _, err := e.CheckInvariants(e.Ctx()); err != nil {
			t.Fatal(err)
		}
		dbAfter := measureDB(db)
		r := run{sizes: map[string]storeSize{}, written: storeSize{keys: dbAfter.keys - dbBefore.keys, bytes: dbAfter.bytes - dbBefore.bytes}}
		for _, s := range stores {
			after := measureStore(e, s)
			r.sizes[s] = storeSize{keys: after.keys - before[s].keys, bytes: after.bytes - before[s].bytes}
		}
		_ = e.MarketKeeper.Jobs.Walk(e.Ctx(), nil, func(uint64, markettypes.Job) (bool, error) { r.inState++; return false, nil })
		_ = e.ReputationKeeper.Feedback.Walk(e.Ctx(), nil, func(reputationkeeper.FeedbackKey, reptypes.Feedback) (bool, error) {
			r.feedback++
			return false, nil
		})
		runs[prune] = r
	}

	var b strings.Builder
	fmt.Fprintf(&b, "\nstate kept after %d settled jobs (each: hire, accept, deliver, complete, feedback), live keys and key+value bytes added;\n", jobs)
	fmt.Fprintf(&b, "an IAVL tree keeps a leaf per key and as many inner nodes (key, two 32-byte hashes) less one\n\n")
	fmt.Fprintf(&b, "| %-10s | %-12s | %10s | %12s | %10s | %12s |\n", "store", "pruning", "keys", "bytes", "keys/job", "bytes/job")
	fmt.Fprintf(&b, "|%s|%s|%s|%s|%s|%s|\n", strings.Repeat("-", 12), strings.Repeat("-", 14), strings.Repeat("-", 12), strings.Repeat("-", 14), strings.Repeat("-", 12), strings.Repeat("-", 14))
	for _, prune := range []bool{false, true} {
		label := "off"
		if prune {
			label = "retention"
		}
		var total storeSize
		for _, s := range stores {
			z := runs[prune].sizes[s]
			total.keys += z.keys
			total.bytes += z.bytes
			fmt.Fprintf(&b, "| %-10s | %-12s | %10d | %12d | %10.2f | %12.1f |\n", s, label, z.keys, z.bytes, float64(z.keys)/float64(jobs), float64(z.bytes)/float64(jobs))
		}
		fmt.Fprintf(&b, "| %-10s | %-12s | %10d | %12d | %10.2f | %12.1f |\n", "all three", label, total.keys, total.bytes, float64(total.keys)/float64(jobs), float64(total.bytes)/float64(jobs))
	}
	fmt.Fprintf(&b, "\nwritten to the database by the whole run (every store, every IAVL version kept, as an archive node keeps them;\n")
	fmt.Fprintf(&b, "IAVL nodes of every version, fast-node entries, version metadata; the blocks' bank, auth and fee writes too)\n\n")
	fmt.Fprintf(&b, "| %-12s | %12s | %14s | %12s | %14s |\n", "pruning", "db entries", "db bytes", "entries/job", "bytes/job")
	fmt.Fprintf(&b, "|%s|%s|%s|%s|%s|\n", strings.Repeat("-", 14), strings.Repeat("-", 14), strings.Repeat("-", 16), strings.Repeat("-", 14), strings.Repeat("-", 16))
	for _, prune := range []bool{false, true} {
		label := "off"
		if prune {
			label = "retention"
		}
		w := runs[prune].written
		fmt.Fprintf(&b, "| %-12s | %12d | %14d | %12.1f | %14.1f |\n", label, w.keys, w.bytes, float64(w.keys)/float64(jobs), float64(w.bytes)/float64(jobs))
	}
	fmt.Fprintf(&b, "\njobs in state: %d without pruning, %d with; feedback: %d without, %d with\n",
		runs[false].inState, runs[true].inState, runs[false].feedback, runs[true].feedback)
	t.Log(b.String())

	if runs[false].inState != int64(jobs) || runs[true].inState != 0 {
		t.Fatalf("jobs in state: %d without pruning (want %d), %d with (want 0)", runs[false].inState, jobs, runs[true].inState)
	}
	// What stays with pruning is per agent, not per job.
	off, on := runs[false].sizes[markettypes.StoreKey], runs[true].sizes[markettypes.StoreKey]
	if on.keys >= off.keys/10 {
		t.Fatalf("the market store kept %d keys with pruning, %d without", on.keys, off.keys)
	}
	if e, f := runs[true].sizes[escrowtypes.StoreKey], runs[false].sizes[escrowtypes.StoreKey]; e.keys >= f.keys/10 {
		t.Fatalf("the escrow store kept %d keys with pruning, %d without", e.keys, f.keys)
	}
	// Each job's feedback left with its index and queue entries; what
	// stays is per agent (aggregates, their checkpoints, signals).
	if runs[false].feedback != int64(jobs) || runs[true].feedback != 0 {
		t.Fatalf("feedback in state: %d without pruning (want %d), %d with (want 0)", runs[false].feedback, jobs, runs[true].feedback)
	}
	if r, f := runs[true].sizes[reptypes.StoreKey], runs[false].sizes[reptypes.StoreKey]; r.keys+2*int64(jobs) > f.keys {
		t.Fatalf("the reputation store kept %d keys with pruning, %d without", r.keys, f.keys)
	}
}
