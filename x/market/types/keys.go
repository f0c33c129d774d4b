package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module's name and store key. The market holds no
	// coins of its own: every price and budget sits in an x/escrow escrow
	// that only the market can move.
	ModuleName = "market"
	// StoreKey is the module's KV store key.
	StoreKey = ModuleName
)

// Store prefixes, one per collection. Never reuse or renumber them.
var (
	ParamsKey               = collections.NewPrefix(0)
	ListingSeqKey           = collections.NewPrefix(1)
	RequestSeqKey           = collections.NewPrefix(2)
	JobSeqKey               = collections.NewPrefix(3)
	ListingsKey             = collections.NewPrefix(4)
	ListingsByProviderKey   = collections.NewPrefix(5)
	ListingsByCapabilityKey = collections.NewPrefix(6)
	RequestsKey             = collections.NewPrefix(7)
	RequestsOpenByCapKey    = collections.NewPrefix(8)
	RequestsByClientKey     = collections.NewPrefix(9)
	BidsKey                 = collections.NewPrefix(10)
	JobsKey                 = collections.NewPrefix(11)
	JobsByClientKey         = collections.NewPrefix(12)
	JobsByProviderKey       = collections.NewPrefix(13)
	JobsByStatusKey         = collections.NewPrefix(14)
	JobsByParentKey         = collections.NewPrefix(15)
	JobQueueKey             = collections.NewPrefix(16)
	RequestQueueKey         = collections.NewPrefix(17)
	JobsByClientAgentKey    = collections.NewPrefix(18)
	PurchasesKey            = collections.NewPrefix(19)
	// PruneQueueKey orders settled jobs by (settled height, id) for pruning.
	PruneQueueKey = collections.NewPrefix(20)
	// RequestPruneQueueKey orders closed (cancelled or expired) requests by
	// (closed height, id) for pruning.
	RequestPruneQueueKey = collections.NewPrefix(21)
)

// Field limits.
const (
	// BasisPoints is 100%.
	BasisPoints = 10_000
	// MaxTitleLength bounds listing and milestone titles.
	MaxTitleLength = 128
	// MaxScore is the top of the reputation scale.
	MaxScore = 100
	// MaxPurchaseCalls bounds the calls one purchase buys.
	MaxPurchaseCalls = 1_000_000
	// MaxRequestIDLength bounds a purchase's request id.
	MaxRequestIDLength = 64
)
