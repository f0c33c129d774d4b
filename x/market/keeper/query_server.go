package keeper

import (
	"context"
	"errors"
	"math"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/agentchain/agentchain/internal/collidx"
	"github.com/agentchain/agentchain/internal/invariant"
	"github.com/agentchain/agentchain/internal/keeperutil"
	"github.com/agentchain/agentchain/x/market/types"
)

type queryServer struct {
	k Keeper
}

var _ types.QueryServer = queryServer{}

// NewQueryServerImpl returns the Query service. Every list is served from
// an index; none scans.
func NewQueryServerImpl(k Keeper) types.QueryServer {
	return queryServer{k: k}
}

func notFound(err error) error {
	for _, e := range []error{types.ErrListingNotFound, types.ErrRequestNotFound, types.ErrJobNotFound} {
		if errors.Is(err, e) {
			return status.Error(codes.NotFound, err.Error())
		}
	}
	return err
}

// Listing implements types.QueryServer.
func (q queryServer) Listing(ctx context.Context, req *types.QueryListingRequest) (*types.QueryListingResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	l, err := q.k.GetListing(ctx, req.Id)
	if err != nil {
		return nil, notFound(err)
	}
	return &types.QueryListingResponse{Listing: l}, nil
}

// ListingsByCapability implements types.QueryServer: one range of the price
// index, (capability, denom, 0) to (capability, denom, max_price), or every
// denom of the capability when no denom is given, read a page at a time. Listings below min_provider_score are left out of the
// page (which may then be shorter); the cost depends on the page size.
func (q queryServer) ListingsByCapability(ctx context.Context, req *types.QueryListingsByCapabilityRequest) (*types.QueryListingsResponse, error) {
	if req == nil || req.Capability == "" {
		return nil, status.Error(codes.InvalidArgument, "capability is required")
	}
	capability, err := normalizeCapability(req.Capability)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	// One denom, cheapest first, optionally up to max_price; or, without
	// a denom, every denom (ordered by denom, then price).
	loDenom, hiDenom := req.Denom, req.Denom
	maxPrice := uint64(math.MaxUint64)
	if req.Denom == "" {
		if req.MaxPrice != "" {
			return nil, status.Error(codes.InvalidArgument, "max_price needs a denom: prices in different denoms do not compare")
		}
		// "\xff" sorts after every valid denom.
		hiDenom = "\xff"
	} else if err := sdk.ValidateDenom(req.Denom); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if req.MaxPrice != "" {
		mp, ok := sdkmath.NewIntFromString(req.MaxPrice)
		if !ok || mp.IsNegative() {
			return nil, status.Errorf(codes.InvalidArgument, "max_price %q", req.MaxPrice)
		}
		if mp.IsUint64() {
			maxPrice = mp.Uint64()
		}
	}
	if req.MinProviderScore > types.MaxScore {
		return nil, status.Errorf(codes.InvalidArgument, "min_provider_score %d above %d", req.MinProviderScore, types.MaxScore)
	}
	page := keeperutil.BoundPage(req.Pagination)
	keys, next, err := collidx.PageRange(ctx, q.k.Listings.Indexes.Price.Keys(),
		collections.Join(collections.Join(capability, collections.Join(loDenom, uint64(0))), uint64(0)),
		collections.Join(collections.Join(capability, collections.Join(hiDenom, maxPrice)), uint64(math.MaxUint64)),
		page.Key, int(page.Limit)) // bounded by MaxPageSize
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	out := make([]types.Listing, 0, len(keys))
	for _, key := range keys {
		l, err := q.k.Listings.Get(ctx, key.K2())
		if err != nil {
			return nil, err
		}
		if req.MinProviderScore > 0 {
			if err := q.k.checkMinScore(ctx, "provider", l.Provider, req.MinProviderScore); err != nil {
				if errors.Is(err, types.ErrReputationTooLow) {
					continue
				}
				return nil, err
			}
		}
		out = append(out, l)
	}
	return &types.QueryListingsResponse{Listings: out, Pagination: &query.PageResponse{NextKey: next}}, nil
}

