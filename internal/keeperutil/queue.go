package keeperutil

import (
	"fmt"

	"cosmossdk.io/collections"
	storetypes "cosmossdk.io/store/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// QueueKey orders a timer queue: (height the timer falls due, record id).
type QueueKey = collections.Pair[int64, uint64]

// QueueKeyCodec encodes QueueKeys (heights first, so that a walk meets
// timers in the order they fall due).
var QueueKeyCodec = collections.PairKeyCodec(collections.Int64Key, collections.Uint64Key)

// RunQueue settles up to budget entries of queue that fall due at or before
// height, in (height, id) order, and returns how many it took. Each entry
// leaves the queue, then settle runs for its id in a cache context of its
// own (Contained): its writes are kept only if it succeeds, and a failure or
// panic goes to failed, and the block goes on. The walk collects the due
// entries before acting on any, so it never sees its own writes. Its cost is
// bounded by budget, never by the size of the queue.
func RunQueue(
	ctx sdk.Context, queue collections.KeySet[QueueKey], height int64, budget int,
	settle func(ctx sdk.Context, id uint64) error, failed func(id uint64, err error),
) (int, error) {
	if budget <= 0 {
		return 0, nil
	}
	due := make([]QueueKey, 0, budget)
	rng := new(collections.Range[QueueKey]).EndExclusive(collections.Join(height+1, uint64(0)))
	if err := queue.Walk(ctx, rng, func(key QueueKey) (bool, error) {
		due = append(due, key)
		return len(due) >= budget, nil
	}); err != nil {
		return 0, err
	}
	for _, key := range due {
		id := key.K2()
		if err := queue.Remove(ctx, key); err != nil {
			failed(id, fmt.Errorf("remove from the queue: %w", err))
			continue
		}
		if err := Contained(ctx, func(ctx sdk.Context) error { return settle(ctx, id) }); err != nil {
			failed(id, err)
		}
	}
	return len(due), nil
}

// Contained runs f in a cache context of ctx, recovering from a panic
// (reported as an error with the panic's value only, which every node
// words alike; a stack would not be), and writes f's changes to ctx only
// if it succeeds.
//
// Running out of gas is not contained: it propagates, so that a
// transaction (or a gas-limited query) that reaches Contained fails as the
// SDK fails it instead of carrying on with its meter past its limit.
// Begin/EndBlock run with an infinite gas meter, where it cannot happen.
func Contained(ctx sdk.Context, f func(ctx sdk.Context) error) (err error) {
	cacheCtx, write := ctx.CacheContext()
	defer func() {
		if r := recover(); r != nil {
			switch r.(type) {
			case storetypes.ErrorOutOfGas, storetypes.ErrorGasOverflow:
				panic(r)
			}
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	if err := f(cacheCtx); err != nil {
		return err
	}
	write()
	return nil
}
