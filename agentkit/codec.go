package agentkit

import (
	"fmt"

	gogoproto "github.com/cosmos/gogoproto/proto"
	protov2 "google.golang.org/protobuf/proto"

	"cosmossdk.io/core/address"

	"github.com/cosmos/cosmos-sdk/codec"
	addresscodec "github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptocodec "github.com/cosmos/cosmos-sdk/crypto/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/app/params"
)

// agentkit speaks to the node with the modules' own gogoproto types and,
// for the SDK's auth, bank, tx and node services, with the protobuf-go types
// of cosmossdk.io/api. It needs no interface registry: messages are packed
// into Anys by name, and responses are decoded into the types the caller
// names. That keeps the node (its keepers, its app, its global config) out
// of every agent program.

// grpcCodec marshals both kinds of messages on one connection.
type grpcCodec struct{}

type gogoMessage interface {
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

func (grpcCodec) Name() string { return "proto" }

func (grpcCodec) Marshal(v any) ([]byte, error) {
	switch m := v.(type) {
	case protov2.Message:
		return protov2.MarshalOptions{Deterministic: true}.Marshal(m)
	case gogoMessage:
		return m.Marshal()
	default:
		return nil, fmt.Errorf("agentkit: cannot marshal %T", v)
	}
}

func (grpcCodec) Unmarshal(data []byte, v any) error {
	switch m := v.(type) {
	case protov2.Message:
		return protov2.Unmarshal(data, m)
	case gogoMessage:
		return m.Unmarshal(data)
	default:
		return fmt.Errorf("agentkit: cannot unmarshal into %T", v)
	}
}

// packAny packs a message into an Any by its full protobuf name: a module
// message (gogoproto) or an SDK message of cosmossdk.io/api (protobuf-go).
func packAny(msg gogoproto.Message) (*codectypes.Any, error) {
	if m, ok := msg.(protov2.Message); ok {
		bz, err := protov2.MarshalOptions{Deterministic: true}.Marshal(m)
		if err != nil {
			return nil, err
		}
		return &codectypes.Any{TypeUrl: "/" + string(m.ProtoReflect().Descriptor().FullName()), Value: bz}, nil
	}
	gm, ok := msg.(gogoMessage)
	if !ok {
		return nil, fmt.Errorf("agentkit: %T is not a protobuf message", msg)
	}
	bz, err := gm.Marshal()
	if err != nil {
		return nil, err
	}
	name := gogoproto.MessageName(msg)
	if name == "" {
		return nil, fmt.Errorf("agentkit: %T is not a registered protobuf message", msg)
	}
	return &codectypes.Any{TypeUrl: "/" + name, Value: bz}, nil
}

// KeyringCodec is the codec a Cosmos SDK keyring needs to read its records
// (keyring.New(..., agentkit.KeyringCodec())): public key types only.
func KeyringCodec() codec.Codec {
	reg := codectypes.NewInterfaceRegistry()
	cryptocodec.RegisterInterfaces(reg)
	return codec.NewProtoCodec(reg)
}

// AddressCodec converts account addresses to and from bech32 with a prefix
// ("" for agentchain's, agent1...).
func AddressCodec(prefix string) address.Codec {
	if prefix == "" {
		prefix = params.Bech32PrefixAccAddr
	}
	return addresscodec.NewBech32Codec(prefix)
}

var defaultAddresses = AddressCodec("")

// Bech32 is an account address in agentchain's bech32 form (agent1...),
// whatever the SDK's global config says (agentkit never sets it).
func Bech32(addr sdk.AccAddress) string {
	s, err := defaultAddresses.BytesToString(addr)
	if err != nil {
		return ""
	}
	return s
}

// ParseAddress reads an agentchain account address (agent1...).
func ParseAddress(s string) (sdk.AccAddress, error) {
	bz, err := defaultAddresses.StringToBytes(s)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", s, err)
	}
	return bz, nil
}
