package app

import (
	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/testutil/sims"
)

// EncodingConfig holds the codecs of the application, for clients.
type EncodingConfig struct {
	InterfaceRegistry types.InterfaceRegistry
	Codec             codec.Codec
	TxConfig          client.TxConfig
	Amino             *codec.LegacyAmino
}

// MakeEncodingConfig returns the application's codecs, with every module's
// messages and interfaces registered. It builds a throwaway app on an
// in-memory database, so it is for clients, not for a node.
func MakeEncodingConfig() EncodingConfig {
	a := New(log.NewNopLogger(), dbm.NewMemDB(), nil, false, sims.EmptyAppOptions{})
	return EncodingConfig{
		InterfaceRegistry: a.InterfaceRegistry(),
		Codec:             a.AppCodec(),
		TxConfig:          a.TxConfig(),
		Amino:             a.LegacyAmino(),
	}
}
