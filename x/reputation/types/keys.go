package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module's name and store key. It holds no coins.
	ModuleName = "reputation"
	// StoreKey is the module's KV store key.
	StoreKey = ModuleName
)

// Store prefixes, one per collection. Never reuse or renumber them.
var (
	ParamsKey            = collections.NewPrefix(0)
	SeqKey               = collections.NewPrefix(1)
	FeedbackKey          = collections.NewPrefix(2)
	FeedbackBySubjectKey = collections.NewPrefix(3)
	FeedbackByRaterKey   = collections.NewPrefix(4)
	AggregatesKey        = collections.NewPrefix(5)
	AggregatesByScoreKey = collections.NewPrefix(6)
	SignalsKey           = collections.NewPrefix(7)
	// PrunedSignalsKey: per agent, what pruned jobs counted in its signals.
	PrunedSignalsKey = collections.NewPrefix(8)
	// FeedbackQueueKey: (height a feedback was given, job id), for pruning.
	FeedbackQueueKey = collections.NewPrefix(9)
	// CheckpointsKey: per aggregate, the checkpoint of its pruned feedback.
	CheckpointsKey = collections.NewPrefix(10)
	// PrunedRulingsKey: resolved jobs in state whose ruling was pruned.
	PrunedRulingsKey = collections.NewPrefix(11)
)

// Limits.
const (
	// MaxScore is the top of the scale.
	MaxScore = 100
	// MaxTopLimit bounds a top-agents list.
	MaxTopLimit = 100
	// DefaultTopLimit is a top-agents list's length when none is asked.
	DefaultTopLimit = 10
)
