package agentkit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// fakeIndex answers CometBFT's `tx` method, one response per request as
// CometBFT does (a batch of one gets an object, not a list).
func fakeIndex(t *testing.T, have map[string]int64, disabled bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var reqs []struct {
			ID     int `json:"id"`
			Params struct {
				Hash []byte `json:"hash"`
			} `json:"params"`
		}
		if err := json.Unmarshal(body, &reqs); err != nil {
			t.Errorf("not a batch: %s", body)
		}
		var out []string
		for _, q := range reqs {
			hash := fmt.Sprintf("%X", q.Params.Hash)
			switch h, ok := have[hash]; {
			case disabled:
				out = append(out, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"error":{"code":-32603,"message":"Internal error","data":"transaction indexing is disabled"}}`, q.ID))
			case !ok:
				out = append(out, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"error":{"code":-32603,"message":"Internal error","data":"tx (%s) not found"}}`, q.ID, hash))
			default:
				out = append(out, fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"result":{"hash":"%s","height":"%d","index":0,"tx_result":{"code":0,"gas_used":"51234","events":[{"type":"message","attributes":[{"key":"action","value":"send","index":true}]}]},"tx":""}}`, q.ID, hash, h))
			}
		}
		if len(out) == 1 {
			_, _ = io.WriteString(w, out[0])
			return
		}
		_, _ = io.WriteString(w, "["+strings.Join(out, ",")+"]")
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestLookupTxs(t *testing.T) {
	a, b, absent := strings.Repeat("AB", 32), strings.Repeat("CD", 32), strings.Repeat("EF", 32)
	srv := fakeIndex(t, map[string]int64{a: 7, b: 9}, false)
	ctx := context.Background()

	// One hash: the node answers with an object.
	found, err := lookupTxs(ctx, srv.URL, []string{a})
	if err != nil || len(found) != 1 || found[a].Height != 7 || found[a].GasUsed != 51234 || len(found[a].Events) != 1 {
		t.Fatalf("one hash: %+v %v", found, err)
	}
	// Several, some not in a block yet: a list, misses left out.
	found, err = lookupTxs(ctx, srv.URL, []string{a, absent, b})
	if err != nil || len(found) != 2 || found[b].Height != 9 || found[absent] != nil {
		t.Fatalf("three hashes: %+v %v", found, err)
	}
	// Only misses.
	if found, err = lookupTxs(ctx, srv.URL, []string{absent}); err != nil || len(found) != 0 {
		t.Fatalf("a miss: %+v %v", found, err)
	}
	// More hashes than one request carries.
	many := make([]string, maxLookupBatch+5)
	for i := range many {
		many[i] = fmt.Sprintf("%064X", i+1)
	}
	many[maxLookupBatch+2] = b
	if found, err = lookupTxs(ctx, srv.URL, many); err != nil || len(found) != 1 || found[b] == nil {
		t.Fatalf("%d hashes: %+v %v", len(many), found, err)
	}
	// Not hex: refused before asking.
	if _, err = lookupTxs(ctx, srv.URL, []string{"nothex"}); err == nil {
		t.Fatal("a hash that is not hex was looked up")
	}
	// A node without a tx index says so.
	off := fakeIndex(t, nil, true)
	if _, err = lookupTxs(ctx, off.URL, []string{a}); !errors.Is(err, errNoTxIndex) {
		t.Fatalf("no index: %v", err)
	}
}
