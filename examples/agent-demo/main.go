// Command agent-demo runs the example agents against a live chain and tells
// the story of the economy from the chain's events: who registered, who
// hired whom, escrow locked and released, the market's take, disputes and
// their rulings, and reputations after each job.
//
// It funds the agents from a devnet account (alice of config.yml), starts
// two summarizers (one of them faulty, to show a dispute) and a report
// writer as separate processes, acts as the devnet's arbiter (carol), and
// runs the researcher three times: it hires a summarizer, then another,
// then a report writer who subcontracts a summarizer. `make demo` runs it.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cosmos/go-bip39"
	"sigs.k8s.io/yaml"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/agentkit"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reputationtypes "github.com/agentchain/agentchain/x/reputation/types"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "agent-demo:", err)
		os.Exit(1)
	}
}

type demo struct {
	grpc, rpc string
	binDir    string
	prefix    string
	out       *syncWriter

	funder, arbiter *agentkit.Client
	names           map[uint64]string // agent id → name
	addrs           map[string]string // address → name
	mu              sync.Mutex
	take            sdk.Coins
}

func run() error {
	exe, _ := os.Executable()
	d := &demo{names: map[uint64]string{}, addrs: map[string]string{}, out: &syncWriter{w: os.Stdout}}
	flag.StringVar(&d.grpc, "grpc", "127.0.0.1:9090", "node gRPC address")
	flag.StringVar(&d.rpc, "rpc", "http://127.0.0.1:26657", "node CometBFT RPC address")
	flag.StringVar(&d.binDir, "bin-dir", filepath.Dir(exe), "where the summarizer, researcher and report-writer binaries are")
	flag.StringVar(&d.prefix, "prefix", "demo", "prefix of the agents' names (a new prefix makes new agents)")
	configPath := flag.String("config", "config.yml", "the devnet's config.yml (for alice's and carol's keys)")
	timeout := flag.Duration("timeout", 10*time.Minute, "give up after this long")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	cfg, err := loadAccounts(*configPath)
	if err != nil {
		return err
	}
	if d.funder, err = d.dial(ctx, cfg, "alice"); err != nil {
		return err
	}
	defer d.funder.Close()
	if d.arbiter, err = d.dial(ctx, cfg, "carol"); err != nil {
		return err
	}
	defer d.arbiter.Close()
	d.addrs[agentkit.Bech32(d.funder.Address())] = "alice"
	d.addrs[agentkit.Bech32(d.arbiter.Address())] = "carol (arbiter)"

	start, err := d.funder.Height(ctx)
	if err != nil {
		return err
	}
	d.say("agentchain demo on %s (chain %s, height %d)", d.grpc, d.funder.ChainID(), start)

	// The narrator and the arbiter follow the chain from here on.
	narration, err := d.funder.Subscribe(ctx, agentkit.Filter{}, agentkit.SubscribeOptions{FromHeight: start})
	if err != nil {
		return err
	}
	narratorDone := make(chan struct{})
	go func() {
		defer close(narratorDone)
		for e := range narration.Events() {
			d.narrate(ctx, e)
		}
	}()

	summA, summB := d.prefix+"-summarizer-a", d.prefix+"-summarizer-b"
	writer, researcher := d.prefix+"-report-writer", d.prefix+"-researcher"
	d.say("")
	d.say("== 1. alice funds four agent keys")
	for _, name := range []string{summA, summB, writer, researcher} {
		if err := d.fund(ctx, name); err != nil {
			return err
		}
	}

	d.say("")
	d.say("== 2. the providers start: two summarizers (b is cheaper, and faulty) and a report writer")
	var procs []*exec.Cmd
	defer func() {
		for _, p := range procs {
			_ = p.Process.Signal(syscall.SIGTERM)
		}
		for _, p := range procs {
			_ = p.Wait()
		}
	}()
	for _, a := range []struct {
		bin, name string
		args      []string
	}{
		{"summarizer", summA, []string{"--price", "2000000uagnt"}},
		{"summarizer", summB, []string{"--price", "1500000uagnt", "--faulty"}},
		{"report-writer", writer, []string{"--price", "6000000uagnt", "--sub-budget", "3000000uagnt"}},
	} {
		p, err := d.spawn(a.bin, a.name, a.args...)
		if err != nil {
			return err
		}
		procs = append(procs, p)
	}
	for _, name := range []string{summA, summB, writer} {
		if err := d.waitListed(ctx, name); err != nil {
			return err
		}
	}

	// carol arbitrates the devnet's disputes.
	go d.arbitrate(ctx, start)

	texts := []string{
		"Validators replicate the agentchain state machine with CometBFT. Each block is agreed by two thirds of the voting power, so agents can trust balances, escrows and reputations without trusting any single operator.",
		"Escrow keeps the price of a job locked until the client accepts the delivery. If the client stays silent the review window completes the job; a dispute goes to the arbiter named at hire.",
		"Autonomous agents hire each other for small tasks. Reputation makes the market safe: ratings are weighted by the value settled, decay over time, and only parties to a settled job may rate.",
	}
	jobs := []struct{ title, capability, budget, text string }{
		{"the researcher hires the best summarizer it can afford", "summarize", "3000000uagnt", texts[0]},
		{"the researcher hires a summarizer again: reputation now decides", "summarize", "3000000uagnt", texts[1]},
		{"the researcher orders a report; the writer subcontracts the summary", "report", "8000000uagnt", texts[2]},
	}
	for i, j := range jobs {
		d.say("")
		d.say("== %d. %s", i+3, j.title)
		p, err := d.spawn("researcher", researcher, "--capability", j.capability, "--budget", j.budget, "--text", j.text)
		if err != nil {
			return err
		}
		if err := p.Wait(); err != nil {
			return fmt.Errorf("researcher: %w", err)
		}
		if err := d.settle(ctx); err != nil {
			return err
		}
	}

	d.say("")
	d.say("== 6. where everything stands")
	narration.Close()
	<-narratorDone
	return d.summary(ctx, []string{summA, summB, writer, researcher})
}

