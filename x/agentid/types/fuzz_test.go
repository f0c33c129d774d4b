package types_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/x/agentid/types"
)

// FuzzKeyProof: a proof made by the agent key verifies; any change to it
// (one bit of the signature, key, nonce, chain, owner or agent) does not;
// arbitrary bytes never verify unless they are a real signature of that
// key, and nothing panics.
func FuzzKeyProof(f *testing.F) {
	f.Add([]byte("agent key"), uint64(1), uint16(0), []byte("owner"), "agentchain-1", []byte{})
	f.Add([]byte("another"), uint64(1<<63), uint16(517), []byte{}, "", []byte{2, 3})
	f.Add([]byte{0}, uint64(0), uint16(9), []byte{1, 2, 3}, "x", make([]byte, 33))
	f.Fuzz(func(t *testing.T, secret []byte, nonce uint64, flip uint16, owner []byte, chainID string, junk []byte) {
		if len(chainID) > 64 || len(owner) > 255 {
			return
		}
		priv := secp256k1.GenPrivKeyFromSecret(secret)
		agent := sdk.AccAddress(priv.PubKey().Address())
		sig, err := priv.Sign(types.BindingDigest(chainID, owner, agent, nonce))
		if err != nil {
			t.Fatal(err)
		}
		proof := &types.KeyProof{PubKey: priv.PubKey().Bytes(), Nonce: nonce, Signature: sig}
		err = types.VerifyKeyProof(chainID, owner, agent, proof)
		if (err == nil) != (nonce > 0) {
			t.Fatalf("a proof by the key with nonce %d: %v", nonce, err)
		}
		// One bit flipped somewhere in what was signed or how.
		bad := *proof
		bad.Signature = slices.Clone(sig)
		bad.PubKey = slices.Clone(proof.PubKey)
		badChain, badOwner, badAgent := chainID, slices.Clone(owner), slices.Clone(agent)
		switch bit := int(flip); {
		case bit < len(sig)*8:
			bad.Signature[bit/8] ^= 1 << (bit % 8)
		case bit < len(sig)*8+64:
			bad.Nonce ^= 1 << (bit - len(sig)*8)
		case bit < len(sig)*8+64+len(bad.PubKey)*8:
			b := bit - len(sig)*8 - 64
			bad.PubKey[b/8] ^= 1 << (b % 8)
		case bit%3 == 0:
			badChain += "x"
		case bit%3 == 1:
			badOwner = append(badOwner, 1)
		default:
			badAgent[0] ^= 1
		}
		if types.VerifyKeyProof(badChain, badOwner, badAgent, &bad) == nil {
			t.Fatalf("a proof changed at bit %d still verifies", flip)
		}
		// Arbitrary bytes as a proof.
		junkProof := &types.KeyProof{PubKey: junk, Nonce: nonce, Signature: junk}
		if types.VerifyKeyProof(chainID, owner, agent, junkProof) == nil {
			t.Fatalf("junk %x verifies", junk)
		}
	})
}

