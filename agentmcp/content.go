package agentmcp

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/agentchain/agentchain/agentkit"
	"github.com/agentchain/agentchain/types/content"
)

// What the chain holds of a spec, a result or a card is a URI and the
// sha256 of the content. A model passes content as text: the server hashes
// it and puts it where the chain's URI rules allow, in a data: URI when it
// is small enough (content.MaxURILength), otherwise in its content store,
// served over HTTP at a base URL the operator gives. Or a model passes a
// URI and the hash of what it serves.

// maxContent bounds the content the server stores or fetches.
const maxContent = 1 << 20

// maxShownContent bounds the content put into a tool result.
const maxShownContent = 64 << 10

// contentStore keeps published content by sha256 in a directory and serves
// it under baseURL (…/content/<hex sha256>).
type contentStore struct {
	dir     string
	baseURL string // "" when the store is not served: large content refused
}

func newContentStore(dir, baseURL string) (*contentStore, error) {
	if dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("content directory: %w", err)
		}
	}
	return &contentStore{dir: dir, baseURL: strings.TrimSuffix(baseURL, "/")}, nil
}

func (cs *contentStore) path(hash []byte) string {
	return filepath.Join(cs.dir, hex.EncodeToString(hash))
}

// put stores content and returns the URI it is served at.
func (cs *contentStore) put(b []byte) (string, error) {
	if cs.dir == "" || cs.baseURL == "" {
		return "", errors.New("this server publishes no content over HTTP (start it with --content-url, or serve it over HTTP)")
	}
	h := agentkit.Hash(b)
	if err := os.WriteFile(cs.path(h), b, 0o600); err != nil {
		return "", fmt.Errorf("store content: %w", err)
	}
	return cs.baseURL + "/" + hex.EncodeToString(h), nil
}

// keep stores content without publishing it (content read for a job,
// served as a resource).
func (cs *contentStore) keep(b []byte) error {
	if cs.dir == "" {
		return errors.New("no content directory")
	}
	return os.WriteFile(cs.path(agentkit.Hash(b)), b, 0o600)
}

// get returns stored content by hash.
func (cs *contentStore) get(hash []byte) ([]byte, bool) {
	if cs.dir == "" || len(hash) != content.HashLength {
		return nil, false
	}
	b, err := os.ReadFile(cs.path(hash))
	if err != nil || !bytes.Equal(agentkit.Hash(b), hash) {
		return nil, false
	}
	return b, true
}

// ServeHTTP serves GET /content/<hex sha256>.
func (cs *contentStore) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		http.Error(w, "GET only", http.StatusMethodNotAllowed)
		return
	}
	h, err := hex.DecodeString(strings.TrimPrefix(r.URL.Path, "/content/"))
	if err != nil || len(h) != content.HashLength {
		http.Error(w, "want /content/<hex sha256>", http.StatusBadRequest)
		return
	}
	b, ok := cs.get(h)
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Security-Policy", "sandbox")
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	_, _ = w.Write(b) //nolint:gosec // served as an attachment-like octet stream, never as HTML (nosniff, sandbox)
}

// publish turns a tool's content arguments (text, or a URI and its hex
// hash) into what the chain stores. field names the argument for errors;
// required refuses neither being given.
func (s *Server) publish(field, text, uri, hashHex string, required bool) (string, []byte, error) {
	switch {
	case text != "" && uri != "":
		return "", nil, fmt.Errorf("give either %s (the text) or %s_uri with %s_hash, not both", field, field, field)
	case text != "":
		b := []byte(text)
		if len(b) > maxContent {
			return "", nil, fmt.Errorf("%s is %d bytes, at most %d", field, len(b), maxContent)
		}
		if d := agentkit.DataURI("text/plain", b); len(d) <= content.MaxURILength {
			return d, agentkit.Hash(b), nil
		}
		u, err := s.store.put(b)
		if err != nil {
			return "", nil, fmt.Errorf("%s is %d bytes, too long for a data: URI (about 360 bytes): %w; or pass %s_uri and %s_hash", field, len(b), err, field, field)
		}
		return u, agentkit.Hash(b), nil
	case uri != "":
		if err := content.CheckURI(uri); err != nil {
			return "", nil, fmt.Errorf("%s_uri: %w", field, err)
		}
		h, err := parseHash(field+"_hash", hashHex)
		if err != nil {
			return "", nil, err
		}
		return uri, h, nil
	case hashHex != "":
		return "", nil, fmt.Errorf("%s_hash without %s_uri: give both", field, field)
	case required:
		return "", nil, fmt.Errorf("%s is missing: give %s (the text) or %s_uri with %s_hash", field, field, field, field)
	}
	return "", nil, nil
}

func parseHash(field, s string) ([]byte, error) {
	h, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "0x"))
	if err != nil || len(h) != content.HashLength {
		return nil, fmt.Errorf("%s %q is not a sha256 in hex (64 characters 0-9a-f)", field, s)
	}
	return h, nil
}

// Fetched is content read back from a URI and checked against its hash.
type Fetched struct {
	URI      string `json:"uri"`
	Hash     string `json:"hash" jsonschema:"sha256 in hex, as on chain"`
	Verified bool   `json:"verified" jsonschema:"the content matches the hash on chain"`
	Text     string `json:"text,omitempty" jsonschema:"the content, when it is text of at most 64 KiB"`
	Bytes    int    `json:"bytes,omitempty"`
	Error    string `json:"error,omitempty" jsonschema:"why the content could not be read or checked"`
}

// fetch reads content from a URI (or the server's own store) and checks
// it against its hash. It fails soft: what went wrong is in Error.
func (s *Server) fetch(ctx context.Context, uri string, hash []byte) *Fetched {
	if uri == "" {
		return nil
	}
	f := &Fetched{URI: uri, Hash: hex.EncodeToString(hash)}
	b, ok := s.store.get(hash)
	if !ok {
		var err error
		if b, err = s.fetchURI(ctx, uri); err != nil {
			f.Error = err.Error()
			return f
		}
	}
	f.Bytes = len(b)
	if !bytes.Equal(agentkit.Hash(b), hash) {
		f.Error = "the content does not match its hash on chain: do not trust it"
		return f
	}
	f.Verified = true
	if !ok {
		// Kept by hash, for the content resource (best effort).
		_ = s.store.keep(b)
	}
	if len(b) <= maxShownContent && isText(b) {
		f.Text = string(b)
	}
	return f
}

func isText(b []byte) bool {
	if !utf8.Valid(b) {
		return false
	}
	for _, c := range b {
		if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

func (s *Server) fetchURI(ctx context.Context, uri string) ([]byte, error) {
	b, err := s.fetcher.Fetch(ctx, uri)
	if errors.Is(err, agentkit.ErrNotPublic) {
		return nil, fmt.Errorf("%w (start the server with --fetch-private to allow private addresses)", err)
	}
	return b, err
}

// newFetcher reads URIs that other agents put on chain: unless private
// addresses are allowed, it refuses to connect to loopback, private,
// link-local and other non-public addresses, so a URI on chain cannot make
// this server reach into the network it runs in.
func newFetcher(allowPrivate bool) *agentkit.Fetcher {
	return &agentkit.Fetcher{AllowPrivate: allowPrivate, MaxBytes: maxContent}
}
