package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/agentchain/agentchain/agentkit"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// On the 4-validator `make localnet` network, agent programs run a whole
// hire → deliver → complete → rate flow through the Go client, each talking
// to a different validator. One validator is killed mid-flow: the other
// three keep producing blocks and the flow finishes. A subscriber attached
// to the killed validator reconnects when it comes back and reads back what
// it missed. The restarted validator catches up, and all four report the
// same app hash at every height.
func TestAgentEconomyOnFourValidators(t *testing.T) {
	ln := startLocalnet(t)
	n := ln.Network
	for _, node := range n.Nodes {
		n.WaitForHeight(node, 2, 2*startTimeout)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	victim := n.Nodes[3]
	ownerKey, clientKey := devnetSigner(t, "alice"), devnetSigner(t, "bob")
	agentKey := agentkit.FromSecret("multinode provider")
	owner := dial(t, ctx, n.Nodes[0], ownerKey)
	provider := dial(t, ctx, n.Nodes[1], agentKey)
	client := dial(t, ctx, n.Nodes[2], clientKey)

	// Before an agent acts on what another agent did through another
	// validator, its validator must have the block (it may be one behind).
	catchUp := func(from *agentkit.Client, to *Node) {
		t.Helper()
		h, err := from.Height(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n.WaitForHeight(to, h, txTimeout)
	}

	fund(t, ctx, owner, agentKey.Address(), 20_000_000)
	agent, err := owner.RegisterAgent(ctx, agentkit.AgentSpec{Name: "multinode-summarizer", Capabilities: []string{"summarize"}}, agentKey)
	if err != nil {
		t.Fatal(err)
	}
	// The client is an agent too, so the provider can rate it back.
	clientAgent, err := client.RegisterAgent(ctx, agentkit.AgentSpec{Name: "multinode-client", Capabilities: []string{"research"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	catchUp(owner, n.Nodes[1])
	listing, err := provider.CreateListing(ctx, agentkit.ListingSpec{
		Capability: "summarize", Title: "Summaries", TermsURI: "https://agents.example/terms", Terms: []byte("terms"),
		Price: agnt(4_000_000), MaxDurationBlocks: 1000, ReviewWindowBlocks: 200,
	})
	if err != nil {
		t.Fatal(err)
	}

	// A subscriber on the validator that will die follows the client's jobs.
	start, err := client.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var reconnectErrs []error
	watcher, err := agentkit.Subscribe(ctx, "http://"+victim.RPC, agentkit.JobsOfClient(agentkit.Bech32(clientKey.Address())), agentkit.SubscribeOptions{
		FromHeight: start, StallTimeout: 3 * time.Second, OnError: func(err error) { reconnectErrs = append(reconnectErrs, err) },
	})
	if err != nil {
		t.Fatal(err)
	}
	watched := collect(watcher)

	catchUp(provider, n.Nodes[2])
	spec := []byte("Four validators, one of them down.")
	job, err := client.Hire(ctx, agentkit.HireSpec{ListingID: listing.Id, SpecURI: agentkit.DataURI("text/plain", spec), Spec: spec})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the watcher to see the hire", func() bool {
		trail, _ := watched.jobTrail(job.Id)
		return len(trail) >= 1
	})

	// Mid-flow, a validator dies.
	beforeKill := watcher.Stats()
	ln.Kill(victim)
	killedAt, err := client.Height(ctx)
	if err != nil {
		t.Fatal(err)
	}

	catchUp(client, n.Nodes[1])
	if _, err := provider.AcceptJob(ctx, job.Id); err != nil {
		t.Fatal(err)
	}
	result := []byte("summary: three of four validators keep the chain going")
	if _, err := provider.Deliver(ctx, job.Id, 0, agentkit.DataURI("text/plain", result), result); err != nil {
		t.Fatal(err)
	}
	delivered, err := client.AwaitJob(ctx, job.Id, agentkit.Delivered(0))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := agentkit.FetchVerified(ctx, delivered.Milestones[0].ResultUri, delivered.Milestones[0].ResultHash); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Complete(ctx, job.Id, 0); err != nil {
		t.Fatal(err)
	}
	clientRated, err := client.Rate(ctx, job.Id, 95, "summarize")
	if err != nil {
		t.Fatal(err)
	}
	catchUp(client, n.Nodes[1])
	providerRated, err := provider.Rate(ctx, job.Id, 80)
	if err != nil {
		t.Fatal(err)
	}
	done, err := client.Job(ctx, job.Id)
	if err != nil {
		t.Fatal(err)
	}
	if done.Status != markettypes.JOB_STATUS_COMPLETED {
		t.Fatalf("job %d is %s", job.Id, done.Status)
	}
	// The ratings were included on the nodes the agents talk to; node 0,
	// which answers the queries below, may be a block behind.
	finishedAt := max(clientRated.Height, providerRated.Height)
	n.WaitForHeight(n.Nodes[0], finishedAt, txTimeout)
	if finishedAt <= killedAt {
		t.Fatalf("no block after the kill: %d then %d", killedAt, finishedAt)
	}
	for _, who := range []struct {
		id   uint64
		name string
	}{{agent.Id, "provider"}, {clientAgent.Id, "client"}} {
		rep, err := owner.Reputation(ctx, who.id, "")
		if err != nil || rep.Count != 1 {
			t.Fatalf("%s reputation %+v %v", who.name, rep, err)
		}
	}
	// The dead validator's subscriber has not seen the rest of the flow.
	if trail, _ := watched.jobTrail(job.Id); len(trail) >= len(fullJobTrail) {
		t.Fatalf("the watcher of a dead node saw %v", trail)
	}

	// The validator comes back (make localnet restarts what is not running).
	ln.Run("start")
	target := finishedAt + 3
	for _, node := range n.Nodes {
		n.WaitForHeight(node, target, 2*startTimeout)
	}
	for h := killedAt - 1; h <= target; h++ {
		want, err := n.BlockAppHash(n.Nodes[0], h)
		if err != nil {
			t.Fatal(err)
		}
		for _, node := range n.Nodes[1:] {
			got, err := n.BlockAppHash(node, h)
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Fatalf("height %d: node %d app hash %s, node 0 %s", h, node.Index, got, want)
			}
		}
	}

	// The watcher reconnected and read back the blocks it missed: it has
	// the job's whole life, each event once, in order.
	waitFor(t, time.Minute, "the watcher to catch up", func() bool {
		trail, _ := watched.jobTrail(job.Id)
		return len(trail) >= len(fullJobTrail)
	})
	trail, heights := watched.jobTrail(job.Id)
	if !sameStrings(trail, fullJobTrail) {
		t.Fatalf("watcher's trail %v at %v", trail, heights)
	}
	st := watcher.Stats()
	if st.Connections <= beforeKill.Connections || st.BackfilledHeights <= beforeKill.BackfilledHeights {
		t.Fatalf("watcher stats %+v, before the kill %+v: want a reconnection and blocks read back", st, beforeKill)
	}
	watcher.Close()
	t.Logf("killed at height %d, flow finished at %d; watcher %+v; %d connection errors reported, e.g. %v",
		killedAt, finishedAt, st, len(reconnectErrs), fmt.Sprint(firstErr(reconnectErrs)))
}

func firstErr(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	return errs[0]
}
