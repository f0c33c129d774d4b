package collidx_test

import (
	"context"
	"slices"
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/colltest"

	"github.com/agentchain/agentchain/internal/collidx"
)

type item struct{ tags []string }

type idx struct {
	Tag *collidx.Many[string, uint64, item]
}

func (i idx) IndexesList() []collections.Index[uint64, item] {
	return []collections.Index[uint64, item]{i.Tag}
}

func tagsOf(ctx context.Context, t *testing.T, m *collections.IndexedMap[uint64, item, idx], tag string) []uint64 {
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

func TestManyIndexFollowsEveryWrite(t *testing.T) {
	sk, ctx := colltest.MockStore()
	sb := collections.NewSchemaBuilder(sk)
	m := collections.NewIndexedMap(sb, collections.NewPrefix(1), "items", collections.Uint64Key, itemCodec{},
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
	must(m.Set(ctx, 1, item{tags: []string{"a", "b"}}))
	must(m.Set(ctx, 2, item{tags: []string{"b"}}))
	if got := tagsOf(ctx, t, m, "b"); !slices.Equal(got, []uint64{1, 2}) {
		t.Fatalf("b: %v", got)
	}
	// Replace: "a" goes, "b" stays, "c" comes.
	must(m.Set(ctx, 1, item{tags: []string{"b", "c"}}))
	if got := tagsOf(ctx, t, m, "a"); len(got) != 0 {
		t.Fatalf("a after replace: %v", got)
	}
	if got := tagsOf(ctx, t, m, "b"); !slices.Equal(got, []uint64{1, 2}) {
		t.Fatalf("b after replace: %v", got)
	}
	if got := tagsOf(ctx, t, m, "c"); !slices.Equal(got, []uint64{1}) {
		t.Fatalf("c after replace: %v", got)
	}
	must(m.Remove(ctx, 1))
	for _, tag := range []string{"a", "b", "c"} {
		for _, id := range tagsOf(ctx, t, m, tag) {
			if id == 1 {
				t.Fatalf("removed item still under %s", tag)
			}
		}
	}
	has, err := m.Indexes.Tag.Has(ctx, "b", 2)
	if err != nil || !has {
		t.Fatalf("item 2 under b: %v %v", has, err)
	}
}

// itemCodec stores an item's tags joined by commas.
type itemCodec struct{}

func (itemCodec) Encode(v item) ([]byte, error) {
	out := []byte{}
	for i, t := range v.tags {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, t...)
	}
	return out, nil
}

func (itemCodec) Decode(b []byte) (item, error) {
	if len(b) == 0 {
		return item{}, nil
	}
	var tags []string
	start := 0
	for i := 0; i <= len(b); i++ {
		if i == len(b) || b[i] == ',' {
			tags = append(tags, string(b[start:i]))
			start = i + 1
		}
	}
	return item{tags: tags}, nil
}
func (itemCodec) EncodeJSON(v item) ([]byte, error) { return nil, nil }
func (itemCodec) DecodeJSON([]byte) (item, error)   { return item{}, nil }
func (itemCodec) Stringify(v item) string           { return "" }
func (itemCodec) ValueType() string                 { return "item" }
