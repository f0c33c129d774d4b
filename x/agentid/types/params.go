package types

import (
	"fmt"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Default parameters.
const (
	// DefaultDepositDenom is the chain's native denom (uagnt).
	DefaultDepositDenom = "uagnt"
	// DefaultMaxCapabilities bounds an agent's tags: enough to describe a
	// focused agent, few enough that the capability index stays small.
	DefaultMaxCapabilities = 16
	// DefaultMaxEndpoints bounds an agent's endpoints.
	DefaultMaxEndpoints = 8
	// DefaultAttestationRetentionBlocks keeps an expired attestation two
	// weeks (at one block a second) after it expired.
	DefaultAttestationRetentionBlocks = 1_209_600
	// DefaultMaxPrunesPerBlock bounds EndBlock's pruning.
	DefaultMaxPrunesPerBlock = 100

	// Hard limits on what governance may set, so that no parameter change
	// can make a single agent record unboundedly large.
	maxCapabilitiesLimit = 64
	maxEndpointsLimit    = 32
	maxAttesters         = 100
	maxPrunesLimit       = 10_000
)

// DefaultRegistrationDeposit is 10 AGNT: enough that squatting thousands of
// names costs real money, little enough for any real agent; it comes back
// when the agent is deactivated.
var DefaultRegistrationDeposit = sdk.NewCoin(DefaultDepositDenom, sdkmath.NewInt(10_000_000))

// DefaultParams returns the default parameters.
func DefaultParams() Params {
	return Params{
		RegistrationDeposit: DefaultRegistrationDeposit,
		Attesters:           []string{},
		MaxCapabilities:     DefaultMaxCapabilities,
		MaxEndpoints:        DefaultMaxEndpoints,

		AttestationRetentionBlocks: DefaultAttestationRetentionBlocks,
		MaxPrunesPerBlock:          DefaultMaxPrunesPerBlock,
	}
}

// Validate checks the parameters.
func (p Params) Validate() error {
	if err := p.RegistrationDeposit.Validate(); err != nil {
		return fmt.Errorf("registration deposit: %w", err)
	}
	if p.MaxCapabilities == 0 || p.MaxCapabilities > maxCapabilitiesLimit {
		return fmt.Errorf("max capabilities must be in [1, %d], got %d", maxCapabilitiesLimit, p.MaxCapabilities)
	}
	if p.MaxEndpoints == 0 || p.MaxEndpoints > maxEndpointsLimit {
		return fmt.Errorf("max endpoints must be in [1, %d], got %d", maxEndpointsLimit, p.MaxEndpoints)
	}
	if p.AttestationRetentionBlocks < 0 {
		return fmt.Errorf("attestation retention must not be negative (0 keeps expired attestations), got %d", p.AttestationRetentionBlocks)
	}
	if p.MaxPrunesPerBlock > maxPrunesLimit {
		return fmt.Errorf("max prunes per block must be at most %d, got %d", maxPrunesLimit, p.MaxPrunesPerBlock)
	}
	if len(p.Attesters) > maxAttesters {
		return fmt.Errorf("at most %d attesters, got %d", maxAttesters, len(p.Attesters))
	}
	seen := make(map[string]bool, len(p.Attesters))
	for _, a := range p.Attesters {
		if _, err := sdk.AccAddressFromBech32(a); err != nil {
			return fmt.Errorf("attester %q: %w", a, err)
		}
		if seen[a] {
			return fmt.Errorf("duplicate attester %s", a)
		}
		seen[a] = true
	}
	return nil
}

// IsAttester reports whether addr is an approved attester.
func (p Params) IsAttester(addr string) bool {
	for _, a := range p.Attesters {
		if a == addr {
			return true
		}
	}
	return false
}
