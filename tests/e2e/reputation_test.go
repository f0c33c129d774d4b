package e2e

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// Two agents do a job for each other through the CLI and rate each other;
// the node reports both reputations and the top agents of the capability;
// a listing that asks for a minimum client reputation refuses a client
// below it, in the block.
func TestReputationThroughCLI(t *testing.T) {
	n := StartNetwork(t, NetworkOptions{})
	providerKey := n.AddKey("rep-provider")
	clientKey := n.AddKey("rep-client")
	n.MustSucceed(n.Tx("bob", "agentid", "register-agent", "rep-provider", "--agent-key", "rep-provider", "--capabilities", "summarize"))
	n.MustSucceed(n.Tx("alice", "agentid", "register-agent", "rep-client", "--agent-key", "rep-client"))
	n.MustSucceed(n.Tx("bob", "bank", "send", n.Accounts["bob"], providerKey, "10000000uagnt"))
	n.MustSucceed(n.Tx("alice", "bank", "send", n.Accounts["alice"], clientKey, "50000000uagnt"))

	res := n.MustSucceed(n.Tx("rep-provider", "market", "create-listing", "1", "summarize", "Summaries", "20000000uagnt",
		"https://p.example/terms", sha("terms"), "--max-duration-blocks", "1000", "--review-window-blocks", "100"))
	listing := attr(t, res, "agentchain.market.v1.EventListingCreated", "listing_id")
	st, err := n.Status(n.Nodes[0])
	if err != nil {
		t.Fatal(err)
	}
	res = n.MustSucceed(n.Tx("rep-client", "market", "hire", listing, "https://c.example/spec", sha("spec"), strconv.FormatInt(st.Height+500, 10)))
	job := attr(t, res, "agentchain.market.v1.EventJobFunded", "job_id")
	n.MustSucceed(n.Tx("rep-provider", "market", "accept-job", job))
	n.MustSucceed(n.Tx("rep-provider", "market", "deliver", job, "0", "https://p.example/r", sha("r")))
	n.MustSucceed(n.Tx("rep-client", "market", "complete", job, "0"))

	// Both sides rate.
	fb := n.MustSucceed(n.Tx("rep-client", "reputation", "submit-feedback", job, "95", "--tags", "fast,accurate"))
	if w := attr(t, fb, "agentchain.reputation.v1.EventFeedbackSubmitted", "weight"); !strings.HasPrefix(w, "20.") {
		t.Fatalf("a 20 AGNT job weighs %s", w)
	}
	n.MustSucceed(n.Tx("rep-provider", "reputation", "submit-feedback", job, "40"))
	// Rating twice is refused in the block.
	if again := n.Tx("rep-client", "reputation", "submit-feedback", job, "10"); again.Code == 0 {
		t.Fatal("a second rating was accepted")
	}

	type rep struct {
		Score   string `json:"score"`
		Count   string `json:"count"`
		Signals struct {
			JobsCompleted string `json:"jobs_completed"`
			JobsAsClient  string `json:"jobs_as_client"`
		} `json:"signals"`
	}
	var provider, client rep
	n.QueryJSON(&provider, "reputation", "reputation", "1")
	n.QueryJSON(&client, "reputation", "reputation", "2")
	// Provider: (50*100 + 95*20) / 120 = 57.5; client: (5000 + 40*20)/120 =
	// 48.33 — less a hair of decay over the few blocks since (the half-life
	// is a month of blocks).
	near := func(s string, want float64) bool {
		v, err := strconv.ParseFloat(s, 64)
		return err == nil && v <= want && v > want-0.01
	}
	if !near(provider.Score, 57.5) || provider.Count != "1" || provider.Signals.JobsCompleted != "1" {
		t.Fatalf("provider reputation %+v", provider)
	}
	if !near(client.Score, 48.3334) || client.Signals.JobsAsClient != "1" {
		t.Fatalf("client reputation %+v", client)
	}
	var top struct {
		Agents []struct {
			AgentID string `json:"agent_id"`
			Score   string `json:"score"`
		} `json:"agents"`
	}
	n.QueryJSON(&top, "reputation", "top-agents", "summarize")
	if len(top.Agents) != 1 || top.Agents[0].AgentID != "1" {
		t.Fatalf("top agents of summarize: %+v", top)
	}

	// A listing for clients scoring 50 or more: the rep-client (48) and a
	// plain account are refused; the refusal is in the included tx.
	res = n.MustSucceed(n.Tx("rep-provider", "market", "create-listing", "1", "summarize", "Premium", "1000000uagnt",
		"https://p.example/terms2", sha("terms2"), "--max-duration-blocks", "1000", "--review-window-blocks", "100", "--min-client-score", "50"))
	premium := attr(t, res, "agentchain.market.v1.EventListingCreated", "listing_id")
	for _, who := range []string{"rep-client", "carol"} {
		refused := n.Tx(who, "market", "hire", premium, "https://c.example/spec2", sha("spec2"), strconv.FormatInt(st.Height+900, 10))
		if refused.Height == 0 || refused.Code != 15 || !strings.Contains(refused.RawLog, "reputation") {
			t.Fatalf("%s hiring a min-50 listing: height %d code %d log %q", who, refused.Height, refused.Code, refused.RawLog)
		}
	}
	var received struct {
		Feedback []struct {
			Score json.Number `json:"score"`
			Tags  []string    `json:"tags"`
		} `json:"feedback"`
	}
	n.QueryJSON(&received, "reputation", "feedback-received", "1")
	if len(received.Feedback) != 1 || received.Feedback[0].Score.String() != "95" || strings.Join(received.Feedback[0].Tags, ",") != "accurate,fast" {
		t.Fatalf("feedback received: %+v", received)
	}
}
