// Package keeper holds x/reputation's state: feedback on settled jobs, the
// decayed weighted sums that make scores, the market's automatic signals,
// and the index that serves the top agents of a capability.
package keeper

import (
	"context"
	"errors"
	"fmt"
	"math"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	"cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/log"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/collidx"
	"github.com/agentchain/agentchain/internal/keeperutil"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	"github.com/agentchain/agentchain/x/reputation/types"
)

// FeedbackKey is (job id, rater role).
type FeedbackKey = collections.Pair[uint64, int32]

// AggKey is (agent id, capability; "" overall).
type AggKey = collections.Pair[uint64, string]

// ScoreKey orders aggregates of a capability by their score at last write.
type ScoreKey = collections.Pair[string, uint64]

// FeedbackIndexes are the secondary indexes of feedback.
type FeedbackIndexes struct {
	// Subject lists the feedback an agent received.
	Subject *collidx.Many[uint64, FeedbackKey, types.Feedback]
	// Rater lists the feedback an agent gave (raters that are agents).
	Rater *collidx.Many[uint64, FeedbackKey, types.Feedback]
}

// IndexesList implements collections.Indexes.
func (i FeedbackIndexes) IndexesList() []collections.Index[FeedbackKey, types.Feedback] {
	return []collections.Index[FeedbackKey, types.Feedback]{i.Subject, i.Rater}
}

// AggregateIndexes are the secondary indexes of aggregates.
type AggregateIndexes struct {
	// Score holds (capability, score at last write, aggregate key) → a copy
	// of the aggregate, so the top-agents query re-scores its candidates
	// from adjacent entries without reading each aggregate (state v2).
	Score *collidx.Covering[ScoreKey, AggKey, types.Aggregate]
}

// IndexesList implements collections.Indexes.
func (i AggregateIndexes) IndexesList() []collections.Index[AggKey, types.Aggregate] {
	return []collections.Index[AggKey, types.Aggregate]{i.Score}
}

// Keeper is x/reputation's keeper.
type Keeper struct {
	cdc          codec.BinaryCodec
	addressCodec address.Codec
	authority    string
	logger       log.Logger
	agents       types.AgentKeeper
	market       types.MarketKeeper

	Schema     collections.Schema
	Params     collections.Item[types.Params]
	Seq        collections.Sequence
	Feedback   *collidx.IndexedMap[FeedbackKey, types.Feedback, FeedbackIndexes]
	Aggregates *collidx.IndexedMap[AggKey, types.Aggregate, AggregateIndexes]
	Signals    collections.Map[uint64, types.Signals]
	// PrunedSignals holds, per agent, the part of its signals made by jobs
	// the market has pruned (the signals invariant adds it to its replay).
	PrunedSignals collections.Map[uint64, types.Signals]
	// FeedbackQueue holds (height a feedback was given, its job id) for
	// every feedback: EndBlock prunes a job's feedback
	// feedback_retention_blocks after it was given.
	FeedbackQueue collections.KeySet[keeperutil.QueueKey]
	// Checkpoints holds, per aggregate, its state when feedback it counted
	// was last pruned, and the last change it includes.
	Checkpoints collections.Map[AggKey, types.AggregateCheckpoint]
	// PrunedRulings holds the resolved jobs still in the market's state
	// whose ruling was pruned; BeforeJobPruned removes a job's id.
	PrunedRulings collections.KeySet[uint64]
}

