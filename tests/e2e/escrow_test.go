package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

// attr returns a typed event attribute without its JSON quotes.
func attr(t *testing.T, r TxResult, eventType, key string) string {
	t.Helper()
	ev, ok := r.FindEvent(eventType)
	if !ok {
		t.Fatalf("no %s event in tx %s", eventType, r.Hash)
	}
	v, ok := ev.Attributes[key]
	if !ok {
		t.Fatalf("%s has no %s: %v", eventType, key, ev.Attributes)
	}
	return strings.Trim(v, `"`)
}

func fee(t *testing.T) int64 {
	t.Helper()
	f, err := strconv.ParseInt(strings.TrimSuffix(DefaultFees, "uagnt"), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

type escrowView struct {
	Escrow struct {
		Status   string `json:"status"`
		Refunded []struct {
			Amount string `json:"amount"`
		} `json:"refunded"`
	} `json:"escrow"`
}

// Direct escrows through the CLI on a real node: create and release,
// create and let it expire, create, dispute and have the arbiter split it.
// Balances are checked to the micro-unit on every side.
func TestEscrowThroughCLI(t *testing.T) {
	n := StartNetwork(t, NetworkOptions{})
	alice, bob, carol := n.Accounts["alice"], n.Accounts["bob"], n.Accounts["carol"]
	f := fee(t)
	conservation := func() {
		t.Helper()
		var c struct {
			Ok bool `json:"ok"`
		}
		n.QueryJSON(&c, "escrow", "conservation")
		if !c.Ok {
			t.Fatal("escrow conservation check failed on the node")
		}
	}

	t.Run("create then release", func(t *testing.T) {
		n := n.In(t)
		a0, b0 := n.Balance(alice, "uagnt"), n.Balance(bob, "uagnt")
		res := n.MustSucceed(n.Tx("alice", "escrow", "create-escrow", bob, "2500000uagnt", "--reference", "e2e release"))
		id := attr(t, res, "agentchain.escrow.v1.EventEscrowCreated", "escrow_id")
		if got := n.Balance(alice, "uagnt"); got != a0-2_500_000-f {
			t.Fatalf("after lock alice holds %d, want %d", got, a0-2_500_000-f)
		}
		conservation()
		n.MustSucceed(n.Tx("alice", "escrow", "release", id))
		if got := n.Balance(bob, "uagnt"); got != b0+2_500_000 {
			t.Fatalf("bob holds %d, want %d", got, b0+2_500_000)
		}
		if got := n.Balance(alice, "uagnt"); got != a0-2_500_000-2*f {
			t.Fatalf("alice holds %d, want %d", got, a0-2_500_000-2*f)
		}
		var e escrowView
		n.QueryJSON(&e, "escrow", "escrow", id)
		if e.Escrow.Status != "ESCROW_STATUS_CLOSED" {
			t.Fatalf("escrow %s is %s", id, e.Escrow.Status)
		}
		conservation()
	})

	t.Run("create then expire", func(t *testing.T) {
		n := n.In(t)
		st, err := n.Status(n.Nodes[0])
		if err != nil {
			t.Fatal(err)
		}
		expires := st.Height + 8
		a0 := n.Balance(alice, "uagnt")
		res := n.MustSucceed(n.Tx("alice", "escrow", "create-escrow", bob, "700000uagnt", "--expires-height", strconv.FormatInt(expires, 10)))
		id := attr(t, res, "agentchain.escrow.v1.EventEscrowCreated", "escrow_id")
		n.WaitForHeight(n.Nodes[0], expires+1, startTimeout)
		var e escrowView
		n.QueryJSON(&e, "escrow", "escrow", id)
		if e.Escrow.Status != "ESCROW_STATUS_CLOSED" || len(e.Escrow.Refunded) != 1 || e.Escrow.Refunded[0].Amount != "700000" {
			t.Fatalf("after expiry: %+v", e)
		}
		if got := n.Balance(alice, "uagnt"); got != a0-f {
			t.Fatalf("alice holds %d after the automatic refund, want %d (only the fee spent)", got, a0-f)
		}
		conservation()
	})

	t.Run("dispute then arbiter splits 70/30", func(t *testing.T) {
		n := n.In(t)
		res := n.MustSucceed(n.Tx("alice", "escrow", "create-escrow", bob, "1000000uagnt", "--arbiter", carol))
		id := attr(t, res, "agentchain.escrow.v1.EventEscrowCreated", "escrow_id")
		evidence := sha256.Sum256([]byte("delivered on time, see logs"))
		n.MustSucceed(n.Tx("bob", "escrow", "open-dispute", id, "payment-withheld", hex.EncodeToString(evidence[:])))

		// Someone else cannot rule.
		refused := n.Tx("bob", "escrow", "resolve-dispute", id, "10000")
		if refused.Code == 0 {
			t.Fatal("the payee ruled on its own dispute")
		}
		a0, b0, c0 := n.Balance(alice, "uagnt"), n.Balance(bob, "uagnt"), n.Balance(carol, "uagnt")
		ruling := n.MustSucceed(n.Tx("carol", "escrow", "resolve-dispute", id, "7000"))
		// 1,000,000: the arbiter's 1% (10,000) first, then 70% of 990,000
		// to the payee (693,000) and the rest to the payer (297,000).
		if got := n.Balance(carol, "uagnt") - c0; got != 10_000-f {
			t.Fatalf("arbiter gained %d, want %d", got, 10_000-f)
		}
		if got := n.Balance(bob, "uagnt") - b0; got != 693_000 {
			t.Fatalf("payee gained %d, want 693000", got)
		}
		if got := n.Balance(alice, "uagnt") - a0; got != 297_000 {
			t.Fatalf("payer got back %d, want 297000", got)
		}
		if share := attr(t, ruling, "agentchain.escrow.v1.EventEscrowResolved", "payee_share_bps"); share != "7000" {
			t.Fatalf("ruling share %s", share)
		}
		conservation()
	})
}
