package types

import (
	"fmt"
	"sort"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultGenesis returns the genesis state of a new chain.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), NextSeq: 1}
}

// AggregateKey identifies an aggregate.
type AggregateKey struct {
	AgentID    uint64
	Capability string
}

// Replay rebuilds every aggregate from the feedback, applying submissions
// and revocations in their recorded order (seq) exactly as the keeper did.
// An aggregate with a checkpoint (its state when feedback it counted was
// pruned) starts from it, and takes only the changes after its seq: the
// ones before are in it.
func Replay(feedback []Feedback, checkpoints []AggregateCheckpoint, p Params) (map[AggregateKey]*Aggregate, error) {
	type event struct {
		seq    uint64
		height int64
		fb     *Feedback
		revoke bool
	}
	var events []event
	for i := range feedback {
		fb := &feedback[i]
		events = append(events, event{seq: fb.Seq, height: fb.Height, fb: fb})
		if fb.Revoked {
			events = append(events, event{seq: fb.RevokeSeq, height: fb.RevokedHeight, fb: fb, revoke: true})
		}
	}
	sort.Slice(events, func(a, b int) bool { return events[a].seq < events[b].seq })
	out := map[AggregateKey]*Aggregate{}
	since := map[AggregateKey]uint64{}
	for _, cp := range checkpoints {
		k := AggregateKey{cp.Aggregate.AgentId, cp.Aggregate.Capability}
		if _, dup := since[k]; dup {
			return nil, fmt.Errorf("two checkpoints of aggregate %d/%q", k.AgentID, k.Capability)
		}
		a := cp.Aggregate
		out[k], since[k] = &a, cp.Seq
	}
	for i, e := range events {
		if i > 0 && e.seq == events[i-1].seq {
			return nil, fmt.Errorf("sequence %d used twice", e.seq)
		}
		// Heights may be negative after a zero-height restart; they never go
		// down along the sequence.
		if i > 0 && e.height < events[i-1].height {
			return nil, fmt.Errorf("sequence %d at height %d comes after height %d", e.seq, e.height, events[i-1].height)
		}
		for _, capability := range AggregateCapabilities(*e.fb) {
			k := AggregateKey{e.fb.Subject, capability}
			if e.seq <= since[k] {
				continue // counted in the checkpoint
			}
			agg := out[k]
			if agg == nil {
				a := NewAggregate(e.fb.Subject, capability)
				agg = &a
				out[k] = agg
			}
			agg.DecayTo(e.height, p.HalfLifeBlocks)
			if e.revoke {
				agg.Remove(e.fb.Weight, e.fb.Score, e.fb.Height, p.HalfLifeBlocks)
			} else {
				agg.Add(e.fb.Weight, e.fb.Score)
			}
		}
	}
	return out, nil
}

// AggregateCapabilities lists the aggregates a feedback counts in: the
// subject's overall score (""), and, when the subject was the provider (a
// client's rating or a ruling), its score for the job's capability. A
// client is rated as a client, not as a practitioner of the capability it
// bought.
func AggregateCapabilities(fb Feedback) []string {
	if fb.Capability == "" || !RatesProvider(fb.Role) {
		return []string{""}
	}
	return []string{"", fb.Capability}
}

// RatesProvider reports whether feedback of this role rates the job's
// provider.
func RatesProvider(role RaterRole) bool {
	return role == RATER_ROLE_CLIENT || role == RATER_ROLE_RULING
}

// ValidRole reports whether a role can be stored.
func ValidRole(role RaterRole) bool {
	return role == RATER_ROLE_CLIENT || role == RATER_ROLE_PROVIDER || role == RATER_ROLE_RULING
}

