package keeperutil_test

import (
	"errors"
	"slices"
	"testing"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	storetypes "cosmossdk.io/store/types"

	"github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/agentchain/agentchain/internal/keeperutil"
)

var errInvalid = errorsmod.Register("keeperutil_test", 2, "invalid address")

type fixture struct {
	ctx   sdk.Context
	queue collections.KeySet[keeperutil.QueueKey]
	done  collections.Map[uint64, uint64]
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	key := storetypes.NewKVStoreKey("test")
	tctx := testutil.DefaultContextWithDB(t, key, storetypes.NewTransientStoreKey("transient_test"))
	sb := collections.NewSchemaBuilder(runtime.NewKVStoreService(key))
	f := fixture{
		ctx:   tctx.Ctx,
		queue: collections.NewKeySet(sb, collections.NewPrefix(1), "queue", keeperutil.QueueKeyCodec),
		done:  collections.NewMap(sb, collections.NewPrefix(2), "done", collections.Uint64Key, collections.Uint64Value),
	}
	if _, err := sb.Build(); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) enqueue(t *testing.T, height int64, id uint64) {
	t.Helper()
	if err := f.queue.Set(f.ctx, collections.Join(height, id)); err != nil {
		t.Fatal(err)
	}
}

func (f fixture) remaining(t *testing.T) []keeperutil.QueueKey {
	t.Helper()
	var out []keeperutil.QueueKey
	if err := f.queue.Walk(f.ctx, nil, func(k keeperutil.QueueKey) (bool, error) {
		out = append(out, k)
		return false, nil
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRunQueueTakesDueEntriesInOrderWithinBudget(t *testing.T) {
	f := newFixture(t)
	// Due at or before 10: (3,7) (5,2) (5,9) (10,1); not due: (11,0) (20,4).
	for _, e := range []struct {
		h  int64
		id uint64
	}{{20, 4}, {5, 9}, {11, 0}, {3, 7}, {10, 1}, {5, 2}} {
		f.enqueue(t, e.h, e.id)
	}
	var order []uint64
	settle := func(ctx sdk.Context, id uint64) error {
		order = append(order, id)
		return f.done.Set(ctx, id, uint64(ctx.BlockHeight()))
	}
	failed := func(id uint64, err error) { t.Fatalf("entry %d failed: %v", id, err) }

	n, err := keeperutil.RunQueue(f.ctx, f.queue, 10, 3, settle, failed)
	if err != nil || n != 3 {
		t.Fatalf("first run took %d (err %v), want 3", n, err)
	}
	if want := []uint64{7, 2, 9}; !slices.Equal(order, want) {
		t.Fatalf("settled %v, want %v (height, then id)", order, want)
	}
	n, err = keeperutil.RunQueue(f.ctx, f.queue, 10, 3, settle, failed)
	if err != nil || n != 1 {
		t.Fatalf("second run took %d (err %v), want the one entry left due", n, err)
	}
	if got := f.remaining(t); len(got) != 2 || got[0].K1() != 11 || got[1].K1() != 20 {
		t.Fatalf("queue after the runs: %v, want only the entries due at 11 and 20", got)
	}
	for _, id := range []uint64{7, 2, 9, 1} {
		if ok, _ := f.done.Has(f.ctx, id); !ok {
			t.Fatalf("writes of entry %d were not kept", id)
		}
	}
	if n, _ := keeperutil.RunQueue(f.ctx, f.queue, 10, 0, settle, failed); n != 0 {
		t.Fatalf("a zero budget took %d entries", n)
	}
}

func TestRunQueueContainsFailuresAndPanics(t *testing.T) {
	f := newFixture(t)
	for id := uint64(1); id <= 3; id++ {
		f.enqueue(t, 1, id)
	}
	failures := map[uint64]string{}
	settle := func(ctx sdk.Context, id uint64) error {
		if err := f.done.Set(ctx, id, 1); err != nil {
			return err
		}
		switch id {
		case 1:
			return errors.New("refused")
		case 2:
			panic("settle bug") // the kind of bug the runner must contain
		}
		return nil
	}
	n, err := keeperutil.RunQueue(f.ctx, f.queue, 1, 10, settle, func(id uint64, err error) { failures[id] = err.Error() })
	if err != nil || n != 3 {
		t.Fatalf("took %d (err %v), want all 3 entries", n, err)
	}
	if failures[1] != "refused" {
		t.Fatalf("entry 1's error: %q", failures[1])
	}
	if got := failures[2]; got != "panic: settle bug" {
		t.Fatalf("entry 2's panic reported as %q (want the value only, no stack)", got)
	}
	if _, ok := failures[3]; ok {
		t.Fatal("entry 3 succeeded but was reported as failed")
	}
	for id, want := range map[uint64]bool{1: false, 2: false, 3: true} {
		if ok, _ := f.done.Has(f.ctx, id); ok != want {
			t.Fatalf("entry %d's writes kept = %v, want %v (failed work leaves nothing behind)", id, ok, want)
		}
	}
	if got := f.remaining(t); len(got) != 0 {
		t.Fatalf("failed entries stayed in the queue: %v", got)
	}
}

// Contained must not swallow running out of gas: a transaction that
// reaches it would otherwise carry on past its gas limit and succeed.
func TestContainedLetsOutOfGasThrough(t *testing.T) {
	f := newFixture(t)
	ctx := f.ctx.WithGasMeter(storetypes.NewGasMeter(10))
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		err := keeperutil.Contained(ctx, func(ctx sdk.Context) error { return f.done.Set(ctx, 1, 1) })
		t.Fatalf("Contained returned %v; want the out-of-gas panic to propagate", err)
	}()
	if _, ok := recovered.(storetypes.ErrorOutOfGas); !ok {
		t.Fatalf("recovered %#v, want storetypes.ErrorOutOfGas", recovered)
	}
	if ok, _ := f.done.Has(f.ctx, 1); ok {
		t.Fatal("the write of the work that ran out of gas was kept")
	}
	// Any other panic is still contained, under a finite meter too.
	err := keeperutil.Contained(f.ctx.WithGasMeter(storetypes.NewGasMeter(1_000_000)), func(sdk.Context) error { panic("bug") })
	if err == nil || err.Error() != "panic: bug" {
		t.Fatalf("a plain panic gave %v, want it contained as an error", err)
	}
}

func TestParseAddress(t *testing.T) {
	codec := address.NewBech32Codec("agent")
	good, err := codec.BytesToString(make([]byte, 20))
	if err != nil {
		t.Fatal(err)
	}
	invalid := errInvalid
	if _, err := keeperutil.ParseAddress(codec, invalid, "owner", good); err != nil {
		t.Fatalf("valid address refused: %v", err)
	}
	for _, s := range []string{"", "agent1nope", "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a"} {
		_, err := keeperutil.ParseAddress(codec, invalid, "owner", s)
		if !invalid.Is(err) {
			t.Fatalf("%q: got %v, want the module's invalid-address error", s, err)
		}
	}
}

func TestBoundPage(t *testing.T) {
	for _, tc := range []struct {
		in   *query.PageRequest
		want uint64
	}{
		{nil, keeperutil.MaxPageSize},
		{&query.PageRequest{}, keeperutil.MaxPageSize},
		{&query.PageRequest{Limit: 7, CountTotal: true}, 7},
		{&query.PageRequest{Limit: 5000}, keeperutil.MaxPageSize},
	} {
		got := keeperutil.BoundPage(tc.in)
		if got.Limit != tc.want || got.CountTotal {
			t.Fatalf("BoundPage(%v) = limit %d count %v, want limit %d and no count", tc.in, got.Limit, got.CountTotal, tc.want)
		}
	}
	in := &query.PageRequest{Limit: 5000}
	keeperutil.BoundPage(in)
	if in.Limit != 5000 {
		t.Fatal("BoundPage changed the caller's request")
	}
}
