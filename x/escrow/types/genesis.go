package types

import (
	"fmt"
)

// DefaultGenesis returns the genesis state of a new chain.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), NextEscrowId: 1, NextStreamId: 1}
}

// Validate checks a genesis state: valid params and escrows, unique ids
// below next_escrow_id, and queue entries only for escrows that wait on
// them (locked direct escrows with that expiry, disputed ones with that
// deadline), each escrow at most once per queue.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	if gs.NextEscrowId == 0 {
		return fmt.Errorf("next_escrow_id must be at least 1")
	}
	byID := make(map[uint64]*Escrow, len(gs.Escrows))
	for i := range gs.Escrows {
		e := &gs.Escrows[i]
		if e.Id >= gs.NextEscrowId {
			return fmt.Errorf("escrow %d: id not below next_escrow_id %d", e.Id, gs.NextEscrowId)
		}
		if byID[e.Id] != nil {
			return fmt.Errorf("duplicate escrow id %d", e.Id)
		}
		if err := e.Validate(); err != nil {
			return fmt.Errorf("escrow %d: %w", e.Id, err)
		}
		byID[e.Id] = e
	}
	streams := make(map[uint64]bool, len(gs.Streams))
	for _, st := range gs.Streams {
		if st.Id >= gs.NextStreamId {
			return fmt.Errorf("stream %d: id not below next_stream_id %d", st.Id, gs.NextStreamId)
		}
		if streams[st.Id] {
			return fmt.Errorf("duplicate stream id %d", st.Id)
		}
		if err := st.Validate(); err != nil {
			return fmt.Errorf("stream %d: %w", st.Id, err)
		}
		streams[st.Id] = true
	}
	seen := map[uint64]bool{}
	for _, q := range gs.ExpiryQueue {
		e := byID[q.EscrowId]
		if e == nil {
			return fmt.Errorf("expiry queue entry for missing escrow %d", q.EscrowId)
		}
		if !e.IsDirect() || e.Status != ESCROW_STATUS_LOCKED || e.ExpiresHeight != q.Height {
			return fmt.Errorf("expiry queue entry (%d, %d) does not match escrow %d", q.Height, q.EscrowId, e.Id)
		}
		if seen[q.EscrowId] {
			return fmt.Errorf("escrow %d queued twice for expiry", q.EscrowId)
		}
		seen[q.EscrowId] = true
	}
	seen = map[uint64]bool{}
	for _, q := range gs.DisputeQueue {
		e := byID[q.EscrowId]
		if e == nil {
			return fmt.Errorf("dispute queue entry for missing escrow %d", q.EscrowId)
		}
		if e.Status != ESCROW_STATUS_DISPUTED || e.Dispute.DeadlineHeight != q.Height {
			return fmt.Errorf("dispute queue entry (%d, %d) does not match escrow %d", q.Height, q.EscrowId, e.Id)
		}
		if seen[q.EscrowId] {
			return fmt.Errorf("escrow %d queued twice for dispute timeout", q.EscrowId)
		}
		seen[q.EscrowId] = true
	}
	return nil
}
