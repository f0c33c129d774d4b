package types

import (
	"fmt"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultParams are chosen so that reputation tracks real money: the prior
// (50, worth 100 AGNT of feedback) outweighs many small ratings — twenty
// 1-AGNT jobs rated 100 move a new agent to 58 — while one 5,000-AGNT job
// rated 90 moves it to 89. A month-long half-life keeps scores current.
func DefaultParams() Params {
	return Params{
		PriorScore:           50,
		PriorWeight:          sdkmath.LegacyNewDec(100),
		HalfLifeBlocks:       2_592_000,
		MaxWeightPerJob:      sdkmath.LegacyNewDec(10_000),
		DenomWeights:         []DenomWeight{{Denom: "uagnt", Weight: sdkmath.LegacyNewDecWithPrec(1, 6)}},
		FeedbackWindowBlocks: 604_800,
		MaxTags:              5,
		TopCandidatesSlack:   100,
		// A feedback leaves state a month after it was given (then at a
		// half-life it counts half as much), four times the feedback window.
		FeedbackRetentionBlocks: DefaultFeedbackRetentionBlocks,
		MaxPrunesPerBlock:       DefaultMaxPrunesPerBlock,
	}
}

const (
	// DefaultFeedbackRetentionBlocks keeps a feedback 30 days at one-second
	// blocks.
	DefaultFeedbackRetentionBlocks = 2_592_000
	// DefaultMaxPrunesPerBlock bounds the jobs whose feedback one EndBlock
	// prunes.
	DefaultMaxPrunesPerBlock = 100
	// MaxPrunesPerBlockLimit is the highest max_prunes_per_block.
	MaxPrunesPerBlockLimit = 10_000
)

// Validate checks the parameters.
func (p Params) Validate() error {
	if p.PriorScore > MaxScore {
		return fmt.Errorf("prior_score above %d", MaxScore)
	}
	if p.PriorWeight.IsNil() || !p.PriorWeight.IsPositive() {
		return fmt.Errorf("prior_weight must be positive")
	}
	if p.HalfLifeBlocks <= 0 {
		return fmt.Errorf("half_life_blocks must be positive")
	}
	if p.MaxWeightPerJob.IsNil() || !p.MaxWeightPerJob.IsPositive() {
		return fmt.Errorf("max_weight_per_job must be positive")
	}
	seen := map[string]bool{}
	for _, dw := range p.DenomWeights {
		if err := sdk.ValidateDenom(dw.Denom); err != nil {
			return fmt.Errorf("denom weight %q: %w", dw.Denom, err)
		}
		if seen[dw.Denom] {
			return fmt.Errorf("duplicate denom weight %s", dw.Denom)
		}
		seen[dw.Denom] = true
		if dw.Weight.IsNil() || dw.Weight.IsNegative() {
			return fmt.Errorf("denom weight of %s must be zero or positive", dw.Denom)
		}
	}
	if p.FeedbackWindowBlocks <= 0 {
		return fmt.Errorf("feedback_window_blocks must be positive")
	}
	if p.MaxTags > 20 {
		return fmt.Errorf("max_tags above 20")
	}
	if p.TopCandidatesSlack > 400 {
		return fmt.Errorf("top_candidates_slack above 400")
	}
	// A feedback must outlive the window in which its job can be rated, or
	// the party could rate the job again once the first rating left.
	if p.FeedbackRetentionBlocks < 0 || (p.FeedbackRetentionBlocks > 0 && p.FeedbackRetentionBlocks <= p.FeedbackWindowBlocks) {
		return fmt.Errorf("feedback_retention_blocks %d must be 0 (keep) or more than feedback_window_blocks %d", p.FeedbackRetentionBlocks, p.FeedbackWindowBlocks)
	}
	if p.MaxPrunesPerBlock > MaxPrunesPerBlockLimit {
		return fmt.Errorf("max_prunes_per_block %d above %d", p.MaxPrunesPerBlock, MaxPrunesPerBlockLimit)
	}
	return nil
}

// WeightOf values settled coins in AGNT by the denom weights, capped.
func (p Params) WeightOf(settled sdk.Coins) sdkmath.LegacyDec {
	w := sdkmath.LegacyZeroDec()
	for _, c := range settled {
		for _, dw := range p.DenomWeights {
			if dw.Denom == c.Denom {
				w = w.Add(dw.Weight.MulInt(c.Amount))
			}
		}
	}
	if w.GT(p.MaxWeightPerJob) {
		return p.MaxWeightPerJob
	}
	return w
}
