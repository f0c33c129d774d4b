package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/agentchain/agentchain/agentkit"
	"github.com/agentchain/agentchain/agentkit/x402"
)

// x402JSTimeout bounds the JS program: four payments and a few queries on
// 200ms blocks take seconds; the rest is slack for a loaded machine.
const x402JSTimeout = 3 * time.Minute

// TestX402OfficialClient: an x402 client written with the x402
// Foundation's TypeScript packages (@x402/fetch and @x402/core, from npm)
// pays a provider's Paywall: tests/cosmjs/x402.mjs. Those packages parse
// the 402 and its PAYMENT-REQUIRED header, apply the client's spend cap,
// build the PAYMENT-SIGNATURE and read the PAYMENT-RESPONSE; their
// HTTPFacilitatorClient calls `agentchaind x402 facilitator` and checks its
// answers against the protocol's schemas. The program signs each
// MsgPurchase with CosmJS. It checks the 402, a paid call served once, the
// purchase on chain and the exact balance, a replayed payment refused, a
// call over its cap refused before signing, and /supported, /verify and
// /settle (idempotent). Here the provider's payout is checked to have
// received exactly two payments, the price less the take each.
func TestX402OfficialClient(t *testing.T) {
	nodeBin, npmBin := nodeTools(t)
	prepareCosmJS(t, npmBin)

	nw := StartNetwork(t, NetworkOptions{})
	node := nw.Nodes[0]
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	alice := dial(t, ctx, node, devnetSigner(t, "alice"))
	providerKey := fundedKeys(t, ctx, alice, "x402-js", 1, 50_000_000)[0]
	if _, err := alice.RegisterAgent(ctx, agentkit.AgentSpec{Name: "js-quote-seller", Capabilities: []string{"quote"}}, providerKey); err != nil {
		t.Fatal(err)
	}
	provider := dial(t, ctx, node, providerKey)
	const price, premium, maxPrice = 20_000, 100_000, 50_000
	listing := func(title string, p int64) uint64 {
		l, err := provider.CreateListing(ctx, agentkit.ListingSpec{
			Capability: "quote", Title: title, TermsURI: "https://quotes.example/terms", Terms: []byte("terms"),
			Price: agnt(p), MaxDurationBlocks: 100, ReviewWindowBlocks: 10,
		})
		if err != nil {
			t.Fatal(err)
		}
		return l.Id
	}
	quoteListing, premiumListing := listing("One quote per call", price), listing("A premium quote", premium)

	ports := freePorts(t, 1)
	facAddr := fmt.Sprintf("127.0.0.1:%d", ports.P2P)
	startFacilitator(t, node, facAddr)
	facURL := "http://" + facAddr
	reader := dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC}, nil)
	var served atomic.Int64
	serve := func(w http.ResponseWriter, r *http.Request) {
		s, _ := x402.SettlementFrom(r.Context())
		served.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{"quote": 42, "job": s.Purchase.JobID})
	}
	mux := http.NewServeMux()
	mux.Handle("/quote", (&x402.Paywall{Client: reader, Facilitator: x402.RemoteFacilitator{URL: facURL}, ListingID: quoteListing}).Wrap(http.HandlerFunc(serve)))
	mux.Handle("/premium", (&x402.Paywall{Client: reader, Facilitator: x402.RemoteFacilitator{URL: facURL}, ListingID: premiumListing}).Wrap(http.HandlerFunc(serve)))
	svcAddr := fmt.Sprintf("127.0.0.1:%d", ports.P2P+1)
	serveLoopback(t, svcAddr, mux)

	payout := providerKey.Address()
	payout0 := balance(t, ctx, alice, payout)

	runNodeScript(t, ctx, nodeBin, "x402.mjs", x402JSTimeout,
		"AGENTCHAIN_RPC=http://"+node.RPC,
		"AGENTCHAIN_CHAIN_ID="+nw.ChainID,
		"AGENTCHAIN_CLIENT_MNEMONIC="+devnetMnemonic(t, "bob"),
		"X402_QUOTE_URL=http://"+svcAddr+"/quote",
		"X402_PREMIUM_URL=http://"+svcAddr+"/premium",
		"X402_FACILITATOR_URL="+facURL,
		fmt.Sprintf("X402_MAX_PRICE=%d", maxPrice),
	)

	// One call served through the paywall; one payment settled through the
	// facilitator alone. The take is 2%, rounded up (exact here).
	if n := served.Load(); n != 1 {
		t.Errorf("the paywall served %d calls, want 1", n)
	}
	take := int64(price * 200 / 10_000)
	if got := balance(t, ctx, alice, payout) - payout0; got != 2*(price-take) {
		t.Errorf("the provider's payout got %d, want two payments of %d", got, price-take)
	}
}
