package dashboard

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// maxWSMessage bounds one message from the browser: a subscription request
// is a few hundred bytes.
const maxWSMessage = 64 << 10

// wsBridge relays the browser's websocket to the node's CometBFT
// /websocket, message by message, so that it can refuse what a plain
// reverse proxy would pass: CometBFT accepts every RPC method on its
// websocket, broadcast_tx_* included. The browser may subscribe, unsubscribe
// and call the read methods; anything else is answered with a JSON-RPC
// error and never reaches the node. Events flow back unchanged.
type wsBridge struct {
	target *url.URL
}

// The default origin check (same host) applies: the dashboard's own pages
// open the websocket; another site's pages do not ride a visitor's browser
// into it.
var upgrader = websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096}

func (b *wsBridge) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !websocket.IsWebSocketUpgrade(r) {
		http.Error(w, "/rpc/websocket expects a websocket upgrade", http.StatusBadRequest)
		return
	}
	target := *b.target
	switch target.Scheme {
	case "https":
		target.Scheme = "wss"
	default:
		target.Scheme = "ws"
	}
	target.Path += "/websocket"
	dialer := websocket.Dialer{HandshakeTimeout: 10 * time.Second}
	node, resp, err := dialer.DialContext(r.Context(), target.String(), nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		http.Error(w, fmt.Sprintf("node websocket %s unreachable: %v", target.String(), err), http.StatusBadGateway)
		return
	}
	defer node.Close()
	browser, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered the browser.
	}
	defer browser.Close()
	browser.SetReadLimit(maxWSMessage)

	// gorilla allows one concurrent writer per connection: the browser's
	// connection is written by both directions (events, and refusals).
	var browserMu sync.Mutex
	writeBrowser := func(typ int, msg []byte) error {
		browserMu.Lock()
		defer browserMu.Unlock()
		_ = browser.SetWriteDeadline(time.Now().Add(10 * time.Second))
		return browser.WriteMessage(typ, msg)
	}

	done := make(chan struct{}, 2)
	go func() { // node → browser
		defer func() { done <- struct{}{} }()
		for {
			typ, msg, err := node.ReadMessage()
			if err != nil {
				return
			}
			if writeBrowser(typ, msg) != nil {
				return
			}
		}
	}()
	go func() { // browser → node, filtered
		defer func() { done <- struct{}{} }()
		for {
			typ, msg, err := browser.ReadMessage()
			if err != nil {
				return
			}
			if refusal := checkWSRequest(msg); refusal != nil {
				if writeBrowser(websocket.TextMessage, refusal) != nil {
					return
				}
				continue
			}
			_ = node.SetWriteDeadline(time.Now().Add(10 * time.Second))
			if node.WriteMessage(typ, msg) != nil {
				return
			}
		}
	}()
	<-done // either side closed: closing both (deferred) ends the other.
}

// checkWSRequest returns nil when msg is a JSON-RPC request the dashboard
// allows, or the JSON-RPC error answer to send back instead.
func checkWSRequest(msg []byte) []byte {
	var req struct {
		ID     json.RawMessage `json:"id"`
		Method string          `json:"method"`
	}
	if err := json.Unmarshal(msg, &req); err != nil {
		return wsError(nil, -32700, "parse error: the dashboard relays single JSON-RPC requests")
	}
	if subscriptionMethods[req.Method] || readRPCMethods[req.Method] {
		return nil
	}
	return wsError(req.ID, -32601, fmt.Sprintf("method %q is not served by the read-only dashboard", req.Method))
}

func wsError(id json.RawMessage, code int, message string) []byte {
	if len(id) == 0 {
		id = json.RawMessage("null")
	}
	bz, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}{JSONRPC: "2.0", ID: id, Error: struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	}{code, message}})
	return bz
}
