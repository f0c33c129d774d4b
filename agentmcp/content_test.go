package agentmcp

import (
	"context"
	"encoding/hex"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/agentchain/agentchain/agentkit"
	"github.com/agentchain/agentchain/types/content"
)

func TestPublishAndFetch(t *testing.T) {
	store, err := newContentStore(t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{store: store, fetcher: newFetcher(false)}
	ctx := context.Background()

	// Small text: a data: URI within the chain's bound.
	uri, hash, err := s.publish("spec", "Summarize this.", "", "", true)
	if err != nil || !strings.HasPrefix(uri, "data:") || len(uri) > content.MaxURILength || hex.EncodeToString(hash) != hex.EncodeToString(agentkit.Hash([]byte("Summarize this."))) {
		t.Fatalf("small text: %q %x %v", uri, hash, err)
	}
	if f := s.fetch(ctx, uri, hash); !f.Verified || f.Text != "Summarize this." {
		t.Fatalf("fetch of a data: URI: %+v", f)
	}
	// Large text without a served store: refused, saying what to do.
	long := strings.Repeat("x", 400)
	if _, _, err := s.publish("spec", long, "", "", true); err == nil || !strings.Contains(err.Error(), "spec_uri") {
		t.Fatalf("large text without a store: %v", err)
	}
	// With a served store: published there, and read back by hash.
	srv := httptest.NewServer(store)
	defer srv.Close()
	store.baseURL = srv.URL + "/content"
	uri, hash, err = s.publish("spec", long, "", "", true)
	if err != nil || !strings.HasPrefix(uri, srv.URL+"/content/") {
		t.Fatalf("large text: %q %v", uri, err)
	}
	if f := s.fetch(ctx, uri, hash); !f.Verified || f.Text != long {
		t.Fatalf("fetch from the store: %+v", f)
	}
	// Another server fetching it over HTTP: loopback is refused unless
	// allowed.
	other := &Server{store: &contentStore{}, fetcher: newFetcher(false)}
	if f := other.fetch(ctx, uri, hash); f.Verified || !strings.Contains(f.Error, "non-public address") || !strings.Contains(f.Error, "--fetch-private") {
		t.Fatalf("fetch from loopback by default: %+v", f)
	}
	other.fetcher = newFetcher(true)
	if f := other.fetch(ctx, uri, hash); !f.Verified || f.Text != long {
		t.Fatalf("fetch from loopback when allowed: %+v", f)
	}
	// Content that does not match its hash is flagged.
	if f := other.fetch(ctx, uri, agentkit.Hash([]byte("other"))); f.Verified || !strings.Contains(f.Error, "does not match") {
		t.Fatalf("mismatched hash: %+v", f)
	}
	// URI and hash given: checked, not fetched.
	if _, _, err := s.publish("result", "", "https://agents.example/r", "abc", true); err == nil || !strings.Contains(err.Error(), "result_hash") {
		t.Fatalf("bad hash: %v", err)
	}
	if _, _, err := s.publish("result", "text", "https://agents.example/r", hex.EncodeToString(hash), true); err == nil || !strings.Contains(err.Error(), "not both") {
		t.Fatalf("both: %v", err)
	}
	if _, _, err := s.publish("result", "", "", "", true); err == nil || !strings.Contains(err.Error(), "result is missing") {
		t.Fatalf("neither: %v", err)
	}
}
