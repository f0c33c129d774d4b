package dashboard

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// fakeNode stands in for a node: its REST API and CometBFT RPC on one
// server, recording what reached it.
type fakeNode struct {
	mu       sync.Mutex
	requests []string // "METHOD path?query height-header"
	wsGot    []string // messages that reached the node's websocket
	srv      *httptest.Server
	minGas   string
}

func newFakeNode(t *testing.T) *fakeNode {
	t.Helper()
	n := &fakeNode{minGas: "0.0025uagnt"}
	up := websocket.Upgrader{}
	n.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.mu.Lock()
		n.requests = append(n.requests, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("x-cosmos-block-height"))
		n.mu.Unlock()
		switch r.URL.Path {
		case "/websocket":
			c, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer c.Close()
			for {
				typ, msg, err := c.ReadMessage()
				if err != nil {
					return
				}
				n.mu.Lock()
				n.wsGot = append(n.wsGot, string(msg))
				n.mu.Unlock()
				_ = c.WriteMessage(typ, []byte(`{"jsonrpc":"2.0","id":"echo","result":{}}`))
			}
		case "/cosmos/base/tendermint/v1beta1/node_info":
			_, _ = io.WriteString(w, `{"default_node_info":{"network":"agentchain-test-7"}}`)
		case "/cosmos/base/node/v1beta1/config":
			_, _ = io.WriteString(w, `{"minimum_gas_price":"`+n.minGas+`"}`)
		default:
			_, _ = io.WriteString(w, `{"path":"`+r.URL.Path+`"}`) //nolint:gosec // a test double's JSON, read by the test only
		}
	}))
	t.Cleanup(n.srv.Close)
	return n
}

func (n *fakeNode) seen() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.requests...)
}

func newTestServer(t *testing.T, node *fakeNode, chainID string) *httptest.Server {
	t.Helper()
	s, err := New(Config{NodeREST: node.srv.URL, NodeRPC: node.srv.URL, ChainID: chainID})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts
}

// reply is an answer of the server, read in full.
type reply struct {
	StatusCode int
	Status     string
	Header     http.Header
	body       string
}

func do(t *testing.T, method, url string, header http.Header) (reply, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return reply{StatusCode: resp.StatusCode, Status: resp.Status, Header: resp.Header, body: string(body)}, string(body)
}

func TestRESTProxyIsReadOnly(t *testing.T) {
	node := newFakeNode(t)
	ts := newTestServer(t, node, "")
	for _, method := range []string{http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		resp, _ := do(t, method, ts.URL+"/api/cosmos/tx/v1beta1/txs", nil)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "GET, HEAD" {
			t.Errorf("%s /api/...: %s, Allow %q; want 405 and GET, HEAD", method, resp.Status, resp.Header.Get("Allow"))
		}
	}
	if got := node.seen(); len(got) != 0 {
		t.Fatalf("refused requests reached the node: %v", got)
	}
	// A GET passes, under the node's path, with the past-height header.
	resp, body := do(t, http.MethodGet, ts.URL+"/api/agentchain/market/v1/jobs/7?x=1", http.Header{"X-Cosmos-Block-Height": {"42"}})
	if resp.StatusCode != http.StatusOK || body != `{"path":"/agentchain/market/v1/jobs/7"}` {
		t.Fatalf("GET: %s %s", resp.Status, body)
	}
	if got := node.seen(); len(got) != 1 || got[0] != "GET /agentchain/market/v1/jobs/7?x=1 42" {
		t.Fatalf("the node saw %v", got)
	}
}

func TestRPCProxyServesOnlyReads(t *testing.T) {
	node := newFakeNode(t)
	ts := newTestServer(t, node, "")
	tests := []struct {
		name, method, path string
		code               int
	}{
		{"status", http.MethodGet, "/rpc/status", http.StatusOK},
		{"block", http.MethodGet, "/rpc/block?height=3", http.StatusOK},
		{"broadcast as a GET", http.MethodGet, "/rpc/broadcast_tx_sync?tx=0x00", http.StatusForbidden},
		{"unsafe", http.MethodGet, "/rpc/dial_peers", http.StatusForbidden},
		{"JSON-RPC POST", http.MethodPost, "/rpc/", http.StatusMethodNotAllowed},
		{"websocket without upgrade", http.MethodGet, "/rpc/websocket", http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if resp, body := do(t, tc.method, ts.URL+tc.path, nil); resp.StatusCode != tc.code {
				t.Fatalf("%s %s: %s %s; want %d", tc.method, tc.path, resp.Status, body, tc.code)
			}
		})
	}
	got := node.seen()
	if len(got) != 2 || got[0] != "GET /status " || got[1] != "GET /block?height=3 " {
		t.Fatalf("the node saw %v; want only the two reads", got)
	}
}

