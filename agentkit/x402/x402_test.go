package x402

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	bankv1beta1 "cosmossdk.io/api/cosmos/bank/v1beta1"
	basev1beta1 "cosmossdk.io/api/cosmos/base/v1beta1"
	protov2 "google.golang.org/protobuf/proto"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
)

// Headers are base64 JSON; clients in other languages may send the URL
// alphabet or drop the padding, and garbage is refused with a reason.
func TestHeadersDecodeEveryBase64Form(t *testing.T) {
	p := PaymentPayload{X402Version: Version, Accepted: PaymentRequirements{Scheme: Scheme, Network: Network("c-1"), Amount: "5", Asset: "uagnt"}}
	h, err := EncodeHeader(p)
	if err != nil {
		t.Fatal(err)
	}
	bz, _ := json.Marshal(p)
	for _, form := range []string{h, base64.RawStdEncoding.EncodeToString(bz), base64.URLEncoding.EncodeToString(bz), base64.RawURLEncoding.EncodeToString(bz)} {
		var got PaymentPayload
		if err := DecodeHeader(form, &got); err != nil || got.Accepted.Network != "cosmos:c-1" || got.Accepted.Amount != "5" {
			t.Fatalf("%s: %+v %v", form, got, err)
		}
	}
	for _, bad := range []string{"", "%%%", base64.StdEncoding.EncodeToString([]byte("{not json"))} {
		var got PaymentPayload
		if err := DecodeHeader(bad, &got); err == nil {
			t.Errorf("%q decoded", bad)
		}
	}
}

// The payer picks the cheapest purchase on its chain within its maximum
// and refuses one above it.
func TestChooseRequirement(t *testing.T) {
	req := func(network, amount, asset, listing string) PaymentRequirements {
		return PaymentRequirements{Scheme: Scheme, Network: network, Amount: amount, Asset: asset, Extra: &Extra{ListingID: listing}}
	}
	pr := &PaymentRequired{Accepts: []PaymentRequirements{
		req("cosmos:other-1", "1", "uagnt", "9"),
		req("cosmos:c-1", "700", "uagnt", "2"),
		req("cosmos:c-1", "300", "uagnt", "3"),
		req("cosmos:c-1", "100", "ustable", "4"),
		{Scheme: "upto", Network: "cosmos:c-1", Amount: "1", Asset: "uagnt", Extra: &Extra{ListingID: "5"}},
	}}
	got, err := chooseFrom(pr, "c-1", "uagnt", 500)
	if err != nil || got.Extra.ListingID != "3" {
		t.Fatalf("chose %+v: %v", got, err)
	}
	if _, err := chooseFrom(pr, "c-1", "uagnt", 200); err == nil {
		t.Fatal("a price above the maximum was chosen")
	}
}

func chooseFrom(pr *PaymentRequired, chainID, denom string, maxAmount int64) (PaymentRequirements, error) {
	return choose(pr, chainID, sdk.NewInt64Coin(denom, maxAmount))
}

// sendPayment is a payload holding a bank MsgSend (unsigned: decode checks
// no signature).
func sendPayment(t *testing.T, to, amount, memo string) PaymentPayload {
	t.Helper()
	msg, err := protov2.Marshal(&bankv1beta1.MsgSend{FromAddress: "agent1payer", ToAddress: to, Amount: []*basev1beta1.Coin{{Denom: "uagnt", Amount: amount}}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := (&txtypes.TxBody{Messages: []*codectypes.Any{{TypeUrl: "/cosmos.bank.v1beta1.MsgSend", Value: msg}}, Memo: memo}).Marshal()
	auth, _ := (&txtypes.AuthInfo{SignerInfos: []*txtypes.SignerInfo{{}}, Fee: &txtypes.Fee{GasLimit: 1}}).Marshal()
	raw, _ := (&txtypes.TxRaw{BodyBytes: body, AuthInfoBytes: auth, Signatures: [][]byte{{1}}}).Marshal()
	return PaymentPayload{
		X402Version: Version, Resource: &ResourceInfo{URL: "http://svc/quote"},
		Accepted: PaymentRequirements{Scheme: Scheme, Network: Network("c-1")},
		Payload: ExactPayload{Signature: base64.StdEncoding.EncodeToString(raw), Authorization: Authorization{
			Type: AuthorizationType, From: "agent1payer", To: "agent1shop", Amount: amount, Denom: "uagnt", ChainID: "c-1", RequestID: "r-1",
		}},
	}
}

// A plain MsgSend is accepted only where the resource allows it, paying
// payTo exactly, with its memo binding the request id and the resource.
func TestMsgSendPayments(t *testing.T) {
	f := &Facilitator{network: Network("c-1")}
	req := PaymentRequirements{Scheme: Scheme, Network: Network("c-1"), Amount: "5", Asset: "uagnt", PayTo: "agent1shop", Extra: &Extra{AllowMsgSend: true}}
	good := MsgSendMemo("r-1", "http://svc/quote")
	if pay, ref := f.decode(sendPayment(t, "agent1shop", "5", good), req); ref != nil || pay.send == nil || pay.payer != "agent1payer" {
		t.Fatalf("a good MsgSend: %v", ref)
	}
	for _, c := range []struct {
		name   string
		p      PaymentPayload
		req    func(*PaymentRequirements)
		reason string
	}{
		{"not allowed", sendPayment(t, "agent1shop", "5", good), func(r *PaymentRequirements) { r.Extra.AllowMsgSend = false }, ReasonMessage},
		{"wrong payTo", sendPayment(t, "agent1else", "5", good), nil, ReasonRecipient},
		{"underpaid", sendPayment(t, "agent1shop", "4", good), nil, ReasonAmount},
		{"memo of another resource", sendPayment(t, "agent1shop", "5", MsgSendMemo("r-1", "http://svc/other")), nil, ReasonInvalidPayload},
		{"no memo", sendPayment(t, "agent1shop", "5", ""), nil, ReasonInvalidPayload},
	} {
		r := req
		ex := *req.Extra
		r.Extra = &ex
		if c.req != nil {
			c.req(&r)
		}
		if _, ref := f.decode(c.p, r); ref == nil || ref.Reason != c.reason {
			t.Errorf("%s: %v, want %s", c.name, ref, c.reason)
		}
	}
}
