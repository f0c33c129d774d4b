package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/invariant"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	"github.com/agentchain/agentchain/x/reputation/types"
)

// recordRuling records a resolved dispute as a ruling (RATER_ROLE_RULING)
// on its provider, counted in the provider's overall and capability sums at
// the current height, like a client's rating:
//
//   - score: the provider's share in percent, rounded down
//     (types.RulingScore): a dispute lost outright scores 0, a full
//     vindication 100;
//   - weight: the job's full price (the value at stake) by the denom
//     weights, capped by max_weight_per_job. A client's rating is weighted
//     by what settled to the provider, which a lost dispute makes about
//     zero; the ruling is what makes a loss cost score in proportion to
//     the value at stake;
//   - rater: the job's arbiter, whose ruling (or whose silence until the
//     dispute timeout, which applies the default split) decided it; the
//     governance authority when the job had no arbiter (only it can rule
//     then).
//
// The caller skips self-dealt jobs. A ruling cannot be revoked; the
// provider may respond to it as to any feedback.
func (k Keeper) recordRuling(ctx context.Context, job markettypes.Job, providerShareBps uint32) error {
	key := collections.Join(job.Id, int32(types.RATER_ROLE_RULING))
	if has, err := k.Feedback.Has(ctx, key); err != nil {
		return err
	} else if has {
		// A job is resolved once; a second ruling is a broken invariant.
		return fmt.Errorf("job %d already has a ruling", job.Id)
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return err
	}
	capability, err := k.capabilityOf(ctx, job)
	if err != nil {
		return err
	}
	rater := job.Arbiter
	if rater == "" {
		rater = k.authority
	}
	fb := types.Feedback{
		JobId: job.Id, Role: types.RATER_ROLE_RULING, Rater: rater, Subject: job.Provider, Capability: capability,
		Score:  types.RulingScore(providerShareBps),
		Weight: p.WeightOf(sdk.Coins{job.Price}),
		Height: sdk.UnwrapSDKContext(ctx).BlockHeight(),
	}
	return k.addFeedback(ctx, &fb, p)
}

// checkRulings: every resolved job that was not self-dealt has exactly the
// ruling its resolution makes (on its provider, for its share, never
// revoked) or is marked as having lost it to feedback pruning (and no other
// job is marked), and every ruling belongs to such a job (or to a job pruned
// since it settled). The weight is not
// recomputed: it was taken with the denom weights of its day, which
// governance may have changed since (the aggregates invariant checks that
// it counts as recorded).
func (k Keeper) checkRulings(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	rulings := map[uint64]types.Feedback{}
	if err := k.Feedback.Walk(ctx, nil, func(key FeedbackKey, fb types.Feedback) (bool, error) {
		if fb.Role == types.RATER_ROLE_RULING {
			rulings[key.K1()] = fb
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	marked := map[uint64]bool{} // rulings pruned while their job stays
	if err := k.PrunedRulings.Walk(ctx, nil, func(id uint64) (bool, error) {
		marked[id] = true
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.market.IterateJobs(ctx, func(j markettypes.Job) (bool, error) {
		fb, has := rulings[j.Id]
		delete(rulings, j.Id)
		lost := marked[j.Id]
		delete(marked, j.Id)
		want := j.Status == markettypes.JOB_STATUS_RESOLVED && !j.SelfDealing
		switch {
		case !want && (has || lost):
			broken.Addf("job %d is %s (self-dealt: %t) but has a ruling (or lost one to pruning)", j.Id, j.Status, j.SelfDealing)
		case has && lost:
			broken.Addf("job %d has a ruling and is marked as having lost it to pruning", j.Id)
		case want && !has && !lost:
			broken.Addf("resolved job %d has no ruling", j.Id)
		case want && has && (fb.Subject != j.Provider || fb.Score != types.RulingScore(j.ProviderShareBps) || fb.Revoked || fb.RaterAgent != 0):
			broken.Addf("job %d's ruling rates agent %d %d/100 (revoked %t); its resolution makes agent %d %d/100",
				j.Id, fb.Subject, fb.Score, fb.Revoked, j.Provider, types.RulingScore(j.ProviderShareBps))
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	for _, id := range invariant.SortedKeys(marked) {
		broken.Addf("job %d is marked as having lost its ruling to pruning but is not in state", id)
	}
	for _, id := range invariant.SortedKeys(rulings) {
		// A ruling outlives its job, which leaves state after its
		// retention window.
		pruned, err := k.market.JobPruned(ctx, id)
		if err != nil {
			return nil, err
		}
		if !pruned {
			broken.Addf("ruling on job %d has no job", id)
		}
	}
	return broken.List(), nil
}
