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
	GetListing(ctx context.Context, id uint64) (markettypes.Listing, error)
	GetRequest(ctx context.Context, id uint64) (markettypes.Request, error)
}
