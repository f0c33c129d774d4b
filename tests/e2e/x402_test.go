package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/agentchain/agentchain/agentkit"
	"github.com/agentchain/agentchain/agentkit/x402"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// recorder keeps the PAYMENT-SIGNATURE headers a client sent.
type recorder struct {
	mu   sync.Mutex
	sent []string
	next http.RoundTripper
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if h := req.Header.Get(x402.HeaderPaymentSignature); h != "" {
		r.mu.Lock()
		r.sent = append(r.sent, h)
		r.mu.Unlock()
	}
	return r.next.RoundTrip(req)
}

// lossyFacilitator broadcasts the first payment it is asked to settle and
// loses the answer, as a facilitator whose wait for the block runs out.
type lossyFacilitator struct {
	x402.FacilitatorClient
	c    *agentkit.Client
	lost atomic.Bool
}

func (f *lossyFacilitator) Settle(ctx context.Context, p x402.PaymentPayload, req x402.PaymentRequirements) (x402.SettleResponse, error) {
	if !f.lost.CompareAndSwap(false, true) {
		return f.FacilitatorClient.Settle(ctx, p, req)
	}
	bz, err := base64.StdEncoding.DecodeString(p.Payload.Signature)
	if err != nil {
		return x402.SettleResponse{}, err
	}
	if _, err := f.c.BroadcastSigned(ctx, bz); err != nil {
		return x402.SettleResponse{}, err
	}
	return x402.SettleResponse{}, errors.New("the tx is in no block yet and the wait ran out")
}

// serveLoopback serves h on addr (a loopback address) until the test ends.
func serveLoopback(t *testing.T, addr string, h http.Handler) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	svc := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = svc.Serve(ln) }()
	t.Cleanup(func() { _ = svc.Close() })
}

// startFacilitator runs `agentchaind x402 facilitator` and waits for it.
func startFacilitator(t *testing.T, node *Node, addr string) func() {
	t.Helper()
	cmd := exec.Command(binPath, "x402", "facilitator", "--listen", addr, "--grpc-addr", node.GRPC, "--rpc-addr", "http://"+node.RPC)
	cmd.Stderr = stderrLog(t, "x402-facilitator")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = cmd.Process.Signal(os.Interrupt)
			_ = cmd.Wait()
		}
	}
	t.Cleanup(stop)
	waitFor(t, 30*time.Second, "the facilitator to listen", func() bool {
		resp, err := http.Get("http://" + addr + "/supported") //nolint:noctx // a loopback URL built by the test
		if err == nil {
			_ = resp.Body.Close()
		}
		return err == nil && resp.StatusCode == http.StatusOK
	})
	return stop
}