// The websocket relays subscriptions and events, and answers a broadcast
// itself with a JSON-RPC error: it never reaches the node.
func TestWebsocketBridgeFilters(t *testing.T) {
	node := newFakeNode(t)
	ts := newTestServer(t, node, "")
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/rpc/websocket"
	c, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {ts.URL}})
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))

	sub := `{"jsonrpc":"2.0","id":1,"method":"subscribe","params":{"query":"tm.event='NewBlock'"}}`
	if err := c.WriteMessage(websocket.TextMessage, []byte(sub)); err != nil {
		t.Fatal(err)
	}
	if _, msg, err := c.ReadMessage(); err != nil || string(msg) != `{"jsonrpc":"2.0","id":"echo","result":{}}` {
		t.Fatalf("subscribe: %s %v", msg, err)
	}
	if err := c.WriteMessage(websocket.TextMessage, []byte(`{"jsonrpc":"2.0","id":2,"method":"broadcast_tx_commit","params":{"tx":"AA=="}}`)); err != nil {
		t.Fatal(err)
	}
	_, msg, err := c.ReadMessage()
	if err != nil {
		t.Fatal(err)
	}
	var answer struct {
		ID    int `json:"id"`
		Error struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if err := json.Unmarshal(msg, &answer); err != nil || answer.ID != 2 || answer.Error.Code != -32601 ||
		!strings.Contains(answer.Error.Message, "broadcast_tx_commit") {
		t.Fatalf("broadcast answered %s (%v)", msg, err)
	}
	node.mu.Lock()
	defer node.mu.Unlock()
	if len(node.wsGot) != 1 || node.wsGot[0] != sub {
		t.Fatalf("the node's websocket got %q; want only the subscription", node.wsGot)
	}
}

// Another site's page cannot open the websocket through a visitor's browser.
func TestWebsocketRefusesOtherOrigins(t *testing.T) {
	node := newFakeNode(t)
	ts := newTestServer(t, node, "")
	url := "ws" + strings.TrimPrefix(ts.URL, "http") + "/rpc/websocket"
	_, resp, err := websocket.DefaultDialer.Dial(url, http.Header{"Origin": {"https://evil.example"}})
	if err == nil {
		t.Fatal("a websocket from another origin was accepted")
	}
	if resp == nil {
		t.Fatalf("other origin: %v, no HTTP answer", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("other origin: %v, %s", err, resp.Status)
	}
}

func TestChainInfo(t *testing.T) {
	node := newFakeNode(t)
	ts := newTestServer(t, node, "")
	resp, body := do(t, http.MethodGet, ts.URL+"/chain-info.json", nil)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("%s %s: %s", resp.Status, resp.Header.Get("Content-Type"), body)
	}
	var info ChainInfo
	if err := json.Unmarshal([]byte(body), &info); err != nil {
		t.Fatal(err)
	}
	agnt := Currency{CoinDenom: "AGNT", CoinMinimalDenom: "uagnt", CoinDecimals: 6}
	switch {
	case info.ChainID != "agentchain-test-7":
		t.Errorf("chainId %q, want the node's", info.ChainID)
	case info.RPC != node.srv.URL || info.REST != node.srv.URL:
		t.Errorf("rpc %q rest %q, want the node's own", info.RPC, info.REST)
	case info.BIP44.CoinType != 118:
		t.Errorf("coin type %d", info.BIP44.CoinType)
	case info.Bech32Config.AccAddr != "agent" || info.Bech32Config.ValAddr != "agentvaloper" || info.Bech32Config.ConsPub != "agentvalconspub":
		t.Errorf("bech32 %+v", info.Bech32Config)
	case len(info.Currencies) != 1 || info.Currencies[0] != agnt || info.StakeCurrency != agnt:
		t.Errorf("currencies %+v, stake %+v", info.Currencies, info.StakeCurrency)
	case len(info.FeeCurrencies) != 1 || info.FeeCurrencies[0].CoinMinimalDenom != "uagnt" || info.FeeCurrencies[0].GasPriceStep == nil:
		t.Errorf("fee currencies %+v", info.FeeCurrencies)
	case *info.FeeCurrencies[0].GasPriceStep != (GasPriceStep{Low: 0.0025, Average: 0.005, High: 0.01}):
		t.Errorf("gas price step %+v, want low = the node's minimum 0.0025", *info.FeeCurrencies[0].GasPriceStep)
	}
	// Kept after the first answer: the node is asked once.
	do(t, http.MethodGet, ts.URL+"/chain-info.json", nil)
	if got := node.seen(); len(got) != 2 {
		t.Fatalf("the node was asked %v", got)
	}
	if resp, _ := do(t, http.MethodPost, ts.URL+"/chain-info.json", nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST chain info: %s", resp.Status)
	}
}

