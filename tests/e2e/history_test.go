package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/agentchain/agentchain/agentkit"
)

// A settled job leaves state after its retention window; its history
// stays readable from a node that indexes every event (an indexer or
// archive node: app.toml index-events = []), with the README's queries:
// every tx of the job by its events, and the block that pruned it.
func TestJobHistoryAfterPruning(t *testing.T) {
	nw := StartNetwork(t, NetworkOptions{BeforeStart: func(n *Network) {
		node := n.Nodes[0]
		SetTOML(t, filepath.Join(node.Home, "config", "app.toml"), "", "index-events", "[]")
		// Short windows: feedback 5 blocks, retention 1 (kept 6 blocks).
		path := filepath.Join(node.Home, "config", "genesis.json")
		bz, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var gen map[string]any
		if err := json.Unmarshal(bz, &gen); err != nil {
			t.Fatal(err)
		}
		state := gen["app_state"].(map[string]any)
		state["market"].(map[string]any)["params"].(map[string]any)["settled_job_retention_blocks"] = "1"
		state["reputation"].(map[string]any)["params"].(map[string]any)["feedback_window_blocks"] = "5"
		if bz, err = json.Marshal(gen); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, bz, 0o600); err != nil {
			t.Fatal(err)
		}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	node := nw.Nodes[0]
	alice := dial(t, ctx, node, devnetSigner(t, "alice"))
	keys := fundedKeys(t, ctx, alice, "history", 2, 100_000_000)
	owner, client := dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC}, keys[0]), dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC}, keys[1])
	agentKey := agentkit.FromSecret(fmt.Sprintf("history-agent-%d", time.Now().UnixNano()))
	fund(t, ctx, owner, agentKey.Address(), 10_000_000)
	provider := dial(t, ctx, node, agentKey)
	listing, err := listProvider(ctx, owner, provider, agentKey, "historian", 5_000, 1_000)
	if err != nil {
		t.Fatal(err)
	}
	job, err := client.Hire(ctx, agentkit.HireSpec{ListingID: listing, SpecURI: "https://client.example/spec", Spec: []byte("spec"), DeliverWithin: 500})
	if err != nil {
		t.Fatal(err)
	}
	hashes := map[string]string{}
	res, err := provider.AcceptJob(ctx, job.Id)
	if err != nil {
		t.Fatal(err)
	}
	hashes["EventJobAccepted"] = res.Hash
	if res, err = provider.Deliver(ctx, job.Id, 0, "https://agents.example/result", []byte("result")); err != nil {
		t.Fatal(err)
	}
	hashes["EventJobDelivered"] = res.Hash
	if res, err = client.Complete(ctx, job.Id, 0); err != nil {
		t.Fatal(err)
	}
	hashes["EventJobCompleted"] = res.Hash
	settled := res.Height

	// Pruned once the feedback window (5) has passed: at most a few blocks.
	id := strconv.FormatUint(job.Id, 10)
	waitFor(t, 30*time.Second, "the job to be pruned", func() bool {
		_, errOut, err := nw.CLIOn(node, "query", "market", "job", id, "--output", "json")
		return err != nil && strings.Contains(string(errOut), "retention window")
	})

	// Every tx of the job, by its events (the README's query).
	for event, want := range hashes {
		var out struct {
			Txs []struct {
				TxHash string `json:"txhash"`
			} `json:"txs"`
		}
		nw.QueryJSON(&out, "txs", "--query", fmt.Sprintf("agentchain.market.v1.%s.job_id='\"%s\"'", event, id))
		if len(out.Txs) != 1 || out.Txs[0].TxHash != want {
			t.Errorf("%s of job %s: found %v, want tx %s", event, id, out.Txs, want)
		}
	}
	var funded struct {
		Txs []struct {
			TxHash string `json:"txhash"`
		} `json:"txs"`
	}
	nw.QueryJSON(&funded, "txs", "--query", fmt.Sprintf("agentchain.market.v1.EventJobFunded.job_id='\"%s\"'", id))
	if len(funded.Txs) != 1 {
		t.Errorf("the hire of job %s: %v", id, funded.Txs)
	}
	// The block that pruned it (an EndBlock event: CometBFT's block_search).
	var blocks struct {
		Result struct {
			Blocks []struct {
				Block struct {
					Header struct {
						Height string `json:"height"`
					} `json:"header"`
				} `json:"block"`
			} `json:"blocks"`
		} `json:"result"`
	}
	q := fmt.Sprintf("\"agentchain.market.v1.EventJobPruned.job_id='\\\"%s\\\"'\"", id)
	if err := getJSON("http://"+node.RPC+"/block_search?query="+url.QueryEscape(q), &blocks); err != nil {
		t.Fatal(err)
	}
	if len(blocks.Result.Blocks) != 1 {
		t.Fatalf("blocks that pruned job %s: %+v", id, blocks.Result.Blocks)
	}
	h, _ := strconv.ParseInt(blocks.Result.Blocks[0].Block.Header.Height, 10, 64)
	if h <= settled+5 || h > settled+10 {
		t.Errorf("job %s settled at %d was pruned at %d: want after the 5-block feedback window, promptly", id, settled, h)
	}
}
