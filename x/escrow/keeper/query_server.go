package keeper

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/agentchain/agentchain/internal/invariant"
	"github.com/agentchain/agentchain/internal/keeperutil"
	"github.com/agentchain/agentchain/x/escrow/types"
)

type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the module's Query service.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{k: k}
}

// Escrow implements types.QueryServer.
func (q queryServer) Escrow(ctx context.Context, req *types.QueryEscrowRequest) (*types.QueryEscrowResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	e, err := q.k.GetEscrow(ctx, req.Id)
	if errors.Is(err, types.ErrEscrowNotFound) {
		return nil, status.Error(codes.NotFound, err.Error())
	}
	if err != nil {
		return nil, err
	}
	e = q.k.asOfNow(ctx, e)
	return &types.QueryEscrowResponse{Escrow: e, Remaining: e.Remaining()}, nil
}

func (q queryServer) load(ctx context.Context, ids []uint64) ([]types.Escrow, error) {
	out := make([]types.Escrow, 0, len(ids))
	for _, id := range ids {
		e, err := q.k.Escrows.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

func (q queryServer) byAddress(ctx context.Context, idx *collectionsKeys, addrStr string, page *query.PageRequest) (*types.QueryEscrowsResponse, error) {
	addr, err := q.k.parseAddr("address", addrStr)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	ids, pageRes, err := query.CollectionPaginate(ctx, *idx, keeperutil.BoundPage(page),
		func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (uint64, error) {
			return key.K2(), nil
		},
		query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](addr))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	escrows, err := q.load(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &types.QueryEscrowsResponse{Escrows: escrows, Pagination: pageRes}, nil
}

type collectionsKeys = collections.KeySet[collections.Pair[sdk.AccAddress, uint64]]

// EscrowsByPayer implements types.QueryServer.
func (q queryServer) EscrowsByPayer(ctx context.Context, req *types.QueryEscrowsByPayerRequest) (*types.QueryEscrowsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	keys := q.k.Escrows.Indexes.Payer.Keys()
	return q.byAddress(ctx, &keys, req.Payer, req.Pagination)
}

// EscrowsByPayee implements types.QueryServer.
func (q queryServer) EscrowsByPayee(ctx context.Context, req *types.QueryEscrowsByPayeeRequest) (*types.QueryEscrowsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	keys := q.k.Escrows.Indexes.Payee.Keys()
	return q.byAddress(ctx, &keys, req.Payee, req.Pagination)
}

// EscrowsByStatus implements types.QueryServer.
func (q queryServer) EscrowsByStatus(ctx context.Context, req *types.QueryEscrowsByStatusRequest) (*types.QueryEscrowsResponse, error) {
	if req == nil || req.Status == types.ESCROW_STATUS_UNSPECIFIED {
		return nil, status.Error(codes.InvalidArgument, "status is required")
	}
	ids, pageRes, err := query.CollectionPaginate(ctx, q.k.Escrows.Indexes.Status.Keys(), keeperutil.BoundPage(req.Pagination),
		func(key collections.Pair[int32, uint64], _ collections.NoValue) (uint64, error) { return key.K2(), nil },
		query.WithCollectionPaginationPairPrefix[int32, uint64](int32(req.Status)))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	escrows, err := q.load(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &types.QueryEscrowsResponse{Escrows: escrows, Pagination: pageRes}, nil
}

// TotalHeld implements types.QueryServer.
func (q queryServer) TotalHeld(ctx context.Context, _ *types.QueryTotalHeldRequest) (*types.QueryTotalHeldResponse, error) {
	held, err := q.k.Held(ctx)
	if err != nil {
		return nil, err
	}
	return &types.QueryTotalHeldResponse{Held: held}, nil
}

// Conservation implements types.QueryServer.
func (q queryServer) Conservation(ctx context.Context, _ *types.QueryConservationRequest) (*types.QueryConservationResponse, error) {
	held, err := q.k.Held(ctx)
	if err != nil {
		return nil, err
	}
	balance := q.k.bank.GetAllBalances(ctx, q.k.moduleAddr)
	return &types.QueryConservationResponse{Held: held, Balance: balance, Ok: balance.Equal(held)}, nil
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

// Stream implements types.QueryServer.
func (q queryServer) Stream(ctx context.Context, req *types.QueryStreamRequest) (*types.QueryStreamResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	s, err := q.k.GetStream(ctx, req.Id)
	if errors.Is(err, types.ErrStreamNotFound) {
		return nil, status.Error(codes.NotFound, err.Error())
	}
	if err != nil {
		return nil, err
	}
	return &types.QueryStreamResponse{Stream: q.k.StreamView(ctx, s)}, nil
}

// StreamsByPayer implements types.QueryServer.
func (q queryServer) StreamsByPayer(ctx context.Context, req *types.QueryStreamsByPayerRequest) (*types.QueryStreamsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	keys := q.k.Streams.Indexes.Payer.Keys()
	return q.streamsBy(ctx, &keys, req.Payer, req.Pagination)
}

// StreamsByPayee implements types.QueryServer.
func (q queryServer) StreamsByPayee(ctx context.Context, req *types.QueryStreamsByPayeeRequest) (*types.QueryStreamsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	keys := q.k.Streams.Indexes.Payee.Keys()
	return q.streamsBy(ctx, &keys, req.Payee, req.Pagination)
}

func (q queryServer) streamsBy(ctx context.Context, idx *collectionsKeys, addrStr string, page *query.PageRequest) (*types.QueryStreamsResponse, error) {
	addr, err := q.k.parseAddr("address", addrStr)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	ids, pageRes, err := query.CollectionPaginate(ctx, *idx, keeperutil.BoundPage(page),
		func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (uint64, error) {
			return key.K2(), nil
		},
		query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](addr))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	out := make([]types.StreamView, 0, len(ids))
	for _, id := range ids {
		s, err := q.k.Streams.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, q.k.StreamView(ctx, s))
	}
	return &types.QueryStreamsResponse{Streams: out, Pagination: pageRes}, nil
}
