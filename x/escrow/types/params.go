package types

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Default parameters.
const (
	// DefaultMaxExpirationsPerBlock bounds EndBlock work: each expiry or
	// dispute timeout is a couple of transfers and a few writes, so 200
	// of them cost about as much as 200 simple transactions.
	DefaultMaxExpirationsPerBlock = 200
	// DefaultClosedRetentionBlocks keeps a closed direct escrow or stream
	// two weeks.
	DefaultClosedRetentionBlocks = 1_209_600
	// DefaultMaxPrunesPerBlock bounds EndBlock's pruning.
	DefaultMaxPrunesPerBlock = 100
	// DefaultDisputeTimeoutBlocks is one day of 1-second blocks.
	DefaultDisputeTimeoutBlocks = 86_400
	// DefaultPayeeShareBps splits an unresolved dispute evenly.
	DefaultPayeeShareBps = 5_000
	// DefaultArbiterFeeBps is the arbiter's 1% for a ruling.
	DefaultArbiterFeeBps = 100
	// DefaultMaxEscrowBlocks is about a year of 1-second blocks.
	DefaultMaxEscrowBlocks = 31_536_000

	maxExpirationsLimit = 10_000
	maxArbiterFeeBps    = 2_000
)

// DefaultParams returns the default parameters.
func DefaultParams() Params {
	return Params{
		AllowedDenoms:          []string{"uagnt"},
		MaxExpirationsPerBlock: DefaultMaxExpirationsPerBlock,
		DisputeTimeoutBlocks:   DefaultDisputeTimeoutBlocks,
		DefaultPayeeShareBps:   DefaultPayeeShareBps,
		ArbiterFeeBps:          DefaultArbiterFeeBps,
		MaxEscrowBlocks:        DefaultMaxEscrowBlocks,
		ClosedRetentionBlocks:  DefaultClosedRetentionBlocks,
		MaxPrunesPerBlock:      DefaultMaxPrunesPerBlock,
	}
}

// Validate checks the parameters.
func (p Params) Validate() error {
	if len(p.AllowedDenoms) == 0 {
		return fmt.Errorf("at least one allowed denom")
	}
	seen := map[string]bool{}
	for _, d := range p.AllowedDenoms {
		if err := sdk.ValidateDenom(d); err != nil {
			return fmt.Errorf("allowed denom %q: %w", d, err)
		}
		if seen[d] {
			return fmt.Errorf("duplicate allowed denom %s", d)
		}
		seen[d] = true
	}
	if p.ClosedRetentionBlocks < 0 {
		return fmt.Errorf("closed_retention_blocks must not be negative (0 keeps closed escrows and streams forever)")
	}
	if p.MaxPrunesPerBlock > 10_000 {
		return fmt.Errorf("max_prunes_per_block above 10000")
	}
	if p.MaxExpirationsPerBlock == 0 || p.MaxExpirationsPerBlock > maxExpirationsLimit {
		return fmt.Errorf("max_expirations_per_block must be in [1, %d]", maxExpirationsLimit)
	}
	if p.DisputeTimeoutBlocks <= 0 {
		return fmt.Errorf("dispute_timeout_blocks must be positive")
	}
	if p.DefaultPayeeShareBps > BasisPoints {
		return fmt.Errorf("default_payee_share_bps above %d", BasisPoints)
	}
	if p.ArbiterFeeBps > maxArbiterFeeBps {
		return fmt.Errorf("arbiter_fee_bps above %d", maxArbiterFeeBps)
	}
	if p.MaxEscrowBlocks <= 0 {
		return fmt.Errorf("max_escrow_blocks must be positive")
	}
	return nil
}

// DenomAllowed reports whether escrows may hold denom.
func (p Params) DenomAllowed(denom string) bool {
	for _, d := range p.AllowedDenoms {
		if d == denom {
			return true
		}
	}
	return false
}
