package app

import (
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/app/params"
)

// The chain's names and units live in app/params, which clients import
// without the node; these are the same constants.
const (
	// AppName is the name of the application, reported in ABCI Info.
	AppName = "agentchain"

	Bech32PrefixAccAddr  = params.Bech32PrefixAccAddr
	Bech32PrefixAccPub   = params.Bech32PrefixAccPub
	Bech32PrefixValAddr  = params.Bech32PrefixValAddr
	Bech32PrefixValPub   = params.Bech32PrefixValPub
	Bech32PrefixConsAddr = params.Bech32PrefixConsAddr
	Bech32PrefixConsPub  = params.Bech32PrefixConsPub
	BaseDenom            = params.BaseDenom
	DisplayDenom         = params.DisplayDenom
	BaseDenomExponent    = params.BaseDenomExponent
	DefaultMinGasPrices  = params.DefaultMinGasPrices
	DefaultChainID       = params.DefaultChainID
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
