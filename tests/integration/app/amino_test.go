package app_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"google.golang.org/protobuf/encoding/protowire"
	protov2 "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	aminoapi "cosmossdk.io/api/amino"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reputationtypes "github.com/agentchain/agentchain/x/reputation/types"
)

// aminoSignBytes returns the legacy amino JSON a wallet signs for msg.
func aminoSignBytes(t *testing.T, ta *apptest.TestApp, msg sdk.Msg) []byte {
	t.Helper()
	txCfg := ta.TxConfig()
	txb := txCfg.NewTxBuilder()
	if err := txb.SetMsgs(msg); err != nil {
		t.Fatal(err)
	}
	txb.SetGasLimit(200_000)
	txb.SetFeeAmount(coins(500))
	pub := secp256k1.GenPrivKeyFromSecret([]byte("signer")).PubKey()
	if err := txb.SetSignatures(signing.SignatureV2{PubKey: pub, Data: &signing.SingleSignatureData{SignMode: signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON}}); err != nil {
		t.Fatal(err)
	}
	bz, err := authsigning.GetSignBytesAdapter(context.Background(), txCfg.SignModeHandler(), signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON,
		authsigning.SignerData{ChainID: apptest.ChainID, PubKey: pub, Address: sdk.AccAddress(pub.Address()).String()}, txb.GetTx())
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

// Amino JSON sign bytes must cover every field of every message, nested
// messages of our own packages included: a wallet signs what it shows, and
// a relayer must not be able to change what was not signed. (With
// proto.HybridResolver as the registry's files, endpoints, milestones and
// params all signed as {}.)
func TestAminoJSONSignBytesCoverNestedMessages(t *testing.T) {
	ta := apptest.New(t, apptest.Options{})
	addr := ta.Accounts[0].Addr.String()
	gov := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	agnt := func(n int64) sdk.Coin { return sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(n)) }
	hire := func(title string, amount int64) sdk.Msg {
		return &markettypes.MsgHire{
			Client: addr, ListingId: 1, SpecUri: "https://x.example/spec", SpecHash: bytes.Repeat([]byte{1}, 32), DeliverBy: 50,
			Milestones: []markettypes.MilestoneSpec{{Title: title, Amount: agnt(amount)}, {Title: "rest", Amount: agnt(1)}},
		}
	}
	register := func(url string) sdk.Msg {
		return &agentidtypes.MsgRegisterAgent{
			Owner: addr, Name: "agent-one", AgentAddress: addr,
			Endpoints: []agentidtypes.Endpoint{{Protocol: "a2a", Url: url}},
		}
	}
	marketParams := markettypes.DefaultParams()
	marketParams2 := marketParams
	marketParams2.TakeRateBps++
	agentidParams := agentidtypes.DefaultParams()
	agentidParams2 := agentidParams
	agentidParams2.MaxEndpoints++
	for _, c := range []struct {
		name string
		a, b sdk.Msg
		want string
	}{
		{"register endpoints", register("https://good.example/a2a"), register("https://evil.example/a2a"), "good.example"},
		{
			"update endpoints", &agentidtypes.MsgUpdateAgent{Owner: addr, AgentId: 1, Endpoints: []agentidtypes.Endpoint{{Protocol: "mcp", Url: "https://a.example"}}},
			&agentidtypes.MsgUpdateAgent{Owner: addr, AgentId: 1, Endpoints: []agentidtypes.Endpoint{{Protocol: "mcp", Url: "https://b.example"}}}, "a.example",
		},
		{"hire milestone title", hire("draft", 5), hire("final", 5), `"title":"draft"`},
		{"hire milestone amount", hire("draft", 5), hire("draft", 6), `"amount":{"amount":"5"`},
		{
			"accept bid milestones", &markettypes.MsgAcceptBid{Client: addr, RequestId: 1, BidId: 1, Milestones: []markettypes.MilestoneSpec{{Title: "a", Amount: agnt(1)}}},
			&markettypes.MsgAcceptBid{Client: addr, RequestId: 1, BidId: 1, Milestones: []markettypes.MilestoneSpec{{Title: "a", Amount: agnt(2)}}}, `"title":"a"`,
		},
		{"market params", &markettypes.MsgUpdateParams{Authority: gov, Params: marketParams}, &markettypes.MsgUpdateParams{Authority: gov, Params: marketParams2}, "take_rate_bps"},
		{"agentid params", &agentidtypes.MsgUpdateParams{Authority: gov, Params: agentidParams}, &agentidtypes.MsgUpdateParams{Authority: gov, Params: agentidParams2}, "max_endpoints"},
		{"escrow params", &escrowtypes.MsgUpdateParams{Authority: gov, Params: escrowtypes.DefaultParams()}, &escrowtypes.MsgUpdateParams{Authority: gov}, "allowed_denoms"},
		{"reputation params", &reputationtypes.MsgUpdateParams{Authority: gov, Params: reputationtypes.DefaultParams()}, &reputationtypes.MsgUpdateParams{Authority: gov}, "prior_score"},
	} {
		a, b := aminoSignBytes(t, ta, c.a), aminoSignBytes(t, ta, c.b)
		if bytes.Equal(a, b) {
			t.Errorf("%s: two different messages sign the same amino JSON:\n%s", c.name, a)
		}
		if !strings.Contains(string(a), c.want) {
			t.Errorf("%s: amino JSON lacks %s:\n%s", c.name, c.want, a)
		}
	}
}

