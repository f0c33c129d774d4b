package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// coinsAttr decodes a typed event's coins attribute and returns the uagnt amount.
func coinsAttr(t *testing.T, r TxResult, eventType, key string) int64 {
	t.Helper()
	ev, ok := r.FindEvent(eventType)
	if !ok {
		t.Fatalf("no %s in tx %s", eventType, r.Hash)
	}
	var coins []struct {
		Denom  string `json:"denom"`
		Amount string `json:"amount"`
	}
	if err := json.Unmarshal([]byte(ev.Attributes[key]), &coins); err != nil {
		t.Fatalf("%s.%s = %q: %v", eventType, key, ev.Attributes[key], err)
	}
	var total int64
	for _, c := range coins {
		if c.Denom == "uagnt" {
			v, _ := strconv.ParseInt(c.Amount, 10, 64)
			total += v
		}
	}
	return total
}

type jobView struct {
	Job struct {
		Status       string `json:"status"`
		ProviderPaid []struct {
			Amount string `json:"amount"`
		} `json:"provider_paid"`
	} `json:"job"`
}

// A provider agent (bob owns it, its hot key signs) lists a service; alice
// hires it, it accepts and delivers, alice completes: the provider is paid
// the price minus the take, which the block's events show going to the fee
// collector. Then the request-for-quote path, the silent client whose
// review window lapses, and a dispute that carol arbitrates.
func TestMarketThroughCLI(t *testing.T) {
	n := StartNetwork(t, NetworkOptions{})
	alice, carol := n.Accounts["alice"], n.Accounts["carol"]
	f := fee(t)
	hot := n.AddKey("provider-hot")
	n.MustSucceed(n.Tx("bob", "agentid", "register-agent", "provider-one", "--agent-key", "provider-hot", "--capabilities", "summarize"))
	n.MustSucceed(n.Tx("bob", "bank", "send", n.Accounts["bob"], hot, "10000000uagnt"))

	res := n.MustSucceed(n.Tx("provider-hot", "market", "create-listing", "1", "summarize", "Short summaries", "2000000uagnt",
		"https://provider.example/terms", sha("terms"), "--max-duration-blocks", "1000", "--review-window-blocks", "10"))
	listing := attr(t, res, "agentchain.market.v1.EventListingCreated", "listing_id")
	var listings struct {
		Listings []struct {
			ID string `json:"id"`
		} `json:"listings"`
	}
	n.QueryJSON(&listings, "market", "listings-by-capability", "summarize", "--denom", "uagnt", "--max-price", "2000000")
	if len(listings.Listings) != 1 || listings.Listings[0].ID != listing {
		t.Fatalf("listings by capability: %+v", listings)
	}
	height := func() int64 {
		st, err := n.Status(n.Nodes[0])
		if err != nil {
			t.Fatal(err)
		}
		return st.Height
	}

	t.Run("list, hire, accept, deliver, complete", func(t *testing.T) {
		n := n.In(t)
		a0, p0 := n.Balance(alice, "uagnt"), n.Balance(hot, "uagnt")
		// --max-price below the listing's price: refused, nothing locked.
		if r := n.Tx("alice", "market", "hire", listing, "https://alice.example/spec", sha("spec"), strconv.FormatInt(height()+500, 10), "--max-price", "1999999uagnt"); r.Code != 46 || r.Codespace != "market" || !strings.Contains(r.RawLog, "the hire allows at most 1999999uagnt") {
			t.Fatalf("a hire above its --max-price: code %d %s: %s", r.Code, r.Codespace, r.RawLog)
		}
		if spent := a0 - n.Balance(alice, "uagnt"); spent != f {
			t.Fatalf("the refused hire cost alice %d, want its fee %d only (nothing locked)", spent, f)
		}
		a0 = n.Balance(alice, "uagnt")
		res := n.MustSucceed(n.Tx("alice", "market", "hire", listing, "https://alice.example/spec", sha("spec"), strconv.FormatInt(height()+500, 10), "--max-price", "2000000uagnt"))
		job := attr(t, res, "agentchain.market.v1.EventJobFunded", "job_id")
		n.MustSucceed(n.Tx("provider-hot", "market", "accept-job", job))
		n.MustSucceed(n.Tx("provider-hot", "market", "deliver", job, "0", "https://provider.example/result", sha("result")))
		done := n.MustSucceed(n.Tx("alice", "market", "complete", job, "0"))
		take := coinsAttr(t, done, "agentchain.market.v1.EventMilestonePaid", "take")
		paid := coinsAttr(t, done, "agentchain.market.v1.EventMilestonePaid", "provider_amount")
		if take != 40_000 || paid != 1_960_000 {
			t.Fatalf("take %d, provider %d; want 40000 and 1960000 (2%% of 2000000)", take, paid)
		}
		// The take went to the fee collector in the escrow's release.
		if !strings.Contains(done.RawLog+eventsText(done), authFeeCollector) {
			t.Fatalf("no transfer to the fee collector in %+v", done.Events)
		}
		if got := n.Balance(alice, "uagnt"); got != a0-2_000_000-2*f {
			t.Fatalf("alice holds %d, want %d", got, a0-2_000_000-2*f)
		}
		if got := n.Balance(hot, "uagnt"); got != p0+1_960_000-2*f {
			t.Fatalf("provider holds %d, want %d", got, p0+1_960_000-2*f)
		}
		// settle-job is there for anyone, and refuses a job with nothing due.
		if r := n.Tx("carol", "market", "settle-job", job); r.Code != 34 || r.Codespace != "market" || !strings.Contains(r.RawLog, "is JOB_STATUS_COMPLETED") {
			t.Fatalf("settle-job of a completed job: code %s/%d, log %s", r.Codespace, r.Code, r.RawLog)
		}
	})

	t.Run("request for quote", func(t *testing.T) {
		n := n.In(t)
		a0 := n.Balance(alice, "uagnt")
		res := n.MustSucceed(n.Tx("alice", "market", "post-request", "summarize", "3000000uagnt", "https://alice.example/rfq", sha("rfq"), strconv.FormatInt(height()+200, 10)))
		req := attr(t, res, "agentchain.market.v1.EventRequestPosted", "request_id")
		n.MustSucceed(n.Tx("provider-hot", "market", "place-bid", req, "1", "2500000uagnt", "100"))
		var bids struct {
			Bids []struct {
				ID json.Number `json:"id"`
			} `json:"bids"`
		}
		n.QueryJSON(&bids, "market", "bids", req)
		if len(bids.Bids) != 1 {
			t.Fatalf("bids %+v", bids)
		}
		acc := n.MustSucceed(n.Tx("alice", "market", "accept-bid", req, bids.Bids[0].ID.String()))
		job := attr(t, acc, "agentchain.market.v1.EventJobFunded", "job_id")
		if got := n.Balance(alice, "uagnt"); got != a0-2_500_000-2*f {
			t.Fatalf("after accepting a 2.5 AGNT bid on a 3 AGNT budget alice holds %d, want %d", got, a0-2_500_000-2*f)
		}
		n.MustSucceed(n.Tx("provider-hot", "market", "accept-job", job))
		n.MustSucceed(n.Tx("provider-hot", "market", "deliver", job, "0", "https://provider.example/r2", sha("r2")))
		n.MustSucceed(n.Tx("alice", "market", "complete", job, "0"))
		var j jobView
		n.QueryJSON(&j, "market", "job", job)
		if j.Job.Status != "JOB_STATUS_COMPLETED" {
			t.Fatalf("rfq job %s", j.Job.Status)
		}
	})

	t.Run("silent client: the review window completes the job", func(t *testing.T) {
		n := n.In(t)
		res := n.MustSucceed(n.Tx("alice", "market", "hire", listing, "https://alice.example/spec3", sha("spec3"), strconv.FormatInt(height()+500, 10)))
		job := attr(t, res, "agentchain.market.v1.EventJobFunded", "job_id")
		n.MustSucceed(n.Tx("provider-hot", "market", "accept-job", job))
		p0 := n.Balance(hot, "uagnt")
		d := n.MustSucceed(n.Tx("provider-hot", "market", "deliver", job, "0", "https://provider.example/r3", sha("r3")))
		n.WaitForHeight(n.Nodes[0], d.Height+11, startTimeout)
		var j jobView
		n.QueryJSON(&j, "market", "job", job)
		if j.Job.Status != "JOB_STATUS_COMPLETED" {
			t.Fatalf("after the review window the job is %s", j.Job.Status)
		}
		if got := n.Balance(hot, "uagnt"); got != p0-f+1_960_000 {
			t.Fatalf("provider holds %d, want %d", got, p0-f+1_960_000)
		}
	})

	t.Run("dispute: carol arbitrates 50/50", func(t *testing.T) {
		n := n.In(t)
		res := n.MustSucceed(n.Tx("alice", "market", "hire", listing, "https://alice.example/spec4", sha("spec4"), strconv.FormatInt(height()+500, 10)))
		job := attr(t, res, "agentchain.market.v1.EventJobFunded", "job_id")
		n.MustSucceed(n.Tx("provider-hot", "market", "accept-job", job))
		n.MustSucceed(n.Tx("provider-hot", "market", "deliver", job, "0", "https://provider.example/r4", sha("r4")))
		n.MustSucceed(n.Tx("alice", "market", "reject", job, "0", "low-quality", sha("evidence")))
		a0, p0, c0 := n.Balance(alice, "uagnt"), n.Balance(hot, "uagnt"), n.Balance(carol, "uagnt")
		r := n.MustSucceed(n.Tx("carol", "market", "resolve", job, "5000"))
		// 2,000,000: carol's 1% = 20,000; 50% of 1,980,000 = 990,000 to the
		// provider less the 2% take (19,800): 970,200; alice gets 990,000.
		if got := n.Balance(carol, "uagnt") - c0; got != 20_000-f {
			t.Fatalf("arbiter gained %d", got)
		}
		if got := n.Balance(hot, "uagnt") - p0; got != 970_200 {
			t.Fatalf("provider gained %d", got)
		}
		if got := n.Balance(alice, "uagnt") - a0; got != 990_000 {
			t.Fatalf("client got back %d", got)
		}
		if take := coinsAttr(t, r, "agentchain.market.v1.EventJobResolved", "take"); take != 19_800 {
			t.Fatalf("take %d", take)
		}
	})

	// After all of it the escrow module holds exactly what open escrows hold.
	var c struct {
		Ok bool `json:"ok"`
	}
	n.QueryJSON(&c, "escrow", "conservation")
	if !c.Ok {
		t.Fatal("escrow conservation check failed")
	}
	// And every module's invariants hold on the live node's state.
	for _, module := range []string{"agentid", "escrow", "market", "reputation"} {
		var inv struct {
			Checked []string `json:"checked"`
			Broken  []string `json:"broken"`
		}
		n.QueryJSON(&inv, module, "invariants")
		if len(inv.Checked) < 2 || len(inv.Broken) > 0 {
			t.Fatalf("%s invariants: checked %v, broken %v", module, inv.Checked, inv.Broken)
		}
	}
}

// authFeeCollector is the fee collector module account's address.
const authFeeCollector = "agent17xpfvakm2amg962yls6f84z3kell8c5lnuhz5t"

func eventsText(r TxResult) string {
	var b strings.Builder
	for _, e := range r.Events {
		for k, v := range e.Attributes {
			b.WriteString(k + "=" + v + " ")
		}
	}
	return b.String()
}
