// Package dashboard serves agentchain's read-only web dashboard: a static
// single-page app embedded in the binary, a GET-only proxy to a node's REST
// API (/api/...), a proxy to a read-only subset of its CometBFT RPC
// (/rpc/..., with the /rpc/websocket event subscription), and a Keplr-style
// chain-info JSON (/chain-info.json) with which a browser wallet registers
// the chain. It holds no key and signs nothing: a signing action, if the
// pages ever offer one, goes through the browser's wallet straight to the
// node.
package dashboard

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
)

// DefaultListen is where the dashboard listens unless told otherwise: a
// loopback port clear of a devnet's (P2P 26656, RPC 26657, gRPC 9090, REST
// 1317, pprof 6060), the MCP server's (8765) and the x402 facilitator's (4020).
const DefaultListen = "127.0.0.1:8090"

//go:embed static
var staticFS embed.FS

// Config is what the dashboard needs to know.
type Config struct {
	// NodeREST is the node's REST API (gRPC gateway), e.g. http://127.0.0.1:1317.
	NodeREST string
	// NodeRPC is the node's CometBFT RPC, e.g. http://127.0.0.1:26657.
	NodeRPC string
	// ChainID, if set, is served in the chain info instead of the one the
	// node reports.
	ChainID string
	// PublicREST and PublicRPC, if set, are the node URLs the chain info
	// gives wallets instead of NodeREST and NodeRPC: the addresses others
	// reach the node at when the dashboard serves other hosts.
	PublicREST, PublicRPC string
	// HTTPClient asks the node for its chain id and minimum gas price
	// (default: a client with a 10 s timeout).
	HTTPClient *http.Client
}

// Server is the dashboard's HTTP handler.
type Server struct {
	rest, rpc *url.URL
	// publicREST and publicRPC are the node URLs the chain info names.
	publicREST, publicRPC string
	chainID               string
	client                *http.Client
	mux                   *http.ServeMux

	// info is the chain info once the node has answered for it: the chain
	// id and the minimum gas price do not change while a node runs.
	infoMu sync.Mutex
	info   []byte
}

// New checks cfg and builds the server.
func New(cfg Config) (*Server, error) {
	rest, err := parseNodeURL("--node-rest", cfg.NodeREST)
	if err != nil {
		return nil, err
	}
	rpc, err := parseNodeURL("--node-rpc", cfg.NodeRPC)
	if err != nil {
		return nil, err
	}
	s := &Server{rest: rest, rpc: rpc, publicREST: rest.String(), publicRPC: rpc.String(), chainID: cfg.ChainID, client: cfg.HTTPClient, mux: http.NewServeMux()}
	if cfg.PublicREST != "" {
		u, err := parsePublicURL("--public-rest", cfg.PublicREST)
		if err != nil {
			return nil, err
		}
		s.publicREST = u
	}
	if cfg.PublicRPC != "" {
		u, err := parsePublicURL("--public-rpc", cfg.PublicRPC)
		if err != nil {
			return nil, err
		}
		s.publicRPC = u
	}
	if s.client == nil {
		s.client = &http.Client{Timeout: 10 * time.Second}
	}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	s.mux.Handle("/api/", s.restProxy())
	s.mux.Handle("/rpc/", s.rpcProxy())
	s.mux.HandleFunc("/chain-info.json", s.serveChainInfo)
	s.mux.Handle("/", staticHandler(static))
	return s, nil
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// parsePublicURL checks a URL a wallet is given: absolute, http or https,
// with a host.
func parsePublicURL(flag, raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", fmt.Errorf("%s %q: %w", flag, raw, err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("%s %q: want an absolute http(s) URL a wallet can reach, e.g. https://rpc.example.org", flag, raw)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

func parseNodeURL(flag, raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("%s is empty: give the node's URL, e.g. http://127.0.0.1:1317", flag)
	}
	if !strings.Contains(raw, "://") {
		raw = "http://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", flag, raw, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%s %q: the scheme must be http or https", flag, raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%s %q: no host", flag, raw)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return u, nil
}

// CheckListen refuses a listen address that is not loopback unless
// allowRemote: the dashboard shows nothing secret, but an operator should
// choose to publish a node's data, not find it published.
func CheckListen(addr string, allowRemote bool) error {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen %q: %w", addr, err)
	}
	if port == "" {
		return fmt.Errorf("--listen %q: no port", addr)
	}
	if allowRemote || isLoopbackHost(host) {
		return nil
	}
	return fmt.Errorf("--listen %s is not a loopback address: add --allow-remote to serve other hosts", addr)
}