// TestX402PayPerCall: a provider agent's HTTP service on loopback sells
// calls under its listing through the x402 Paywall, settling through
// `agentchaind x402 facilitator`; a client agent calls it through the
// Payer: 402 → pay → 200 with PAYMENT-RESPONSE; balances move exactly;
// the purchase is queryable and ratable; the same payload and the same
// request id are refused (also after the facilitator restarts); every bad
// payment gets its 402 and reason and moves nothing; the facilitator's
// endpoints answer raw JSON; the card resolver accepts the agent's card
// and refuses a tampered one.
func TestX402PayPerCall(t *testing.T) {
	nw := StartNetwork(t, NetworkOptions{})
	node := nw.Nodes[0]
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	alice := dial(t, ctx, node, devnetSigner(t, "alice"))

	keys := fundedKeys(t, ctx, alice, "x402", 4, 50_000_000)
	providerKey, clientKey, cappedKey := keys[0], keys[1], keys[2]
	poorKey := agentkit.FromSecret(fmt.Sprintf("x402-poor-%d", time.Now().UnixNano()))
	fund(t, ctx, alice, poorKey.Address(), 5_000)

	providerAgent, err := alice.RegisterAgent(ctx, agentkit.AgentSpec{Name: "quote-seller", Capabilities: []string{"quote"}}, providerKey)
	if err != nil {
		t.Fatal(err)
	}
	cappedAgent, err := alice.RegisterAgent(ctx, agentkit.AgentSpec{Name: "capped-buyer", Capabilities: []string{"buy"}}, cappedKey)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := alice.SetSpendPolicy(ctx, cappedAgent.Id, sdkmath.NewInt(10_000), "uagnt", 1000); err != nil {
		t.Fatal(err)
	}
	provider := dial(t, ctx, node, providerKey)
	const price = 20_000
	listing, err := provider.CreateListing(ctx, agentkit.ListingSpec{
		Capability: "quote", Title: "One quote per call", TermsURI: "https://quotes.example/terms", Terms: []byte("terms"),
		Price: agnt(price), MaxDurationBlocks: 100, ReviewWindowBlocks: 10,
	})
	if err != nil {
		t.Fatal(err)
	}
	other, err := provider.CreateListing(ctx, agentkit.ListingSpec{
		Capability: "quote", Title: "Another offer", TermsURI: "https://quotes.example/terms", Terms: []byte("terms"),
		Price: agnt(price), MaxDurationBlocks: 100, ReviewWindowBlocks: 10,
	})
	if err != nil {
		t.Fatal(err)
	}

	ports := freePorts(t, 1)
	facAddr := fmt.Sprintf("127.0.0.1:%d", ports.P2P)
	stopFacilitator := startFacilitator(t, node, facAddr)
	facURL := "http://" + facAddr

	// The provider's service: a paid quote and the agent card.
	reader := dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC}, nil)
	paywall := &x402.Paywall{Client: reader, Facilitator: x402.RemoteFacilitator{URL: facURL}, ListingID: listing.Id, Description: "a quote", MimeType: "application/json"}
	var served atomic.Int64
	var card atomic.Pointer[[]byte]
	mux := http.NewServeMux()
	mux.Handle("/quote", paywall.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := x402.SettlementFrom(r.Context())
		served.Add(1)
		_ = json.NewEncoder(w).Encode(map[string]any{"quote": 42, "job": s.Purchase.JobID})
	})))
	mux.HandleFunc(x402.CardPath, func(w http.ResponseWriter, r *http.Request) { x402.CardHandler(*card.Load()).ServeHTTP(w, r) })
	svcAddr := fmt.Sprintf("127.0.0.1:%d", ports.P2P+1)
	serveLoopback(t, svcAddr, mux)
	quoteURL := "http://" + svcAddr + "/quote"

	// The card: built from the agent's record and its payment terms, put
	// on chain by hash.
	reqs, err := paywall.Requirements(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cardBytes := x402.NewAgentCard(providerAgent, reader.ChainID(), "Quotes, paid per call", reqs).Marshal()
	card.Store(&cardBytes)
	if _, err := alice.Broadcast(ctx, &agentidtypes.MsgUpdateAgent{
		Owner: alice.AddressString(), AgentId: providerAgent.Id, CardUri: "http://" + svcAddr + x402.CardPath, CardHash: agentkit.Hash(cardBytes),
	}); err != nil {
		t.Fatal(err)
	}

	// No payment: 402 with the listing's terms.
	resp, err := http.Get(quoteURL) //nolint:gosec,noctx // a loopback URL built by the test
	if err != nil {
		t.Fatal(err)
	}
	unpaid, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	pr, err := x402.ParsePaymentRequired(resp, unpaid)
	if resp.StatusCode != http.StatusPaymentRequired || err != nil || len(pr.Accepts) != 1 {
		t.Fatalf("unpaid request: %d %v %s", resp.StatusCode, err, unpaid)
	}
	want := pr.Accepts[0]
	if want.Amount != strconv.Itoa(price) || want.Asset != "uagnt" || want.PayTo != agentkit.Bech32(providerKey.Address()) ||
		want.Network != "cosmos:"+reader.ChainID() || want.Extra.ListingID != strconv.FormatUint(listing.Id, 10) {
		t.Fatalf("requirements %+v", want)
	}
	t.Logf("402 PAYMENT-REQUIRED decoded: %s", mustJSON(pr))

	// A paid call through the Payer.
	client := dial(t, ctx, node, clientKey)
	rec := &recorder{next: http.DefaultTransport}
	payer := &x402.Payer{Client: client, MaxPrice: agnt(50_000), Base: rec}
	hc := &http.Client{Transport: payer, Timeout: 90 * time.Second}
	payout := providerKey.Address()
	feeCollector := authtypes.NewModuleAddress(authtypes.FeeCollectorName)
	client0, payout0 := balance(t, ctx, alice, clientKey.Address()), balance(t, ctx, alice, payout)
	resp, err = hc.Get(quoteURL)
	if err != nil {
		t.Fatal(err)
	}
	paid, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || served.Load() != 1 {
		t.Fatalf("paid call: %d %s", resp.StatusCode, paid)
	}
	settle, err := x402.ParseSettlement(resp)
	if err != nil || !settle.Success || settle.Purchase == nil || settle.Payer != client.AddressString() {
		t.Fatalf("PAYMENT-RESPONSE %+v %v", settle, err)
	}
	if settle.Amount != fmt.Sprint(price) || settle.Extra == nil || settle.Extra.Purchase == nil || *settle.Extra.Purchase != *settle.Purchase {
		t.Errorf("PAYMENT-RESPONSE amount %q and extra %+v: want %d and the purchase %+v", settle.Amount, settle.Extra, price, *settle.Purchase)
	}
	t.Logf("200 PAYMENT-RESPONSE decoded: %s; body %s", mustJSON(settle), bytes.TrimSpace(paid))
	jobID, _ := strconv.ParseUint(settle.Purchase.JobID, 10, 64)
	tx, err := client.FindTx(ctx, settle.Transaction)
	if err != nil || tx == nil || tx.Code != 0 {
		t.Fatalf("settlement tx %s: %+v %v", settle.Transaction, tx, err)
	}
	take := int64(price * 200 / 10_000) // 2%, rounded up (exact here)
	if got := balance(t, ctx, alice, payout) - payout0; got != price-take {
		t.Errorf("the provider's payout got %d, want %d", got, price-take)
	}
	fee := txFee(t, tx)
	if got := client0 - balance(t, ctx, alice, clientKey.Address()); got != price+fee {
		t.Errorf("the client paid %d, want the price %d + the fee %d", got, price, fee)
	}
	if got := transferredTo(tx, agentkit.Bech32(feeCollector)) - fee; got != take {
		t.Errorf("the fee collector got %d of take, want %d", got, take)
	}
	job, err := client.PurchaseOf(ctx, client.AddressString(), settle.Purchase.RequestID)
	if err != nil || job.Id != jobID || job.Status != markettypes.JOB_STATUS_COMPLETED || job.Calls != 1 || job.ListingId != listing.Id {
		t.Fatalf("purchase on chain: %+v %v", job, err)
	}
	if _, err := client.Rate(ctx, jobID, 95, "fast"); err != nil {
		t.Fatalf("rate the purchase: %v", err)
	}

	// sendRaw sends a request with a PAYMENT-SIGNATURE header as given.
	sendRawTo := func(url, header string) (int, *x402.SettleResponse, map[string]any) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		req.Header.Set(x402.HeaderPaymentSignature, header)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		s, _ := x402.ParseSettlement(resp)
		return resp.StatusCode, s, body
	}
	sendRaw := func(header string) (int, *x402.SettleResponse, map[string]any) {
		t.Helper()
		return sendRawTo(quoteURL, header)
	}
	// payload is the x402 payload of a signed purchase.
	payload := func(c *agentkit.Client, msg *markettypes.MsgPurchase, tx agentkit.SignedTx) x402.PaymentPayload {
		return x402.PaymentPayload{
			X402Version: x402.Version, Resource: &x402.ResourceInfo{URL: quoteURL}, Accepted: want,
			Payload: x402.ExactPayload{Signature: base64.StdEncoding.EncodeToString(tx.Bytes), Authorization: x402.Authorization{
				Type: x402.AuthorizationType, From: msg.Client, To: want.PayTo, Amount: msg.Amount.Amount.String(), Denom: msg.Amount.Denom,
				ChainID: c.ChainID(), RequestID: msg.RequestId,
			}},
		}
	}
	// pay signs msg with c and sends it after edit changes the payload.
	pay := func(c *agentkit.Client, msg *markettypes.MsgPurchase, edit func(*x402.PaymentPayload)) (int, *x402.SettleResponse, map[string]any) {
		t.Helper()
		var code int
		var s *x402.SettleResponse
		var body map[string]any
		err := c.Pay(ctx, "", []sdk.Msg{msg}, func(tx agentkit.SignedTx) error {
			p := payload(c, msg, tx)
			if edit != nil {
				edit(&p)
			}
			h, err := x402.EncodeHeader(p)
			if err != nil {
				return err
			}
			code, s, body = sendRaw(h)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return code, s, body
	}
	height := func() int64 {
		h, err := client.Height(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	purchase := func(c *agentkit.Client, edit func(*markettypes.MsgPurchase)) *markettypes.MsgPurchase {
		m := &markettypes.MsgPurchase{Client: c.AddressString(), ListingId: listing.Id, Calls: 1, Amount: agnt(price), RequestId: x402.NewRequestID(), ValidUntilHeight: height() + 20}
		if edit != nil {
			edit(m)
		}
		return m
	}
	expectRefused := func(name, reason string, code int, s *x402.SettleResponse, body map[string]any) {
		t.Helper()
		if code != http.StatusPaymentRequired || s == nil || s.Success || s.ErrorReason != reason || body["errorReason"] != reason || body["error"] == "" {
			t.Errorf("%s: HTTP %d, PAYMENT-RESPONSE %+v, body %v; want 402 with %s", name, code, s, body, reason)
		} else {
			t.Logf("%s: 402 %s: %s", name, s.ErrorReason, s.ErrorMessage)
		}
	}

	// Payments the server must refuse are signed without the client's own
	// simulation (which would refuse most of them first).
	unchecked := dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC, GasLimit: 300_000}, clientKey)

	// Second use of the same payload, and the same request id in a new tx.
	before := served.Load()
	code, s, body := sendRaw(rec.sent[0])
	expectRefused("the same payload again", x402.ReasonAlreadySettled, code, s, body)
	code, s, body = pay(unchecked, purchase(unchecked, func(m *markettypes.MsgPurchase) { m.RequestId = settle.Purchase.RequestID }), nil)
	expectRefused("the same request id in a new tx", x402.ReasonRequestIDUsed, code, s, body)
	if served.Load() != before {
		t.Errorf("a replayed payment was served")
	}
	// One payment sent twice at once is served once and paid once: in two
	// base64 spellings of the same tx (a line break is ignored by base64),
	// and to two resources sold under the listing by two paywalls (with no
	// resource named in the payload, which either accepts).
	quote2URL := "http://" + svcAddr + "/quote2"
	paywall2 := &x402.Paywall{Client: reader, Facilitator: x402.RemoteFacilitator{URL: facURL}, ListingID: listing.Id}
	mux.Handle("/quote2", paywall2.Wrap(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		_, _ = w.Write([]byte(`{"quote": 43}`))
	})))
	sentTwice := func(name string, urls [2]string, edit func(i int, p *x402.PaymentPayload)) {
		t.Helper()
		before := served.Load()
		client2, payout2 := balance(t, ctx, alice, clientKey.Address()), balance(t, ctx, alice, payout)
		msg := purchase(unchecked, nil)
		var codes [2]int
		var answers [2]*x402.SettleResponse
		if err := unchecked.Pay(ctx, "", []sdk.Msg{msg}, func(tx agentkit.SignedTx) error {
			var wg sync.WaitGroup
			for i := range urls {
				p := payload(unchecked, msg, tx)
				edit(i, &p)
				h, err := x402.EncodeHeader(p)
				if err != nil {
					return err
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					codes[i], answers[i], _ = sendRawTo(urls[i], h)
				}()
			}
			wg.Wait()
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if ok := (codes[0] == http.StatusOK) != (codes[1] == http.StatusOK); !ok || served.Load() != before+1 {
			t.Fatalf("%s: HTTP %v, served %d times", name, codes, served.Load()-before)
		}
		var paidTx *agentkit.TxResult
		for i, s := range answers {
			switch {
			case codes[i] == http.StatusOK && s != nil && s.Success:
				var err error
				if paidTx, err = client.FindTx(ctx, s.Transaction); err != nil || paidTx == nil {
					t.Fatalf("%s: the settlement, tx %s: %v", name, s.Transaction, err)
				}
			case codes[i] != http.StatusPaymentRequired || s == nil || s.ErrorReason != x402.ReasonAlreadySettled:
				t.Errorf("%s: HTTP %d %+v, want 200 once and 402 %s once", name, codes[i], s, x402.ReasonAlreadySettled)
			}
		}
		if paidTx == nil {
			t.Fatalf("%s: no settlement in the 200's PAYMENT-RESPONSE: %+v", name, answers)
		}
		if got, fee := client2-balance(t, ctx, alice, clientKey.Address()), txFee(t, paidTx); got != price+fee {
			t.Errorf("%s: the client paid %d, want the price %d + the fee %d once", name, got, price, fee)
		}
		if got := balance(t, ctx, alice, payout) - payout2; got != price-take {
			t.Errorf("%s: the provider got %d, want %d once", name, got, price-take)
		}
	}
	sentTwice("one payment in two spellings at once", [2]string{quoteURL, quoteURL}, func(i int, p *x402.PaymentPayload) {
		if i == 1 {
			p.Payload.Signature = p.Payload.Signature[:8] + "\n" + p.Payload.Signature[8:]
		}
	})
	sentTwice("one payment to two paywalls at once", [2]string{quoteURL, quote2URL}, func(_ int, p *x402.PaymentPayload) { p.Resource = nil })

	// A payment whose settlement went unanswered (broadcast, then the wait
	// for its block ran out) is refused; once it lands, the same payment
	// sent again is served, once, and paid once.
	lateURL := "http://" + svcAddr + "/late"
	latewall := &x402.Paywall{Client: reader, Facilitator: &lossyFacilitator{FacilitatorClient: x402.RemoteFacilitator{URL: facURL}, c: reader}, ListingID: listing.Id}
	var lateServed atomic.Int64
	mux.Handle("/late", latewall.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		lateServed.Add(1)
		_, _ = w.Write([]byte(`{"quote": 44}`))
	})))
	{
		client4, payout4 := balance(t, ctx, alice, clientKey.Address()), balance(t, ctx, alice, payout)
		msg := purchase(unchecked, nil)
		var hash string
		if err := unchecked.Pay(ctx, "", []sdk.Msg{msg}, func(tx agentkit.SignedTx) error {
			hash = tx.Hash
			p := payload(unchecked, msg, tx)
			p.Resource.URL = lateURL
			h, err := x402.EncodeHeader(p)
			if err != nil {
				return err
			}
			code, s, body := sendRawTo(lateURL, h)
			expectRefused("a payment whose settlement went unanswered", x402.ReasonUnexpectedSettle, code, s, body)
			wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			defer cancel()
			if r, err := unchecked.WaitForTx(wctx, tx.Hash); err != nil || r == nil || r.Code != 0 {
				t.Fatalf("the unanswered payment did not land: %+v %v", r, err)
			}
			code, s, body = sendRawTo(lateURL, h)
			if code != http.StatusOK || s == nil || !s.Success || s.Transaction != tx.Hash || lateServed.Load() != 1 {
				t.Fatalf("the landed payment sent again: HTTP %d %+v %v, served %d times", code, s, body, lateServed.Load())
			}
			code, s, body = sendRawTo(lateURL, h)
			expectRefused("the landed payment sent a third time", x402.ReasonAlreadySettled, code, s, body)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		paid, err := client.FindTx(ctx, hash)
		if err != nil || paid == nil {
			t.Fatalf("tx %s: %v", hash, err)
		}
		if got := client4 - balance(t, ctx, alice, clientKey.Address()); got != price+txFee(t, paid) || lateServed.Load() != 1 {
			t.Errorf("the late payment cost the client %d and was served %d times; want one price %d + its fee, served once", got, lateServed.Load(), price)
		}
		if got := balance(t, ctx, alice, payout) - payout4; got != price-take {
			t.Errorf("the late payment paid the provider %d, want %d", got, price-take)
		}
	}
	before = served.Load()

	// Bad payments: each refused with its reason, nothing moves.
	capped := dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC, GasLimit: 300_000}, cappedKey)
	poor := dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC, GasLimit: 300_000}, poorKey)
	client1, payout1 := balance(t, ctx, alice, clientKey.Address()), balance(t, ctx, alice, payout)
	capped1, poor1 := balance(t, ctx, alice, cappedKey.Address()), balance(t, ctx, alice, poorKey.Address())
	for _, c := range []struct {
		name, reason string
		c            *agentkit.Client
		msg          func(*markettypes.MsgPurchase)
		edit         func(*x402.PaymentPayload)
	}{
		{"underpaid", x402.ReasonAmount, unchecked, func(m *markettypes.MsgPurchase) { m.Amount = agnt(price - 1) }, nil},
		{"another listing", x402.ReasonRecipient, unchecked, func(m *markettypes.MsgPurchase) { m.ListingId = other.Id }, nil},
		{"wrong payTo", x402.ReasonRecipient, unchecked, nil, func(p *x402.PaymentPayload) { p.Payload.Authorization.To = alice.AddressString() }},
		{"wrong chain id", x402.ReasonInvalidNetwork, unchecked, nil, func(p *x402.PaymentPayload) { p.Payload.Authorization.ChainID = "other-chain-1" }},
		{"expired height", x402.ReasonExpired, unchecked, func(m *markettypes.MsgPurchase) { m.ValidUntilHeight = height() - 1 }, nil},
		{"bad signature", x402.ReasonSignature, unchecked, nil, func(p *x402.PaymentPayload) {
			bz, _ := base64.StdEncoding.DecodeString(p.Payload.Signature)
			bz[len(bz)-3] ^= 0x55 // inside the signature, the TxRaw's last field
			p.Payload.Signature = base64.StdEncoding.EncodeToString(bz)
		}},
		{"unknown scheme", x402.ReasonUnsupportedScheme, unchecked, nil, func(p *x402.PaymentPayload) { p.Accepted.Scheme = "upto" }},
		{"unknown version", x402.ReasonInvalidVersion, unchecked, nil, func(p *x402.PaymentPayload) { p.X402Version = 1 }},
		{"insufficient funds", x402.ReasonInsufficientFunds, poor, nil, nil},
		{"over the spend cap", x402.ReasonSpendCap, capped, nil, nil},
	} {
		code, s, body := pay(c.c, purchase(c.c, c.msg), c.edit)
		expectRefused(c.name, c.reason, code, s, body)
	}
	code, s, body = sendRaw("%%% not base64 %%%")
	expectRefused("malformed base64", x402.ReasonInvalidPayload, code, s, body)
	code, s, body = sendRaw(base64.StdEncoding.EncodeToString([]byte(`{"x402Version": 2, "payload": `)))
	expectRefused("malformed JSON", x402.ReasonInvalidPayload, code, s, body)
	if served.Load() != before {
		t.Errorf("bad payments were served %d times", served.Load()-before)
	}
	if balance(t, ctx, alice, clientKey.Address()) != client1 || balance(t, ctx, alice, payout) != payout1 ||
		balance(t, ctx, alice, cappedKey.Address()) != capped1 || balance(t, ctx, alice, poorKey.Address()) != poor1 {
		t.Errorf("bad payments moved coins")
	}
	// Above the program's maximum: nothing signed.
	cheap := &http.Client{Transport: &x402.Payer{Client: client, MaxPrice: agnt(price - 1)}}
	if resp, err := cheap.Get(quoteURL); !errors.Is(err, x402.ErrPriceAboveMax) {
		if resp != nil {
			_ = resp.Body.Close()
		}
		t.Errorf("a price above MaxPrice: %v", err)
	}

	// The Payer against a server that misbehaves once paid.
	// payments decodes the payments rec saw from the nth on.
	payments := func(from int) []x402.PaymentPayload {
		t.Helper()
		var out []x402.PaymentPayload
		for _, h := range rec.sent[from:] {
			var p x402.PaymentPayload
			if err := x402.DecodeHeader(h, &p); err != nil {
				t.Fatal(err)
			}
			out = append(out, p)
		}
		return out
	}
	paidOnce := func(name string, from int, client0 int64) x402.PaymentPayload {
		t.Helper()
		sent := payments(from)
		if len(sent) != 1 {
			t.Fatalf("%s: %d payments signed, want 1", name, len(sent))
		}
		bz, _ := base64.StdEncoding.DecodeString(sent[0].Payload.Signature)
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		tx, err := client.WaitForTx(wctx, agentkit.TxHash(bz))
		if err != nil || tx == nil {
			t.Fatalf("%s: the payment is in no block: %v", name, err)
		}
		if got := client0 - balance(t, ctx, alice, clientKey.Address()); got != price+txFee(t, tx) {
			t.Errorf("%s: the client paid %d, want one price %d + its fee", name, got, price)
		}
		return sent[0]
	}
	// Paid, the server redirects to a resource that asks again: not paid
	// twice.
	mux.Handle("/trap", paywall.Wrap(http.RedirectHandler(quoteURL, http.StatusFound)))
	from, client3 := len(rec.sent), balance(t, ctx, alice, clientKey.Address())
	if resp, err := hc.Get("http://" + svcAddr + "/trap"); !errors.Is(err, x402.ErrPaymentAfterRedirect) {
		if resp != nil {
			_ = resp.Body.Close()
		}
		t.Errorf("a 402 after a paid redirect: %v", err)
	}
	paidOnce("a paid redirect to a 402", from, client3)
	// A server asking for a payment valid for a million blocks gets one
	// valid for at most MaxValidBlocks (100).
	longwall := &x402.Paywall{Client: reader, Facilitator: x402.RemoteFacilitator{URL: facURL}, ListingID: listing.Id, ValidForBlocks: 1_000_000}
	mux.Handle("/long", longwall.Wrap(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("{}")) })))
	from, client3 = len(rec.sent), balance(t, ctx, alice, clientKey.Address())
	h0 := height()
	resp, err = hc.Get("http://" + svcAddr + "/long")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("a paid call asking for a long validity: %v", err)
	}
	_ = resp.Body.Close()
	if until, _ := strconv.ParseInt(paidOnce("a long validity", from, client3).Payload.Authorization.ValidUntilHeight, 10, 64); until <= h0 || until > h0+100+5 {
		t.Errorf("the payment is valid until %d; at height %d it may be valid for 100 blocks at most", until, h0)
	}
	// Paid, the server never answers: the Payer gives up after
	// PaidTimeout, and the client's next tx goes through.
	mux.Handle("/hang", paywall.Wrap(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(2 * time.Minute):
		}
	})))
	impatient := &http.Client{Transport: &x402.Payer{Client: client, MaxPrice: agnt(50_000), Base: rec, PaidTimeout: 5 * time.Second}}
	from, client3 = len(rec.sent), balance(t, ctx, alice, clientKey.Address())
	start := time.Now()
	if resp, err := impatient.Get("http://" + svcAddr + "/hang"); err == nil || !strings.Contains(err.Error(), "no answer to the paid request") {
		if resp != nil {
			_ = resp.Body.Close()
		}
		t.Errorf("a paid request that never gets an answer: %v", err)
	} else {
		t.Logf("a paid request with no answer, after %s: %v", time.Since(start).Round(time.Second), err)
	}
	if waited := time.Since(start); waited > 45*time.Second {
		t.Errorf("the Payer waited %s for an answer with a PaidTimeout of 5s", waited)
	}
	paidOnce("a paid request with no answer", from, client3)
	if _, err := client.Send(ctx, alice.Address(), sdk.NewCoins(agnt(1))); err != nil {
		t.Errorf("the client's next tx after a hung paid request: %v", err)
	}

	// The facilitator's endpoints, raw JSON; then a restart: the request
	// id stays spent (the chain keeps it, not the facilitator).
	raw := func(method, path, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, facURL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	code, out := raw(http.MethodGet, "/supported", "")
	kinds, _ := out["kinds"].([]any)
	if code != 200 || len(kinds) != 1 || kinds[0].(map[string]any)["network"] != "cosmos:"+reader.ChainID() || kinds[0].(map[string]any)["scheme"] != "exact" {
		t.Errorf("/supported: %d %v", code, out)
	}
	if code, out = raw(http.MethodPost, "/verify", `{"paymentPayload": 5`); code != 400 || out["isValid"] != false || out["invalidReason"] != x402.ReasonInvalidPayload {
		t.Errorf("/verify with broken JSON: %d %v", code, out)
	}
	var fresh string
	if err := client.Pay(ctx, "", []sdk.Msg{purchase(client, nil)}, func(tx agentkit.SignedTx) error {
		fresh = base64.StdEncoding.EncodeToString(tx.Bytes)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	freshMsg := decodePurchase(t, fresh)
	reqJSON := fmt.Sprintf(`{"x402Version":2,"paymentPayload":{"x402Version":2,"resource":{"url":%q},"accepted":%s,"payload":{"signature":%q,
		"authorization":{"type":"cosmos-signed-transaction","from":%q,"to":%q,"amount":"%d","denom":"uagnt","chainId":%q,"requestId":%q}}},"paymentRequirements":%s}`,
		quoteURL, mustJSON(want), fresh, client.AddressString(), want.PayTo, price, reader.ChainID(), freshMsg.RequestId, mustJSON(want))
	if code, out = raw(http.MethodPost, "/verify", reqJSON); code != 200 || out["isValid"] != true || out["payer"] != client.AddressString() {
		t.Fatalf("/verify of a good payment: %d %v", code, out)
	}
	code, first := raw(http.MethodPost, "/settle", reqJSON)
	if code != 200 || first["success"] != true || first["transaction"] == "" {
		t.Fatalf("/settle: %d %v", code, first)
	}
	code, again := raw(http.MethodPost, "/settle", reqJSON)
	if code != 200 || again["success"] != true || again["transaction"] != first["transaction"] ||
		again["purchase"].(map[string]any)["jobId"] != first["purchase"].(map[string]any)["jobId"] {
		t.Errorf("/settle of the same payload again: %d %v, first %v", code, again, first)
	}
	if code, out = raw(http.MethodPost, "/verify", reqJSON); out["isValid"] != false || out["invalidReason"] != x402.ReasonAlreadySettled {
		t.Errorf("/verify after settlement: %d %v", code, out)
	}
	stopFacilitator()
	startFacilitator(t, node, facAddr)
	code, s, body = pay(unchecked, purchase(unchecked, func(m *markettypes.MsgPurchase) { m.RequestId = freshMsg.RequestId }), nil)
	expectRefused("a spent request id after the facilitator restarted", x402.ReasonRequestIDUsed, code, s, body)

	// Cards: the resolver accepts the agent's card and refuses a tampered
	// one. By default it fetches from public addresses only: this card is
	// on loopback.
	if _, _, err := x402.ResolveCard(ctx, client, providerAgent.Id); !errors.Is(err, agentkit.ErrNotPublic) {
		t.Errorf("the default resolver fetched a card from loopback: %v", err)
	}
	got, _, err := x402.ResolveCardWith(ctx, client, providerAgent.Id, agentkit.Fetch)
	if err != nil || got.Agentchain.AgentID != strconv.FormatUint(providerAgent.Id, 10) || len(got.Payments) != 1 || got.Payments[0].Extra.ListingID != want.Extra.ListingID || got.Skills[0].ID != "quote" {
		t.Fatalf("resolve the card: %+v %v", got, err)
	}
	tampered := bytes.Replace(cardBytes, []byte(`"amount":"20000"`), []byte(`"amount":"2"`), 1)
	card.Store(&tampered)
	if _, _, err := x402.ResolveCardWith(ctx, client, providerAgent.Id, agentkit.Fetch); !errors.Is(err, x402.ErrCardMismatch) {
		t.Errorf("a tampered card: %v", err)
	} else {
		t.Logf("tampered card refused: %v", err)
	}
}

func mustJSON(v any) string {
	bz, _ := json.Marshal(v)
	return string(bz)
}

func balance(t *testing.T, ctx context.Context, c *agentkit.Client, addr sdk.AccAddress) int64 {
	t.Helper()
	b, err := c.Balance(ctx, addr, "uagnt")
	if err != nil {
		t.Fatal(err)
	}
	return b.Int64()
}

// txFee is the fee a tx paid (its "tx" event's fee attribute).
func txFee(t *testing.T, r *agentkit.TxResult) int64 {
	t.Helper()
	for _, e := range r.Events {
		if e.Type == "tx" && e.Attributes["fee"] != "" {
			c, err := sdk.ParseCoinNormalized(e.Attributes["fee"])
			if err != nil {
				t.Fatal(err)
			}
			return c.Amount.Int64()
		}
	}
	t.Fatal("no fee event")
	return 0
}

// transferredTo sums the uagnt a tx's transfer events paid to addr.
func transferredTo(r *agentkit.TxResult, addr string) int64 {
	var sum int64
	for _, e := range r.Events {
		if e.Type == "transfer" && e.Attributes["recipient"] == addr {
			if c, err := sdk.ParseCoinNormalized(e.Attributes["amount"]); err == nil {
				sum += c.Amount.Int64()
			}
		}
	}
	return sum
}

// decodePurchase reads the purchase out of a base64 TxRaw.
func decodePurchase(t *testing.T, b64 string) *markettypes.MsgPurchase {
	t.Helper()
	bz, _ := base64.StdEncoding.DecodeString(b64)
	var raw txtypes.TxRaw
	var body txtypes.TxBody
	if err := raw.Unmarshal(bz); err != nil {
		t.Fatal(err)
	}
	if err := body.Unmarshal(raw.BodyBytes); err != nil || len(body.Messages) != 1 {
		t.Fatalf("tx body: %v", err)
	}
	var m markettypes.MsgPurchase
	if err := m.Unmarshal(body.Messages[0].Value); err != nil {
		t.Fatal(err)
	}
	return &m
}
