package types

import (
	"fmt"

	sdkmath "cosmossdk.io/math"
)

// NewSignals returns an agent's empty signals.
func NewSignals(agentID uint64) Signals {
	return Signals{AgentId: agentID}
}

// OnTimeRateBps is the share of an agent's deadlines as provider that it
// met, in basis points, rounded down:
//
//	10000 × delivered_on_time / (delivered_on_time + jobs_expired)
//
// A met deadline is a milestone delivered by deliver_by (the market refuses
// any later delivery); a missed one is a job the provider accepted and let
// expire with a milestone undelivered. A job that cannot be accepted cannot
// be missed, so a stranger's hires never lower it. With neither (no
// history) the rate is 0, and the two signals beside it tell that apart
// from a provider that missed every deadline.
func OnTimeRateBps(s Signals) uint32 {
	met := sdkmath.NewIntFromUint64(s.DeliveredOnTime)
	total := met.Add(sdkmath.NewIntFromUint64(s.JobsExpired))
	if total.IsZero() {
		return 0
	}
	// met ≤ total, so the quotient is at most 10000.
	return uint32(met.MulRaw(10_000).Quo(total).Uint64())
}

// Validate checks an agent's signals on their own: an agent id, no more
// disputes lost than opened, and valid (sorted, positive) volumes.
func (s Signals) Validate() error {
	if s.AgentId == 0 {
		return fmt.Errorf("signals of agent 0")
	}
	if s.DisputesLost > s.DisputesOpened {
		return fmt.Errorf("agent %d lost more disputes than were opened against it", s.AgentId)
	}
	if err := s.Earned.Validate(); err != nil {
		return fmt.Errorf("agent %d: earned: %w", s.AgentId, err)
	}
	if err := s.Spent.Validate(); err != nil {
		return fmt.Errorf("agent %d: spent: %w", s.AgentId, err)
	}
	return nil
}