// An agent registers with endpoints and is hired with milestones by
// accounts signing amino JSON, as a Ledger or a CosmJS amino wallet does.
func TestAminoSignedTransactionsWithNestedMessages(t *testing.T) {
	ta := apptest.New(t, apptest.Options{})
	owner, client := ta.Accounts[0], ta.Accounts[1]
	amino := signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON
	res := ta.DeliverTx(owner, apptest.Tx{SignMode: amino, Msgs: []sdk.Msg{&agentidtypes.MsgRegisterAgent{
		Owner: owner.Addr.String(), Name: "amino-agent", AgentAddress: owner.Addr.String(), Capabilities: []string{"summarize"},
		Endpoints: []agentidtypes.Endpoint{{Protocol: "a2a", Url: "https://agent.example/a2a"}},
	}}})
	apptest.MustOK(t, res)
	a, err := ta.AgentIDKeeper.Agents.Get(ta.Ctx(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Endpoints) != 1 || a.Endpoints[0].Url != "https://agent.example/a2a" {
		t.Fatalf("endpoints %+v", a.Endpoints)
	}
	apptest.MustOK(t, ta.DeliverTx(owner, apptest.Tx{SignMode: amino, Msgs: []sdk.Msg{&markettypes.MsgCreateListing{
		Signer: owner.Addr.String(), Provider: 1, Capability: "summarize", Title: "t", TermsUri: "https://agent.example/terms",
		TermsHash: bytes.Repeat([]byte{2}, 32), Price: sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(1000)), MaxDurationBlocks: 100, ReviewWindowBlocks: 10,
	}}}))
	h := ta.Ctx().BlockHeight()
	apptest.MustOK(t, ta.DeliverTx(client, apptest.Tx{SignMode: amino, Msgs: []sdk.Msg{&markettypes.MsgHire{
		Client: client.Addr.String(), ListingId: 1, SpecUri: "https://client.example/spec", SpecHash: bytes.Repeat([]byte{3}, 32), DeliverBy: h + 50,
		Milestones: []markettypes.MilestoneSpec{
			{Title: "draft", Amount: sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(400))},
			{Title: "final", Amount: sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(600))},
		},
	}}}))
	job, err := ta.MarketKeeper.Jobs.Get(ta.Ctx(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(job.Milestones) != 2 || job.Milestones[0].Title != "draft" || !job.Milestones[1].Amount.Amount.Equal(sdkmath.NewInt(600)) {
		t.Fatalf("milestones %+v", job.Milestones)
	}
	// A pay-per-call purchase signed the same way.
	apptest.MustOK(t, ta.DeliverTx(client, apptest.Tx{SignMode: amino, Msgs: []sdk.Msg{&markettypes.MsgPurchase{
		Client: client.Addr.String(), ListingId: 1, Calls: 2, Amount: sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(2000)),
		RequestId: "amino-call-1", ValidUntilHeight: ta.Ctx().BlockHeight() + 5,
	}}}))
	if j, err := ta.MarketKeeper.GetPurchase(ta.Ctx(), client.Addr, "amino-call-1"); err != nil || j.Calls != 2 {
		t.Fatalf("purchase %+v: %v", j, err)
	}
}

