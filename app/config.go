package app

import (
	sdk "github.com/cosmos/cosmos-sdk/types"
)

const (
	// AppName is the name of the application, reported in ABCI Info.
	AppName = "agentchain"

	// Bech32PrefixAccAddr is the human-readable part of account addresses.
	Bech32PrefixAccAddr = "agent"
	// Bech32PrefixAccPub is the human-readable part of account public keys.
	Bech32PrefixAccPub = Bech32PrefixAccAddr + "pub"
	// Bech32PrefixValAddr is the human-readable part of validator operator addresses.
	Bech32PrefixValAddr = Bech32PrefixAccAddr + "valoper"
	// Bech32PrefixValPub is the human-readable part of validator operator public keys.
	Bech32PrefixValPub = Bech32PrefixAccAddr + "valoperpub"
	// Bech32PrefixConsAddr is the human-readable part of consensus addresses.
	Bech32PrefixConsAddr = Bech32PrefixAccAddr + "valcons"
	// Bech32PrefixConsPub is the human-readable part of consensus public keys.
	Bech32PrefixConsPub = Bech32PrefixAccAddr + "valconspub"

	// BaseDenom is the chain's native token in its smallest unit (10^-6 AGNT).
	// It pays fees, is staked, and is the default payment denom of the market.
	BaseDenom = "uagnt"
	// DisplayDenom is the human unit of the native token.
	DisplayDenom = "AGNT"
	// BaseDenomExponent is the number of decimals between DisplayDenom and BaseDenom.
	BaseDenomExponent = 6

	// DefaultMinGasPrices is written into a new node's app.toml. Validators may
	// raise it; a node refuses to start without one, and CheckTx refuses txs that
	// pay less, which is what makes spam cost something.
	DefaultMinGasPrices = "0.0025" + BaseDenom

	// DefaultChainID is the chain id of the local development network.
	DefaultChainID = "agentchain-local-1"
)

func init() {
	SetAddressConfig()
	// Staking, mint and gov take their default denoms from DefaultBondDenom, so
	// `agentchaind init` writes a genesis denominated in uagnt.
	sdk.DefaultBondDenom = BaseDenom
}

// SetAddressConfig sets the bech32 prefixes on the SDK's global config. It is
// idempotent so that tests and commands may call it freely; it seals nothing.
func SetAddressConfig() {
	cfg := sdk.GetConfig()
	cfg.SetBech32PrefixForAccount(Bech32PrefixAccAddr, Bech32PrefixAccPub)
	cfg.SetBech32PrefixForValidator(Bech32PrefixValAddr, Bech32PrefixValPub)
	cfg.SetBech32PrefixForConsensusNode(Bech32PrefixConsAddr, Bech32PrefixConsPub)
}
