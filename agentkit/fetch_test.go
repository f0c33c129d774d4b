package agentkit

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// URIs on chain are chosen by other parties: the public fetcher reaches
// public addresses only, whatever form the address takes.
func TestPublicAddr(t *testing.T) {
	for addr, want := range map[string]bool{
		"8.8.8.8":              true,
		"2606:4700:4700::1111": true,
		"127.0.0.1":            false,
		"10.1.2.3":             false,
		"172.16.0.1":           false,
		"192.168.1.1":          false,
		"169.254.169.254":      false, // cloud metadata
		"100.100.100.200":      false, // shared address space (a cloud's metadata)
		"198.18.0.1":           false,
		"0.0.0.0":              false,
		"224.0.0.1":            false,
		"::1":                  false,
		"::":                   false,
		"::ffff:127.0.0.1":     false, // IPv4-mapped
		"::7f00:1":             false, // IPv4-compatible
		"64:ff9b::7f00:1":      false, // NAT64
		"2002:7f00:1::":        false, // 6to4
		"fe80::1":              false,
		"fc00::1":              false,
	} {
		if got := PublicAddr(netip.MustParseAddr(addr)); got != want {
			t.Errorf("PublicAddr(%s) = %t, want %t", addr, got, want)
		}
	}
}

func TestFetcherRefusesPrivateAndOversized(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/away" {
			http.Redirect(w, r, "/big", http.StatusFound)
			return
		}
		_, _ = w.Write([]byte(strings.Repeat("x", 100)))
	}))
	defer srv.Close()
	ctx := context.Background()
	if _, err := PublicFetcher.Fetch(ctx, srv.URL+"/big"); !errors.Is(err, ErrNotPublic) {
		t.Fatalf("a loopback URI through the public fetcher: %v", err)
	}
	if b, err := Fetch(ctx, srv.URL+"/away"); err != nil || len(b) != 100 {
		t.Fatalf("Fetch of a loopback URI through a redirect: %d bytes, %v", len(b), err)
	}
	small := &Fetcher{AllowPrivate: true, MaxBytes: 99}
	if _, err := small.Fetch(ctx, srv.URL+"/big"); err == nil || !strings.Contains(err.Error(), "more than 99 bytes") {
		t.Fatalf("100 bytes with a limit of 99: %v", err)
	}
	if b, err := PublicFetcher.Fetch(ctx, "data:text/plain;base64,aGk="); err != nil || string(b) != "hi" {
		t.Fatalf("a data: URI: %q %v", b, err)
	}
}