func (q queryServer) listings(ctx context.Context, ids []uint64) ([]types.Listing, error) {
	out := make([]types.Listing, 0, len(ids))
	for _, id := range ids {
		l, err := q.k.Listings.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

func (q queryServer) jobs(ctx context.Context, ids []uint64) ([]types.Job, error) {
	out := make([]types.Job, 0, len(ids))
	for _, id := range ids {
		j, err := q.k.Jobs.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

// ListingsByProvider implements types.QueryServer.
func (q queryServer) ListingsByProvider(ctx context.Context, req *types.QueryListingsByProviderRequest) (*types.QueryListingsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	ids, page, err := query.CollectionPaginate(ctx, q.k.Listings.Indexes.Provider.Keys(), keeperutil.BoundPage(req.Pagination),
		func(key collections.Pair[uint64, uint64], _ collections.NoValue) (uint64, error) {
			return key.K2(), nil
		},
		query.WithCollectionPaginationPairPrefix[uint64, uint64](req.Provider))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	out, err := q.listings(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &types.QueryListingsResponse{Listings: out, Pagination: page}, nil
}

// Request implements types.QueryServer.
func (q queryServer) Request(ctx context.Context, req *types.QueryRequestRequest) (*types.QueryRequestResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	r, err := q.k.GetRequest(ctx, req.Id)
	if err != nil {
		return nil, notFound(err)
	}
	if requestDue(r, sdk.UnwrapSDKContext(ctx).BlockHeight()) {
		// As the bid deadline's timer leaves it, whether or not the
		// EndBlock queue got to it.
		r.Status = types.REQUEST_STATUS_EXPIRED
	}
	return &types.QueryRequestResponse{Request: r}, nil
}

// OpenRequestsByCapability implements types.QueryServer.
func (q queryServer) OpenRequestsByCapability(ctx context.Context, req *types.QueryOpenRequestsByCapabilityRequest) (*types.QueryRequestsResponse, error) {
	if req == nil || req.Capability == "" {
		return nil, status.Error(codes.InvalidArgument, "capability is required")
	}
	capability, err := normalizeCapability(req.Capability)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	ids, page, err := query.CollectionPaginate(ctx, q.k.Requests.Indexes.OpenByCapability.Keys(), keeperutil.BoundPage(req.Pagination),
		func(key collections.Pair[string, uint64], _ collections.NoValue) (uint64, error) {
			return key.K2(), nil
		},
		query.WithCollectionPaginationPairPrefix[string, uint64](capability))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	out := make([]types.Request, 0, len(ids))
	for _, id := range ids {
		r, err := q.k.Requests.Get(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return &types.QueryRequestsResponse{Requests: out, Pagination: page}, nil
}

// Bids implements types.QueryServer.
func (q queryServer) Bids(ctx context.Context, req *types.QueryBidsRequest) (*types.QueryBidsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, err := q.k.GetRequest(ctx, req.RequestId); err != nil {
		return nil, notFound(err)
	}
	bids, page, err := query.CollectionPaginate(ctx, q.k.Bids, keeperutil.BoundPage(req.Pagination),
		func(_ collections.Pair[uint64, uint32], b types.Bid) (types.Bid, error) { return b, nil },
		query.WithCollectionPaginationPairPrefix[uint64, uint32](req.RequestId))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	return &types.QueryBidsResponse{Bids: bids, Pagination: page}, nil
}

// Job implements types.QueryServer.
func (q queryServer) Job(ctx context.Context, req *types.QueryJobRequest) (*types.QueryJobResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	j, err := q.k.GetJob(ctx, req.Id)
	if err != nil {
		return nil, notFound(err)
	}
	return &types.QueryJobResponse{Job: q.k.jobAsOfNow(ctx, j)}, nil
}

// Purchase implements types.QueryServer.
func (q queryServer) Purchase(ctx context.Context, req *types.QueryPurchaseRequest) (*types.QueryJobResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	client, err := q.k.parseAddr("client", req.Client)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	if err := types.ValidateRequestID(req.RequestId); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	j, err := q.k.GetPurchase(ctx, client, req.RequestId)
	if err != nil {
		return nil, notFound(err)
	}
	return &types.QueryJobResponse{Job: j}, nil
}

// JobsByClient implements types.QueryServer.
func (q queryServer) JobsByClient(ctx context.Context, req *types.QueryJobsByClientRequest) (*types.QueryJobsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	client, err := q.k.parseAddr("client", req.Client)
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	ids, page, err := query.CollectionPaginate(ctx, q.k.Jobs.Indexes.Client.Keys(), keeperutil.BoundPage(req.Pagination),
		func(key collections.Pair[sdk.AccAddress, uint64], _ collections.NoValue) (uint64, error) {
			return key.K2(), nil
		},
		query.WithCollectionPaginationPairPrefix[sdk.AccAddress, uint64](client))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	out, err := q.jobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &types.QueryJobsResponse{Jobs: out, Pagination: page}, nil
}

func (q queryServer) jobsByUint(ctx context.Context, idx *collidx.Many[uint64, uint64, types.Job], ref uint64, p *query.PageRequest) (*types.QueryJobsResponse, error) {
	ids, page, err := query.CollectionPaginate(ctx, idx.Keys(), keeperutil.BoundPage(p),
		func(key collections.Pair[uint64, uint64], _ collections.NoValue) (uint64, error) {
			return key.K2(), nil
		},
		query.WithCollectionPaginationPairPrefix[uint64, uint64](ref))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	out, err := q.jobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &types.QueryJobsResponse{Jobs: out, Pagination: page}, nil
}

// JobsByProvider implements types.QueryServer.
func (q queryServer) JobsByProvider(ctx context.Context, req *types.QueryJobsByProviderRequest) (*types.QueryJobsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	return q.jobsByUint(ctx, q.k.Jobs.Indexes.Provider, req.Provider, req.Pagination)
}

// JobsByClientAgent implements types.QueryServer.
func (q queryServer) JobsByClientAgent(ctx context.Context, req *types.QueryJobsByClientAgentRequest) (*types.QueryJobsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	return q.jobsByUint(ctx, q.k.Jobs.Indexes.ClientAgent, req.ClientAgent, req.Pagination)
}

// JobChildren implements types.QueryServer.
func (q queryServer) JobChildren(ctx context.Context, req *types.QueryJobChildrenRequest) (*types.QueryJobsResponse, error) {
	if req == nil {
		return nil, status.Error(codes.InvalidArgument, "empty request")
	}
	if _, err := q.k.GetJob(ctx, req.JobId); err != nil {
		return nil, notFound(err)
	}
	return q.jobsByUint(ctx, q.k.Jobs.Indexes.Parent, req.JobId, req.Pagination)
}

// JobsByStatus implements types.QueryServer.
func (q queryServer) JobsByStatus(ctx context.Context, req *types.QueryJobsByStatusRequest) (*types.QueryJobsResponse, error) {
	if req == nil || req.Status == types.JOB_STATUS_UNSPECIFIED {
		return nil, status.Error(codes.InvalidArgument, "status is required")
	}
	ids, page, err := query.CollectionPaginate(ctx, q.k.Jobs.Indexes.Status.Keys(), keeperutil.BoundPage(req.Pagination),
		func(key collections.Pair[int32, uint64], _ collections.NoValue) (uint64, error) { return key.K2(), nil },
		query.WithCollectionPaginationPairPrefix[int32, uint64](int32(req.Status)))
	if err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	out, err := q.jobs(ctx, ids)
	if err != nil {
		return nil, err
	}
	return &types.QueryJobsResponse{Jobs: out, Pagination: page}, nil
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
