// Package content_test checks that every module applies the chain-wide
// rules of types/content: a URI, hash or tag is valid in every module or in
// none.
package content_test

import (
	"strings"
	"testing"

	"github.com/agentchain/agentchain/types/content"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reputationtypes "github.com/agentchain/agentchain/x/reputation/types"
)

func TestEveryModuleAppliesTheSameRules(t *testing.T) {
	hash := make([]byte, 32)
	uris := []string{
		"https://agents.example/card.json", "ipfs://bafy", "data:text/plain;base64,aGk=",
		"https://x.example/" + strings.Repeat("a", content.MaxURILength-18),
		"https://x.example/" + strings.Repeat("a", content.MaxURILength-17),
		"no-scheme", "https://x.example/ a", "https://x.example/\ta", "https://x.example/\u00a0", "https://x.example/\x7f",
	}
	valid := 0
	for _, uri := range uris {
		ok := content.CheckURI(uri) == nil
		agentid := agentidtypes.ValidateURI("uri", uri) == nil
		market := markettypes.ValidateURI("uri", uri, false) == nil
		reputation := reputationtypes.ValidateRef("comment", uri, hash, true) == nil
		if agentid != ok || market != ok || reputation != ok {
			t.Errorf("%q: rules %v, agentid %v, market %v, reputation %v", uri, ok, agentid, market, reputation)
		}
		if ok {
			valid++
		}
	}
	if valid != 4 {
		t.Fatalf("%d of the URIs are valid, want 4", valid)
	}
	for _, h := range [][]byte{hash, make([]byte, 31), nil} {
		ok := content.CheckHash(h) == nil
		if (agentidtypes.ValidateHash("h", h) == nil) != ok || (markettypes.ValidateHash("h", h) == nil) != ok ||
			(reputationtypes.ValidateRef("comment", "https://x.example", h, true) == nil) != ok {
			t.Errorf("a %d-byte hash is judged differently", len(h))
		}
	}
	// A capability is a valid feedback tag, and the other way round.
	for _, tag := range []string{"summarize", "code.review", strings.Repeat("x", content.MaxTagLength), strings.Repeat("x", content.MaxTagLength+1), "-x", "a b"} {
		_, err := content.NormalizeTag(tag)
		_, capErr := agentidtypes.NormalizeCapabilities([]string{tag}, 16)
		_, tagErr := reputationtypes.NormalizeTags([]string{tag}, 5)
		if (capErr == nil) != (err == nil) || (tagErr == nil) != (err == nil) {
			t.Errorf("tag %q: rules %v, capability %v, feedback tag %v", tag, err, capErr, tagErr)
		}
	}
}
