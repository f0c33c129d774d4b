package types

import errorsmod "cosmossdk.io/errors"

// Errors of the market module. Codes start at 2 (1 is reserved) and never
// change; a retired code is left out, never reused. Every message is unique
// across agentchain's modules, so a refusal names its rule even without its
// codespace.
var (
	ErrListingNotFound     = errorsmod.Register(ModuleName, 2, "listing not found")
	ErrRequestNotFound     = errorsmod.Register(ModuleName, 3, "request not found")
	ErrBidNotFound         = errorsmod.Register(ModuleName, 4, "bid not found")
	ErrJobNotFound         = errorsmod.Register(ModuleName, 5, "job not found")
	ErrUnauthorized        = errorsmod.Register(ModuleName, 6, "signer may not act on this listing, request or job")
	ErrWrongStatus         = errorsmod.Register(ModuleName, 7, "listing, request or job is not in a status that allows this")
	ErrInvalidPrice        = errorsmod.Register(ModuleName, 8, "invalid price")
	ErrInvalidDuration     = errorsmod.Register(ModuleName, 9, "invalid duration in blocks")
	ErrInvalidDeadline     = errorsmod.Register(ModuleName, 10, "invalid deadline height")
	ErrDeadlinePassed      = errorsmod.Register(ModuleName, 11, "the job's or request's deadline has passed")
	ErrInvalidArbiter      = errorsmod.Register(ModuleName, 12, "arbiter is not one of the market's arbiters")
	ErrInvalidMilestones   = errorsmod.Register(ModuleName, 13, "invalid milestones")
	ErrMilestoneOutOfOrder = errorsmod.Register(ModuleName, 14, "milestone out of order")
	ErrReputationTooLow    = errorsmod.Register(ModuleName, 15, "reputation below the required minimum")
	ErrAgentNotActive      = errorsmod.Register(ModuleName, 16, "provider or client agent is not active")
	ErrTooManyBids         = errorsmod.Register(ModuleName, 17, "request has all the bids it may take")
	ErrBidAboveBudget      = errorsmod.Register(ModuleName, 18, "bid above the request's budget")
	ErrDuplicateBid        = errorsmod.Register(ModuleName, 19, "provider already bid on this request")
	ErrInvalidURI          = errorsmod.Register(ModuleName, 20, "invalid terms, spec, result or note URI")
	ErrFieldTooLong        = errorsmod.Register(ModuleName, 21, "listing, request or job field too long")
	ErrInvalidCapability   = errorsmod.Register(ModuleName, 22, "invalid listing or request capability")
	ErrInvalidAuthority    = errorsmod.Register(ModuleName, 23, "market params are set by the governance authority only")
	ErrInvalidParams       = errorsmod.Register(ModuleName, 24, "invalid market params")
	ErrInvalidAddress      = errorsmod.Register(ModuleName, 25, "invalid address in a market message")
	ErrInvalidReason       = errorsmod.Register(ModuleName, 26, "invalid reject reason")
	ErrInvalidShare        = errorsmod.Register(ModuleName, 27, "invalid provider share: basis points from 0 to 10000")
	ErrNotParentProvider   = errorsmod.Register(ModuleName, 28, "only the parent job's provider may subcontract it")
	ErrInvalidHash         = errorsmod.Register(ModuleName, 29, "invalid terms, spec, result or evidence hash: want 32 bytes of sha256")
	ErrNothingToUpdate     = errorsmod.Register(ModuleName, 30, "listing update changes nothing")
	ErrInvalidScore        = errorsmod.Register(ModuleName, 31, "invalid minimum reputation: 0 to 100")
	ErrAgentNotFound       = errorsmod.Register(ModuleName, 32, "agent named by the market message not found")
	ErrEscrowRefused       = errorsmod.Register(ModuleName, 33, "escrow refused the market's payment")
	ErrNothingDue          = errorsmod.Register(ModuleName, 34, "no timer of this job or request is due")
	ErrInvalidRequestID    = errorsmod.Register(ModuleName, 35, "invalid purchase request id: 1 to 64 of A-Z a-z 0-9 . _ : -")
	ErrRequestIDUsed       = errorsmod.Register(ModuleName, 36, "purchase request id already settled")
	ErrPurchaseExpired     = errorsmod.Register(ModuleName, 37, "purchase past its valid-until height")
	ErrInvalidCalls        = errorsmod.Register(ModuleName, 38, "invalid number of calls: 1 to 1000000")
	ErrWrongAmount         = errorsmod.Register(ModuleName, 39, "purchase amount is not the listing's price times the calls")
	ErrPaymentRefused      = errorsmod.Register(ModuleName, 40, "bank refused the purchase payment")
)
