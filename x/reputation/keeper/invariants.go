package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	"github.com/agentchain/agentchain/internal/invariant"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	"github.com/agentchain/agentchain/x/reputation/types"
)

// maxBroken bounds the violations an invariant reports.
const maxBroken = 20

// Invariants are the reputation module's checks of its whole state:
//
//   - aggregates: every stored aggregate equals the replay of the feedback
//     (submissions and revocations in their recorded order) from its
//     checkpoint, if feedback it counted was pruned, no aggregate lacks
//     feedback or a checkpoint behind it, and the top-agents index holds
//     exactly one entry per aggregate, at its stored score, carrying a copy
//     equal to it;
//   - signals: every agent's signals equal a replay of the jobs that made
//     them (the hooks' rules applied to every job on record) plus what
//     the jobs pruned since counted (PrunedSignals);
//   - rulings: every resolved job that was not self-dealt has the ruling
//     its resolution makes (unless its retention has passed), and every
//     ruling has such a job (rulings.go);
//   - feedback-queue: every feedback is queued for pruning at the height it
//     was given, and every checkpoint is of a stored aggregate (prune.go).
func (k Keeper) Invariants() []invariant.Invariant {
	return []invariant.Invariant{
		{Name: "reputation/aggregates", Check: k.checkAggregates},
		{Name: "reputation/signals", Check: k.checkSignals},
		{Name: "reputation/rulings", Check: k.checkRulings},
		{Name: "reputation/feedback-queue", Check: k.checkFeedbackQueue},
	}
}

