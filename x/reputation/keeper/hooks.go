package keeper

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/x/market/types"
	reptypes "github.com/agentchain/agentchain/x/reputation/types"
)

// Hooks records the market's automatic signals: facts about agents that
// only jobs can produce, which no one can type in, and the rulings of
// disputes, which count in the provider's score (rulings.go). Two rules
// keep them out of reach of anyone but the agent itself and its paying
// counterparties:
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

// AfterJobDelivered counts a milestone delivered on time. The market
// refuses a delivery after deliver_by, so onTime is always true; should it
// ever be false, nothing is counted (a missed deadline is counted once, when
// the job expires).
func (h Hooks) AfterJobDelivered(ctx context.Context, job types.Job, _ uint32, onTime bool) error {
	if job.SelfDealing || !onTime {
		return nil
	}
	return h.k.updateSignals(ctx, job.Provider, func(s *reptypes.Signals) { s.DeliveredOnTime++ })
}

// AfterJobSettled counts a completed or resolved job and its volume in
// every denom, for the provider and for a client agent.
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
		s.Earned = s.Earned.Add(job.ProviderPaid...)
	}); err != nil {
		return err
	}
	return h.k.updateSignals(ctx, job.ClientAgent, func(s *reptypes.Signals) {
		s.JobsAsClient++
		s.Spent = s.Spent.Add(spentOn(job)...)
	})
}

// spentOn is what the client paid for a settled job: its price less what
// came back, in the price's denom (empty when nothing was spent).
func spentOn(job types.Job) sdk.Coins {
	spent := job.Price.Amount.Sub(job.ClientRefunded.AmountOf(job.Price.Denom))
	if !spent.IsPositive() {
		return nil
	}
	return sdk.NewCoins(sdk.NewCoin(job.Price.Denom, spent))
}

// AfterJobCancelled records nothing: a job its provider never accepted is
// not on the provider's record (see Hooks).
func (h Hooks) AfterJobCancelled(context.Context, types.Job) error { return nil }

// AfterJobExpired counts a job the provider accepted and did not deliver in
// time: the market expires only IN_PROGRESS jobs (a FUNDED job, never
// accepted, is cancelled instead).
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

// AfterDisputeResolved records the outcome of a dispute, from an arbiter's
// ruling or from the timeout's default split. It counts in the provider's
// score like a client's rating (recordRuling): the provider's share as the
// score, the job's full price as the weight. Without it a lost dispute would
// weigh nothing, since a client's rating is weighted by what settled to the
// provider. A ruling under half also counts as a lost dispute in the
// signals.
func (h Hooks) AfterDisputeResolved(ctx context.Context, job types.Job, providerShareBps uint32) error {
	if job.SelfDealing {
		return nil
	}
	if err := h.k.recordRuling(ctx, job, providerShareBps); err != nil {
		return err
	}
	if providerShareBps*2 >= types.BasisPoints {
		return nil
	}
	return h.k.updateSignals(ctx, job.Provider, func(s *reptypes.Signals) { s.DisputesLost++ })
}
