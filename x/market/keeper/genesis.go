package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	"github.com/agentchain/agentchain/x/market/types"
)

// InitGenesis loads a validated genesis state and checks its references
// into other modules: every listing, bid and job names an existing agent,
// and every escrow a request or open job relies on exists, is owned by the
// market and holds exactly what is still owed on it (agentid's and
// escrow's genesis run first).
func (k Keeper) InitGenesis(ctx context.Context, gs types.GenesisState) error {
	if err := gs.Validate(); err != nil {
		return err
	}
	if err := k.Params.Set(ctx, gs.Params); err != nil {
		return err
	}
	for _, s := range []struct {
		seq  collections.Sequence
		next uint64
	}{{k.ListingSeq, gs.NextListingId}, {k.RequestSeq, gs.NextRequestId}, {k.JobSeq, gs.NextJobId}} {
		if err := s.seq.Set(ctx, s.next); err != nil {
			return err
		}
	}
	agentExists := func(what string, id uint64) error {
		if _, err := k.agents.GetAgent(ctx, id); err != nil {
			return fmt.Errorf("%s: agent %d: %w", what, id, err)
		}
		return nil
	}
	escrowHolds := func(what string, id uint64, want sdk.Coins) error {
		e, err := k.escrow.GetEscrow(ctx, id)
		if err != nil {
			return fmt.Errorf("%s: escrow %d: %w", what, id, err)
		}
		if e.OwnerModule != types.ModuleName {
			return fmt.Errorf("%s: escrow %d belongs to %q", what, id, e.OwnerModule)
		}
		if !e.Remaining().Equal(want) {
			return fmt.Errorf("%s: escrow %d holds %s, %s is owed", what, id, e.Remaining(), want)
		}
		return nil
	}
	for _, l := range gs.Listings {
		if err := agentExists(fmt.Sprintf("listing %d", l.Id), l.Provider); err != nil {
			return err
		}
		if err := k.Listings.Set(ctx, l.Id, l); err != nil {
			return err
		}
	}
	for _, r := range gs.Requests {
		if r.Status == types.REQUEST_STATUS_OPEN {
			if err := escrowHolds(fmt.Sprintf("request %d", r.Id), r.EscrowId, sdk.NewCoins(r.Budget)); err != nil {
				return err
			}
		}
		if err := k.Requests.Set(ctx, r.Id, r); err != nil {
			return err
		}
	}
	for _, b := range gs.Bids {
		if err := agentExists(fmt.Sprintf("bid %d/%d", b.RequestId, b.Id), b.Provider); err != nil {
			return err
		}
		if err := k.Bids.Set(ctx, collections.Join(b.RequestId, b.Id), b); err != nil {
			return err
		}
	}
	for _, j := range gs.Jobs {
		if err := agentExists(fmt.Sprintf("job %d", j.Id), j.Provider); err != nil {
			return err
		}
		if j.StreamId != 0 {
			st, err := k.escrow.GetStream(ctx, j.StreamId)
			if err != nil {
				return fmt.Errorf("job %d: stream %d: %w", j.Id, j.StreamId, err)
			}
			if st.OwnerModule != types.ModuleName || (st.Status == escrowtypes.STREAM_STATUS_CLOSED) != j.Status.IsFinal() ||
				!st.Held().Equal(j.Remaining().Amount) {
				return fmt.Errorf("job %d: stream %d (%q, %s) holds %s, %s is owed", j.Id, st.Id, st.OwnerModule, st.Status, st.Held(), j.Remaining())
			}
		} else if !j.Status.IsFinal() {
			if err := escrowHolds(fmt.Sprintf("job %d", j.Id), j.EscrowId, sdk.NewCoins(j.Remaining())); err != nil {
				return err
			}
		}
		if err := k.Jobs.Set(ctx, j.Id, j); err != nil {
			return err
		}
	}
	for _, m := range gs.Purchases {
		client, err := k.parseAddr("purchase client", m.Client)
		if err != nil {
			return err
		}
		if err := k.Purchases.Set(ctx, collections.Join(client, m.RequestId), m.JobId); err != nil {
			return err
		}
	}
	for _, q := range gs.JobQueue {
		if err := k.JobQueue.Set(ctx, collections.Join(q.Height, q.Id)); err != nil {
			return err
		}
	}
	for _, q := range gs.RequestQueue {
		if err := k.RequestQueue.Set(ctx, collections.Join(q.Height, q.Id)); err != nil {
			return err
		}
	}
	// The prune queues follow from the settled jobs and closed requests.
	if _, err := k.rebuildPruneQueue(ctx); err != nil {
		return err
	}
	_, err := k.rebuildRequestPruneQueue(ctx)
	return err
}

// ExportGenesis exports the module's state.
func (k Keeper) ExportGenesis(ctx context.Context) (*types.GenesisState, error) {
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	gs := &types.GenesisState{Params: params}
	for _, s := range []struct {
		seq collections.Sequence
		dst *uint64
	}{{k.ListingSeq, &gs.NextListingId}, {k.RequestSeq, &gs.NextRequestId}, {k.JobSeq, &gs.NextJobId}} {
		n, err := s.seq.Peek(ctx)
		if err != nil {
			return nil, err
		}
		*s.dst = max(n, 1)
	}
	if err := k.Listings.Walk(ctx, nil, func(_ uint64, l types.Listing) (bool, error) {
		gs.Listings = append(gs.Listings, l)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Requests.Walk(ctx, nil, func(_ uint64, r types.Request) (bool, error) {
		gs.Requests = append(gs.Requests, r)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Bids.Walk(ctx, nil, func(_ collections.Pair[uint64, uint32], b types.Bid) (bool, error) {
		gs.Bids = append(gs.Bids, b)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Jobs.Walk(ctx, nil, func(_ uint64, j types.Job) (bool, error) {
		gs.Jobs = append(gs.Jobs, j)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Purchases.Walk(ctx, nil, func(key collections.Pair[sdk.AccAddress, string], id uint64) (bool, error) {
		gs.Purchases = append(gs.Purchases, types.PurchaseMarker{Client: key.K1().String(), RequestId: key.K2(), JobId: id})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.JobQueue.Walk(ctx, nil, func(key QueueKey) (bool, error) {
		gs.JobQueue = append(gs.JobQueue, types.QueueEntry{Height: key.K1(), Id: key.K2()})
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.RequestQueue.Walk(ctx, nil, func(key QueueKey) (bool, error) {
		gs.RequestQueue = append(gs.RequestQueue, types.QueueEntry{Height: key.K1(), Id: key.K2()})
		return false, nil
	}); err != nil {
		return nil, err
	}
	return gs, nil
}
