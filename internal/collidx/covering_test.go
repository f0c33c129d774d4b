package collidx_test

import (
	"context"
	"strings"
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/colltest"

	"github.com/agentchain/agentchain/internal/collidx"
)

type covIdx struct {
	Tag *collidx.Covering[string, uint64, item]
}

func (i covIdx) IndexesList() []collections.Index[uint64, item] {
	return []collections.Index[uint64, item]{i.Tag}
}

// entriesOf lists "tag/id=value" for every entry of the covering index.
func entriesOf(ctx context.Context, t *testing.T, c *collidx.Covering[string, uint64, item]) string {
	t.Helper()
	var out []string
	if err := c.Entries().Walk(ctx, nil, func(k collections.Pair[string, uint64], v item) (bool, error) {
		out = append(out, k.K1()+"/"+string(rune('0'+k.K2()))+"="+strings.Join(v.tags, ","))
		return false, nil
	}); err != nil {
		t.Fatal(err)
	}
	return strings.Join(out, " ")
}

// The covering index holds, under each key, a copy of the value as it is
// now: a write that keeps the keys still rewrites the copies, a write that
// changes them moves the entries, through IndexedMap's Set, Insert, Update
// and Remove alike.
func TestCoveringIndexCopiesEveryWrite(t *testing.T) {
	sk, ctx := colltest.MockStore()
	sb := collections.NewSchemaBuilder(sk)
	m := collidx.NewIndexedMap(sb, collections.NewPrefix(1), "items", collections.Uint64Key, itemCodec{},
		covIdx{Tag: collidx.NewCovering(sb, collections.NewPrefix(2), "by_tag", collections.StringKey, collections.Uint64Key, itemCodec{},
			func(_ uint64, v item) ([]string, error) { return v.tags[:1], nil })})
	if _, err := sb.Build(); err != nil {
		t.Fatal(err)
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check := func(want string) {
		t.Helper()
		if got := entriesOf(ctx, t, m.Indexes.Tag); got != want {
			t.Fatalf("entries %q, want %q", got, want)
		}
	}
	must(m.Insert(ctx, 1, item{tags: []string{"a", "x"}}))
	must(m.Set(ctx, 2, item{tags: []string{"b"}}))
	check("a/1=a,x b/2=b")
	// Same key, new value: the copy follows.
	must(m.Set(ctx, 1, item{tags: []string{"a", "y"}}))
	check("a/1=a,y b/2=b")
	// New key: the entry moves.
	must(m.Update(ctx, 1, item{tags: []string{"a", "y"}}, item{tags: []string{"c", "z"}}))
	check("b/2=b c/1=c,z")
	got, err := m.Indexes.Tag.Get(ctx, "c", 1)
	if err != nil || strings.Join(got.tags, ",") != "c,z" {
		t.Fatalf("get c/1: %v %v", got, err)
	}
	must(m.Remove(ctx, 2))
	check("c/1=c,z")
	if _, err := m.Indexes.Tag.Get(ctx, "b", 2); err == nil {
		t.Fatal("a removed value's entry is still there")
	}
}
