package x402

import (
	"encoding/base64"
	"encoding/json"
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"
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