func TestChainInfoOverridesAndFailures(t *testing.T) {
	node := newFakeNode(t)
	node.minGas = "0.1ustable,0.004uagnt"
	ts := newTestServer(t, node, "my-chain-1")
	_, body := do(t, http.MethodGet, ts.URL+"/chain-info.json", nil)
	var info ChainInfo
	if err := json.Unmarshal([]byte(body), &info); err != nil {
		t.Fatal(err)
	}
	if info.ChainID != "my-chain-1" || info.FeeCurrencies[0].GasPriceStep.Low != 0.004 {
		t.Fatalf("chain id %q, low gas price %v", info.ChainID, info.FeeCurrencies[0].GasPriceStep.Low)
	}
	for _, r := range node.seen() {
		if strings.Contains(r, "node_info") {
			t.Fatalf("asked the node for its chain id although --chain-id was given: %v", node.seen())
		}
	}

	// Public URLs for a dashboard that serves other hosts: the chain info
	// names them, not the node's loopback addresses; a URL a wallet could
	// not use is refused.
	s, err := New(Config{NodeREST: node.srv.URL, NodeRPC: node.srv.URL, PublicREST: "https://rest.example.org/", PublicRPC: "https://rpc.example.org:443"})
	if err != nil {
		t.Fatal(err)
	}
	pub := httptest.NewServer(s)
	t.Cleanup(pub.Close)
	_, body = do(t, http.MethodGet, pub.URL+"/chain-info.json", nil)
	info = ChainInfo{}
	if err := json.Unmarshal([]byte(body), &info); err != nil {
		t.Fatal(err)
	}
	if info.REST != "https://rest.example.org" || info.RPC != "https://rpc.example.org:443" {
		t.Fatalf("public urls: rest %q rpc %q", info.REST, info.RPC)
	}
	for _, c := range []struct{ rest, rpc, want string }{
		{"rest.example.org", "", "--public-rest"},
		{"", "ftp://rpc.example.org", "--public-rpc"},
		{"https://", "", "--public-rest"},
	} {
		if _, err := New(Config{NodeREST: node.srv.URL, NodeRPC: node.srv.URL, PublicREST: c.rest, PublicRPC: c.rpc}); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("public rest %q rpc %q: %v; want an error naming %s", c.rest, c.rpc, err, c.want)
		}
	}

	// A node that is down: a 502 that says so, and nothing kept.
	down := newFakeNode(t)
	ts = newTestServer(t, down, "")
	down.srv.Close()
	resp, body := do(t, http.MethodGet, ts.URL+"/chain-info.json", nil)
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, "chain id") {
		t.Fatalf("node down: %s %s", resp.Status, body)
	}
}

