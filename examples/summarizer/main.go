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
	"log"
	"os"
	"os/signal"
	"sort"
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
		fmt.Fprintln(os.Stderr, "summarizer:", err)
		os.Exit(1)
	}
}

func run() error {
	var f agentkit.Flags
	f.Register(flag.CommandLine)
	name := flag.String("name", "summarizer", "the agent's unique name on chain")
	price := flag.String("price", "2000000uagnt", "price per job")
	maxJobs := flag.Int("max-jobs", 0, "exit after this many completed jobs (0: run until stopped)")
	rateClients := flag.Uint("rate-clients", 80, "rating given to a client agent after a completed job (0-100)")
	faulty := flag.Bool("faulty", false, "deliver results that do not match the hash put on chain (to show disputes)")
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

	terms := []byte("Summaries of texts up to 360 bytes, delivered as a data: URI; the sha256 of the summary goes on chain.")
	card := agentkit.AgentCard(*name, "Summarizes short texts: first sentence and key terms.", []string{"summarize"})
	agent, err := c.LoadOrRegisterAgent(ctx, agentkit.AgentSpec{
		Name: *name, Capabilities: []string{"summarize"}, CardURI: agentkit.DataURI("application/json", card), Card: card,
	})
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	log.Printf("agent %d (%s), key %s", agent.Id, agent.Name, c.AddressString())

	listing, err := c.EnsureListing(ctx, agentkit.ListingSpec{
		Provider:   agent.Id,
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
		RateClient: func(job *markettypes.Job) (uint32, bool) {
			log.Printf("job %d completed and paid; rating the client %d/100", job.Id, *rateClients)
			return uint32(*rateClients), true
		},
	}, func(ctx context.Context, job *markettypes.Job, m uint32) (string, []byte, error) {
		spec, err := agentkit.FetchVerified(ctx, job.SpecUri, job.SpecHash)
		if err != nil {
			return "", nil, err
		}
		summary := []byte(summarize(string(spec)))
		log.Printf("job %d: summarized %d bytes into %d", job.Id, len(spec), len(summary))
		if *faulty {
			// The hash on chain is the summary's; the URI serves half of it.
			return agentkit.DataURI("text/plain", summary[:len(summary)/2]), summary, nil
		}
		return agentkit.DataURI("text/plain", summary), summary, nil
	})
}

var stopwords = map[string]bool{
	"about": true, "after": true, "also": true, "because": true, "been": true, "before": true, "being": true,
	"between": true, "both": true, "but": true, "can": true, "could": true, "does": true, "each": true,
	"from": true, "have": true, "here": true, "into": true, "more": true, "most": true, "much": true,
	"must": true, "only": true, "other": true, "over": true, "some": true, "such": true, "than": true,
	"that": true, "their": true, "them": true, "then": true, "there": true, "these": true, "they": true,
	"this": true, "those": true, "through": true, "very": true, "were": true, "what": true, "when": true,
	"where": true, "which": true, "while": true, "will": true, "with": true, "would": true, "your": true,
}

// words splits text into lowercase words.
func words(text string) []string {
	return strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-'
	})
}

// keyTerms returns the n most frequent words of four letters or more that
// are not stopwords, ties in alphabetical order.
func keyTerms(text string, n int) []string {
	counts := map[string]int{}
	for _, w := range words(text) {
		if len(w) >= 4 && !stopwords[w] {
			counts[w]++
		}
	}
	terms := make([]string, 0, len(counts))
	for w := range counts {
		terms = append(terms, w)
	}
	sort.Slice(terms, func(i, j int) bool {
		if counts[terms[i]] != counts[terms[j]] {
			return counts[terms[i]] > counts[terms[j]]
		}
		return terms[i] < terms[j]
	})
	if len(terms) > n {
		terms = terms[:n]
	}
	return terms
}

// summarize is the summarizer's stand-in for a model: the first sentence
// and the key terms. The same text always gives the same summary.
func summarize(text string) string {
	text = strings.TrimSpace(text)
	first := text
	if i := strings.IndexAny(text, ".!?"); i >= 0 {
		first = text[:i+1]
	}
	if len(first) > 160 {
		first = first[:157] + "..."
	}
	return fmt.Sprintf("%s Key terms: %s. (%d words)", first, strings.Join(keyTerms(text, 3), ", "), len(words(text)))
}
