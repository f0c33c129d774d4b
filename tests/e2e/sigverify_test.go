package e2e

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/agentchain/agentchain/agentkit"
	"github.com/agentchain/agentchain/testutil/txmut"
	"github.com/agentchain/agentchain/types/nodeservice"
)

// cgoBinary returns agentchaind built with libsecp256k1 (cgo, the SDK's
// libsecp256k1_sdk tag): AGENTCHAIND_CGO_BIN (make test-e2e builds it),
// or a build of this tree.
func cgoBinary(t *testing.T) string {
	t.Helper()
	if bin := os.Getenv("AGENTCHAIND_CGO_BIN"); bin != "" {
		abs, err := filepath.Abs(bin)
		if err != nil {
			t.Fatal(err)
		}
		return abs
	}
	bin := filepath.Join(t.TempDir(), "agentchaind-cgo")
	build := exec.Command("go", "build", "-tags", "libsecp256k1_sdk", "-o", bin, "./cmd/agentchaind")
	build.Dir = repoRoot
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build agentchaind with libsecp256k1: %v\n%s", err, out)
	}
	return bin
}

// Four validators that verify signatures four ways — the pure-Go
// secp256k1 with and without the cache of signatures verified in CheckTx,
// libsecp256k1 (cgo) with and without it — run one workload (sends from
// clients on every node, an amino-JSON signed tx, agents registered and a
// job completed): every node has the same app hash at every height, the
// caches were used, and tricky signatures (high-S, malformed, wrong key, a
// good signature on other bytes) get the same refusal from every node.
func TestMixedBuildsVerifySignaturesAlike(t *testing.T) {
	cgo := cgoBinary(t)
	// The Go toolchain's record of each build: its tags.
	tags := func(bin string) string {
		info, err := buildinfo.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range info.Settings {
			if s.Key == "-tags" {
				return s.Value
			}
		}
		return ""
	}
	if !strings.Contains(tags(cgo), "libsecp256k1_sdk") || strings.Contains(tags(binPath), "libsecp256k1_sdk") {
		t.Fatalf("build tags: cgo build %q, default build %q", tags(cgo), tags(binPath))
	}
	type setup struct {
		bin   string
		cache bool
	}
	setups := []setup{{binPath, true}, {binPath, false}, {cgo, true}, {cgo, false}}
	nw := StartNetwork(t, NetworkOptions{Validators: 4, BeforeStart: func(n *Network) {
		for i, s := range setups {
			n.Nodes[i].Bin = s.bin
			if !s.cache {
				SetTOML(t, filepath.Join(n.Nodes[i].Home, "config", "app.toml"), "agentchain", "verified-signature-cache", "0")
			}
		}
	}})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	// Clients on every node.
	alice := dial(t, ctx, nw.Nodes[0], devnetSigner(t, "alice"))
	keys := fundedKeys(t, ctx, alice, "mixed-builds", 9, 100_000_000)
	owner := keys[8]
	keys = keys[:8]
	sink := agentkit.FromSecret("mixed-builds-sink").Address()
	var wg sync.WaitGroup
	errs := make(chan error, len(keys))
	for i, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			node := nw.Nodes[i%len(nw.Nodes)]
			c := dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC}, k)
			for j := 0; j < 6; j++ {
				if _, err := c.Send(ctx, sink, sdk.NewCoins(agnt(1))); err != nil {
					errs <- fmt.Errorf("client %d (node %d), send %d: %w", i, i%len(nw.Nodes), j, err)
					return
				}
			}
		}()
	}
	// An agent and a whole job, through node 2 (libsecp256k1, cache).
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := mixedBuildsJob(ctx, t, nw.Nodes[2], owner); err != nil {
			errs <- fmt.Errorf("the job: %w", err)
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// An amino-JSON signed send through node 3 (libsecp256k1, no cache).
	nw.MustSucceed(nw.TxOn(nw.Nodes[3], "bob", "bank", "send", "bob", nw.Accounts["carol"], "5uagnt", "--sign-mode", "amino-json"))
	if got := nw.Balance(sdk.MustBech32ifyAddressBytes("agent", sink), "uagnt"); got != int64(6*len(keys)) {
		t.Fatalf("the sink holds %d uagnt, want %d", got, 6*len(keys))
	}

	// Tricky signatures, offered to every node.
	aliceAddr := alice.AddressString()
	var info struct {
		Info struct {
			AccountNumber uint64 `json:"account_number,string"`
			Sequence      uint64 `json:"sequence,string"`
		} `json:"info"`
	}
	if err := getJSON("http://"+nw.Nodes[0].API+"/cosmos/auth/v1beta1/account_info/"+aliceAddr, &info); err != nil {
		t.Fatal(err)
	}
	good, err := signDirect(nw.ChainID, devnetSigner(t, "alice"), info.Info.AccountNumber, info.Info.Sequence, 200_000, fee(t),
		&banktypes.MsgSend{FromAddress: aliceAddr, ToAddress: aliceAddr, Amount: sdk.NewCoins(agnt(1))})
	if err != nil {
		t.Fatal(err)
	}
	stranger := agentkit.FromSecret("mixed-builds-stranger")
	tricky := map[string][]byte{
		"high-S":    resign(t, good, txmut.HighS, ""),
		"malformed": resign(t, good, func(s []byte) []byte { return s[:63] }, ""),
		"wrong key": resign(t, good, func([]byte) []byte {
			s, err := stranger.Sign([]byte("other bytes"))
			if err != nil {
				t.Fatal(err)
			}
			return s
		}, ""),
		"signature on other bytes": resign(t, good, func(s []byte) []byte { return s }, "other bytes"),
	}
	for name, tx := range tricky {
		var answers []string
		for _, node := range nw.Nodes {
			answers = append(answers, postTx(t, node, tx))
		}
		for i, a := range answers {
			if a != answers[0] {
				t.Errorf("%s: node %d answered %q, node 0 %q", name, i, a, answers[0])
			}
		}
		if !strings.HasPrefix(answers[0], "code 4 ") || !strings.Contains(answers[0], "signature verification failed") {
			t.Errorf("%s: refused with %q, want code 4 (unauthorized): signature verification failed", name, answers[0])
		}
	}
	// The good tx itself still passes on every node (sent to node 1; the
	// others learn it by gossip and include it).
	if a := postTx(t, nw.Nodes[1], good); a != "code 0" {
		t.Fatalf("the good tx: %s", a)
	}
	nw.WaitBlocks(3)

	// The same app hash on every node at every height.
	var top int64 = 1 << 62
	for _, node := range nw.Nodes {
		st, err := nw.Status(node)
		if err != nil {
			t.Fatal(err)
		}
		top = min(top, st.Height)
	}
	for h := int64(1); h <= top; h++ {
		var first string
		for i, node := range nw.Nodes {
			hash, err := nw.BlockAppHash(node, h)
			if err != nil {
				t.Fatalf("node %d, height %d: %v", i, h, err)
			}
			if i == 0 {
				first = hash
			} else if hash != first {
				t.Fatalf("height %d: node %d app hash %s, node 0 %s", h, i, hash, first)
			}
		}
	}

	// The caches did their work where they are on, and only there.
	for i, node := range nw.Nodes {
		conn, err := grpc.NewClient(node.GRPC, grpc.WithTransportCredentials(insecure.NewCredentials()))
		if err != nil {
			t.Fatal(err)
		}
		st, err := nodeservice.NewVerifiedSignaturesClient(conn).Stats(ctx, &nodeservice.StatsRequest{})
		_ = conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("node %d (%s, cache %v): %d entries, %d block txs found, %d verified again", i,
			map[bool]string{true: "libsecp256k1", false: "pure Go"}[setups[i].bin == cgo], setups[i].cache, st.Entries, st.Hits, st.Misses)
		if st.Enabled != setups[i].cache {
			t.Errorf("node %d: cache enabled %v, want %v", i, st.Enabled, setups[i].cache)
		}
		if setups[i].cache && (st.Hits == 0 || st.Entries == 0) {
			t.Errorf("node %d: its cache was never used (%d hits, %d entries)", i, st.Hits, st.Entries)
		}
		if !setups[i].cache && st.Hits+st.Entries != 0 {
			t.Errorf("node %d: no cache, yet %d hits and %d entries", i, st.Hits, st.Entries)
		}
	}
}

