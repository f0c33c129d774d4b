package agentkit

import (
	"context"
	"iter"

	"github.com/cosmos/cosmos-sdk/types/query"

	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// pageSize is how many entries a list query asks for at a time.
const pageSize = 100

// pages walks a paginated query page by page, yielding every entry: fetch
// reads the page a request names and returns its entries and the response's
// pagination. It stops at the first error, which it yields.
func pages[T any](ctx context.Context, reverse bool, fetch func(ctx context.Context, page *query.PageRequest) ([]T, *query.PageResponse, error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		req := &query.PageRequest{Limit: pageSize, Reverse: reverse}
		for {
			items, res, err := fetch(ctx, req)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			if res == nil || len(res.NextKey) == 0 {
				return
			}
			req = &query.PageRequest{Key: res.NextKey, Limit: pageSize, Reverse: reverse}
		}
	}
}

// collect reads every entry of a paginated query.
func collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for it, err := range seq {
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, nil
}

// ProviderJobs iterates over a provider agent's jobs, newest first, page by
// page as the loop goes: every job, however many there are.
//
//	for job, err := range c.ProviderJobs(ctx, agentID) { ... }
func (c *Client) ProviderJobs(ctx context.Context, agentID uint64) iter.Seq2[markettypes.Job, error] {
	q := markettypes.NewQueryClient(c.conn)
	return pages(ctx, true, func(ctx context.Context, page *query.PageRequest) ([]markettypes.Job, *query.PageResponse, error) {
		res, err := q.JobsByProvider(ctx, &markettypes.QueryJobsByProviderRequest{Provider: agentID, Pagination: page})
		if err != nil {
			return nil, nil, queryError(err, markettypes.ModuleName)
		}
		return res.Jobs, res.Pagination, nil
	})
}

// ClientJobs iterates over the jobs a client account pays for (client is
// its bech32 address), newest first.
func (c *Client) ClientJobs(ctx context.Context, client string) iter.Seq2[markettypes.Job, error] {
	q := markettypes.NewQueryClient(c.conn)
	return pages(ctx, true, func(ctx context.Context, page *query.PageRequest) ([]markettypes.Job, *query.PageResponse, error) {
		res, err := q.JobsByClient(ctx, &markettypes.QueryJobsByClientRequest{Client: client, Pagination: page})
		if err != nil {
			return nil, nil, queryError(err, markettypes.ModuleName)
		}
		return res.Jobs, res.Pagination, nil
	})
}
