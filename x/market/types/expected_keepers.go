package types

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"

	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
)

// AgentKeeper is what the market needs of x/agentid: who an agent is, who
// speaks for it and where it is paid.
type AgentKeeper interface {
	GetAgent(ctx context.Context, id uint64) (agentidtypes.Agent, error)
	GetAgentByAddress(ctx context.Context, addr sdk.AccAddress) (agentidtypes.Agent, bool, error)
}

// EscrowKeeper is what the market needs of x/escrow: escrows owned by the
// market, which nothing else can move.
type EscrowKeeper interface {
	Lock(ctx context.Context, module string, payer, payee sdk.AccAddress, amount sdk.Coins, reference string) (uint64, error)
	SetPayee(ctx context.Context, module string, id uint64, payee sdk.AccAddress) error
	Release(ctx context.Context, module string, id uint64, payeeAmount sdk.Coins, extra ...escrowtypes.Payment) error
	Refund(ctx context.Context, module string, id uint64, amount sdk.Coins) error
	GetEscrow(ctx context.Context, id uint64) (escrowtypes.Escrow, error)
	IsDenomAllowed(ctx context.Context, denom string) (bool, error)
	// Streams owned by the market (subscriptions).
	OpenModuleStream(ctx context.Context, module string, spec escrowtypes.StreamSpec) (uint64, error)
	GetStream(ctx context.Context, id uint64) (escrowtypes.Stream, error)
	WithdrawModuleStream(ctx context.Context, module string, id uint64, fees escrowtypes.StreamFees) (escrowtypes.Stream, sdk.Coin, error)
	CloseModuleStream(ctx context.Context, module string, id uint64, cause string, fees escrowtypes.StreamFees) (escrowtypes.Stream, sdk.Coin, sdk.Coin, error)
	TopUpModuleStream(ctx context.Context, module string, id uint64, from sdk.AccAddress, amount sdk.Coin, newEnd int64) (escrowtypes.Stream, error)
	PauseModuleStream(ctx context.Context, module string, id uint64) (escrowtypes.Stream, error)
	ResumeModuleStream(ctx context.Context, module string, id uint64) (escrowtypes.Stream, error)
	// Pruning: a settled job's closed escrow or stream leaves with it.
	PruneModuleEscrow(ctx context.Context, module string, id uint64) error
	PruneModuleStream(ctx context.Context, module string, id uint64) error
}

// MarketHooks are called when jobs reach the moments other modules learn
// from (x/reputation records its automatic signals through them). The
// market calls them after its own writes, each in its own cache context: a
// failing hook is logged and reported (EventHookFailed) and never undoes or
// blocks the market action.
type MarketHooks interface {
	// AfterJobDelivered: the provider delivered a milestone; onTime is
	// whether it came by deliver_by.
	AfterJobDelivered(ctx context.Context, job Job, milestone uint32, onTime bool) error
	// AfterJobSettled: the job is COMPLETED or RESOLVED; the job records
	// what the provider, the fee collector, the arbiter and the client got.
	AfterJobSettled(ctx context.Context, job Job) error
	// AfterJobCancelled: a FUNDED job was declined, withdrawn or not accepted.
	AfterJobCancelled(ctx context.Context, job Job) error
	// AfterJobExpired: deliver_by passed with milestones undelivered.
	AfterJobExpired(ctx context.Context, job Job) error
	// AfterDisputeOpened: the client rejected a delivery.
	AfterDisputeOpened(ctx context.Context, job Job) error
	// AfterDisputeResolved: a ruling or the timeout split the job.
	AfterDisputeResolved(ctx context.Context, job Job, providerShareBps uint32) error
}

// ReputationReader answers minimum-reputation checks. Without one, minimum
// scores on listings and requests are stored and validated but not enforced.
type ReputationReader interface {
	// AgentScore returns an agent's current score, 0-100.
	AgentScore(ctx context.Context, agentID uint64) (uint32, error)
	// FeedbackWindowBlocks is how long after a job settles its parties may
	// rate each other: the market keeps a settled job at least that long.
	FeedbackWindowBlocks(ctx context.Context) (int64, error)
	// BeforeJobPruned: the settled job is about to leave state; the
	// reputation keeps what its signals counted. An error keeps the job.
	BeforeJobPruned(ctx context.Context, job Job) error
}
