package types

import (
	"fmt"
	"slices"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Default parameters, for ~1-second blocks.
const (
	// DefaultTakeRateBps is the marketplace's 2%, paid to validators and
	// stakers through the fee collector.
	DefaultTakeRateBps = 200
	// DefaultArbiterFeeBps pays an arbiter 1% of what it rules on.
	DefaultArbiterFeeBps = 100
	// DefaultAcceptWindowBlocks gives a provider an hour to accept a job.
	DefaultAcceptWindowBlocks = 3_600
	// DefaultReviewWindowBlocks gives a client an hour to judge a delivery.
	DefaultReviewWindowBlocks = 3_600
	// DefaultMinReviewWindowBlocks keeps a client from being rushed.
	DefaultMinReviewWindowBlocks = 10
	// DefaultMaxReviewWindowBlocks (a week) keeps a provider from waiting forever.
	DefaultMaxReviewWindowBlocks = 604_800
	// DefaultMaxDurationBlocks is 30 days.
	DefaultMaxDurationBlocks = 2_592_000
	// DefaultDisputeTimeoutBlocks is a day.
	DefaultDisputeTimeoutBlocks = 86_400
	// DefaultProviderShareBps splits an unresolved dispute evenly.
	DefaultProviderShareBps = 5_000
	// DefaultMaxBidsPerRequest bounds a request's bids (and the bid checks).
	DefaultMaxBidsPerRequest = 20
	// DefaultMaxMilestones bounds a job's milestones.
	DefaultMaxMilestones = 10
	// DefaultMaxTimeoutsPerBlock bounds EndBlock: each timeout is a release
	// or refund and a few writes.
	DefaultMaxTimeoutsPerBlock = 200
	// DefaultMaxRequestBlocks bounds a request's bidding period to a week.
	DefaultMaxRequestBlocks = 604_800
	// DefaultSettledJobRetentionBlocks keeps a settled job two weeks (and
	// never less than the feedback window on it).
	DefaultSettledJobRetentionBlocks = 1_209_600
	// DefaultMaxPrunesPerBlock bounds EndBlock's pruning: each is a few
	// deletes and one reputation write.
	DefaultMaxPrunesPerBlock = 100
)

// DefaultParams returns the default parameters.
func DefaultParams() Params {
	return Params{
		TakeRateBps:               DefaultTakeRateBps,
		Arbiters:                  []string{},
		ArbiterFeeBps:             DefaultArbiterFeeBps,
		AcceptWindowBlocks:        DefaultAcceptWindowBlocks,
		DefaultReviewWindowBlocks: DefaultReviewWindowBlocks,
		MinReviewWindowBlocks:     DefaultMinReviewWindowBlocks,
		MaxReviewWindowBlocks:     DefaultMaxReviewWindowBlocks,
		MaxDurationBlocks:         DefaultMaxDurationBlocks,
		DisputeTimeoutBlocks:      DefaultDisputeTimeoutBlocks,
		DefaultProviderShareBps:   DefaultProviderShareBps,
		MaxBidsPerRequest:         DefaultMaxBidsPerRequest,
		MaxMilestones:             DefaultMaxMilestones,
		MaxTimeoutsPerBlock:       DefaultMaxTimeoutsPerBlock,
		MaxRequestBlocks:          DefaultMaxRequestBlocks,

		SettledJobRetentionBlocks: DefaultSettledJobRetentionBlocks,
		MaxPrunesPerBlock:         DefaultMaxPrunesPerBlock,
	}
}

// Validate checks the parameters.
func (p Params) Validate() error {
	if p.TakeRateBps > 2_000 {
		return fmt.Errorf("take_rate_bps above 2000 (20%%)")
	}
	if p.ArbiterFeeBps > 2_000 {
		return fmt.Errorf("arbiter_fee_bps above 2000 (20%%)")
	}
	if len(p.Arbiters) > 100 {
		return fmt.Errorf("at most 100 arbiters")
	}
	seen := map[string]bool{}
	for _, a := range p.Arbiters {
		if _, err := sdk.AccAddressFromBech32(a); err != nil {
			return fmt.Errorf("arbiter %q: %w", a, err)
		}
		if seen[a] {
			return fmt.Errorf("duplicate arbiter %s", a)
		}
		seen[a] = true
	}
	if p.DefaultArbiter != "" && !slices.Contains(p.Arbiters, p.DefaultArbiter) {
		return fmt.Errorf("default_arbiter %s is not one of the arbiters", p.DefaultArbiter)
	}
	for name, v := range map[string]int64{
		"accept_window_blocks": p.AcceptWindowBlocks, "default_review_window_blocks": p.DefaultReviewWindowBlocks,
		"min_review_window_blocks": p.MinReviewWindowBlocks, "max_review_window_blocks": p.MaxReviewWindowBlocks,
		"max_duration_blocks": p.MaxDurationBlocks, "dispute_timeout_blocks": p.DisputeTimeoutBlocks,
		"max_request_blocks": p.MaxRequestBlocks,
	} {
		if v <= 0 {
			return fmt.Errorf("%s must be positive", name)
		}
	}
	if p.MinReviewWindowBlocks > p.MaxReviewWindowBlocks {
		return fmt.Errorf("min_review_window_blocks above max_review_window_blocks")
	}
	if p.DefaultReviewWindowBlocks < p.MinReviewWindowBlocks || p.DefaultReviewWindowBlocks > p.MaxReviewWindowBlocks {
		return fmt.Errorf("default_review_window_blocks outside [min, max]")
	}
	if p.DefaultProviderShareBps > BasisPoints {
		return fmt.Errorf("default_provider_share_bps above %d", BasisPoints)
	}
	if p.MaxBidsPerRequest == 0 || p.MaxBidsPerRequest > 100 {
		return fmt.Errorf("max_bids_per_request must be in [1, 100]")
	}
	if p.MaxMilestones == 0 || p.MaxMilestones > 50 {
		return fmt.Errorf("max_milestones must be in [1, 50]")
	}
	if p.MaxTimeoutsPerBlock == 0 || p.MaxTimeoutsPerBlock > 10_000 {
		return fmt.Errorf("max_timeouts_per_block must be in [1, 10000]")
	}
	if p.SettledJobRetentionBlocks < 0 {
		return fmt.Errorf("settled_job_retention_blocks must not be negative (0 keeps settled jobs forever)")
	}
	if p.MaxPrunesPerBlock == 0 || p.MaxPrunesPerBlock > 10_000 {
		return fmt.Errorf("max_prunes_per_block must be in [1, 10000]")
	}
	return nil
}

// IsArbiter reports whether addr is an allowed arbiter.
func (p Params) IsArbiter(addr string) bool { return slices.Contains(p.Arbiters, addr) }