// Every message of our modules has an amino name (the proto option, also
// registered with the legacy amino codec), at most 39 characters as Ledger
// requires, and builds amino JSON sign bytes under that name.
func TestEveryMessageHasAnAminoName(t *testing.T) {
	ta := apptest.New(t, apptest.Options{})
	files, err := gogoproto.MergedRegistry()
	if err != nil {
		t.Fatal(err)
	}
	// The messages the Msg services take.
	want := map[string]bool{}
	for _, m := range []string{"agentid", "escrow", "market", "reputation"} {
		d, err := files.FindDescriptorByName(protoreflect.FullName("agentchain." + m + ".v1.Msg"))
		if err != nil {
			t.Fatal(err)
		}
		methods := d.(protoreflect.ServiceDescriptor).Methods()
		for i := 0; i < methods.Len(); i++ {
			want["/"+string(methods.Get(i).Input().FullName())] = true
		}
	}
	registered := 0
	for _, url := range ta.InterfaceRegistry().ListImplementations(sdk.MsgInterfaceProtoName) {
		if !strings.HasPrefix(url, "/agentchain.") {
			continue
		}
		registered++
		delete(want, url)
		msg, err := ta.InterfaceRegistry().Resolve(url)
		if err != nil {
			t.Fatal(err)
		}
		d, err := files.FindDescriptorByName(protoreflect.FullName(strings.TrimPrefix(url, "/")))
		if err != nil {
			t.Fatal(err)
		}
		name, _ := protov2.GetExtension(d.Options(), aminoapi.E_Name).(string)
		if name == "" || len(name) > 39 {
			t.Errorf("%s: amino name %q (want one of at most 39 characters)", url, name)
			continue
		}
		legacy := ta.LegacyAmino().MustMarshalJSON(msg)
		if !strings.HasPrefix(string(legacy), `{"type":"`+name+`"`) {
			t.Errorf("%s: legacy amino codec names it %s, the proto option %s", url, legacy, name)
		}
		if sb := aminoSignBytes(t, ta, msg); !strings.Contains(string(sb), `"type":"`+name+`"`) {
			t.Errorf("%s: sign bytes lack its amino name: %s", url, sb)
		}
	}
	if len(want) > 0 || registered == 0 {
		t.Fatalf("Msg service inputs not registered as messages: %v (%d registered)", want, registered)
	}
}

// A transaction whose nested message carries a field the chain does not
// know is refused when decoded, as at the top level: what a signer signed
// is exactly what the chain reads.
func TestUnknownFieldsInNestedMessagesAreRefused(t *testing.T) {
	ta := apptest.New(t, apptest.Options{})
	owner := ta.Accounts[0]
	msg := &agentidtypes.MsgRegisterAgent{
		Owner: owner.Addr.String(), Name: "nested-unknown", AgentAddress: owner.Addr.String(),
		Endpoints: []agentidtypes.Endpoint{{Protocol: "a2a", Url: "https://agent.example/a2a"}},
	}
	signed := ta.Sign(owner, apptest.Tx{Msgs: []sdk.Msg{msg}})
	unknown := protowire.AppendVarint(protowire.AppendTag(nil, 99, protowire.VarintType), 1)

	const none, top, nested = 0, 1, 2
	mutate := func(where int) []byte {
		var raw txtypes.TxRaw
		if err := raw.Unmarshal(signed); err != nil {
			t.Fatal(err)
		}
		var body txtypes.TxBody
		if err := body.Unmarshal(raw.BodyBytes); err != nil {
			t.Fatal(err)
		}
		base := *msg
		base.Endpoints = nil
		value, err := base.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		ep, err := msg.Endpoints[0].Marshal()
		if err != nil {
			t.Fatal(err)
		}
		switch where {
		case nested:
			ep = append(ep, unknown...)
		case top:
			value = append(value, unknown...)
		}
		value = protowire.AppendBytes(protowire.AppendTag(value, 9, protowire.BytesType), ep)
		body.Messages[0].Value = value
		if raw.BodyBytes, err = body.Marshal(); err != nil {
			t.Fatal(err)
		}
		bz, err := raw.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		return bz
	}
	for _, where := range []int{top, nested} {
		res := ta.NextBlock([][]byte{mutate(where)}).TxResults[0]
		if res.Codespace != sdkerrors.ErrTxDecode.Codespace() || res.Code != sdkerrors.ErrTxDecode.ABCICode() {
			t.Fatalf("unknown field (%d): code %s/%d, log %s; want a decode refusal", where, res.Codespace, res.Code, res.Log)
		}
	}
	if _, err := ta.AgentIDKeeper.Agents.Get(ta.Ctx(), 1); err == nil {
		t.Fatal("an agent was registered")
	}
	// The same re-encoding without the unknown field is the signed tx.
	apptest.MustOK(t, ta.NextBlock([][]byte{mutate(none)}).TxResults[0])
}
