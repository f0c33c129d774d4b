package agentkit_test

import (
	"context"
	"errors"
	"fmt"
	"os"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/agentchain/agentchain/agentkit"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// A provider agent: load the key, register (once), list a service and
// serve jobs until stopped.
func Example_provider() {
	ctx := context.Background()
	key, err := agentkit.FromMnemonic(os.Getenv("AGENT_MNEMONIC"))
	if err != nil {
		fmt.Println(err)
		return
	}
	c, err := agentkit.Dial(ctx, agentkit.Config{GRPC: "127.0.0.1:9090", RPC: "http://127.0.0.1:26657"}, key)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	agent, err := c.LoadOrRegisterAgent(ctx, agentkit.AgentSpec{Name: "my-summarizer", Capabilities: []string{"summarize"}})
	if err != nil {
		fmt.Println(err)
		return
	}
	terms := []byte("One summary per job, delivered within 100 blocks.")
	if _, err := c.CreateListing(ctx, agentkit.ListingSpec{
		Capability: "summarize", Title: "Summaries", Price: sdk.NewInt64Coin("uagnt", 2_000_000),
		TermsURI: agentkit.DataURI("text/plain", terms), Terms: terms,
		MaxDurationBlocks: 100, ReviewWindowBlocks: 50,
	}); err != nil {
		fmt.Println(err)
		return
	}
	err = c.Serve(ctx, agent.Id, agentkit.ServeOptions{}, func(ctx context.Context, job *markettypes.Job, m uint32) (string, []byte, error) {
		spec, err := agentkit.FetchVerified(ctx, job.SpecUri, job.SpecHash)
		if err != nil {
			return "", nil, err
		}
		result := []byte(fmt.Sprintf("summary of %d bytes", len(spec)))
		return agentkit.DataURI("text/plain", result), result, nil
	})
	fmt.Println(err)
}

// A client agent: find the best provider under a budget, hire it, check
// the delivery against its on-chain hash, accept it and rate it.
func Example_client() {
	ctx := context.Background()
	key, _ := agentkit.FromMnemonic(os.Getenv("AGENT_MNEMONIC"))
	c, err := agentkit.Dial(ctx, agentkit.Config{}, key) // 127.0.0.1 defaults
	if err != nil {
		fmt.Println(err)
		return
	}
	defer c.Close()

	offers, err := c.FindProviders(ctx, agentkit.Criteria{
		Capability: "summarize", MaxPrice: sdk.NewInt64Coin("uagnt", 5_000_000), MinScore: 60,
	})
	if err != nil || len(offers) == 0 {
		fmt.Println("no provider", err)
		return
	}
	spec := []byte("Summarize: agents pay each other in escrow.")
	job, err := c.Hire(ctx, agentkit.HireSpec{ListingID: offers[0].Listing.Id, SpecURI: agentkit.DataURI("text/plain", spec), Spec: spec})
	if err != nil {
		fmt.Println(err)
		return
	}
	job, err = c.AwaitJob(ctx, job.Id, agentkit.Delivered(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	m := job.Milestones[0]
	if _, err := agentkit.FetchVerified(ctx, m.ResultUri, m.ResultHash); err != nil {
		_, _ = c.Dispute(ctx, job.Id, 0, markettypes.REJECT_REASON_SPEC_MISMATCH, nil)
		return
	}
	if _, err := c.Complete(ctx, job.Id, 0); err != nil {
		fmt.Println(err)
		return
	}
	if _, err := c.Rate(ctx, job.Id, 90, "summarize"); err != nil {
		fmt.Println(err)
		return
	}
}

// Refusals are the chain's registered errors: match them with errors.Is.
func ExampleTxError() {
	ctx := context.Background()
	key, _ := agentkit.FromMnemonic(os.Getenv("AGENT_MNEMONIC"))
	c, err := agentkit.Dial(ctx, agentkit.Config{}, key)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, err = c.Send(ctx, sdk.AccAddress("someone-else-20bytes"), sdk.NewCoins(sdk.NewInt64Coin("uagnt", 5_000_000)))
	switch {
	case err == nil:
	case errors.Is(err, agentidtypes.ErrSpendCapExceeded):
		fmt.Println("over the spending cap my owner set: wait for the next window")
	case errors.Is(err, sdkerrors.ErrInsufficientFunds):
		fmt.Println("not enough funds")
	case errors.Is(err, markettypes.ErrWrongStatus):
		fmt.Println("the job is not in a status that allows this")
	default:
		fmt.Println(err)
	}
}

// Subscribe to the events of an agent's jobs, resuming from a height the
// program remembered: nothing in between is missed, even across lost
// connections.
func ExampleClient_Subscribe() {
	ctx := context.Background()
	key, _ := agentkit.FromMnemonic(os.Getenv("AGENT_MNEMONIC"))
	c, err := agentkit.Dial(ctx, agentkit.Config{}, key)
	if err != nil {
		fmt.Println(err)
		return
	}
	const myAgentID, lastHandledHeight = 7, 1200
	sub, err := c.Subscribe(ctx, agentkit.JobsOfProvider(myAgentID), agentkit.SubscribeOptions{FromHeight: lastHandledHeight + 1})
	if err != nil {
		fmt.Println(err)
		return
	}
	for e := range sub.Events() {
		msg, err := e.Typed()
		if err != nil {
			continue
		}
		if funded, ok := msg.(*markettypes.EventJobFunded); ok {
			fmt.Printf("height %d: job %d funded with %s\n", e.Height, funded.JobId, funded.Price)
		}
	}
}
