package agentkit

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
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The chain stores URIs and sha256 hashes, never content: specs, results and
// cards live off chain, and whoever fetches them checks the hash.

// DataURI packs small content into a self-contained data: URI (base64),
// which needs no server. The chain bounds URIs to 512 bytes, so this fits
// content up to about 350 bytes.
func DataURI(mediaType string, content []byte) string {
	return "data:" + mediaType + ";base64," + base64.StdEncoding.EncodeToString(content)
}

// AgentCard is a small A2A-style agent card (name, description, skills) as
// JSON, to publish with AgentSpec.CardURI and Card.
func AgentCard(name, description string, skills []string) []byte {
	bz, _ := json.Marshal(struct {
		Name        string   `json:"name"`
		Description string   `json:"description"`
		Skills      []string `json:"skills"`
	}{name, description, skills})
	return bz
}

// MaxFetch bounds the content Fetch reads.
const MaxFetch = 4 << 20

// Fetcher reads content from data: and http(s): URIs, such as the specs,
// results and cards others put on chain: at most MaxBytes (more is
// refused, not cut), each request within Timeout and, unless
// AllowPrivate, never from a loopback, private, shared, link-local or
// other non-public address, redirects included (a URI another party chose
// must not make the program reach into the network it runs in).
type Fetcher struct {
	AllowPrivate bool
	// MaxBytes bounds the content (default MaxFetch).
	MaxBytes int64
	// Timeout bounds each request (default 20 s).
	Timeout time.Duration

	once   sync.Once
	client *http.Client
}

// ErrNotPublic is a fetch refused because the URI's host resolved to a
// non-public address.
var ErrNotPublic = errors.New("refusing to fetch from a non-public address")

// PublicFetcher is a Fetcher that refuses non-public addresses.
var PublicFetcher = &Fetcher{}

// localFetcher is Fetch's: it reaches every address, so agents on one
// machine or network can share content.
var localFetcher = &Fetcher{AllowPrivate: true}

// Fetch reads content from a data: or http(s): URI, any address allowed
// (see Fetcher: PublicFetcher.Fetch for URIs that strangers chose).
func Fetch(ctx context.Context, uri string) ([]byte, error) {
	return localFetcher.Fetch(ctx, uri)
}

// Fetch reads content from a data: or http(s): URI.
func (f *Fetcher) Fetch(ctx context.Context, uri string) ([]byte, error) {
	limit := f.MaxBytes
	if limit <= 0 {
		limit = MaxFetch
	}
	switch {
	case strings.HasPrefix(uri, "data:"):
		meta, payload, ok := strings.Cut(strings.TrimPrefix(uri, "data:"), ",")
		if !ok {
			return nil, fmt.Errorf("data URI without a comma")
		}
		if strings.HasSuffix(meta, ";base64") {
			return base64.StdEncoding.DecodeString(payload)
		}
		return []byte(payload), nil
	case strings.HasPrefix(uri, "http://"), strings.HasPrefix(uri, "https://"):
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, uri, nil)
		if err != nil {
			return nil, err
		}
		res, err := f.httpClient().Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s", uri, res.Status)
		}
		b, err := io.ReadAll(io.LimitReader(res.Body, limit+1))
		if err != nil {
			return nil, err
		}
		if int64(len(b)) > limit {
			return nil, fmt.Errorf("%s serves more than %d bytes", uri, limit)
		}
		return b, nil
	default:
		return nil, fmt.Errorf("cannot fetch %q: only data: and http(s): URIs", uri)
	}
}

func (f *Fetcher) httpClient() *http.Client {
	f.once.Do(func() {
		timeout := f.Timeout
		if timeout <= 0 {
			timeout = 20 * time.Second
		}
		dialer := &net.Dialer{Timeout: 10 * time.Second}
		if !f.AllowPrivate {
			dialer.Control = func(_, address string, _ syscall.RawConn) error {
				host, _, err := net.SplitHostPort(address)
				if err != nil {
					return err
				}
				if ip, err := netip.ParseAddr(host); err != nil || !PublicAddr(ip) {
					return fmt.Errorf("%w: %s", ErrNotPublic, host)
				}
				return nil
			}
		}
		f.client = &http.Client{
			Timeout: timeout,
			// No proxy: the dialer's check must see the real address.
			Transport: &http.Transport{DialContext: dialer.DialContext, Proxy: nil, MaxIdleConns: 8, IdleConnTimeout: time.Minute},
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) >= 5 {
					return errors.New("more than 5 redirects")
				}
				if via[0].URL.Scheme == "https" && req.URL.Scheme != "https" {
					return fmt.Errorf("refusing a redirect from https to %s", req.URL)
				}
				return nil
			},
		}
	})
	return f.client
}

// nonPublic are the address ranges no public service is at: shared
// address space (carrier NAT), benchmarking, documentation, NAT64, 6to4
// and the other special-purpose ranges the standard library does not name.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("64:ff9b::/96"),
	netip.MustParsePrefix("64:ff9b:1::/48"),
	netip.MustParsePrefix("100::/64"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2002::/16"),
	netip.MustParsePrefix("::/96"), // IPv4-compatible (deprecated) addresses
}

// PublicAddr reports whether ip is a public unicast address: not
// loopback, private, link-local, multicast, unspecified or any other
// special-purpose range (an IPv4-mapped IPv6 address is judged as IPv4).
func PublicAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsValid() || ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() ||
		ip.IsInterfaceLocalMulticast() || ip.IsMulticast() || ip.IsUnspecified() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	return true
}

// ErrHashMismatch is content that does not hash to what the chain holds.
var ErrHashMismatch = errors.New("content does not match its hash on chain")

// FetchVerified fetches content and checks it against its on-chain sha256.
func FetchVerified(ctx context.Context, uri string, hash []byte) ([]byte, error) {
	content, err := Fetch(ctx, uri)
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(Hash(content), hash) {
		return content, fmt.Errorf("%s: %w", uri, ErrHashMismatch)
	}
	return content, nil
}