func (d *demo) dial(ctx context.Context, cfg accounts, name string) (*agentkit.Client, error) {
	m, ok := cfg[name]
	if !ok || m == "" {
		return nil, fmt.Errorf("config.yml has no mnemonic for %s", name)
	}
	s, err := agentkit.FromMnemonic(m)
	if err != nil {
		return nil, err
	}
	var c *agentkit.Client
	// The node may still be starting.
	for attempt := 0; attempt < 60; attempt++ {
		c, err = agentkit.Dial(ctx, agentkit.Config{GRPC: d.grpc, RPC: d.rpc}, s)
		if err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
	return nil, fmt.Errorf("no chain at %s: %w (start one with make start)", d.grpc, err)
}

func (d *demo) say(format string, args ...any) {
	d.out.line(fmt.Sprintf(format, args...))
}

// fund tops an agent key up to 100 AGNT from alice.
func (d *demo) fund(ctx context.Context, name string) error {
	s, err := agentkit.FromMnemonic(demoMnemonic(name))
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.addrs[agentkit.Bech32(s.Address())] = name
	d.mu.Unlock()
	bal, err := d.funder.Balance(ctx, s.Address(), "uagnt")
	if err != nil {
		return err
	}
	want := sdkmath.NewInt(100_000_000)
	if bal.GTE(want) {
		d.say("   %s already holds %s", name, agnt(sdk.NewCoin("uagnt", bal)))
		return nil
	}
	amount := sdk.NewCoin("uagnt", want.Sub(bal))
	res, err := d.funder.Send(ctx, s.Address(), sdk.NewCoins(amount))
	if err != nil {
		return fmt.Errorf("fund %s: %w", name, err)
	}
	d.say("   h%-5d alice sends %s to %s (%s)", res.Height, agnt(amount), name, agentkit.Bech32(s.Address()))
	return nil
}

// spawn starts an example agent with its demo key; its output is shown
// indented.
func (d *demo) spawn(bin, name string, args ...string) (*exec.Cmd, error) {
	args = append([]string{"--name", name, "--grpc", d.grpc, "--rpc", d.rpc}, args...)
	cmd := exec.Command(filepath.Join(d.binDir, bin), args...)
	cmd.Env = append(os.Environ(), "AGENT_MNEMONIC="+demoMnemonic(name))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s (build it with make demo): %w", bin, err)
	}
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			d.out.line("      " + sc.Text())
		}
	}()
	return cmd, nil
}

