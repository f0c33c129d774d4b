package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/x/escrow/types"
)

// InitGenesis loads a validated genesis state, rebuilds the books from the
// escrows, and refuses a state whose module account does not hold exactly
// what the open escrows hold (bank's genesis runs first).
func (k Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	if err := k.EscrowSeq.Set(ctx, gs.NextEscrowId); err != nil {
		return err
	}
	for _, e := range gs.Escrows {
		if err := k.Escrows.Set(ctx, e.Id, e); err != nil {
			return fmt.Errorf("escrow %d: %w", e.Id, err)
		}
		if e.Status != types.ESCROW_STATUS_CLOSED {
			if err := k.addHeld(ctx, e.Remaining()); err != nil {
				return err
			}
		}
	}
	if err := k.StreamSeq.Set(ctx, max(gs.NextStreamId, 1)); err != nil {
		return err
	}
	for _, st := range gs.Streams {
		if err := k.Streams.Set(ctx, st.Id, st); err != nil {
			return fmt.Errorf("stream %d: %w", st.Id, err)
		}
		if held := st.Held(); held.IsPositive() {
			if err := k.addHeld(ctx, sdk.NewCoins(st.AccrualAt(held))); err != nil {
				return err
			}
		}
	}
	for _, q := range gs.ExpiryQueue {
		if err := k.ExpiryQueue.Set(ctx, collections.Join(q.Height, q.EscrowId)); err != nil {
			return err
		}
	}
	for _, q := range gs.DisputeQueue {
		if err := k.DisputeQueue.Set(ctx, collections.Join(q.Height, q.EscrowId)); err != nil {
			return err
		}
	}
	// The prune queues follow from the closed records.
	if err := k.rebuildPruneQueues(ctx); err != nil {
		return err
	}
	return k.AuditConservation(ctx)
}

// ExportGenesis exports the module's state.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	next, err := k.EscrowSeq.Peek(ctx)
	if err != nil {
		return nil, err
	}
	if next == 0 {
		next = 1
	}
	gs := &types.GenesisState{Params: params, NextEscrowId: next}
	if err := k.Escrows.Walk(ctx, nil, func(_ uint64, e types.Escrow) (bool, error) {
		gs.Escrows = append(gs.Escrows, e)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if gs.NextStreamId, err = k.StreamSeq.Peek(ctx); err != nil {
		return nil, err
	}
	gs.NextStreamId = max(gs.NextStreamId, 1)
	if err := k.Streams.Walk(ctx, nil, func(_ uint64, st types.Stream) (bool, error) {
		gs.Streams = append(gs.Streams, st)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.ExpiryQueue.Walk(ctx, nil, func(key QueueKey) (bool, error) {
		gs.ExpiryQueue = append(gs.ExpiryQueue, types.QueueEntry{Height: key.K1(), EscrowId: key.K2()})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.DisputeQueue.Walk(ctx, nil, func(key QueueKey) (bool, error) {
		gs.DisputeQueue = append(gs.DisputeQueue, types.QueueEntry{Height: key.K1(), EscrowId: key.K2()})
		return false, nil
	}); err != nil {
		return nil, err
	}
	return gs, nil
}
