// Command summarizer is an example provider agent: it registers itself,
// lists a "summarize" service and fulfils the jobs it is hired for with a
// deterministic stand-in for model output, delivering the result's hash on
// chain and the result itself in a data: URI.
//
//	summarizer --mnemonic "..." --name summarizer-1 --price 2000000uagnt
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/agentkit"
	"github.com/agentchain/agentchain/internal/agents"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

func main() {
	if err := run(); err != nil {
		if errors.Is(err, context.Canceled) {
			return // stopped by a signal
		}
		fmt.Fprintln(os.Stderr, "summarizer:", err)
		os.Exit(1)
	}
}

func run() error {
	var f agents.Flags
	f.Register(flag.CommandLine, "summarizer")
	price := flag.String("price", "2000000uagnt", "price per job")
	maxJobs := flag.Int("max-jobs", 0, "exit after this many completed jobs (0: run until stopped)")
	rateClients := flag.Uint("rate-clients", 80, "rating given to a client agent after a completed job (0-100)")
	faulty := flag.Bool("faulty", false, "deliver results that do not match the hash put on chain (to show disputes)")
	flag.Parse()
	log := agents.Logger{Name: f.Name}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := f.Connect(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	p, err := sdk.ParseCoinNormalized(*price)
	if err != nil {
		return fmt.Errorf("--price: %w", err)
	}

	terms := []byte("Summaries of texts up to 360 bytes, delivered as a data: URI; the sha256 of the summary goes on chain.")
	card := agents.Card(f.Name, "Summarizes short texts: first sentence and key terms.", []string{"summarize"})
	agent, err := c.LoadOrRegisterAgent(ctx, agentkit.AgentSpec{
		Name: f.Name, Capabilities: []string{"summarize"}, CardURI: agentkit.DataURI("application/json", card), Card: card,
	})
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	log.Printf("agent %d (%s), key %s", agent.Id, agent.Name, c.Address())

	listing, err := agents.EnsureListing(ctx, c, agent.Id, agentkit.ListingSpec{
		Capability: "summarize", Title: "Summaries of short texts", Price: p,
		TermsURI: agentkit.DataURI("text/plain", terms), Terms: terms,
		MaxDurationBlocks: 300, ReviewWindowBlocks: 100,
	})
	if err != nil {
		return fmt.Errorf("listing: %w", err)
	}
	log.Printf("listing %d: summarize for %s", listing.Id, listing.Price)

	h, err := c.Height(ctx)
	if err != nil {
		return err
	}
	log.Printf("waiting for jobs")
	return c.Serve(ctx, agent.Id, agentkit.ServeOptions{
		FromHeight: h,
		MaxJobs:    *maxJobs,
		OnError:    func(err error) { log.Printf("error: %v", err) },
		OnEvent: func(e agentkit.Event) {
			agents.RateClient(ctx, c, log, agent.Id, e, uint32(*rateClients))
		},
	}, func(ctx context.Context, job *markettypes.Job, m uint32) (string, []byte, error) {
		spec, err := agentkit.FetchVerified(ctx, job.SpecUri, job.SpecHash)
		if err != nil {
			return "", nil, err
		}
		summary := []byte(agents.Summarize(string(spec)))
		log.Printf("job %d: summarized %d bytes into %d", job.Id, len(spec), len(summary))
		if *faulty {
			// The hash on chain is the summary's; the URI serves half of it.
			return agentkit.DataURI("text/plain", summary[:len(summary)/2]), summary, nil
		}
		return agentkit.DataURI("text/plain", summary), summary, nil
	})
}
