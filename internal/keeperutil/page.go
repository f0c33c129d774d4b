package keeperutil

import "github.com/cosmos/cosmos-sdk/types/query"

// MaxPageSize bounds every list query's page.
const MaxPageSize = 100

// BoundPage returns a page request with at most MaxPageSize entries and no
// total count (counting walks the whole set, which is what paging avoids).
func BoundPage(p *query.PageRequest) *query.PageRequest {
	if p == nil {
		return &query.PageRequest{Limit: MaxPageSize}
	}
	out := *p
	if out.Limit == 0 || out.Limit > MaxPageSize {
		out.Limit = MaxPageSize
	}
	out.CountTotal = false
	return &out
}