// waitListed waits until an agent has registered and listed its service.
func (d *demo) waitListed(ctx context.Context, name string) error {
	for attempt := 0; attempt < 120; attempt++ {
		if a, err := d.funder.AgentByName(ctx, name); err == nil {
			if ls, err := d.funder.ListingsOf(ctx, a.Id); err == nil && len(ls) > 0 {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	return fmt.Errorf("%s did not list a service within a minute", name)
}

// settle waits two blocks, so that the narrator has told the last job.
func (d *demo) settle(ctx context.Context) error {
	h, err := d.funder.Height(ctx)
	if err != nil {
		return err
	}
	for attempt := 0; attempt < 100; attempt++ {
		now, err := d.funder.Height(ctx)
		if err == nil && now >= h+2 {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return errors.New("the chain stopped producing blocks")
}

// arbitrate is carol, the devnet's arbiter: she rules on every dispute
// put to her by checking the delivered result against its on-chain hash.
func (d *demo) arbitrate(ctx context.Context, from int64) {
	sub, err := d.arbiter.Subscribe(ctx, agentkit.Filter{
		Types: []string{"agentchain.market.v1.EventJobDisputed"},
		Attrs: map[string]string{"arbiter": agentkit.Quote(d.arbiter.Address())},
	}, agentkit.SubscribeOptions{FromHeight: from})
	if err != nil {
		d.say("arbiter: %v", err)
		return
	}
	for e := range sub.Events() {
		id, _ := e.Uint64("job_id")
		job, err := d.arbiter.Job(ctx, id)
		if err != nil || job.Status != markettypes.JOB_STATUS_DISPUTED {
			continue
		}
		m := job.Milestones[job.NextMilestone]
		share := uint32(10_000)
		verdict := "the result matches its hash: the provider is paid"
		if _, err := agentkit.FetchVerified(ctx, m.ResultUri, m.ResultHash); err != nil {
			share, verdict = 0, "the result does not match its hash: the client is refunded"
		}
		d.out.line(fmt.Sprintf("      [carol (arbiter)] job %d: %s", id, verdict))
		if _, err := d.arbiter.Resolve(ctx, id, share); err != nil {
			d.say("arbiter: resolve job %d: %v", id, err)
		}
	}
}

func agnt(c sdk.Coin) string {
	if c.Denom != "uagnt" {
		return c.String()
	}
	dec := sdkmath.LegacyNewDecFromIntWithPrec(c.Amount, 6)
	s := strings.TrimRight(strings.TrimRight(dec.String(), "0"), ".")
	return s + " AGNT"
}

func agntCoins(cs sdk.Coins) string {
	if cs.IsZero() {
		return "0 AGNT"
	}
	parts := make([]string, 0, len(cs))
	for _, c := range cs {
		parts = append(parts, agnt(c))
	}
	return strings.Join(parts, " + ")
}

func (d *demo) agentName(id uint64) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n, ok := d.names[id]; ok {
		return n
	}
	return fmt.Sprintf("agent %d", id)
}

func (d *demo) addrName(addr string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n, ok := d.addrs[addr]; ok {
		return n
	}
	return addr
}

// narrate tells one event of the chain.
func (d *demo) narrate(ctx context.Context, e agentkit.Event) {
	if !strings.HasPrefix(e.Type, "agentchain.") {
		return
	}
	msg, err := e.Typed()
	if err != nil {
		return
	}
	h := fmt.Sprintf("   h%-5d", e.Height)
	switch ev := msg.(type) {
	case *agentidtypes.EventAgentRegistered:
		d.mu.Lock()
		d.names[ev.AgentId] = ev.Name
		d.mu.Unlock()
		d.say("%s %s registered as agent %d; deposit %s held by x/agentid", h, ev.Name, ev.AgentId, agnt(ev.Deposit))
	case *markettypes.EventListingCreated:
		d.say("%s %s lists %q at %s (listing %d)", h, d.agentName(ev.Provider), ev.Capability, agnt(ev.Price), ev.ListingId)
	case *escrowtypes.EventEscrowCreated:
		d.say("%s escrow %d locks %s paid by %s", h, ev.EscrowId, agntCoins(ev.Amount), d.addrName(ev.Payer))
	case *markettypes.EventJobFunded:
		sub := ""
		if ev.ParentJobId != 0 {
			sub = fmt.Sprintf(", a subcontract of job %d", ev.ParentJobId)
		}
		d.say("%s job %d: %s hires %s for %s (escrow %d%s)", h, ev.JobId, d.addrName(ev.Client), d.agentName(ev.Provider), agnt(ev.Price), ev.EscrowId, sub)
	case *markettypes.EventJobAccepted:
		d.say("%s job %d: %s accepts", h, ev.JobId, d.agentName(ev.Provider))
	case *markettypes.EventJobDelivered:
		d.say("%s job %d: %s delivers milestone %d", h, ev.JobId, d.agentName(ev.Provider), ev.Milestone)
	case *markettypes.EventMilestonePaid:
		d.mu.Lock()
		d.take = d.take.Add(ev.Take...)
		d.mu.Unlock()
		d.say("%s job %d: escrow releases %s to %s and %s market take to the fee collector (stakers)", h, ev.JobId, agntCoins(ev.ProviderAmount), d.agentName(ev.Provider), agntCoins(ev.Take))
	case *markettypes.EventJobDisputed:
		d.say("%s job %d: %s rejects the delivery (%s); %s will rule", h, ev.JobId, d.addrName(ev.Client), ev.Reason, d.addrName(ev.Arbiter))
	case *markettypes.EventJobResolved:
		d.mu.Lock()
		d.take = d.take.Add(ev.Take...)
		d.mu.Unlock()
		d.say("%s job %d: ruled %d%% to %s: pays %s, refunds %s, arbiter fee %s", h, ev.JobId, ev.ProviderShareBps/100, d.agentName(ev.Provider), agntCoins(ev.ProviderAmount), agntCoins(ev.Refund), agntCoins(ev.ArbiterFee))
	case *markettypes.EventJobCompleted:
		d.say("%s job %d: completed", h, ev.JobId)
	case *reputationtypes.EventFeedbackSubmitted:
		rep, err := d.funder.Reputation(ctx, ev.Subject, "")
		now := "?"
		if err == nil {
			now = fmt.Sprintf("%s from %d rating(s) (weight %s AGNT)", agentkit.FormatScore(rep.Score), rep.Count, agentkit.FormatScore(rep.Weight))
		}
		rater := "the client"
		switch ev.Role {
		case reputationtypes.RATER_ROLE_PROVIDER:
			rater = "the provider"
		case reputationtypes.RATER_ROLE_RULING:
			rater = "the ruling"
		}
		d.say("%s job %d: %s rates %s %d/100; its reputation is now %s", h, ev.JobId, rater, d.agentName(ev.Subject), ev.Score, now)
	}
}

// summary prints the agents' balances and reputations, the escrow
// module's conservation check and the market's take.
func (d *demo) summary(ctx context.Context, names []string) error {
	d.say("   %-24s %-8s %-16s %s", "agent", "id", "balance", "reputation")
	for _, name := range names {
		a, err := d.funder.AgentByName(ctx, name)
		if err != nil {
			return err
		}
		addr, err := agentkit.ParseAddress(a.AgentAddress)
		if err != nil {
			return err
		}
		bal, err := d.funder.Balance(ctx, addr, "uagnt")
		if err != nil {
			return err
		}
		rep, err := d.funder.Reputation(ctx, a.Id, "")
		if err != nil {
			return err
		}
		d.say("   %-24s %-8d %-16s %s from %d rating(s); %d job(s) completed, %d dispute(s) lost", name, a.Id, agnt(sdk.NewCoin("uagnt", bal)),
			agentkit.FormatScore(rep.Score), rep.Count, rep.Signals.JobsCompleted, rep.Signals.DisputesLost)
	}
	cons, err := escrowtypes.NewQueryClient(d.funder.Conn()).Conservation(ctx, &escrowtypes.QueryConservationRequest{})
	if err != nil {
		return err
	}
	d.say("   escrow: open escrows hold %s, the escrow account holds %s: conserved = %v", agntCoins(cons.Held), agntCoins(cons.Balance), cons.Ok)
	d.mu.Lock()
	take := d.take
	d.mu.Unlock()
	d.say("   market take paid to stakers during the demo: %s", agntCoins(take))
	return nil
}

// syncWriter writes whole lines from several goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) line(l string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fmt.Fprintln(s.w, l)
}

// accounts maps config.yml's account names to their mnemonics.
type accounts map[string]string

// loadAccounts reads the accounts of the devnet's config.yml (Ignite CLI
// format): the demo pays from alice and arbitrates as carol.
func loadAccounts(path string) (accounts, error) {
	bz, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cfg struct {
		Accounts []struct {
			Name     string `json:"name"`
			Mnemonic string `json:"mnemonic"`
		} `json:"accounts"`
	}
	if err := yaml.Unmarshal(bz, &cfg); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := accounts{}
	for _, a := range cfg.Accounts {
		out[a.Name] = a.Mnemonic
	}
	return out, nil
}

// demoMnemonic derives a fixed mnemonic from a name, so that the demo's
// agents keep their keys (and identities, and reputations) across runs.
// Public by construction: for local networks only.
func demoMnemonic(name string) string {
	entropy := sha256.Sum256([]byte("agentchain demo key/" + name))
	m, err := bip39.NewMnemonic(entropy[:])
	if err != nil {
		panic(err) // 32 bytes of entropy is always valid
	}
	return m
}
