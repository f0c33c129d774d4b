package collidx_test

import (
	"bytes"
	"testing"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/colltest"

	"github.com/agentchain/agentchain/internal/collidx"
)

// FuzzPageRange: whatever page key a client sends, a page never holds a
// key outside the query's range, and nothing panics.
func FuzzPageRange(f *testing.F) {
	sk, ctx := colltest.MockStore()
	sb := collections.NewSchemaBuilder(sk)
	kc := collections.PairKeyCodec(collections.StringKey, collections.Uint64Key)
	ks := collections.NewKeySet(sb, collections.NewPrefix(1), "keys", kc)
	if _, err := sb.Build(); err != nil {
		f.Fatal(err)
	}
	for _, tag := range []string{"a", "b", "ba", "c"} {
		for id := uint64(0); id < 20; id++ {
			if err := ks.Set(ctx, collections.Join(tag, id*7)); err != nil {
				f.Fatal(err)
			}
		}
	}
	enc := func(k collections.Pair[string, uint64]) []byte {
		bz := make([]byte, kc.Size(k))
		_, _ = kc.Encode(bz, k)
		return bz
	}
	start, end := collections.Join("b", uint64(14)), collections.Join("b", uint64(100))
	f.Add([]byte(nil), uint8(3))
	f.Add(enc(collections.Join("b", uint64(21))), uint8(2))
	f.Add(enc(collections.Join("c", uint64(0))), uint8(5))
	f.Add(enc(collections.Join("a", uint64(133))), uint8(5))
	f.Add(append(enc(collections.Join("b", uint64(21))), 9), uint8(1))
	f.Fuzz(func(t *testing.T, pageKey []byte, limit uint8) {
		lo, hi := enc(start), enc(end)
		n := int(limit%10) + 1
		seen := 0
		for page := 0; page < 50; page++ {
			keys, next, err := collidx.PageRange(ctx, ks, start, end, pageKey, n)
			if err != nil {
				return // refused: fine, as long as nothing leaked
			}
			if len(keys) > n {
				t.Fatalf("%d keys on a page of %d", len(keys), n)
			}
			for _, k := range keys {
				if e := enc(k); bytes.Compare(e, lo) < 0 || bytes.Compare(e, hi) > 0 {
					t.Fatalf("page key %x returned %v, outside [%v, %v]", pageKey, k, start, end)
				}
				seen++
			}
			if next == nil {
				break
			}
			pageKey = next
		}
		if seen > 13 {
			t.Fatalf("%d keys paged from a range of 13", seen)
		}
	})
}
