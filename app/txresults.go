package app

import (
	"context"
	"strings"

	gogogrpc "github.com/cosmos/gogoproto/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/client"

	"github.com/agentchain/agentchain/types/nodeservice"
)

// maxTxLookup bounds the hashes of one TxResults lookup.
const maxTxLookup = 100

// txResultsServer serves agentchain.node.v1.TxResults: included txs'
// results by hash, from the node's tx index through the in-process
// CometBFT client (an index read and a protobuf encoding per tx; no proof,
// no block loaded, no JSON).
type txResultsServer struct {
	comet client.CometRPC
}

func (s txResultsServer) Lookup(ctx context.Context, req *nodeservice.LookupRequest) (*nodeservice.LookupResponse, error) {
	if len(req.Hashes) > maxTxLookup {
		return nil, status.Errorf(codes.InvalidArgument, "%d hashes: at most %d per lookup", len(req.Hashes), maxTxLookup)
	}
	out := &nodeservice.LookupResponse{}
	for _, h := range req.Hashes {
		if len(h) != 32 {
			return nil, status.Errorf(codes.InvalidArgument, "hash %X is %d bytes, want a 32-byte sha256", h, len(h))
		}
		res, err := s.comet.Tx(ctx, h, false)
		switch {
		case err == nil:
		case strings.Contains(err.Error(), "not found"):
			continue
		case strings.Contains(err.Error(), "indexing is disabled"):
			return nil, status.Error(codes.FailedPrecondition, "this node keeps no tx index")
		default:
			return nil, status.Error(codes.Internal, err.Error())
		}
		bz, err := res.TxResult.Marshal()
		if err != nil {
			return nil, status.Error(codes.Internal, err.Error())
		}
		out.Results = append(out.Results, &nodeservice.TxResult{Hash: h, Height: res.Height, Index: res.Index, Result: bz})
	}
	return out, nil
}

// RegisterGRPCServerWithSkipCheckHeader registers the application's query
// services (through the query router, each call in a query context), then
// the node's TxResults service directly: it reads no application state, so
// it needs no query context (whose commit hash every query recomputes).
// The node's gRPC server calls it once at start.
func (app *App) RegisterGRPCServerWithSkipCheckHeader(server gogogrpc.Server, skipCheckHeader bool) {
	app.BaseApp.RegisterGRPCServerWithSkipCheckHeader(server, skipCheckHeader)
	if app.comet != nil {
		nodeservice.RegisterTxResultsServer(server, txResultsServer{comet: app.comet})
	}
	nodeservice.RegisterVerifiedSignaturesServer(server, sigStatsServer{cache: app.sigCache})
}

// sigStatsServer serves agentchain.node.v1.VerifiedSignatures.
type sigStatsServer struct {
	cache *SigCache
}

func (s sigStatsServer) Stats(context.Context, *nodeservice.StatsRequest) (*nodeservice.StatsResponse, error) {
	hits, misses := s.cache.Stats()
	return &nodeservice.StatsResponse{Enabled: s.cache != nil, Entries: uint64(s.cache.Len()), Hits: hits, Misses: misses}, nil
}

// RegisterGRPCServer registers the gRPC services with the header check.
func (app *App) RegisterGRPCServer(server gogogrpc.Server) {
	app.RegisterGRPCServerWithSkipCheckHeader(server, false)
}
