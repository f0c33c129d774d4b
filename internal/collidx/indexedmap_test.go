package collidx_test

import (
	"context"
	"errors"
	"slices"
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/colltest"

	"github.com/agentchain/agentchain/internal/collidx"
)

func tagsIn(ctx context.Context, t *testing.T, m *collidx.IndexedMap[uint64, item, idx], tag string) []uint64 {
	t.Helper()
	var out []uint64
	if err := m.Indexes.Tag.Keys().Walk(ctx, collections.NewPrefixedPairRange[string, uint64](tag), func(k collections.Pair[string, uint64]) (bool, error) {
		out = append(out, k.K2())
		return false, nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// Insert, Update and Set leave the same index as collections.IndexedMap's
// Set would; Remove takes the entries out; Update with a wrong old value
// is what the modules' invariants exist for (it leaves a stale entry).
func TestIndexedMapWrites(t *testing.T) {
	sk, ctx := colltest.MockStore()
	sb := collections.NewSchemaBuilder(sk)
	m := collidx.NewIndexedMap(sb, collections.NewPrefix(1), "items", collections.Uint64Key, itemCodec{},
		idx{Tag: collidx.NewMany(sb, collections.NewPrefix(2), "by_tag", collections.StringKey, collections.Uint64Key,
			func(_ uint64, v item) ([]string, error) { return v.tags, nil })})
	if _, err := sb.Build(); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(m.Insert(ctx, 1, item{tags: []string{"a", "b"}}))
	must(m.Set(ctx, 2, item{tags: []string{"b"}}))
	if got := tagsIn(ctx, t, m, "b"); !slices.Equal(got, []uint64{1, 2}) {
		t.Fatalf("b: %v", got)
	}
	// Update from the stored value: "a" goes, "c" comes.
	must(m.Update(ctx, 1, item{tags: []string{"a", "b"}}, item{tags: []string{"b", "c"}}))
	if got := tagsIn(ctx, t, m, "a"); len(got) != 0 {
		t.Fatalf("a after update: %v", got)
	}
	if got := tagsIn(ctx, t, m, "c"); !slices.Equal(got, []uint64{1}) {
		t.Fatalf("c after update: %v", got)
	}
	// Set reads the stored value itself.
	must(m.Set(ctx, 1, item{tags: []string{"d"}}))
	for _, tag := range []string{"b", "c"} {
		if slices.Contains(tagsIn(ctx, t, m, tag), 1) {
			t.Fatalf("item 1 still under %s after Set", tag)
		}
	}
	if v, err := m.Get(ctx, 1); err != nil || !slices.Equal(v.tags, []string{"d"}) {
		t.Fatalf("stored %v %v", v, err)
	}
	// A wrong old value leaves a stale entry ("d" stays).
	must(m.Update(ctx, 1, item{tags: []string{"x"}}, item{tags: []string{"e"}}))
	if !slices.Contains(tagsIn(ctx, t, m, "d"), 1) {
		t.Fatal("a wrong old value moved an entry it did not name")
	}
	must(m.Remove(ctx, 2))
	if slices.Contains(tagsIn(ctx, t, m, "b"), 2) {
		t.Fatal("removed item still indexed")
	}
	if err := m.Remove(ctx, 2); !errors.Is(err, collections.ErrNotFound) {
		t.Fatalf("removing a missing key: %v", err)
	}
}
