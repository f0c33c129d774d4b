package types

import (
	"context"

	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// AgentKeeper is what reputation needs of x/agentid.
type AgentKeeper interface {
	GetAgent(ctx context.Context, id uint64) (agentidtypes.Agent, error)
}

// MarketKeeper is what reputation reads of x/market: the jobs feedback is
// about, and the listing or request that says their capability.
type MarketKeeper interface {
	GetJob(ctx context.Context, id uint64) (markettypes.Job, error)
	// LoadJob returns a job as it stands at the current height: timers
	// whose deadline passed (a review window that ended, say) are applied
	// in ctx, so a job the queue has not reached yet can be rated.
	LoadJob(ctx context.Context, id uint64) (markettypes.Job, error)
	// IterateJobs walks every job (for the signals invariant, an audit).
	IterateJobs(ctx context.Context, f func(j markettypes.Job) (stop bool, err error)) error
	GetListing(ctx context.Context, id uint64) (markettypes.Listing, error)
	GetRequest(ctx context.Context, id uint64) (markettypes.Request, error)
	// JobPruned reports whether a job existed and left state after its
	// retention window.
	JobPruned(ctx context.Context, id uint64) (bool, error)
}
