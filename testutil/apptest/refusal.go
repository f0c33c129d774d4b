package apptest

import (
	"errors"
	"fmt"
	"sort"
	"testing"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Snapshot is every key and value of every KV store of the application, as
// seen through one context.
type Snapshot map[string]string

// Snapshot reads every KV store through ctx.
func (ta *TestApp) Snapshot(ctx sdk.Context) Snapshot {
	out := Snapshot{}
	for _, key := range ta.StoreKeys() {
		it := ctx.KVStore(key).Iterator(nil, nil)
		for ; it.Valid(); it.Next() {
			out[key.Name()+"/"+string(it.Key())] = string(it.Value())
		}
		_ = it.Close()
	}
	return out
}

// Diff lists, sorted, the keys that b added, removed or changed relative to
// a (at most 10, then a count); nil when they are equal.
func (a Snapshot) Diff(b Snapshot) []string {
	var d []string
	for k, v := range a {
		bv, ok := b[k]
		switch {
		case !ok:
			d = append(d, fmt.Sprintf("removed %q", k))
		case bv != v:
			d = append(d, fmt.Sprintf("changed %q", k))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, fmt.Sprintf("added %q", k))
		}
	}
	sort.Strings(d)
	if len(d) > 10 {
		d = append(d[:10], fmt.Sprintf("... and %d more", len(d)-10))
	}
	return d
}

// ExpectRefused runs f as the SDK runs a message (in a branch of the
// committed state, written only if it succeeds) and fails the test unless f
// fails with want, registered in codespace (so that a client is told which
// module refused and why), and every store of the committed state is as it
// was before. It reports to tb (a subtest's, when run in one).
func (ta *TestApp) ExpectRefused(tb testing.TB, codespace string, want error, f func(ctx sdk.Context) error) {
	tb.Helper()
	ctx := ta.Ctx()
	before := ta.Snapshot(ctx)
	branch, _ := ctx.CacheContext()
	err := f(branch)
	if err == nil {
		tb.Fatalf("accepted; want %v", want)
	}
	if !errors.Is(err, want) {
		tb.Fatalf("error %q; want %v", err, want)
	}
	if got, _, _ := errorsmod.ABCIInfo(err, false); got != codespace {
		tb.Fatalf("refused from codespace %q, not %q: %v", got, codespace, err)
	}
	if d := before.Diff(ta.Snapshot(ta.Ctx())); len(d) > 0 {
		tb.Fatalf("the refusal changed state: %v", d)
	}
}
