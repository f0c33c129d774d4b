package keeper

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/agentchain/agentchain/internal/invariant"
	"github.com/agentchain/agentchain/internal/keeperutil"
	"github.com/agentchain/agentchain/x/agentid/types"
)

type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the module's Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{k: k}
}

func (q queryServer) agentResponse(a types.Agent) *types.QueryAgentResponse {
	return &types.QueryAgentResponse{Agent: a, PayoutAddress: a.Payout()}
}

func notFound(err error) error {
	if errors.Is(err, types.ErrAgentNotFound) {
		return status.Error(codes.NotFound, err.Error())
	}
	return err
}

// Agent implements types.QueryServer.
func (q queryServer) Agent(ctx context.Context, req *types.QueryAgentRequest) (*types.QueryAgentResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	a, err := q.k.GetAgent(ctx, req.Id)
	if err != nil {
		return nil, notFound(err)
	}
	return q.agentResponse(a), nil
}

// AgentByName implements types.QueryServer.
func (q queryServer) AgentByName(ctx context.Context, req *types.QueryAgentByNameRequest) (*types.QueryAgentResponse, error) {
	if req == nil || req.Name == "" {
		return nil, status.Error(codes.InvalidArgument, "name is required")
	}
	a, err := q.k.GetAgentByName(ctx, req.Name)
	if err != nil {
		return nil, notFound(err)
	}
	return q.agentResponse(a), nil
}

// AgentByAddress implements types.QueryServer.
func (q queryServer) AgentByAddress(ctx context.Context, req *types.QueryAgentByAddressRequest) (*types.QueryAgentResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	addr, err := q.k.parseAddr("address", req.Address)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	a, found, err := q.k.GetAgentByAddress(ctx, addr)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, status.Error(codes.NotFound, errorsmod.Wrapf(types.ErrAgentNotFound, "no agent has address %s", req.Address).Error())
	}
	return q.agentResponse(a), nil
}

// Agents implements types.QueryServer.
func (q queryServer) Agents(ctx context.Context, req *types.QueryAgentsRequest) (*types.QueryAgentsResponse, error) {
	if req == nil {
		req = &types.QueryAgentsRequest{}
	}
	agents, page, err := query.CollectionPaginate(ctx, q.k.Agents, keeperutil.BoundPage(req.Pagination),
		func(_ uint64, a types.Agent) (types.Agent, error) { return a, nil })
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryAgentsResponse{Agents: agents, Pagination: page}, nil
}

// agentsByIDs loads the agents of an index page.
func (q queryServer) loadAgents(ctx context.Context, ids []uint64) ([]types.Agent, error) {
	out := make([]types.Agent, 0, len(ids))
	for _, id := range ids {
		a, err := q.k.Agents.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// AgentsByOwner implements types.QueryServer.
func (q queryServer) AgentsByOwner(ctx context.Context, req *types.QueryAgentsByOwnerRequest) (*types.QueryAgentsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	owner, err := q.k.parseAddr("owner", req.Owner)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	ids, page, err := query.CollectionPaginate(ctx, q.k.Agents.Indexes.Owner.Keys(), keeperutil.BoundPage(req.Pagination),
		func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (uint64, error) {
			return key.K2(), nil
		},
		query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](owner))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	agents, err := q.loadAgents(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &types.QueryAgentsResponse{Agents: agents, Pagination: page}, nil
}

// AgentsByCapability implements types.QueryServer.
func (q queryServer) AgentsByCapability(ctx context.Context, req *types.QueryAgentsByCapabilityRequest) (*types.QueryAgentsResponse, error) {
	if req == nil || req.Capability == "" {
		return nil, status.Error(codes.InvalidArgument, "capability is required")
	}
	capability := types.NormalizeCapability(req.Capability)
	ids, page, err := query.CollectionPaginate(ctx, q.k.Agents.Indexes.Capability.Keys(), keeperutil.BoundPage(req.Pagination),
		func(key collections.Pair[string, uint64], _ collections.NoValue) (uint64, error) {
			return key.K2(), nil
		},
		query.WithCollectionPaginationPairPrefix[string, uint64](capability))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	agents, err := q.loadAgents(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &types.QueryAgentsResponse{Agents: agents, Pagination: page}, nil
}

// Attestations implements types.QueryServer.
func (q queryServer) Attestations(ctx context.Context, req *types.QueryAttestationsRequest) (*types.QueryAttestationsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, err := q.k.GetAgent(ctx, req.AgentId); err != nil {
		return nil, notFound(err)
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	views, page, err := query.CollectionPaginate(ctx, q.k.Attestations, keeperutil.BoundPage(req.Pagination),
		func(_ AttestationKey, a types.Attestation) (types.AttestationView, error) {
			return types.AttestationView{Attestation: a, Expired: a.ExpiresHeight != 0 && height >= a.ExpiresHeight}, nil
		},
		query.WithCollectionPaginationPairPrefix[uint64, collections.Pair[sdk.AccAddress, string]](req.AgentId))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryAttestationsResponse{Attestations: views, Pagination: page}, nil
}

// SpendPolicies implements types.QueryServer.
func (q queryServer) SpendPolicies(ctx context.Context, req *types.QuerySpendPoliciesRequest) (*types.QuerySpendPoliciesResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, err := q.k.GetAgent(ctx, req.AgentId); err != nil {
		return nil, notFound(err)
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	var views []types.SpendPolicyView
	err := q.k.SpendLimits.Walk(ctx, collections.NewPrefixedPairRange[uint64, string](req.AgentId),
		func(_ collections.Pair[uint64, string], l types.SpendLimit) (bool, error) {
			views = append(views, types.SpendPolicyView{
				Denom: l.Denom, Cap: l.Cap, WindowBlocks: l.WindowBlocks,
				Available: l.Available(height), FullHeight: l.FullAt(height),
			})
			return false, nil
		})
	if err != nil {
		return nil, err
	}
	return &types.QuerySpendPoliciesResponse{Policies: views}, nil
}

// BindingNonce implements types.QueryServer.
func (q queryServer) BindingNonce(ctx context.Context, req *types.QueryBindingNonceRequest) (*types.QueryBindingNonceResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	addr, err := q.k.parseAddr("address", req.Address)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	n, err := q.k.BindingNonces.Get(ctx, addr)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	return &types.QueryBindingNonceResponse{Nonce: n}, nil
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
