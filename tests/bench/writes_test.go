package bench

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"runtime/pprof"
	"sort"
	"strings"
	"testing"
)

// TestStateWritesPerTx counts, for the baseline and every row, the distinct
// store keys a block of its txs (as many as the table's blocks hold) sets
// and deletes, per tx and per store: what the block's write into the IAVL
// trees, their hashing and Commit cost in proportion to. A key set by many
// txs of a block counts once: a module account's balance, and the account
// and balance of a sender signing several txs of the block (each row's
// accounts come from pools of 50 to 100, as in the table). Keys are read
// from the multistore's trace of the block.
func TestStateWritesPerTx(t *testing.T) {
	n, _ := sizes()
	all := append([]TxRow{{Name: "bank MsgSend (baseline)", Work: &bankSend{}}}, rows...)
	var b strings.Builder
	fmt.Fprintf(&b, "\nstate writes: distinct keys a block of %d txs sets and deletes, per tx, by store\n\n", n)
	fmt.Fprintf(&b, "| %-38s | %8s | %8s | %s |\n", "row", "set", "deleted", "by store (set/deleted)")
	fmt.Fprintf(&b, "|%s|%s|%s|%s|\n", strings.Repeat("-", 40), strings.Repeat("-", 10), strings.Repeat("-", 10), strings.Repeat("-", 40))
	for _, row := range all {
		var trace bytes.Buffer
		e := newEnv(t, 600)
		e.SetCommitMultiStoreTracer(&trace)
		row.Work.Setup(e, n, 1)
		txs := row.Work.Block(e, n)
		trace.Reset()
		execMeasured(t, e, txs, pprof.Labels("bench", "writes", "row", row.Name))
		set, deleted, byStore := countWrites(t, &trace)
		var stores []string
		for s := range byStore {
			stores = append(stores, s)
		}
		sort.Strings(stores)
		var parts []string
		for _, s := range stores {
			c := byStore[s]
			parts = append(parts, fmt.Sprintf("%s %.2f/%.2f", s, float64(c[0])/float64(n), float64(c[1])/float64(n)))
		}
		fmt.Fprintf(&b, "| %-38s | %8.2f | %8.2f | %s |\n", row.Name, float64(set)/float64(n), float64(deleted)/float64(n), strings.Join(parts, ", "))
		if row.Name == "bank MsgSend (baseline)" && set == 0 {
			t.Fatal("the trace recorded no write of the baseline's block")
		}
	}
	t.Log(b.String())
}

// countWrites reads a multistore trace (JSON lines) and returns the distinct
// keys set and deleted (a key deleted after being set counts as deleted),
// and both by store name.
func countWrites(t *testing.T, trace *bytes.Buffer) (set, deleted int, byStore map[string][2]int) {
	t.Helper()
	last := map[string]string{} // store + key -> last operation
	dec := json.NewDecoder(trace)
	for dec.More() {
		var op struct {
			Operation string         `json:"operation"`
			Key       string         `json:"key"`
			Metadata  map[string]any `json:"metadata"`
		}
		if err := dec.Decode(&op); err != nil {
			t.Fatal(err)
		}
		if op.Operation != "write" && op.Operation != "delete" {
			continue
		}
		key, err := base64.StdEncoding.DecodeString(op.Key)
		if err != nil {
			t.Fatal(err)
		}
		last[fmt.Sprintf("%v\x00%s", op.Metadata["store_name"], key)] = op.Operation
	}
	byStore = map[string][2]int{}
	for k, op := range last {
		store := k[:strings.IndexByte(k, 0)]
		c := byStore[store]
		if op == "write" {
			set++
			c[0]++
		} else {
			deleted++
			c[1]++
		}
		byStore[store] = c
	}
	return set, deleted, byStore
}