func TestGasPrice(t *testing.T) {
	tests := []struct {
		prices string
		want   float64
		expErr bool
	}{
		{"0.0025uagnt", 0.0025, false},
		{"0.5ustable, 0.01uagnt", 0.01, false},
		{"", 0.0025, false}, // no minimum set: the chain's default
		{"0.1ustable", 0.0025, false},
		{"abcuagnt", 0, true},
	}
	for _, tc := range tests {
		got, err := gasPrice(tc.prices, "uagnt")
		if (err != nil) != tc.expErr || got != tc.want {
			t.Errorf("gasPrice(%q) = %v, %v; want %v (error %v)", tc.prices, got, err, tc.want, tc.expErr)
		}
	}
}

func TestCheckListen(t *testing.T) {
	tests := []struct {
		addr        string
		allowRemote bool
		expErr      string
	}{
		{"127.0.0.1:8090", false, ""},
		{"localhost:8090", false, ""},
		{"[::1]:8090", false, ""},
		{"127.0.0.1:0", false, ""},
		{"0.0.0.0:8090", false, "not a loopback address"},
		{":8090", false, "not a loopback address"},
		{"192.168.1.7:8090", false, "--allow-remote"},
		{"0.0.0.0:8090", true, ""},
		{"8090", false, "missing port"},
		{"127.0.0.1:", false, "no port"},
	}
	for _, tc := range tests {
		err := CheckListen(tc.addr, tc.allowRemote)
		switch {
		case tc.expErr == "" && err != nil:
			t.Errorf("CheckListen(%q, %v): %v", tc.addr, tc.allowRemote, err)
		case tc.expErr != "" && (err == nil || !strings.Contains(err.Error(), tc.expErr)):
			t.Errorf("CheckListen(%q, %v) = %v; want an error with %q", tc.addr, tc.allowRemote, err, tc.expErr)
		}
	}
}

func TestNewRefusesBadNodeURLs(t *testing.T) {
	for _, tc := range []struct{ rest, rpc, expErr string }{
		{"", "http://127.0.0.1:26657", "--node-rest is empty"},
		{"ftp://127.0.0.1:1317", "http://127.0.0.1:26657", "scheme must be http or https"},
		{"http://127.0.0.1:1317", "http://", "no host"},
	} {
		if _, err := New(Config{NodeREST: tc.rest, NodeRPC: tc.rpc}); err == nil || !strings.Contains(err.Error(), tc.expErr) {
			t.Errorf("New(%q, %q) = %v; want %q", tc.rest, tc.rpc, err, tc.expErr)
		}
	}
	// host:port without a scheme is taken as http.
	if _, err := New(Config{NodeREST: "127.0.0.1:1317", NodeRPC: "127.0.0.1:26657"}); err != nil {
		t.Fatal(err)
	}
}

func TestAssets(t *testing.T) {
	node := newFakeNode(t)
	ts := newTestServer(t, node, "")
	tests := []struct {
		path, ctype, contains string
		code                  int
	}{
		{"/", "text/html; charset=utf-8", `<script src="/app.js" defer></script>`, http.StatusOK},
		{"/index.html", "text/html; charset=utf-8", "<main", http.StatusOK},
		{"/app.js", "text/javascript; charset=utf-8", "'use strict'", http.StatusOK},
		{"/style.css", "text/css; charset=utf-8", ":root", http.StatusOK},
		// Any other page path gets the app, which routes on the hash.
		{"/agents", "text/html; charset=utf-8", "<main", http.StatusOK},
		{"/missing.js", "text/plain; charset=utf-8", "not found", http.StatusNotFound},
	}
	for _, tc := range tests {
		resp, body := do(t, http.MethodGet, ts.URL+tc.path, nil)
		if resp.StatusCode != tc.code || resp.Header.Get("Content-Type") != tc.ctype || !strings.Contains(body, tc.contains) {
			t.Errorf("GET %s: %s %q, body has %q: %v", tc.path, resp.Status, resp.Header.Get("Content-Type"), tc.contains, strings.Contains(body, tc.contains))
		}
		if tc.code == http.StatusOK && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
			t.Errorf("GET %s: no content security policy", tc.path)
		}
	}
	if resp, _ := do(t, http.MethodPost, ts.URL+"/", nil); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("POST /: %s", resp.Status)
	}
	if got := node.seen(); len(got) != 0 {
		t.Fatalf("serving assets asked the node: %v", got)
	}
}
