package integrity_test

import (
	"fmt"
	"strings"
	"testing"

	"cosmossdk.io/collections"

	agentidkeeper "github.com/agentchain/agentchain/x/agentid/keeper"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
)

// Expired attestations leave state attestation_retention_blocks after
// their expires_height, at most max_prunes_per_block (expiry, agent)
// entries a block; attestations that never expire, expire later, or were
// renewed stay (a renewal's old entry drains and finds nothing); retention
// 0 keeps expired ones; every invariant holds after each block (and an
// expiring attestation missing from the queue breaks one); an export after
// pruning imports with its queue rebuilt.
func TestExpiredAttestationsLeaveState(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	owner, attester := ta.Accounts[0], ta.Accounts[3]
	const retention = 5
	params := func(retention int64) {
		t.Helper()
		p, err := ta.AgentIDKeeper.Params.Get(ta.Ctx())
		if err != nil {
			t.Fatal(err)
		}
		p.Attesters = []string{attester.Addr.String()}
		p.AttestationRetentionBlocks, p.MaxPrunesPerBlock = retention, 2
		w.gov(&agentidtypes.MsgUpdateParams{Authority: authority, Params: p})
	}
	params(0) // kept while they are written
	a1, a2, a3 := w.newAgent(owner), w.newAgent(owner), w.newAgent(owner)
	attest := func(a agent, claim string, expires int64) {
		t.Helper()
		w.ok(attester, &agentidtypes.MsgAttest{
			Attester: attester.Addr.String(), AgentId: a.id, ClaimType: claim, Uri: "https://claims.example/" + claim, Hash: hash(claim), ExpiresHeight: expires,
		})
	}
	expiry := ta.Height + 10
	attest(a1, "kyc", expiry)
	attest(a2, "kyc", expiry)
	attest(a3, "kyc", expiry)
	attest(a1, "audit", 0)             // never expires
	attest(a1, "model", ta.Height+500) // expires much later
	attest(a2, "audit", expiry+1)      // renewed below: stays
	attest(a2, "audit", ta.Height+500) //
	attest(a3, "audit", expiry+1)      // revoked below
	w.ok(attester, &agentidtypes.MsgRevokeAttestation{Attester: attester.Addr.String(), AgentId: a3.id, ClaimType: "audit"})
	w.invariants()

	has := func(a agent, claim string) bool {
		t.Helper()
		ok, err := ta.AgentIDKeeper.Attestations.Has(ta.Ctx(), collections.Join(a.id, collections.Join(attester.Addr, claim)))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	// An expiring attestation missing from the queue breaks the invariant.
	entry := collections.Join(expiry, a1.id)
	if err := ta.AgentIDKeeper.AttestationExpiry.Remove(ta.Ctx(), entry); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.CheckInvariants(ta.Ctx()); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("of agent %d by %s expires at %d but is not in the expiry queue", a1.id, attester.Addr, expiry)) {
		t.Fatalf("invariant with an attestation out of the queue: %v", err)
	}
	if err := ta.AgentIDKeeper.AttestationExpiry.Set(ta.Ctx(), entry); err != nil {
		t.Fatal(err)
	}

	// Retention 0 keeps them well past their expiry.
	w.until(expiry + retention + 5)
	for _, a := range []agent{a1, a2, a3} {
		if !has(a, "kyc") {
			t.Fatalf("agent %d's expired attestation left with retention 0", a.id)
		}
	}
	params(retention)

	// Three due entries at most two a block; the stale ones find nothing.
	pruned := 0
	for block := 0; block < 5 && pruned < 3; block++ {
		n := countEvents(ta.NextBlock(nil), "agentchain.agentid.v1.EventAttestationPruned")
		if n > 2 {
			t.Fatalf("block %d pruned %d attestations; max_prunes_per_block is 2", ta.Height, n)
		}
		pruned += n
		w.invariants()
	}
	ta.NextBlock(nil)
	w.invariants()
	if pruned != 3 {
		t.Fatalf("%d expired attestations pruned, want 3", pruned)
	}
	for _, a := range []agent{a1, a2, a3} {
		if has(a, "kyc") {
			t.Errorf("agent %d's expired attestation is still there", a.id)
		}
	}
	for _, c := range []struct {
		a     agent
		claim string
	}{{a1, "audit"}, {a1, "model"}, {a2, "audit"}} {
		if !has(c.a, c.claim) {
			t.Errorf("agent %d's %q attestation left", c.a.id, c.claim)
		}
	}
	res, err := agentidkeeper.NewQueryServerImpl(ta.AgentIDKeeper).Attestations(ta.Ctx(), &agentidtypes.QueryAttestationsRequest{AgentId: a1.id})
	if err != nil || len(res.Attestations) != 2 {
		t.Fatalf("agent %d's attestations after pruning: %v %v", a1.id, res, err)
	}

	// An export after pruning imports, its queue rebuilt from the rest.
	nb := w.reimport()
	model, err := nb.AgentIDKeeper.Attestations.Get(nb.Ctx(), collections.Join(a1.id, collections.Join(attester.Addr, "model")))
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := nb.AgentIDKeeper.AttestationExpiry.Has(nb.Ctx(), collections.Join(model.ExpiresHeight, a1.id)); err != nil || !ok {
		t.Fatalf("the imported chain's expiry queue lacks agent %d's entry: %v %v", a1.id, ok, err)
	}
}