// NewKeeper returns the keeper.
func NewKeeper(
	cdc codec.BinaryCodec,
	storeService store.KVStoreService,
	ac address.Codec,
	agents types.AgentKeeper,
	market types.MarketKeeper,
	authority string,
	logger log.Logger,
) Keeper {
	if _, err := ac.StringToBytes(authority); err != nil {
		panic(fmt.Errorf("invalid reputation authority %q: %w", authority, err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	fbKeyCodec := collections.PairKeyCodec(collections.Uint64Key, collections.Int32Key)
	aggKeyCodec := collections.PairKeyCodec(collections.Uint64Key, collections.StringKey)
	k := Keeper{
		cdc: cdc, addressCodec: ac, authority: authority,
		logger: logger.With("module", "x/"+types.ModuleName),
		agents: agents, market: market,
		Params: collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Seq:    collections.NewSequence(sb, types.SeqKey, "seq"),
		Feedback: collidx.NewIndexedMap(sb, types.FeedbackKey, "feedback", fbKeyCodec,
			codec.CollValue[types.Feedback](cdc), FeedbackIndexes{
				Subject: collidx.NewMany(sb, types.FeedbackBySubjectKey, "feedback_by_subject", collections.Uint64Key, fbKeyCodec,
					func(_ FeedbackKey, f types.Feedback) ([]uint64, error) { return []uint64{f.Subject}, nil }),
				Rater: collidx.NewMany(sb, types.FeedbackByRaterKey, "feedback_by_rater", collections.Uint64Key, fbKeyCodec,
					func(_ FeedbackKey, f types.Feedback) ([]uint64, error) {
						if f.RaterAgent == 0 {
							return nil, nil
						}
						return []uint64{f.RaterAgent}, nil
					}),
			}),
		Aggregates: collidx.NewIndexedMap(sb, types.AggregatesKey, "aggregates", aggKeyCodec,
			codec.CollValue[types.Aggregate](cdc), AggregateIndexes{
				Score: collidx.NewCovering(sb, types.AggregatesByScoreKey, "aggregates_by_score",
					collections.PairKeyCodec(collections.StringKey, collections.Uint64Key), aggKeyCodec,
					codec.CollValue[types.Aggregate](cdc),
					func(_ AggKey, a types.Aggregate) ([]ScoreKey, error) {
						return []ScoreKey{collections.Join(a.Capability, a.ScoreMicro)}, nil
					}),
			}),
		Signals:       collections.NewMap(sb, types.SignalsKey, "signals", collections.Uint64Key, codec.CollValue[types.Signals](cdc)),
		PrunedSignals: collections.NewMap(sb, types.PrunedSignalsKey, "pruned_signals", collections.Uint64Key, codec.CollValue[types.Signals](cdc)),
		FeedbackQueue: collections.NewKeySet(sb, types.FeedbackQueueKey, "feedback_queue", keeperutil.QueueKeyCodec),
		Checkpoints: collections.NewMap(sb, types.CheckpointsKey, "checkpoints", aggKeyCodec,
			codec.CollValue[types.AggregateCheckpoint](cdc)),
		PrunedRulings: collections.NewKeySet(sb, types.PrunedRulingsKey, "pruned_rulings", collections.Uint64Key),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// Authority returns the gov authority.
func (k Keeper) Authority() string { return k.authority }

// nextSeq issues the next change sequence number (from 1).
func (k Keeper) nextSeq(ctx context.Context) (uint64, error) {
	s, err := k.Seq.Next(ctx)
	if err != nil {
		return 0, err
	}
	if s == 0 {
		return k.Seq.Next(ctx)
	}
	return s, nil
}

// aggregate returns the stored sums of an agent and capability, or empty ones.
func (k Keeper) aggregate(ctx context.Context, agentID uint64, capability string) (types.Aggregate, error) {
	a, err := k.Aggregates.Get(ctx, collections.Join(agentID, capability))
	if errors.Is(err, collections.ErrNotFound) {
		return types.NewAggregate(agentID, capability), nil
	}
	return a, err
}

// applyFeedback adds (or, with revoke, removes) a feedback's contribution
// to its subject's overall and capability sums, at the current height.
func (k Keeper) applyFeedback(ctx context.Context, fb types.Feedback, p types.Params, revoke bool) (types.Aggregate, error) {
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	var overall types.Aggregate
	for _, capability := range types.AggregateCapabilities(fb) {
		agg, err := k.aggregate(ctx, fb.Subject, capability)
		if err != nil {
			return overall, err
		}
		agg.DecayTo(height, p.HalfLifeBlocks)
		if revoke {
			agg.Remove(fb.Weight, fb.Score, fb.Height, p.HalfLifeBlocks)
		} else {
			agg.Add(fb.Weight, fb.Score)
		}
		agg.ScoreMicro = types.ScoreMicro(types.Score(agg.WeightedScore, agg.Weight, p))
		if err := k.Aggregates.Set(ctx, collections.Join(fb.Subject, capability), agg); err != nil {
			return overall, err
		}
		if capability == "" {
			overall = agg
		}
	}
	return overall, nil
}

// Reputation returns an agent's score, weight and count for a capability
// ("" overall) at the context's height.
func (k Keeper) Reputation(ctx context.Context, agentID uint64, capability string) (score, weight sdkmath.LegacyDec, count uint64, err error) {
	p, err := k.Params.Get(ctx)
	if err != nil {
		return score, weight, 0, err
	}
	agg, err := k.aggregate(ctx, agentID, capability)
	if err != nil {
		return score, weight, 0, err
	}
	score, weight = agg.ScoreAt(sdk.UnwrapSDKContext(ctx).BlockHeight(), p)
	return score, weight, agg.Count, nil
}

// AgentScore implements the market's ReputationReader: an agent's overall
// score at the current height, rounded down to a whole number.
func (k Keeper) AgentScore(ctx context.Context, agentID uint64) (uint32, error) {
	score, _, _, err := k.Reputation(ctx, agentID, "")
	if err != nil {
		return 0, err
	}
	s := score.TruncateInt64()
	if s < 0 || s > math.MaxUint32 {
		return 0, fmt.Errorf("score %s out of range", score)
	}
	return uint32(s), nil
}

var _ markettypes.ReputationReader = Keeper{}

// capabilityOf returns the capability a job was for.
func (k Keeper) capabilityOf(ctx context.Context, j markettypes.Job) (string, error) {
	if j.ListingId != 0 {
		l, err := k.market.GetListing(ctx, j.ListingId)
		if err != nil {
			return "", err
		}
		return l.Capability, nil
	}
	r, err := k.market.GetRequest(ctx, j.RequestId)
	if err != nil {
		return "", err
	}
	return r.Capability, nil
}

// getAgent returns an agent; one that does not exist is refused with the
// reputation module's own error.
func (k Keeper) getAgent(ctx context.Context, id uint64) (agentidtypes.Agent, error) {
	a, err := k.agents.GetAgent(ctx, id)
	if errors.Is(err, agentidtypes.ErrAgentNotFound) {
		return a, errorsmod.Wrapf(types.ErrAgentNotFound, "agent %d", id)
	}
	return a, err
}

func (k Keeper) parseAddr(field, s string) (sdk.AccAddress, error) {
	return keeperutil.ParseAddress(k.addressCodec, types.ErrInvalidAddress, field, s)
}

// signals returns an agent's signals, or zero ones.
func (k Keeper) signals(ctx context.Context, agentID uint64) (types.Signals, error) {
	s, err := k.Signals.Get(ctx, agentID)
	if errors.Is(err, collections.ErrNotFound) {
		return types.NewSignals(agentID), nil
	}
	return s, err
}

// updateSignals applies f to an agent's signals.
func (k Keeper) updateSignals(ctx context.Context, agentID uint64, f func(s *types.Signals)) error {
	if agentID == 0 {
		return nil
	}
	s, err := k.signals(ctx, agentID)
	if err != nil {
		return err
	}
	f(&s)
	return k.Signals.Set(ctx, agentID, s)
}
