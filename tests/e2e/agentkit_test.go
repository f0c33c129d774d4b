package e2e

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/agentchain/agentchain/agentkit"
	"github.com/agentchain/agentchain/internal/devnet"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// devnetMnemonic returns the mnemonic of a config.yml account.
func devnetMnemonic(t *testing.T, name string) string {
	t.Helper()
	cfg, err := devnet.LoadConfig(filepath.Join(repoRoot, "config.yml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := cfg.Mnemonic(name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// devnetSigner returns the key of a config.yml account.
func devnetSigner(t *testing.T, name string) agentkit.Signer {
	t.Helper()
	s, err := agentkit.FromMnemonic(devnetMnemonic(t, name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dial connects an agentkit client to a node.
func dial(t *testing.T, ctx context.Context, node *Node, s agentkit.Signer) *agentkit.Client {
	t.Helper()
	c, err := agentkit.Dial(ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC, InclusionTimeout: txTimeout}, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

func agnt(n int64) sdk.Coin { return sdk.NewCoin("uagnt", sdkmath.NewInt(n)) }

// fund sends amount from c to addr.
func fund(t *testing.T, ctx context.Context, c *agentkit.Client, addr sdk.AccAddress, amount int64) {
	t.Helper()
	if _, err := c.Send(ctx, addr, sdk.NewCoins(agnt(amount))); err != nil {
		t.Fatal(err)
	}
}

// collect gathers a subscription's events in the background.
type collector struct {
	mu     sync.Mutex
	events []agentkit.Event
	done   chan struct{}
}

func collect(sub *agentkit.Subscription) *collector {
	c := &collector{done: make(chan struct{})}
	go func() {
		defer close(c.done)
		for e := range sub.Events() {
			c.mu.Lock()
			c.events = append(c.events, e)
			c.mu.Unlock()
		}
	}()
	return c
}

// jobTrail lists the event types of a job, in order, with their heights.
func (c *collector) jobTrail(jobID uint64) (types []string, heights []int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.events {
		if id, ok := e.Uint64("job_id"); ok && id == jobID {
			types = append(types, e.Type)
			heights = append(heights, e.Height)
		}
	}
	return types, heights
}

// waitFor polls cond every 100ms until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

var fullJobTrail = []string{
	"agentchain.market.v1.EventJobFunded",
	"agentchain.market.v1.EventJobAccepted",
	"agentchain.market.v1.EventJobDelivered",
	"agentchain.market.v1.EventMilestonePaid",
	"agentchain.market.v1.EventJobCompleted",
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// The Go client drives the whole agent economy on a real node: an owner
// registers an agent whose own key proves itself, the agent lists a service
// and serves jobs, a client finds it, hires it, verifies and accepts the
// delivery and rates it; refusals come back as the chain's registered
// errors; several transactions of one key land in one block; events arrive
// by subscription, and a later subscription replays them from a height.
func TestAgentKitDrivesTheEconomy(t *testing.T) {
	n := StartNetwork(t, NetworkOptions{})
	node := n.Nodes[0]
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()

	owner := dial(t, ctx, node, devnetSigner(t, "alice"))
	clientKey := devnetSigner(t, "bob")
	client := dial(t, ctx, node, clientKey)
	agentKey := agentkit.FromSecret("agentkit e2e provider")
	provider := dial(t, ctx, node, agentKey)
	fund(t, ctx, owner, agentKey.Address(), 20_000_000)
	start, err := owner.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}

	// The client follows its jobs from here on.
	clientSub, err := client.Subscribe(ctx, agentkit.JobsOfClient(client.AddressString()), agentkit.SubscribeOptions{FromHeight: start})
	if err != nil {
		t.Fatal(err)
	}
	clientEvents := collect(clientSub)

	// The owner registers the agent; the agent key signs its binding proof.
	agent, err := owner.RegisterAgent(ctx, agentkit.AgentSpec{
		Name: "kit-summarizer", Capabilities: []string{"summarize"},
		CardURI: "https://agents.example/kit-summarizer.json", Card: []byte(`{"name":"kit-summarizer"}`),
	}, agentKey)
	if err != nil {
		t.Fatal(err)
	}
	if agent.Owner != agentkit.Bech32(owner.Address()) || agent.AgentAddress != agentkit.Bech32(agentKey.Address()) || agent.Status != agentidtypes.AGENT_STATUS_ACTIVE {
		t.Fatalf("agent %+v", agent)
	}
	// The agent program finds its identity by its key.
	if a, err := provider.LoadOrRegisterAgent(ctx, agentkit.AgentSpec{Name: "must-not-register"}); err != nil || a.Id != agent.Id {
		t.Fatalf("agent program loaded %+v, %v; want agent %d", a, err, agent.Id)
	}
	listing, err := provider.CreateListing(ctx, agentkit.ListingSpec{
		Capability: "summarize", Title: "Summaries", TermsURI: agentkit.DataURI("text/plain", []byte("terms")), Terms: []byte("terms"),
		Price: agnt(3_000_000), MaxDurationBlocks: 500, ReviewWindowBlocks: 100,
	})
	if err != nil {
		t.Fatal(err)
	}
	if listing.Provider != agent.Id {
		t.Fatalf("listing of agent %d", listing.Provider)
	}

	t.Run("typed errors", func(t *testing.T) {
		_, err := provider.AcceptJob(ctx, 999)
		var txErr *agentkit.TxError
		if !errors.Is(err, markettypes.ErrJobNotFound) || !errors.As(err, &txErr) || txErr.Stage != "simulate" {
			t.Fatalf("accept of an unknown job: %v", err)
		}
		// A client too poor for the price.
		poorKey := agentkit.FromSecret("agentkit e2e poor client")
		fund(t, ctx, owner, poorKey.Address(), 1_000_000)
		poor := dial(t, ctx, node, poorKey)
		_, err = poor.Hire(ctx, agentkit.HireSpec{ListingID: listing.Id, SpecURI: "https://x.example/spec", Spec: []byte("spec")})
		if !errors.Is(err, sdkerrors.ErrInsufficientFunds) {
			t.Fatalf("hire beyond the balance: %v", err)
		}
		// The owner caps the agent's spending; the agent's key cannot exceed it.
		if _, err := owner.SetSpendPolicy(ctx, agent.Id, sdkmath.NewInt(1_000_000), "uagnt", 1000); err != nil {
			t.Fatal(err)
		}
		_, err = provider.Send(ctx, poorKey.Address(), sdk.NewCoins(agnt(2_000_000)))
		if !errors.Is(err, agentidtypes.ErrSpendCapExceeded) {
			t.Fatalf("send above the cap: %v", err)
		}
		if errors.Is(err, sdkerrors.ErrInsufficientFunds) || errors.Is(err, markettypes.ErrWrongStatus) {
			t.Fatal("an error matched registered errors it is not")
		}
		// A tx that never lands: the wait ends with ErrNotIncluded.
		impatient, err := agentkit.Dial(ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC, InclusionTimeout: time.Second}, poorKey)
		if err != nil {
			t.Fatal(err)
		}
		defer impatient.Close()
		if _, err := impatient.WaitForTx(ctx, strings.Repeat("AB", 32)); !errors.Is(err, agentkit.ErrNotIncluded) {
			t.Fatalf("waiting for a tx that does not exist: %v", err)
		}
		// A query for what does not exist.
		_, err = client.AgentByName(ctx, "nobody-here")
		if !agentkit.IsNotFound(err) || !errors.Is(err, agentidtypes.ErrAgentNotFound) {
			t.Fatalf("unknown agent: %v", err)
		}
	})

	t.Run("several txs of one key in one block", func(t *testing.T) {
		sink := agentkit.FromSecret("agentkit e2e sink").Address()
		const k = 6
		results := make([]*agentkit.TxResult, k)
		errs := make([]error, k)
		var wg sync.WaitGroup
		for i := 0; i < k; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				results[i], errs[i] = owner.Send(ctx, sink, sdk.NewCoins(agnt(int64(i+1))))
			}(i)
		}
		wg.Wait()
		perHeight := map[int64]int{}
		for i := 0; i < k; i++ {
			if errs[i] != nil {
				t.Fatalf("send %d: %v", i, errs[i])
			}
			perHeight[results[i].Height]++
		}
		shared := false
		for _, c := range perHeight {
			shared = shared || c > 1
		}
		if !shared {
			t.Fatalf("%d sends landed in %d different blocks; none shared a block", k, len(perHeight))
		}
		if got, err := owner.Balance(ctx, sink, "uagnt"); err != nil || !got.Equal(sdkmath.NewInt(21)) {
			t.Fatalf("sink holds %s (%v), want 21", got, err)
		}
		// Another program using the same key moves the sequence on: the
		// client notices the mismatch, re-reads its account and succeeds.
		other := dial(t, ctx, node, devnetSigner(t, "alice"))
		if _, err := other.Send(ctx, sink, sdk.NewCoins(agnt(1))); err != nil {
			t.Fatal(err)
		}
		if _, err := owner.Send(ctx, sink, sdk.NewCoins(agnt(1))); err != nil {
			t.Fatalf("after another program used the key: %v", err)
		}
	})

	// The provider serves; the client finds it, hires, verifies, accepts, rates.
	serveCtx, stopServing := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() {
		served <- provider.Serve(serveCtx, agent.Id, agentkit.ServeOptions{MaxJobs: 1}, func(ctx context.Context, job *markettypes.Job, m uint32) (string, []byte, error) {
			spec, err := agentkit.FetchVerified(ctx, job.SpecUri, job.SpecHash)
			if err != nil {
				return "", nil, err
			}
			result := []byte("summary of: " + string(spec))
			return agentkit.DataURI("text/plain", result), result, nil
		})
	}()
	defer stopServing()

	offers, err := client.FindProviders(ctx, agentkit.Criteria{Capability: "summarize", MaxPrice: agnt(5_000_000)})
	if err != nil {
		t.Fatal(err)
	}
	if len(offers) != 1 || offers[0].Listing.Id != listing.Id || offers[0].Agent.Id != agent.Id {
		t.Fatalf("offers %+v", offers)
	}
	if cheap, err := client.FindProviders(ctx, agentkit.Criteria{Capability: "summarize", MaxPrice: agnt(2_999_999)}); err != nil || len(cheap) != 0 {
		t.Fatalf("an offer above the budget was found: %+v %v", cheap, err)
	}
	spec := []byte("Agents pay each other in escrow.")
	job, err := client.Hire(ctx, agentkit.HireSpec{ListingID: listing.Id, SpecURI: agentkit.DataURI("text/plain", spec), Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	job, err = client.AwaitJob(ctx, job.Id, agentkit.Delivered(0))
	if err != nil {
		t.Fatal(err)
	}
	if job.Status != markettypes.JOB_STATUS_DELIVERED {
		t.Fatalf("job %d is %s", job.Id, job.Status)
	}
	result, err := agentkit.FetchVerified(ctx, job.Milestones[0].ResultUri, job.Milestones[0].ResultHash)
	if err != nil || string(result) != "summary of: "+string(spec) {
		t.Fatalf("result %q: %v", result, err)
	}
	payout := agentKey.Address()
	before, err := client.Balance(ctx, payout, "uagnt")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Complete(ctx, job.Id, 0); err != nil {
		t.Fatal(err)
	}
	// A second completion is refused by status.
	if _, err := client.Complete(ctx, job.Id, 0); !errors.Is(err, markettypes.ErrWrongStatus) && !errors.Is(err, markettypes.ErrMilestoneOutOfOrder) {
		t.Fatalf("second completion: %v", err)
	}
	after, err := client.Balance(ctx, payout, "uagnt")
	if err != nil {
		t.Fatal(err)
	}
	done, err := client.Job(ctx, job.Id)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != markettypes.JOB_STATUS_COMPLETED || !after.Sub(before).Equal(done.ProviderPaid.AmountOf("uagnt")) || done.ProviderPaid.IsZero() {
		t.Fatalf("job %s, provider paid %s, payout gained %s", done.Status, done.ProviderPaid, after.Sub(before))
	}
	if _, err := client.Rate(ctx, job.Id, 90, "summarize"); err != nil {
		t.Fatal(err)
	}
	rep, err := client.Reputation(ctx, agent.Id, "")
	if err != nil || rep.Count != 1 || rep.Signals.JobsCompleted != 1 {
		t.Fatalf("reputation %+v %v", rep, err)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Serve did not return after its one job completed")
	}

	// The subscription saw the job's whole life, once each, in order.
	waitFor(t, 30*time.Second, "the job's events", func() bool {
		trail, _ := clientEvents.jobTrail(job.Id)
		return len(trail) >= len(fullJobTrail)
	})
	trail, heights := clientEvents.jobTrail(job.Id)
	if !sameStrings(trail, fullJobTrail) {
		t.Fatalf("job trail %v", trail)
	}
	// A subscription made afterwards replays the same events from a height.
	replay, err := client.Subscribe(ctx, agentkit.JobsOfClient(client.AddressString()), agentkit.SubscribeOptions{FromHeight: start})
	if err != nil {
		t.Fatal(err)
	}
	replayed := collect(replay)
	waitFor(t, 30*time.Second, "the replayed events", func() bool {
		trail, _ := replayed.jobTrail(job.Id)
		return len(trail) >= len(fullJobTrail)
	})
	rtrail, rheights := replayed.jobTrail(job.Id)
	if !sameStrings(rtrail, trail) || fmt.Sprint(rheights) != fmt.Sprint(heights) {
		t.Fatalf("replay %v at %v, live %v at %v", rtrail, rheights, trail, heights)
	}
	if st := replay.Stats(); st.BackfilledHeights == 0 {
		t.Fatalf("the replay read nothing back: %+v", st)
	}
	replay.Close()
	clientSub.Close()
	<-clientEvents.done
}
