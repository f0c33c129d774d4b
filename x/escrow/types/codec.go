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
	legacy.RegisterAminoMsg(cdc, &MsgCreateEscrow{}, "escrow/MsgCreateEscrow")
	legacy.RegisterAminoMsg(cdc, &MsgRelease{}, "escrow/MsgRelease")
	legacy.RegisterAminoMsg(cdc, &MsgRefund{}, "escrow/MsgRefund")
	legacy.RegisterAminoMsg(cdc, &MsgOpenDispute{}, "escrow/MsgOpenDispute")
	legacy.RegisterAminoMsg(cdc, &MsgResolveDispute{}, "escrow/MsgResolveDispute")
	legacy.RegisterAminoMsg(cdc, &MsgSettleEscrow{}, "escrow/MsgSettleEscrow")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "escrow/MsgUpdateParams")
	legacy.RegisterAminoMsg(cdc, &MsgOpenStream{}, "escrow/MsgOpenStream")
	legacy.RegisterAminoMsg(cdc, &MsgWithdrawStream{}, "escrow/MsgWithdrawStream")
	legacy.RegisterAminoMsg(cdc, &MsgTopUpStream{}, "escrow/MsgTopUpStream")
	legacy.RegisterAminoMsg(cdc, &MsgCancelStream{}, "escrow/MsgCancelStream")
	legacy.RegisterAminoMsg(cdc, &MsgCloseStream{}, "escrow/MsgCloseStream")
	cdc.RegisterConcrete(&Params{}, "escrow/Params", nil)
}

// RegisterInterfaces registers the messages as sdk.Msg implementations.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgCreateEscrow{},
		&MsgRelease{},
		&MsgRefund{},
		&MsgOpenDispute{},
		&MsgResolveDispute{},
		&MsgSettleEscrow{},
		&MsgUpdateParams{},
		&MsgOpenStream{},
		&MsgWithdrawStream{},
		&MsgTopUpStream{},
		&MsgCancelStream{},
		&MsgCloseStream{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
