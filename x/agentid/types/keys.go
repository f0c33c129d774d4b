package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module's name, store key and module account name.
	// The module account holds registration deposits and nothing else.
	ModuleName = "agentid"
	// StoreKey is the module's KV store key.
	StoreKey = ModuleName
)

// Store prefixes, one per collection. Never reuse or renumber them.
var (
	ParamsKey             = collections.NewPrefix(0)
	AgentSeqKey           = collections.NewPrefix(1)
	AgentsKey             = collections.NewPrefix(2)
	AgentsByNameKey       = collections.NewPrefix(3)
	AgentsByAddressKey    = collections.NewPrefix(4)
	AgentsByOwnerKey      = collections.NewPrefix(5)
	AgentsByCapabilityKey = collections.NewPrefix(6)
	AttestationsKey       = collections.NewPrefix(7)
	SpendLimitsKey        = collections.NewPrefix(8)
	BindingNoncesKey      = collections.NewPrefix(9)
	// AttestationExpiryKey orders (expires height, agent id) of expiring
	// attestations for pruning.
	AttestationExpiryKey = collections.NewPrefix(10)
)