// mixedBuildsJob registers an agent with a listing and runs one job to
// completion through node.
func mixedBuildsJob(ctx context.Context, t *testing.T, node *Node, owner agentkit.Signer) error {
	cfg := agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC}
	o := dialWith(t, ctx, cfg, owner)
	agentKey := agentkit.FromSecret(fmt.Sprintf("mixed-builds-agent-%d", time.Now().UnixNano()))
	if _, err := o.Send(ctx, agentKey.Address(), sdk.NewCoins(agnt(10_000_000))); err != nil {
		return err
	}
	p := dialWith(t, ctx, cfg, agentKey)
	listing, err := listProvider(ctx, o, p, agentKey, "mixed-builds", 1_000, 1_000)
	if err != nil {
		return err
	}
	job, err := o.Hire(ctx, agentkit.HireSpec{ListingID: listing, SpecURI: "https://client.example/spec", Spec: []byte("spec"), DeliverWithin: 500})
	if err != nil {
		return err
	}
	if _, err := p.AcceptJob(ctx, job.Id); err != nil {
		return err
	}
	if _, err := p.Deliver(ctx, job.Id, 0, "https://agents.example/result", []byte("result")); err != nil {
		return err
	}
	_, err = o.Complete(ctx, job.Id, 0)
	return err
}

// resign returns tx with its signature replaced (txmut.Resign).
func resign(t *testing.T, tx []byte, sig func([]byte) []byte, memo string) []byte {
	t.Helper()
	out, err := txmut.Resign(tx, sig, memo)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// postTx offers tx to a node's mempool (broadcast_tx_sync) and returns
// "code N log" ("code 0" when taken).
func postTx(t *testing.T, node *Node, tx []byte) string {
	t.Helper()
	code, log, err := broadcastSync(http.DefaultClient, "http://"+node.RPC, tx)
	if err != nil {
		t.Fatal(err)
	}
	if code == 0 {
		return "code 0"
	}
	return fmt.Sprintf("code %d %s", code, log)
}
