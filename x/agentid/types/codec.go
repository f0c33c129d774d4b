package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/legacy"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the messages' amino names, which amino
// JSON signing (Ledger, CosmJS) puts in the signed document. Each name is at
// most 39 characters: longer names make amino registration panic.
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	legacy.RegisterAminoMsg(cdc, &MsgRegisterAgent{}, "agentid/MsgRegisterAgent")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateAgent{}, "agentid/MsgUpdateAgent")
	legacy.RegisterAminoMsg(cdc, &MsgRotateAgentKey{}, "agentid/MsgRotateAgentKey")
	legacy.RegisterAminoMsg(cdc, &MsgTransferOwnership{}, "agentid/MsgTransferOwnership")
	legacy.RegisterAminoMsg(cdc, &MsgSetAgentStatus{}, "agentid/MsgSetAgentStatus")
	legacy.RegisterAminoMsg(cdc, &MsgDeactivateAgent{}, "agentid/MsgDeactivateAgent")
	legacy.RegisterAminoMsg(cdc, &MsgSetSpendPolicy{}, "agentid/MsgSetSpendPolicy")
	legacy.RegisterAminoMsg(cdc, &MsgAttest{}, "agentid/MsgAttest")
	legacy.RegisterAminoMsg(cdc, &MsgRevokeAttestation{}, "agentid/MsgRevokeAttestation")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "agentid/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "agentid/Params", nil)
}

// RegisterInterfaces registers the messages as sdk.Msg implementations.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgRegisterAgent{},
		&MsgUpdateAgent{},
		&MsgRotateAgentKey{},
		&MsgTransferOwnership{},
		&MsgSetAgentStatus{},
		&MsgDeactivateAgent{},
		&MsgSetSpendPolicy{},
		&MsgAttest{},
		&MsgRevokeAttestation{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
