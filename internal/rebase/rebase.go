// Package rebase moves stored heights to a chain that restarts at height 1
// from a zero-height export of height H: block H+1 of the old chain is block
// 1 of the new one, so every height h becomes h - H. Deadlines still ahead
// keep exactly the distance they had; heights in the past become zero or
// negative ("so many blocks before this chain started"), so that decay,
// feedback windows and spend buckets, which depend on differences of
// heights, continue as they would have.
package rebase

// Height maps a height of the exported chain to the new chain's.
func Height(h, exported int64) int64 { return h - exported }

// Optional maps a height whose zero means "not set" (no expiry, not yet
// delivered): zero stays zero, and a set height that would land on zero
// becomes -1, still in the past and still set.
func Optional(h, exported int64) int64 {
	if h == 0 {
		return 0
	}
	if r := h - exported; r != 0 {
		return r
	}
	return -1
}
