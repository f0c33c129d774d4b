// Command report-writer is an example agent that subcontracts: it lists a
// "report" service, and for each job hires the best summarizer it can
// afford as a subcontract of that job (parent_job_id), verifies and accepts
// the summary, rates the summarizer, writes its report and delivers it.
//
//	report-writer --mnemonic "..." --price 6000000uagnt --sub-budget 3000000uagnt
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"
	"syscall"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/agentkit"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

func main() {
	if err := run(); err != nil {
		if errors.Is(err, context.Canceled) {
			return // stopped by a signal
		}
		fmt.Fprintln(os.Stderr, "report-writer:", err)
		os.Exit(1)
	}
}

func run() error {
	var f agentkit.Flags
	f.Register(flag.CommandLine)
	name := flag.String("name", "report-writer", "the agent's unique name on chain")
	price := flag.String("price", "6000000uagnt", "price per report")
	subBudget := flag.String("sub-budget", "3000000uagnt", "the most to pay a summarizer per report")
	maxJobs := flag.Int("max-jobs", 0, "exit after this many completed jobs (0: run until stopped)")
	rateClients := flag.Uint("rate-clients", 80, "rating given to a client agent after a completed job (0-100)")
	flag.Parse()
	log := log.New(os.Stdout, "["+*name+"] ", 0)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := f.Dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	p, err := sdk.ParseCoinNormalized(*price)
	if err != nil {
		return fmt.Errorf("--price: %w", err)
	}
	sub, err := sdk.ParseCoinNormalized(*subBudget)
	if err != nil {
		return fmt.Errorf("--sub-budget: %w", err)
	}

	terms := []byte("Reports on texts up to 360 bytes, delivered as a data: URI; the summary is subcontracted.")
	card := agentkit.AgentCard(*name, "Writes short reports; subcontracts the summary.", []string{"report"})
	agent, err := c.LoadOrRegisterAgent(ctx, agentkit.AgentSpec{
		Name: *name, Capabilities: []string{"report"}, CardURI: agentkit.DataURI("application/json", card), Card: card,
	})
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	log.Printf("agent %d (%s), key %s", agent.Id, agent.Name, c.AddressString())
	listing, err := c.EnsureListing(ctx, agentkit.ListingSpec{
		Provider:   agent.Id,
		Capability: "report", Title: "Short reports with a summary", Price: p,
		TermsURI: agentkit.DataURI("text/plain", terms), Terms: terms,
		MaxDurationBlocks: 600, ReviewWindowBlocks: 100,
	})
	if err != nil {
		return fmt.Errorf("listing: %w", err)
	}
	log.Printf("listing %d: report for %s", listing.Id, listing.Price)

	log.Printf("waiting for jobs")
	return c.Serve(ctx, agent.Id, agentkit.ServeOptions{
		MaxJobs: *maxJobs,
		OnError: func(err error) { log.Printf("error: %v", err) },
		RateClient: func(job *markettypes.Job) (uint32, bool) {
			log.Printf("job %d completed and paid; rating the client %d/100", job.Id, *rateClients)
			return uint32(*rateClients), true
		},
	}, func(ctx context.Context, job *markettypes.Job, m uint32) (string, []byte, error) {
		text, err := agentkit.FetchVerified(ctx, job.SpecUri, job.SpecHash)
		if err != nil {
			return "", nil, err
		}
		summary, err := subcontract(ctx, c, log, job, text, sub)
		if err != nil {
			return "", nil, err
		}
		report := writeReport(string(text), summary)
		if len(report) > 360 {
			report = report[:360]
		}
		log.Printf("job %d: report written", job.Id)
		return agentkit.DataURI("text/plain", []byte(report)), []byte(report), nil
	})
}

// subcontract hires the best summarizer within budget for part of job. A
// summary that fails verification is disputed and the next summarizer
// tried, up to three.
func subcontract(ctx context.Context, c *agentkit.Client, log *log.Logger, job *markettypes.Job, text []byte, budget sdk.Coin) (string, error) {
	offers, err := c.FindProviders(ctx, agentkit.Criteria{Capability: "summarize", MaxPrice: budget, Limit: 3})
	if err != nil {
		return "", err
	}
	if len(offers) == 0 {
		return "", fmt.Errorf("no summarizer within %s", budget)
	}
	var lastErr error
	for _, offer := range offers {
		summary, err := hireSummarizer(ctx, c, log, job, text, offer)
		if err == nil {
			return summary, nil
		}
		log.Printf("job %d: %v", job.Id, err)
		lastErr = err
	}
	return "", lastErr
}

func hireSummarizer(ctx context.Context, c *agentkit.Client, log *log.Logger, job *markettypes.Job, text []byte, offer agentkit.Offer) (string, error) {
	sub, err := c.Hire(ctx, agentkit.HireSpec{
		ListingID: offer.Listing.Id, SpecURI: agentkit.DataURI("text/plain", text), Spec: text, ParentJobID: job.Id,
	})
	if err != nil {
		return "", fmt.Errorf("subcontract: %w", err)
	}
	log.Printf("job %d: subcontracted the summary to %s as job %d for %s", job.Id, offer.Agent.Name, sub.Id, sub.Price)
	sub, err = c.AwaitJob(ctx, sub.Id, agentkit.Delivered(0))
	if err != nil {
		return "", err
	}
	if sub.Status != markettypes.JOB_STATUS_DELIVERED {
		return "", fmt.Errorf("subcontract %d ended %s", sub.Id, sub.Status)
	}
	ms := sub.Milestones[0]
	summary, err := agentkit.FetchVerified(ctx, ms.ResultUri, ms.ResultHash)
	if err != nil {
		if _, derr := c.Dispute(ctx, sub.Id, 0, markettypes.REJECT_REASON_SPEC_MISMATCH, summary); derr != nil {
			return "", derr
		}
		return "", fmt.Errorf("subcontract %d disputed: %w", sub.Id, err)
	}
	if _, err := c.Complete(ctx, sub.Id, 0); err != nil {
		return "", err
	}
	if _, err := c.Rate(ctx, sub.Id, 85, "summarize"); err != nil {
		return "", err
	}
	log.Printf("job %d: summary from job %d verified, accepted and rated 85", job.Id, sub.Id)
	return string(summary), nil
}

// writeReport is the report writer's stand-in for a model: a title from
// the text's first words, the subcontracted summary, and a next step. The
// same text and summary always give the same report.
func writeReport(text, summary string) string {
	title := strings.Fields(text)
	if len(title) > 5 {
		title = title[:5]
	}
	return fmt.Sprintf("REPORT on %q\nSummary: %s\nNext step: check the summary against the %d-byte source.",
		strings.Join(title, " "), summary, len(text))
}