func (k Keeper) checkAggregates(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	var feedback []types.Feedback
	if err := k.Feedback.Walk(ctx, nil, func(_ FeedbackKey, fb types.Feedback) (bool, error) {
		feedback = append(feedback, fb)
		return false, nil
	}); err != nil {
		return nil, err
	}
	var checkpoints []types.AggregateCheckpoint
	if err := k.Checkpoints.Walk(ctx, nil, func(_ AggKey, cp types.AggregateCheckpoint) (bool, error) {
		checkpoints = append(checkpoints, cp)
		return false, nil
	}); err != nil {
		return nil, err
	}
	replayed, err := types.Replay(feedback, checkpoints, p)
	if err != nil {
		return []string{err.Error()}, nil
	}
	stored := 0
	if err := k.Aggregates.Walk(ctx, nil, func(key AggKey, a types.Aggregate) (bool, error) {
		stored++
		r := replayed[types.AggregateKey{AgentID: key.K1(), Capability: key.K2()}]
		switch {
		case r == nil:
			broken.Addf("aggregate %d/%q has no feedback or checkpoint behind it", key.K1(), key.K2())
		case !r.WeightedScore.Equal(a.WeightedScore) || !r.Weight.Equal(a.Weight) || r.Height != a.Height || r.Count != a.Count:
			broken.Addf("aggregate %d/%q: stored %s/%s at %d (count %d), replayed %s/%s at %d (count %d)",
				key.K1(), key.K2(), a.WeightedScore, a.Weight, a.Height, a.Count, r.WeightedScore, r.Weight, r.Height, r.Count)
		}
		copied, err := k.Aggregates.Indexes.Score.Get(ctx, collections.Join(a.Capability, a.ScoreMicro), key)
		switch {
		case errors.Is(err, collections.ErrNotFound):
			broken.Addf("aggregate %d/%q is not in the top-agents index at %d", key.K1(), key.K2(), a.ScoreMicro)
		case err != nil:
			return true, err
		case !sameAggregate(copied, a):
			broken.Addf("aggregate %d/%q: the top-agents index holds %s/%s at %d (count %d), the aggregate %s/%s at %d (count %d)",
				key.K1(), key.K2(), copied.WeightedScore, copied.Weight, copied.Height, copied.Count, a.WeightedScore, a.Weight, a.Height, a.Count)
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	if stored != len(replayed) {
		broken.Addf("%d aggregates stored, the feedback makes %d", stored, len(replayed))
	}
	indexed := 0
	if err := k.Aggregates.Indexes.Score.Entries().Walk(ctx, nil, func(collections.Pair[ScoreKey, AggKey], types.Aggregate) (bool, error) {
		indexed++
		return false, nil
	}); err != nil {
		return nil, err
	}
	if indexed != stored {
		broken.Addf("the top-agents index has %d entries for %d aggregates", indexed, stored)
	}
	return broken.List(), nil
}

// ReplaySignals computes every agent's signals from the jobs on record, by
// the hooks' rules (hooks.go): jobs that were self-dealt count for no one;
// a provider is credited with milestones delivered on time (by deliver_by:
// the market takes no later delivery), completed and resolved jobs and what
// it earned on them (every denom), expired jobs, disputes opened against it
// and disputes it lost (a ruling under half); a client agent with settled
// jobs and what it spent on them (the price less the refund).
func ReplaySignals(jobs []markettypes.Job) map[uint64]*types.Signals {
	out := map[uint64]*types.Signals{}
	get := func(id uint64) *types.Signals {
		s := out[id]
		if s == nil {
			n := types.NewSignals(id)
			s = &n
			out[id] = s
		}
		return s
	}
	for _, j := range jobs {
		if j.SelfDealing {
			continue
		}
		for _, m := range j.Milestones {
			if m.DeliveredHeight != 0 && m.DeliveredHeight <= j.DeliverBy {
				get(j.Provider).DeliveredOnTime++
			}
		}
		if j.Rejection != nil {
			get(j.Provider).DisputesOpened++
		}
		switch j.Status {
		case markettypes.JOB_STATUS_EXPIRED:
			get(j.Provider).JobsExpired++
		case markettypes.JOB_STATUS_COMPLETED, markettypes.JOB_STATUS_RESOLVED:
			s := get(j.Provider)
			if j.Status == markettypes.JOB_STATUS_RESOLVED {
				s.JobsResolved++
				if j.ProviderShareBps*2 < markettypes.BasisPoints {
					s.DisputesLost++
				}
			} else {
				s.JobsCompleted++
			}
			s.Earned = s.Earned.Add(j.ProviderPaid...)
			if j.ClientAgent != 0 {
				c := get(j.ClientAgent)
				c.JobsAsClient++
				c.Spent = c.Spent.Add(spentOn(j)...)
			}
		}
	}
	return out
}

func (k Keeper) checkSignals(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	var jobs []markettypes.Job
	if err := k.market.IterateJobs(ctx, func(j markettypes.Job) (bool, error) {
		jobs = append(jobs, j)
		return false, nil
	}); err != nil {
		return nil, err
	}
	replayed := ReplaySignals(jobs)
	// Jobs pruned since they settled counted too.
	if err := k.PrunedSignals.Walk(ctx, nil, func(id uint64, s types.Signals) (bool, error) {
		r := replayed[id]
		if r == nil {
			n := types.NewSignals(id)
			r = &n
			replayed[id] = r
		}
		addSignals(r, s)
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.Signals.Walk(ctx, nil, func(id uint64, s types.Signals) (bool, error) {
		r := replayed[id]
		if r == nil {
			n := types.NewSignals(id)
			r = &n
		}
		if !signalsEqual(*r, s) {
			broken.Addf("agent %d's signals are %s; its jobs make %s", id, s.String(), r.String())
		}
		delete(replayed, id)
		return false, nil
	}); err != nil {
		return nil, err
	}
	for _, id := range invariant.SortedKeys(replayed) {
		broken.Addf("agent %d has no signals; its jobs make %s", id, replayed[id].String())
	}
	return broken.List(), nil
}

func signalsEqual(a, b types.Signals) bool {
	return a.AgentId == b.AgentId && a.JobsCompleted == b.JobsCompleted && a.JobsResolved == b.JobsResolved &&
		a.JobsExpired == b.JobsExpired && a.DisputesOpened == b.DisputesOpened && a.DisputesLost == b.DisputesLost &&
		a.DeliveredOnTime == b.DeliveredOnTime && a.JobsAsClient == b.JobsAsClient &&
		a.Earned.Equal(b.Earned) && a.Spent.Equal(b.Spent)
}

// sameAggregate reports whether two aggregates hold the same values.
func sameAggregate(a, b types.Aggregate) bool {
	return a.AgentId == b.AgentId && a.Capability == b.Capability && a.WeightedScore.Equal(b.WeightedScore) &&
		a.Weight.Equal(b.Weight) && a.Height == b.Height && a.Count == b.Count && a.ScoreMicro == b.ScoreMicro
}
