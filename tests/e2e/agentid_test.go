package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

// An owner registers an agent through the CLI with a key proof signed from
// the keyring, finds it by name and capability, rotates its key, caps its
// spending, and the agent's bank send past the cap is refused in the block.
func TestAgentIdentityThroughCLI(t *testing.T) {
	n := StartNetwork(t, NetworkOptions{})
	alice := n.Accounts["alice"]
	hot := n.AddKey("summarizer-hot")
	card := sha256.Sum256([]byte(`{"name":"summarizer"}`))

	res := n.MustSucceed(n.Tx("alice", "agentid", "register-agent", "summarizer",
		"--agent-key", "summarizer-hot",
		"--capabilities", "Summarize,translate",
		"--endpoint", "a2a=https://summarizer.example/a2a",
		"--card-uri", "https://summarizer.example/card.json",
		"--card-hash", hex.EncodeToString(card[:])))
	if _, ok := res.FindEvent("agentchain.agentid.v1.EventAgentRegistered"); !ok {
		t.Fatalf("no registration event: %+v", res.Events)
	}

	type agentResp struct {
		Agent struct {
			ID           string   `json:"id"`
			Name         string   `json:"name"`
			Owner        string   `json:"owner"`
			AgentAddress string   `json:"agent_address"`
			Capabilities []string `json:"capabilities"`
			Status       string   `json:"status"`
		} `json:"agent"`
		PayoutAddress string `json:"payout_address"`
	}
	var byName agentResp
	n.QueryJSON(&byName, "agentid", "agent-by-name", "summarizer")
	if byName.Agent.AgentAddress != hot || byName.Agent.Owner != alice || byName.Agent.ID != "1" ||
		strings.Join(byName.Agent.Capabilities, ",") != "summarize,translate" || byName.PayoutAddress != hot {
		t.Fatalf("agent by name: %+v", byName)
	}
	var byCap struct {
		Agents []struct {
			Name string `json:"name"`
		} `json:"agents"`
	}
	n.QueryJSON(&byCap, "agentid", "agents-by-capability", "summarize")
	if len(byCap.Agents) != 1 || byCap.Agents[0].Name != "summarizer" {
		t.Fatalf("by capability: %+v", byCap)
	}

	// Rotate to a new key, proved from the keyring too.
	hot2 := n.AddKey("summarizer-hot-2")
	n.MustSucceed(n.Tx("alice", "agentid", "rotate-agent-key", "1", "--agent-key", "summarizer-hot-2"))
	var rotated agentResp
	n.QueryJSON(&rotated, "agentid", "agent", "1")
	if rotated.Agent.AgentAddress != hot2 {
		t.Fatalf("after rotation the agent address is %s, want %s", rotated.Agent.AgentAddress, hot2)
	}
	if out, _, err := n.CLIOn(n.Nodes[0], "query", "agentid", "agent-by-address", hot, "--output", "json"); err == nil {
		t.Fatalf("the old key still finds the agent: %s", out)
	}

	// Cap the agent key at 2 AGNT per 1000 blocks; fund it with 5.
	n.MustSucceed(n.Tx("alice", "bank", "send", alice, hot2, "5000000uagnt"))
	n.MustSucceed(n.Tx("alice", "agentid", "set-spend-policy", "1", "uagnt", "2000000", "1000"))
	n.MustSucceed(n.Tx("summarizer-hot-2", "bank", "send", hot2, alice, "1uagnt")) // to the owner: exempt
	bob := n.Accounts["bob"]
	n.MustSucceed(n.Tx("summarizer-hot-2", "bank", "send", hot2, bob, "1500000uagnt"))
	before := n.Balance(bob, "uagnt")
	refused := n.Tx("summarizer-hot-2", "bank", "send", hot2, bob, "600000uagnt")
	if refused.Height == 0 {
		t.Fatalf("refused in CheckTx, expected the block to refuse it: %+v", refused)
	}
	if refused.Code != 20 || !strings.Contains(refused.RawLog, "spend cap exceeded") ||
		!strings.Contains(refused.RawLog, "refilling 2000000uagnt every 1000 blocks") || !strings.Contains(refused.RawLog, "available from height") {
		t.Fatalf("over-cap send: code %d log %q", refused.Code, refused.RawLog)
	}
	if got := n.Balance(bob, "uagnt"); got != before {
		t.Fatalf("bob gained %d from a refused send", got-before)
	}
	var policies struct {
		Policies []struct {
			Available  string `json:"available"`
			FullHeight string `json:"full_height"`
		} `json:"policies"`
	}
	n.QueryJSON(&policies, "agentid", "spend-policies", "1")
	// 1,500,000 sent plus four fees of 1,000 (the send to the owner was
	// exempt, but its fee was drawn; so was the refused send's) left at
	// most 496,000; the bucket refills 2,000 per block since, and held less
	// than 600,000 when the send was refused.
	avail := int64(0)
	if len(policies.Policies) == 1 {
		avail, _ = strconv.ParseInt(policies.Policies[0].Available, 10, 64)
	}
	if len(policies.Policies) != 1 || avail < 496_000 || avail > 2_000_000 || policies.Policies[0].FullHeight == "" {
		t.Fatalf("spend policies: %+v", policies)
	}
}