// FuzzSpendBucket: whatever sequence of sends an agent tries, no single
// send is above the cap and any span of L blocks sees at most
// cap × (1 + L / window_blocks) leave; what is available is never
// negative nor above the cap.
func FuzzSpendBucket(f *testing.F) {
	f.Add(uint32(5_000_000), uint16(100), []byte{0, 255, 1, 255, 12, 40, 99, 200, 0, 0, 1, 1})
	f.Add(uint32(10), uint16(3), []byte{0, 4, 1, 4, 1, 4, 1, 4, 1, 4})
	f.Add(uint32(0), uint16(1), []byte{0, 1, 5, 0})
	f.Add(uint32(7), uint16(1000), []byte{})
	f.Fuzz(func(t *testing.T, capAmt uint32, window uint16, ops []byte) {
		w := uint64(window%2000) + 1
		l := types.SpendLimit{AgentId: 1, Denom: "uagnt", Cap: sdkmath.NewInt(int64(capAmt)), WindowBlocks: w, Used: sdkmath.ZeroInt(), UsedHeight: 1}
		type send struct {
			h   int64
			amt int64
		}
		var sent []send
		h := int64(1)
		for i := 0; i+1 < len(ops) && i < 200; i += 2 {
			h += int64(ops[i] % 16)
			// Ask for a fraction of the cap (up to twice it), from the byte.
			amt := int64(capAmt) * int64(ops[i+1]) / 127
			avail := l.Available(h)
			if avail.IsNegative() || avail.GT(l.Cap) {
				t.Fatalf("height %d: available %s with cap %s", h, avail, l.Cap)
			}
			next, ok := l.Draw(h, sdkmath.NewInt(amt))
			if ok != (sdkmath.NewInt(amt).LTE(avail) || amt == 0 && avail.IsZero()) {
				// Draw may accept a fraction of a unit more than Available
				// shows (Available rounds down), never less.
				if !ok || sdkmath.NewInt(amt).GT(avail.AddRaw(1)) {
					t.Fatalf("height %d: draw %d with %s available: ok=%v", h, amt, avail, ok)
				}
			}
			if ready := l.ReadyAt(h, sdkmath.NewInt(amt)); ok && ready != h {
				t.Fatalf("drawn at %d but ready at %d", h, ready)
			} else if !ok && amt <= int64(capAmt) && ready <= h {
				t.Fatalf("refused at %d but ready at %d", h, ready)
			}
			if ok {
				if amt > int64(capAmt) {
					t.Fatalf("%d left at once with a cap of %d", amt, capAmt)
				}
				sent = append(sent, send{h, amt})
				l = next
			}
		}
		// Every span [a, b] of heights: at most cap × (1 + (b - a) / w).
		for i := range sent {
			total := int64(0)
			for j := i; j < len(sent); j++ {
				total += sent[j].amt
				span := sent[j].h - sent[i].h
				if bound := sdkmath.NewInt(int64(capAmt)).MulRaw(int64(w) + span).QuoRaw(int64(w)); sdkmath.NewInt(total).GT(bound) {
					t.Fatalf("%d left in heights %d..%d; cap %d per %d blocks allows %s", total, sent[i].h, sent[j].h, capAmt, w, bound)
				}
			}
		}
	})
}

var (
	nameRe       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,31}$`)
	capabilityRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,47}$`)
)

// FuzzAgentFields: the stateless checks of agent fields never panic, and
// what they accept follows the documented rules; normalizing capabilities
// twice changes nothing.
func FuzzAgentFields(f *testing.F) {
	f.Add("summarizer", "Summarize", "https://agent.example/card.json", "kyc", "a2a")
	f.Add("a", " TRANSLATE ", "ftp://x", "", "mcp")
	f.Add("x--y", "a,b", "https://"+string(make([]byte, 600)), "Model.Audit", "https")
	f.Fuzz(func(t *testing.T, name, capability, uri, claim, protocol string) {
		if types.ValidateName(name) == nil && !nameRe.MatchString(name) {
			t.Fatalf("name %q accepted", name)
		}
		caps, err := types.NormalizeCapabilities([]string{capability, capability + "x"}, 16)
		if err == nil {
			for _, c := range caps {
				if !capabilityRe.MatchString(c) {
					t.Fatalf("capability %q from %q accepted", c, capability)
				}
			}
			again, err := types.NormalizeCapabilities(caps, 16)
			if err != nil || !slices.Equal(again, caps) {
				t.Fatalf("normalizing %v again gave %v (%v)", caps, again, err)
			}
		}
		if types.ValidateURI("uri", uri) == nil && (len(uri) > 512 || !strings.Contains(uri, ":") || strings.ContainsAny(uri, " \t\r\n")) {
			t.Fatalf("uri %q accepted", uri)
		}
		_ = types.ValidateClaimType(claim)
		_ = types.ValidateEndpoints([]types.Endpoint{{Protocol: protocol, Url: uri}}, 8)
		_ = types.ValidateCard(uri, []byte(claim))
	})
}
