package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/legacy"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the messages' amino names (at most 39
// characters) for amino JSON signing.
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	legacy.RegisterAminoMsg(cdc, &MsgSubmitFeedback{}, "reputation/MsgSubmitFeedback")
	legacy.RegisterAminoMsg(cdc, &MsgRespondFeedback{}, "reputation/MsgRespondFeedback")
	legacy.RegisterAminoMsg(cdc, &MsgRevokeFeedback{}, "reputation/MsgRevokeFeedback")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "reputation/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "reputation/Params", nil)
}

// RegisterInterfaces registers the messages as sdk.Msg implementations.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgSubmitFeedback{}, &MsgRespondFeedback{}, &MsgRevokeFeedback{}, &MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
