package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module's name, store key and module account name.
	// The module account holds every escrowed coin and nothing else.
	ModuleName = "escrow"
	// StoreKey is the module's KV store key.
	StoreKey = ModuleName
)

// Store prefixes, one per collection. Never reuse or renumber them.
var (
	ParamsKey          = collections.NewPrefix(0)
	EscrowSeqKey       = collections.NewPrefix(1)
	EscrowsKey         = collections.NewPrefix(2)
	EscrowsByPayerKey  = collections.NewPrefix(3)
	EscrowsByPayeeKey  = collections.NewPrefix(4)
	EscrowsByStatusKey = collections.NewPrefix(5)
	TotalHeldKey       = collections.NewPrefix(6)
	ExpiryQueueKey     = collections.NewPrefix(7)
	DisputeQueueKey    = collections.NewPrefix(8)
	StreamSeqKey       = collections.NewPrefix(9)
	StreamsKey         = collections.NewPrefix(10)
	StreamsByPayerKey  = collections.NewPrefix(11)
	StreamsByPayeeKey  = collections.NewPrefix(12)
	// PruneQueueKey orders closed direct escrows and streams by (closed
	// height, id) for pruning (escrows and streams apart: PruneStreamsKey).
	PruneQueueKey   = collections.NewPrefix(13)
	PruneStreamsKey = collections.NewPrefix(14)
)

// BasisPoints is 100%.
const BasisPoints = 10_000

// MaxReferenceLength bounds an escrow's reference.
const MaxReferenceLength = 128
