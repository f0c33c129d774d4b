package keeper

import (
	"context"
	"errors"
	"math"
	"sort"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/agentchain/agentchain/internal/invariant"
	"github.com/agentchain/agentchain/internal/keeperutil"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	"github.com/agentchain/agentchain/x/reputation/types"
)

type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer { return queryServer{k: k} }

func normalizeCapability(c string) (string, error) {
	if c == "" {
		return "", nil
	}
	caps, err := agentidtypes.NormalizeCapabilities([]string{c}, 1)
	if err != nil {
		return "", err
	}
	return caps[0], nil
}

// Reputation implements types.QueryServer.
func (q queryServer) Reputation(ctx context.Context, req *types.QueryReputationRequest) (*types.QueryReputationResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, err := q.k.agents.GetAgent(ctx, req.AgentId); err != nil {
		return nil, status.Error(codes.NotFound, err.Error())
	}
	capability, err := normalizeCapability(req.Capability)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	score, weight, count, err := q.k.Reputation(ctx, req.AgentId, capability)
	if err != nil {
		return nil, err
	}
	signals, err := q.k.signals(ctx, req.AgentId)
	if err != nil {
		return nil, err
	}
	return &types.QueryReputationResponse{
		AgentId: req.AgentId, Capability: capability, Score: score, Weight: weight, Count: count, Signals: signals,
		OnTimeRateBps: types.OnTimeRateBps(signals),
	}, nil
}

// Feedback implements types.QueryServer.
func (q queryServer) Feedback(ctx context.Context, req *types.QueryFeedbackRequest) (*types.QueryFeedbackResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	fb, err := q.k.getFeedback(ctx, req.JobId, req.Role)
	if errors.Is(err, types.ErrFeedbackNotFound) {
		return nil, status.Error(codes.NotFound, err.Error())
	}
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryFeedbackResponse{Feedback: fb}, nil
}

func (q queryServer) feedbackPage(ctx context.Context, idx *collections.KeySet[collections.Pair[uint64, FeedbackKey]], agentID uint64, p *query.PageRequest) (*types.QueryFeedbackListResponse, error) {
	keys, page, err := query.CollectionPaginate(ctx, *idx, keeperutil.BoundPage(p),
		func(key collections.Pair[uint64, FeedbackKey], _ collections.NoValue) (FeedbackKey, error) {
			return key.K2(), nil
		},
		query.WithCollectionPaginationPairPrefix[uint64, FeedbackKey](agentID))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	out := make([]types.Feedback, 0, len(keys))
	for _, key := range keys {
		fb, err := q.k.Feedback.Get(ctx, key)
		if err != nil {
			return nil, err
		}
		out = append(out, fb)
	}
	return &types.QueryFeedbackListResponse{Feedback: out, Pagination: page}, nil
}

// FeedbackReceived implements types.QueryServer.
func (q queryServer) FeedbackReceived(ctx context.Context, req *types.QueryFeedbackReceivedRequest) (*types.QueryFeedbackListResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	keys := q.k.Feedback.Indexes.Subject.Keys()
	return q.feedbackPage(ctx, &keys, req.AgentId, req.Pagination)
}

// FeedbackGiven implements types.QueryServer.
func (q queryServer) FeedbackGiven(ctx context.Context, req *types.QueryFeedbackGivenRequest) (*types.QueryFeedbackListResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	keys := q.k.Feedback.Indexes.Rater.Keys()
	return q.feedbackPage(ctx, &keys, req.AgentId, req.Pagination)
}

// TopAgents implements types.QueryServer. The index orders agents by their
// score at their last write; decay has moved every score toward the prior
// since, at its own pace. So the query reads the limit + top_candidates_slack
// best entries of the index, re-scores each at the current height, and
// returns them in exact current order. An agent outside those candidates
// can only be missing if decay carried it past more than
// top_candidates_slack agents above it; its cost depends on limit + slack,
// never on the number of agents.
func (q queryServer) TopAgents(ctx context.Context, req *types.QueryTopAgentsRequest) (*types.QueryTopAgentsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	capability, err := normalizeCapability(req.Capability)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	limit := req.Limit
	if limit == 0 {
		limit = types.DefaultTopLimit
	}
	if limit > types.MaxTopLimit {
		limit = types.MaxTopLimit
	}
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	want := int(limit + p.TopCandidatesSlack)
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	rng := new(collections.Range[collections.Pair[ScoreKey, AggKey]]).
		StartInclusive(collections.Join(collections.Join(capability, uint64(0)), collections.Join(uint64(0), ""))).
		EndInclusive(collections.Join(collections.Join(capability, uint64(math.MaxUint64)), collections.Join(uint64(math.MaxUint64), ""))).
		Descending()
	var ranked []types.RankedAgent
	// The index entries carry the aggregates: one walk over adjacent
	// entries, no read per candidate.
	err = q.k.Aggregates.Indexes.Score.Entries().Walk(ctx, rng, func(key collections.Pair[ScoreKey, AggKey], agg types.Aggregate) (bool, error) {
		if agg.AgentId == 0 {
			// An entry written before the v2 upgrade (a query at an older
			// height) holds no copy: read the aggregate itself.
			var err error
			if agg, err = q.k.Aggregates.Get(ctx, key.K2()); err != nil {
				return true, err
			}
		}
		if agg.Capability != capability {
			return false, nil
		}
		score, weight := agg.ScoreAt(height, p)
		ranked = append(ranked, types.RankedAgent{AgentId: agg.AgentId, Score: score, Weight: weight, Count: agg.Count})
		return len(ranked) >= want, nil
	})
	if err != nil {
		return nil, err
	}
	candidates := len(ranked)
	sort.SliceStable(ranked, func(a, b int) bool {
		// Compared in place: a subtraction would allocate on every step.
		if !ranked[a].Score.Equal(ranked[b].Score) {
			return ranked[a].Score.GT(ranked[b].Score)
		}
		return ranked[a].AgentId < ranked[b].AgentId
	})
	if len(ranked) > int(limit) {
		ranked = ranked[:limit]
	}
	return &types.QueryTopAgentsResponse{Agents: ranked, Candidates: uint32(candidates)}, nil
}

// Params implements types.QueryServer.
func (q queryServer) Params(ctx context.Context, _ *types.QueryParamsRequest) (*types.QueryParamsResponse, error) {
	p, err := q.k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	return &types.QueryParamsResponse{Params: p}, nil
}

// Invariants implements types.QueryServer.
func (q queryServer) Invariants(ctx context.Context, _ *types.QueryInvariantsRequest) (*types.QueryInvariantsResponse, error) {
	checked, broken, err := invariant.Run(ctx, q.k.Invariants())
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &types.QueryInvariantsResponse{Checked: checked, Broken: broken}, nil
}