func isLoopbackHost(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Serve listens on addr and serves h until ctx ends, then shuts down
// gracefully. ready, if not nil, is called with the bound address (useful
// with port 0).
func Serve(ctx context.Context, addr string, h http.Handler, ready func(net.Addr)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
	}
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// contentTypes are the types of the embedded assets, fixed here rather than
// taken from the host's mime tables, which differ between machines.
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
	".png":  "image/png",
}

// staticHandler serves the embedded single-page app. Every path that is
// not an asset gets index.html: the app routes on the URL's hash, so any
// other path is a stale or mistyped link, best answered with the app.
func staticHandler(static fs.FS) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "the dashboard is read-only: GET only", http.StatusMethodNotAllowed)
			return
		}
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		ctype, known := contentTypes[path.Ext(name)]
		if name == "" || !known {
			name, ctype = "index.html", contentTypes[".html"]
		}
		body, err := fs.ReadFile(static, name)
		if err != nil {
			if !errors.Is(err, fs.ErrNotExist) {
				http.Error(w, "read asset: "+err.Error(), http.StatusInternalServerError)
				return
			}
			http.NotFound(w, r)
			return
		}
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		// Only this origin's scripts, styles and connections (the proxies
		// and the websocket): no inline script, nothing from elsewhere.
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; connect-src 'self'; "+
			"style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
		if r.Method == http.MethodHead {
			return
		}
		_, _ = w.Write(body) //nolint:gosec // an asset embedded in the binary, not request data
	})
}

// restProxy forwards GET /api/<path> to the node's REST API <path>. The
// gateway's only writing route (POST /cosmos/tx/v1beta1/txs) is a POST:
// refusing every other method keeps the proxy read-only. Headers pass
// through, so x-cosmos-block-height queries past state.
func (s *Server) restProxy() http.Handler {
	proxy := prefixProxy(s.rest, "/api", "node REST API")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if readOnly(w, r, "REST") {
			proxy.ServeHTTP(w, r)
		}
	})
}

// prefixProxy forwards <prefix>/<path> to target's <path>, without the
// browser's cookies.
func prefixProxy(target *url.URL, prefix, what string) *httputil.ReverseProxy {
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(target)
			pr.Out.URL.Path = target.Path + strings.TrimPrefix(pr.In.URL.Path, prefix)
			pr.Out.URL.RawPath = ""
			pr.Out.Host = target.Host
			pr.Out.Header.Del("Cookie")
		},
		ErrorHandler: proxyError(what),
	}
}

// readOnly answers any method but GET and HEAD with 405 and reports
// whether the request may go on.
func readOnly(w http.ResponseWriter, r *http.Request, proxy string) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	http.Error(w, "the dashboard's "+proxy+" proxy is read-only: GET only", http.StatusMethodNotAllowed)
	return false
}

// readRPCMethods are the CometBFT RPC routes the dashboard passes on: the
// ones that read. Broadcasting, dialing peers and the unsafe routes are
// refused even as GETs (CometBFT serves every route as a GET with URI
// arguments).
var readRPCMethods = map[string]bool{
	"abci_info": true, "abci_query": true, "block": true, "block_by_hash": true,
	"block_results": true, "block_search": true, "blockchain": true, "commit": true,
	"consensus_params": true, "header": true, "header_by_hash": true, "health": true,
	"num_unconfirmed_txs": true, "status": true, "tx": true, "tx_search": true,
	"validators": true,
}

// subscriptionMethods are the websocket-only methods the dashboard allows
// besides readRPCMethods.
var subscriptionMethods = map[string]bool{"subscribe": true, "unsubscribe": true, "unsubscribe_all": true}

// rpcProxy forwards GET /rpc/<method>?... for the read methods, and
// /rpc/websocket as a filtered websocket bridge.
func (s *Server) rpcProxy() http.Handler {
	proxy := prefixProxy(s.rpc, "/rpc", "node RPC")
	ws := &wsBridge{target: s.rpc}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !readOnly(w, r, "RPC") {
			return
		}
		method := strings.Trim(strings.TrimPrefix(r.URL.Path, "/rpc"), "/")
		switch {
		case method == "websocket":
			ws.ServeHTTP(w, r)
		case readRPCMethods[method]:
			proxy.ServeHTTP(w, r)
		default:
			http.Error(w, fmt.Sprintf("RPC method %q is not served by the read-only dashboard", method), http.StatusForbidden)
		}
	})
}

func proxyError(what string) func(http.ResponseWriter, *http.Request, error) {
	return func(w http.ResponseWriter, _ *http.Request, err error) {
		http.Error(w, fmt.Sprintf("%s unreachable: %v", what, err), http.StatusBadGateway)
	}
}

// writeJSON answers v as JSON with status code.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
