// Package agents holds what the example agent programs (cmd/summarizer,
// cmd/researcher, cmd/report-writer) share: flags for connecting and loading
// a key, logging, and the deterministic stand-ins for model output.
package agents

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/cosmos/go-bip39"
	"github.com/cosmos/gogoproto/proto"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keyring"

	"github.com/agentchain/agentchain/agentkit"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// Flags are the connection and key flags every example agent takes.
type Flags struct {
	GRPC, RPC      string
	Mnemonic       string
	KeyringDir     string
	KeyringBackend string
	Key            string
	Name           string
	Timeout        time.Duration
}

// Register adds the flags to fs; name is the default agent name.
func (f *Flags) Register(fs *flag.FlagSet, name string) {
	fs.StringVar(&f.GRPC, "grpc", "127.0.0.1:9090", "node gRPC address")
	fs.StringVar(&f.RPC, "rpc", "http://127.0.0.1:26657", "node CometBFT RPC address (events)")
	fs.StringVar(&f.Mnemonic, "mnemonic", os.Getenv("AGENT_MNEMONIC"), "the agent key's BIP-39 mnemonic (default $AGENT_MNEMONIC)")
	fs.StringVar(&f.KeyringDir, "keyring-dir", "", "use a key of this agentchaind keyring instead of a mnemonic")
	fs.StringVar(&f.KeyringBackend, "keyring-backend", "test", "keyring backend (test, file, os)")
	fs.StringVar(&f.Key, "key", "", "name of the key in the keyring")
	fs.StringVar(&f.Name, "name", name, "the agent's unique name on chain")
	fs.DurationVar(&f.Timeout, "timeout", 5*time.Minute, "give up after this long")
}

// Connect loads the key and dials the node.
func (f *Flags) Connect(ctx context.Context) (*agentkit.Client, error) {
	var (
		signer agentkit.Signer
		err    error
	)
	switch {
	case f.KeyringDir != "":
		kr, kerr := keyring.New("agentchain", f.KeyringBackend, f.KeyringDir, os.Stdin, agentkit.Encoding().Codec)
		if kerr != nil {
			return nil, kerr
		}
		signer, err = agentkit.FromKeyring(kr, f.Key)
	case f.Mnemonic != "":
		signer, err = agentkit.FromMnemonic(f.Mnemonic)
	default:
		return nil, fmt.Errorf("no key: pass --mnemonic (or $AGENT_MNEMONIC), or --keyring-dir and --key")
	}
	if err != nil {
		return nil, err
	}
	return agentkit.Dial(ctx, agentkit.Config{GRPC: f.GRPC, RPC: f.RPC}, signer)
}

// Score formats a 0-100 score with one decimal (truncated).
func Score(d sdkmath.LegacyDec) string {
	tenths := d.MulInt64(10).TruncateInt64()
	return fmt.Sprintf("%d.%d", tenths/10, tenths%10)
}

// Logger prints an agent's lines with its name.
type Logger struct {
	Name string
	Out  io.Writer
}

// Printf prints one line.
func (l Logger) Printf(format string, args ...any) {
	out := l.Out
	if out == nil {
		out = os.Stdout
	}
	fmt.Fprintf(out, "[%s] %s\n", l.Name, fmt.Sprintf(format, args...))
}

// DemoMnemonic derives a fixed mnemonic from a name, so that a demo's
// agents keep their keys (and identities, and reputations) across runs.
// Public by construction: for local networks only.
func DemoMnemonic(name string) string {
	entropy := sha256.Sum256([]byte("agentchain demo key/" + name))
	m, err := bip39.NewMnemonic(entropy[:])
	if err != nil {
		panic(err) // 32 bytes of entropy is always valid
	}
	return m
}

// Card is a small A2A-style agent card.
func Card(name, description string, skills []string) []byte {
	bz, _ := json.Marshal(struct {
		Name        string   `json:"name"`
		Description string   `json:"description"`
		Skills      []string `json:"skills"`
	}{name, description, skills})
	return bz
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

// KeyTerms returns the n most frequent words of four letters or more that
// are not stopwords, ties in alphabetical order.
func KeyTerms(text string, n int) []string {
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

// Summarize is the summarizer's stand-in for a model: the first sentence
// and the key terms. The same text always gives the same summary.
func Summarize(text string) string {
	text = strings.TrimSpace(text)
	first := text
	if i := strings.IndexAny(text, ".!?"); i >= 0 {
		first = text[:i+1]
	}
	if len(first) > 160 {
		first = first[:157] + "..."
	}
	return fmt.Sprintf("%s Key terms: %s. (%d words)", first, strings.Join(KeyTerms(text, 3), ", "), len(words(text)))
}

// Report is the report writer's stand-in for a model: a title, the
// subcontracted summary and a recommendation derived from the key terms.
func Report(text, summary string) string {
	terms := KeyTerms(text, 2)
	return fmt.Sprintf("REPORT on %s\nSummary: %s\nNext step: look deeper into %s.",
		strings.Join(terms, " and "), summary, strings.Join(terms, ", "))
}

// EnsureListing returns the agent's active listing of a capability,
// creating it from spec when there is none.
func EnsureListing(ctx context.Context, c *agentkit.Client, agentID uint64, spec agentkit.ListingSpec) (*markettypes.Listing, error) {
	listings, err := c.ListingsOf(ctx, agentID)
	if err != nil {
		return nil, err
	}
	for i := range listings {
		l := &listings[i]
		if l.Capability == spec.Capability && l.Status == markettypes.LISTING_STATUS_ACTIVE {
			return l, nil
		}
	}
	spec.Provider = agentID
	return c.CreateListing(ctx, spec)
}

// RateClient rates the client of a job the agent completed, when the
// event is that completion and the client is a registered agent (only
// agents have a reputation).
func RateClient(ctx context.Context, c *agentkit.Client, log Logger, agentID uint64, e agentkit.Event, score uint32) {
	if e.Type != proto.MessageName(&markettypes.EventJobCompleted{}) {
		return
	}
	jobID, _ := e.Uint64("job_id")
	if provider, ok := e.Uint64("provider"); !ok || provider != agentID {
		return
	}
	log.Printf("job %d completed and paid", jobID)
	job, err := c.Job(ctx, jobID)
	if err != nil || job.ClientAgent == 0 {
		return
	}
	if _, err := c.Rate(ctx, jobID, score); err != nil {
		log.Printf("rate the client of job %d: %v", jobID, err)
		return
	}
	log.Printf("job %d: rated the client %d/100", jobID, score)
}
