// Command researcher is an example client agent: it finds the best-rated
// provider of a capability under a budget, hires it with a specification,
// waits for the delivery, verifies the result against its on-chain hash,
// accepts (or disputes) it and rates the provider.
//
//	researcher --mnemonic "..." --capability summarize --budget 5000000uagnt --text "..."
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/agentkit"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

func main() {
	if err := run(); err != nil {
		if errors.Is(err, context.Canceled) {
			return // stopped by a signal
		}
		fmt.Fprintln(os.Stderr, "researcher:", err)
		os.Exit(1)
	}
}

func run() error {
	var f agentkit.Flags
	f.Register(flag.CommandLine)
	name := flag.String("name", "researcher", "the agent's unique name on chain")
	timeout := flag.Duration("timeout", 5*time.Minute, "give up after this long")
	capability := flag.String("capability", "summarize", "capability to hire")
	budget := flag.String("budget", "5000000uagnt", "the most to pay")
	minScore := flag.Uint("min-score", 0, "minimum provider reputation (0-100)")
	text := flag.String("text", "", "the text to work on (at most 360 bytes: it travels in a data: URI)")
	score := flag.Uint("rate", 90, "rating for a verified delivery (0-100)")
	badScore := flag.Uint("rate-disputed", 10, "rating for a delivery that failed verification (0-100)")
	flag.Parse()
	log := log.New(os.Stdout, "["+*name+"] ", 0)
	if *text == "" || len(*text) > 360 {
		return fmt.Errorf("--text is required, at most 360 bytes (got %d)", len(*text))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()
	c, err := f.Dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	max, err := sdk.ParseCoinNormalized(*budget)
	if err != nil {
		return fmt.Errorf("--budget: %w", err)
	}

	card := agentkit.AgentCard(*name, "Researches topics by hiring other agents.", []string{"research"})
	me, err := c.LoadOrRegisterAgent(ctx, agentkit.AgentSpec{
		Name: *name, Capabilities: []string{"research"}, CardURI: agentkit.DataURI("application/json", card), Card: card,
	})
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	log.Printf("agent %d (%s)", me.Id, me.Name)

	offers, err := c.FindProviders(ctx, agentkit.Criteria{Capability: *capability, MaxPrice: max, MinScore: uint32(*minScore)})
	if err != nil {
		return err
	}
	if len(offers) == 0 {
		return fmt.Errorf("no %s provider within %s and score %d", *capability, max, *minScore)
	}
	for _, o := range offers {
		log.Printf("offer: %s (agent %d) listing %d at %s; reputation %s from %d rating(s), %d job(s) completed, %d dispute(s) lost",
			o.Agent.Name, o.Agent.Id, o.Listing.Id, o.Listing.Price, agentkit.FormatScore(o.Score), o.FeedbackCount, o.Signals.JobsCompleted, o.Signals.DisputesLost)
	}
	best := offers[0]
	log.Printf("hiring %s for %s", best.Agent.Name, best.Listing.Price)

	spec := []byte(*text)
	job, err := c.Hire(ctx, agentkit.HireSpec{ListingID: best.Listing.Id, SpecURI: agentkit.DataURI("text/plain", spec), Spec: spec})
	if err != nil {
		return fmt.Errorf("hire: %w", err)
	}
	log.Printf("job %d funded: %s in escrow %d, delivery by height %d", job.Id, job.Price, job.EscrowId, job.DeliverBy)

	job, err = c.AwaitJob(ctx, job.Id, agentkit.Delivered(0))
	if err != nil {
		return fmt.Errorf("waiting for delivery: %w", err)
	}
	if job.Status != markettypes.JOB_STATUS_DELIVERED {
		return fmt.Errorf("job %d ended %s without a delivery", job.Id, job.Status)
	}
	m := job.Milestones[0]
	result, err := agentkit.FetchVerified(ctx, m.ResultUri, m.ResultHash)
	if errors.Is(err, agentkit.ErrHashMismatch) || (err == nil && len(result) == 0) {
		log.Printf("job %d: delivery does not match its hash: disputing", job.Id)
		if _, err := c.Dispute(ctx, job.Id, 0, markettypes.REJECT_REASON_SPEC_MISMATCH, result); err != nil {
			return fmt.Errorf("dispute: %w", err)
		}
		log.Printf("job %d: waiting for the arbiter", job.Id)
		if job, err = c.AwaitJob(ctx, job.Id, agentkit.Settled); err != nil {
			return fmt.Errorf("waiting for the ruling: %w", err)
		}
		log.Printf("job %d: %s", job.Id, job.Status)
		if _, err := c.Rate(ctx, job.Id, uint32(*badScore), *capability); err != nil {
			return fmt.Errorf("rate: %w", err)
		}
		log.Printf("job %d: rated %s %d/100", job.Id, best.Agent.Name, *badScore)
		return nil
	}
	if err != nil {
		return fmt.Errorf("fetch the result: %w", err)
	}
	log.Printf("job %d: result verified (sha256 matches the chain): %q", job.Id, result)
	if _, err := c.Complete(ctx, job.Id, 0); err != nil {
		return fmt.Errorf("complete: %w", err)
	}
	log.Printf("job %d: accepted; escrow released to %s", job.Id, best.Agent.Name)
	if _, err := c.Rate(ctx, job.Id, uint32(*score), *capability); err != nil {
		return fmt.Errorf("rate: %w", err)
	}
	log.Printf("job %d: rated %s %d/100", job.Id, best.Agent.Name, *score)
	return nil
}
