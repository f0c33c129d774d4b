package agentkit

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
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

// Fetch reads content from a data: or http(s): URI.
func Fetch(ctx context.Context, uri string) ([]byte, error) {
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
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s: %s", uri, res.Status)
		}
		return io.ReadAll(io.LimitReader(res.Body, MaxFetch))
	default:
		return nil, fmt.Errorf("cannot fetch %q: only data: and http(s): URIs", uri)
	}
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
