package keeper

import (
	"context"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/invariant"
	"github.com/agentchain/agentchain/x/escrow/types"
)

// maxBroken bounds the violations an invariant reports.
const maxBroken = 20

// Invariants are the escrow module's checks of its whole state:
//
//   - conservation: every escrow is well formed; the books (TotalHeld) equal
//     the sum over open escrows of amount - released - refunded, and the
//     module account's balance equals the books, for every denom;
//   - indexes: the payer, payee and status indexes hold exactly the escrows
//     with those keys;
//   - streams: no open stream paid more than accrued by the current height;
//   - timers: every expiry and dispute queue entry points at a direct escrow
//     waiting on exactly that height, and every such escrow is queued;
//   - prune-queue: every closed direct escrow and stream waits in its prune
//     queue at its closed height, and every entry is one (prune.go).
func (k Keeper) Invariants() []invariant.Invariant {
	return []invariant.Invariant{
		{Name: "escrow/conservation", Check: func(ctx context.Context) ([]string, error) {
			if err := k.AuditConservation(ctx); err != nil {
				return []string{err.Error()}, nil
			}
			return nil, nil
		}},
		{Name: "escrow/timers", Check: k.checkTimers},
		{Name: "escrow/streams", Check: k.checkStreams},
		{Name: "escrow/indexes", Check: k.checkIndexes},
		{Name: "escrow/prune-queue", Check: k.checkPruneQueues},
	}
}

// checkIndexes: every escrow is indexed under its payer, its payee (once
// set) and its status, and every index entry names an escrow with that key.
func (k Keeper) checkIndexes(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	idx := k.Escrows.Indexes
	if err := k.Escrows.Walk(ctx, nil, func(id uint64, e types.Escrow) (bool, error) {
		payer, err := k.addressCodec.StringToBytes(e.Payer)
		if err != nil {
			broken.Addf("escrow %d: payer %q: %s", id, e.Payer, err)
			return false, nil
		}
		has, err := idx.Payer.Has(ctx, payer, id)
		if err == nil && has {
			has, err = idx.Status.Has(ctx, int32(e.Status), id)
		}
		if err == nil && has && e.Payee != "" {
			var payee []byte
			if payee, err = k.addressCodec.StringToBytes(e.Payee); err == nil {
				has, err = idx.Payee.Has(ctx, payee, id)
			}
		}
		if err != nil {
			return true, err
		}
		if !has {
			broken.Addf("escrow %d (%s) is missing from an index", id, e.Status)
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	match := func(name string, id uint64, ok func(types.Escrow) bool) {
		e, err := k.Escrows.Get(ctx, id)
		if err != nil || !ok(e) {
			broken.Addf("%s index entry for escrow %d matches no such escrow", name, id)
		}
	}
	for _, ix := range []struct {
		name string
		keys collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]
		addr func(types.Escrow) string
	}{
		{"payer", idx.Payer.Keys(), func(e types.Escrow) string { return e.Payer }},
		{"payee", idx.Payee.Keys(), func(e types.Escrow) string { return e.Payee }},
	} {
		if err := ix.keys.Walk(ctx, nil, func(key collections.Pair[sdk.AccAddress, uint64]) (bool, error) {
			match(ix.name, key.K2(), func(e types.Escrow) bool { return ix.addr(e) == key.K1().String() })
			return false, nil
		}); err != nil {
			return nil, err
		}
	}
	err := idx.Status.Keys().Walk(ctx, nil, func(key collections.Pair[int32, uint64]) (bool, error) {
		match("status", key.K2(), func(e types.Escrow) bool { return int32(e.Status) == key.K1() })
		return false, nil
	})
	return broken.List(), err
}

// checkStreams: no open stream has paid out more than has accrued by now.
func (k Keeper) checkStreams(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	h := sdk.UnwrapSDKContext(ctx).BlockHeight()
	err := k.Streams.Walk(ctx, nil, func(id uint64, s types.Stream) (bool, error) {
		if s.Status != types.STREAM_STATUS_CLOSED && s.Withdrawn.Amount.GT(s.Accrued(h)) {
			broken.Addf("stream %d withdrew %s, more than the %s accrued by %d", id, s.Withdrawn, s.AccrualAt(s.Accrued(h)), h)
		}
		return false, nil
	})
	return broken.List(), err
}

func (k Keeper) checkTimers(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	expiry, dispute := map[uint64]int64{}, map[uint64]int64{}
	if err := k.ExpiryQueue.Walk(ctx, nil, func(key QueueKey) (bool, error) {
		if _, dup := expiry[key.K2()]; dup {
			broken.Addf("escrow %d is in the expiry queue twice", key.K2())
		}
		expiry[key.K2()] = key.K1()
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.DisputeQueue.Walk(ctx, nil, func(key QueueKey) (bool, error) {
		if _, dup := dispute[key.K2()]; dup {
			broken.Addf("escrow %d is in the dispute queue twice", key.K2())
		}
		dispute[key.K2()] = key.K1()
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Escrows.Walk(ctx, nil, func(id uint64, e types.Escrow) (bool, error) {
		wantExpiry := e.IsDirect() && e.Status == types.ESCROW_STATUS_LOCKED && e.ExpiresHeight > 0
		if h, ok := expiry[id]; ok != wantExpiry || (ok && h != e.ExpiresHeight) {
			broken.Addf("escrow %d (%s, expires %d): expiry queue entry %v at %d", id, e.Status, e.ExpiresHeight, ok, h)
		}
		delete(expiry, id)
		wantDispute := e.Status == types.ESCROW_STATUS_DISPUTED
		if h, ok := dispute[id]; ok != wantDispute || (ok && (e.Dispute == nil || h != e.Dispute.DeadlineHeight)) {
			broken.Addf("escrow %d (%s): dispute queue entry %v at %d", id, e.Status, ok, h)
		}
		delete(dispute, id)
		return false, nil
	}); err != nil {
		return nil, err
	}
	for _, q := range []map[uint64]int64{expiry, dispute} {
		for _, id := range invariant.SortedKeys(q) {
			broken.Addf("queue entry (%d, %d) points at no escrow", q[id], id)
		}
	}
	return broken.List(), nil
}
