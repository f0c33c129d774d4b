package keeper

import (
	"context"

	"github.com/agentchain/agentchain/x/market/types"
	reptypes "github.com/agentchain/agentchain/x/reputation/types"
)

// Hooks records the market's automatic signals: facts about agents that
// only jobs can produce, which no one can type in. Two rules keep them out
// of reach of anyone but the agent itself and its paying counterparties:
//
//   - a provider's record moves only through jobs it accepted. A hire that
//     is declined, withdrawn or never accepted is not on it: anyone can
//     hire a provider for 1uagnt and let the hire time out, so counting that
//     would let a stranger stain any record for the price of gas;
//   - a self-dealt job (decided at hire, kept on the job) moves no signal
//     of either side: an owner paying itself proves nothing.
//
// Inside a transaction a failing hook fails the transaction (the market
// propagates the error; out-of-gas included), so no market action happens
// without its signal. In EndBlock the market contains a failing hook and
// reports it (EventHookFailed).
type Hooks struct {
	k Keeper
}

var _ types.MarketHooks = Hooks{}

// Hooks returns the market hooks of this keeper.
func (k Keeper) Hooks() Hooks { return Hooks{k: k} }

// AfterJobDelivered counts a delivery, on time or late.
func (h Hooks) AfterJobDelivered(ctx context.Context, job types.Job, _ uint32, onTime bool) error {
	if job.SelfDealing {
		return nil
	}
	return h.k.updateSignals(ctx, job.Provider, func(s *reptypes.Signals) {
		if onTime {
			s.DeliveredOnTime++
		} else {
			s.DeliveredLate++
		}
	})
}

// AfterJobSettled counts a completed or resolved job and its volume, for
// the provider and for a client agent.
func (h Hooks) AfterJobSettled(ctx context.Context, job types.Job) error {
	if job.SelfDealing {
		return nil
	}
	if err := h.k.updateSignals(ctx, job.Provider, func(s *reptypes.Signals) {
		if job.Status == types.JOB_STATUS_RESOLVED {
			s.JobsResolved++
		} else {
			s.JobsCompleted++
		}
		s.VolumeEarned = s.VolumeEarned.Add(job.ProviderPaid.AmountOf(nativeDenom))
	}); err != nil {
		return err
	}
	spent := job.Price.Amount.Sub(job.ClientRefunded.AmountOf(job.Price.Denom))
	return h.k.updateSignals(ctx, job.ClientAgent, func(s *reptypes.Signals) {
		s.JobsAsClient++
		if job.Price.Denom == nativeDenom {
			s.VolumeSpent = s.VolumeSpent.Add(spent)
		}
	})
}

// AfterJobCancelled records nothing: a job its provider never accepted is
// not on the provider's record (see Hooks).
func (h Hooks) AfterJobCancelled(context.Context, types.Job) error { return nil }

// AfterJobExpired counts a job the provider accepted and did not deliver in
// time.
func (h Hooks) AfterJobExpired(ctx context.Context, job types.Job) error {
	if job.SelfDealing {
		return nil
	}
	return h.k.updateSignals(ctx, job.Provider, func(s *reptypes.Signals) { s.JobsExpired++ })
}

// AfterDisputeOpened counts a dispute against the provider.
func (h Hooks) AfterDisputeOpened(ctx context.Context, job types.Job) error {
	if job.SelfDealing {
		return nil
	}
	return h.k.updateSignals(ctx, job.Provider, func(s *reptypes.Signals) { s.DisputesOpened++ })
}

// AfterDisputeResolved counts a lost dispute: a ruling that gave the
// provider less than half.
func (h Hooks) AfterDisputeResolved(ctx context.Context, job types.Job, providerShareBps uint32) error {
	if job.SelfDealing || providerShareBps*2 >= types.BasisPoints {
		return nil
	}
	return h.k.updateSignals(ctx, job.Provider, func(s *reptypes.Signals) { s.DisputesLost++ })
}

// nativeDenom is the denom volumes are counted in.
const nativeDenom = "uagnt"
