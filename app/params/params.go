// Package params holds the chain's fixed names and units: the bech32
// prefixes, the native denomination, the default minimum gas price and the
// devnet's chain id. It imports nothing, so that clients (agentkit, the
// examples) can use the chain's defaults without linking the node.
package params

const (
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
	// raise it; a node refuses to start without one, and CheckTx refuses txs
	// that pay less, which is what makes spam cost something.
	DefaultMinGasPrices = "0.0025" + BaseDenom

	// DefaultChainID is the chain id of the local development network.
	DefaultChainID = "agentchain-local-1"

	// CoinType is the BIP-44 coin type of account keys (the Cosmos Hub's):
	// keys derive at m/44'/118'/0'/0/0.
	CoinType = 118
)