// Validate checks a genesis state: params, well-formed unique feedback and
// signals, sequence numbers below next_seq, and aggregates that equal a
// replay of the stored feedback in its recorded order. References to jobs
// and agents are checked at InitGenesis, where those modules are at hand.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	if gs.NextSeq == 0 {
		return fmt.Errorf("next_seq starts at 1")
	}
	type fbKey struct {
		job  uint64
		role RaterRole
	}
	seen := map[fbKey]bool{}
	for _, fb := range gs.Feedback {
		k := fbKey{fb.JobId, fb.Role}
		if seen[k] {
			return fmt.Errorf("duplicate feedback on job %d by %s", fb.JobId, fb.Role)
		}
		seen[k] = true
		if !ValidRole(fb.Role) {
			return fmt.Errorf("feedback on job %d: role %d", fb.JobId, fb.Role)
		}
		// A ruling is no agent's rating and is never withdrawn.
		if fb.Role == RATER_ROLE_RULING && (fb.RaterAgent != 0 || fb.Revoked) {
			return fmt.Errorf("ruling on job %d: has a rater agent or is revoked", fb.JobId)
		}
		if _, err := sdk.AccAddressFromBech32(fb.Rater); err != nil {
			return fmt.Errorf("feedback on job %d: rater: %w", fb.JobId, err)
		}
		if fb.Score > MaxScore || fb.Subject == 0 || fb.Weight.IsNil() || fb.Weight.IsNegative() {
			return fmt.Errorf("feedback on job %d: bad score, subject or weight", fb.JobId)
		}
		if fb.Seq == 0 || fb.Seq >= gs.NextSeq || (fb.Revoked && (fb.RevokeSeq <= fb.Seq || fb.RevokeSeq >= gs.NextSeq)) {
			return fmt.Errorf("feedback on job %d: sequence out of range", fb.JobId)
		}
	}
	for _, cp := range gs.Checkpoints {
		a := cp.Aggregate
		if a.AgentId == 0 || cp.Seq == 0 || cp.Seq >= gs.NextSeq || a.WeightedScore.IsNil() || a.Weight.IsNil() {
			return fmt.Errorf("checkpoint of aggregate %d/%q: bad agent, sequence or sums", a.AgentId, a.Capability)
		}
	}
	lost := map[uint64]bool{}
	for _, id := range gs.PrunedRulings {
		if id == 0 || lost[id] || seen[fbKey{id, RATER_ROLE_RULING}] {
			return fmt.Errorf("pruned ruling of job %d: zero, listed twice, or the ruling is in state", id)
		}
		lost[id] = true
	}
	replayed, err := Replay(gs.Feedback, gs.Checkpoints, gs.Params)
	if err != nil {
		return err
	}
	stored := map[AggregateKey]bool{}
	for _, a := range gs.Aggregates {
		k := AggregateKey{a.AgentId, a.Capability}
		if stored[k] {
			return fmt.Errorf("duplicate aggregate %d/%q", a.AgentId, a.Capability)
		}
		stored[k] = true
		r := replayed[k]
		if r == nil {
			return fmt.Errorf("aggregate %d/%q has no feedback or checkpoint behind it", a.AgentId, a.Capability)
		}
		if !r.WeightedScore.Equal(a.WeightedScore) || !r.Weight.Equal(a.Weight) || r.Height != a.Height || r.Count != a.Count {
			return fmt.Errorf("aggregate %d/%q is not the replay of its feedback: stored %s/%s at %d (%d), replayed %s/%s at %d (%d)",
				a.AgentId, a.Capability, a.WeightedScore, a.Weight, a.Height, a.Count, r.WeightedScore, r.Weight, r.Height, r.Count)
		}
	}
	if len(stored) != len(replayed) {
		return fmt.Errorf("%d aggregates stored, the feedback makes %d", len(stored), len(replayed))
	}
	agents := map[uint64]bool{}
	for _, s := range gs.Signals {
		if err := s.Validate(); err != nil {
			return err
		}
		if agents[s.AgentId] {
			return fmt.Errorf("duplicate signals of agent %d", s.AgentId)
		}
		agents[s.AgentId] = true
	}
	pruned := map[uint64]bool{}
	for _, s := range gs.PrunedSignals {
		if err := s.Validate(); err != nil {
			return fmt.Errorf("pruned signals: %w", err)
		}
		// What pruned jobs counted is part of the agent's signals.
		if !agents[s.AgentId] || pruned[s.AgentId] {
			return fmt.Errorf("pruned signals of agent %d: duplicate, or the agent has no signals", s.AgentId)
		}
		pruned[s.AgentId] = true
	}
	return nil
}
