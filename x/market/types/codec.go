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
	legacy.RegisterAminoMsg(cdc, &MsgCreateListing{}, "market/MsgCreateListing")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateListing{}, "market/MsgUpdateListing")
	legacy.RegisterAminoMsg(cdc, &MsgSetListingStatus{}, "market/MsgSetListingStatus")
	legacy.RegisterAminoMsg(cdc, &MsgHire{}, "market/MsgHire")
	legacy.RegisterAminoMsg(cdc, &MsgPostRequest{}, "market/MsgPostRequest")
	legacy.RegisterAminoMsg(cdc, &MsgCancelRequest{}, "market/MsgCancelRequest")
	legacy.RegisterAminoMsg(cdc, &MsgPlaceBid{}, "market/MsgPlaceBid")
	legacy.RegisterAminoMsg(cdc, &MsgAcceptBid{}, "market/MsgAcceptBid")
	legacy.RegisterAminoMsg(cdc, &MsgAcceptJob{}, "market/MsgAcceptJob")
	legacy.RegisterAminoMsg(cdc, &MsgDeclineJob{}, "market/MsgDeclineJob")
	legacy.RegisterAminoMsg(cdc, &MsgCancelJob{}, "market/MsgCancelJob")
	legacy.RegisterAminoMsg(cdc, &MsgDeliver{}, "market/MsgDeliver")
	legacy.RegisterAminoMsg(cdc, &MsgComplete{}, "market/MsgComplete")
	legacy.RegisterAminoMsg(cdc, &MsgReject{}, "market/MsgReject")
	legacy.RegisterAminoMsg(cdc, &MsgResolve{}, "market/MsgResolve")
	legacy.RegisterAminoMsg(cdc, &MsgSettleJob{}, "market/MsgSettleJob")
	legacy.RegisterAminoMsg(cdc, &MsgSettleRequest{}, "market/MsgSettleRequest")
	legacy.RegisterAminoMsg(cdc, &MsgPurchase{}, "market/MsgPurchase")
	legacy.RegisterAminoMsg(cdc, &MsgSubscribe{}, "market/MsgSubscribe")
	legacy.RegisterAminoMsg(cdc, &MsgWithdrawSubscription{}, "market/MsgWithdrawSubscription")
	legacy.RegisterAminoMsg(cdc, &MsgTopUpSubscription{}, "market/MsgTopUpSubscription")
	legacy.RegisterAminoMsg(cdc, &MsgPauseSubscription{}, "market/MsgPauseSubscription")
	legacy.RegisterAminoMsg(cdc, &MsgResumeSubscription{}, "market/MsgResumeSubscription")
	legacy.RegisterAminoMsg(cdc, &MsgCancelSubscription{}, "market/MsgCancelSubscription")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "market/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "market/Params", nil)
}

// RegisterInterfaces registers the messages as sdk.Msg implementations.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgCreateListing{}, &MsgUpdateListing{}, &MsgSetListingStatus{},
		&MsgHire{}, &MsgPostRequest{}, &MsgCancelRequest{}, &MsgPlaceBid{}, &MsgAcceptBid{},
		&MsgAcceptJob{}, &MsgDeclineJob{}, &MsgCancelJob{}, &MsgDeliver{}, &MsgComplete{},
		&MsgReject{}, &MsgResolve{}, &MsgSettleJob{}, &MsgSettleRequest{}, &MsgUpdateParams{},
		&MsgPurchase{},
		&MsgSubscribe{},
		&MsgWithdrawSubscription{},
		&MsgTopUpSubscription{},
		&MsgPauseSubscription{},
		&MsgResumeSubscription{},
		&MsgCancelSubscription{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
