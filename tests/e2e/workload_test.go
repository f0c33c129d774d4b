package e2e

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/agentkit"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// failover is an agent program's connection to a network whose nodes come
// and go: each call goes to a node that answers, moving on to the next one
// when a node is down or slow. Calls of one actor are sequential.
type failover struct {
	n      *Network
	nodes  []*Node
	signer agentkit.Signer
	cur    int
	conns  map[int]*agentkit.Client
}

func newFailover(n *Network, nodes []*Node, s agentkit.Signer, start int) *failover {
	return &failover{n: n, nodes: nodes, signer: s, cur: start % len(nodes), conns: map[int]*agentkit.Client{}}
}

// do runs call with a client of a live node and a bounded context, trying
// each node at most once (a paused node answers nothing: only the deadline
// gets the call back).
func (f *failover) do(ctx context.Context, call func(ctx context.Context, c *agentkit.Client) error) error {
	var last error
	for range f.nodes {
		i := f.cur
		if !responds(f.nodes[i]) {
			last = fmt.Errorf("node %d does not respond", f.nodes[i].Index)
			f.cur = (f.cur + 1) % len(f.nodes)
			continue
		}
		c, ok := f.conns[i]
		if !ok {
			node := f.nodes[i]
			dctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			var err error
			c, err = agentkit.Dial(dctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC, InclusionTimeout: 8 * time.Second}, f.signer)
			cancel()
			if err != nil {
				last = err
				f.cur = (f.cur + 1) % len(f.nodes)
				continue
			}
			f.conns[i] = c
		}
		cctx, cancel := context.WithTimeout(ctx, 12*time.Second)
		err := call(cctx, c)
		cancel()
		if err == nil || !unreachable(err) {
			return err
		}
		last = err
		_ = c.Close()
		delete(f.conns, i)
		f.cur = (f.cur + 1) % len(f.nodes)
	}
	return last
}

func (f *failover) close() {
	for _, c := range f.conns {
		_ = c.Close()
	}
}

// unreachable reports whether an error is the node's (down, paused, the
// chain halted) rather than the chain's answer (a refusal, "not found").
func unreachable(err error) bool {
	var txErr *agentkit.TxError
	var qErr *agentkit.QueryError
	switch {
	case errors.As(err, &txErr):
		// A simulation the node could not run is the node's trouble.
		msg := err.Error()
		return txErr.Stage == "simulate" && (strings.Contains(msg, "Unavailable") || strings.Contains(msg, "deadline") || strings.Contains(msg, "connection"))
	case errors.As(err, &qErr):
		return false
	default:
		return true
	}
}

var quickClient = &http.Client{Timeout: time.Second}

// responds reports whether a node answers its RPC within a second (a
// paused node does not).
func responds(node *Node) bool {
	resp, err := quickClient.Get("http://" + node.RPC + "/health")
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// workload keeps an agent economy busy on a network: providers accept and
// deliver, clients hire, complete, reject and rate, the arbiter rules,
// clients make, release and let expire direct escrows and send coins. Every
// actor decides from the chain's state, so a lost or repeated transaction
// is harmless. Stop ends new business; drain then waits until every job is
// in a final state.
type workload struct {
	n       *Network
	ctx     context.Context
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	mu      sync.Mutex
	jobs    []uint64
	escrows map[string][]uint64 // by payer
	hiring  bool
	paused  bool
	busy    int // actors in the middle of a step
	// clientAgent is the agent id of the client that hires as an agent.
	clientAgent uint64
	listings    []uint64
	errs        int
	txs         int
	reasons     map[string]int
	providers   []providerActor
}

type providerActor struct {
	id  uint64
	key agentkit.Signer
}

// startWorkload funds and registers the actors, then starts them.
func startWorkload(t *testing.T, n *Network, nodes []*Node) *workload {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	w := &workload{n: n, ctx: ctx, cancel: cancel, hiring: true, reasons: map[string]int{}, escrows: map[string][]uint64{}}
	setup, err := agentkit.Dial(ctx, agentkit.Config{GRPC: nodes[0].GRPC, RPC: "http://" + nodes[0].RPC, InclusionTimeout: txTimeout}, devnetSigner(t, "alice"))
	if err != nil {
		t.Fatal(err)
	}
	defer setup.Close()
	var clients []agentkit.Signer
	for i := 0; i < 3; i++ {
		clients = append(clients, agentkit.FromSecret(fmt.Sprintf("fault workload client %d", i)))
	}
	for i := 0; i < 2; i++ {
		w.providers = append(w.providers, providerActor{key: agentkit.FromSecret(fmt.Sprintf("fault workload provider %d", i))})
	}
	for _, s := range clients {
		fund(t, ctx, setup, s.Address(), 2_000_000_000)
	}
	for i := range w.providers {
		p := &w.providers[i]
		fund(t, ctx, setup, p.key.Address(), 100_000_000)
		agent, err := setup.RegisterAgent(ctx, agentkit.AgentSpec{Name: fmt.Sprintf("fault-provider-%d", i), Capabilities: []string{"summarize"}}, p.key)
		if err != nil {
			t.Fatal(err)
		}
		p.id = agent.Id
		pc := dial(t, ctx, nodes[0], p.key)
		l, err := pc.CreateListing(ctx, agentkit.ListingSpec{
			Capability: "summarize", Title: "Summaries", TermsURI: "https://agents.example/terms", Terms: []byte("terms"),
			Price: agnt(int64(1_000_000 * (i + 1))), MaxDurationBlocks: 5_000, ReviewWindowBlocks: 30,
		})
		if err != nil {
			t.Fatal(err)
		}
		w.listings = append(w.listings, l.Id)
	}
	// One client hires as an agent of its own.
	cc := dial(t, ctx, nodes[0], clients[0])
	ca, err := cc.RegisterAgent(ctx, agentkit.AgentSpec{Name: "fault-client-agent", Capabilities: []string{"research"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	w.clientAgent = ca.Id

	for i, p := range w.providers {
		w.run(newFailover(n, nodes, p.key, i), w.provider(p.id))
	}
	for i, s := range clients {
		w.run(newFailover(n, nodes, s, i+1), w.client(i, s, clients))
	}
	w.run(newFailover(n, nodes, devnetSigner(t, "carol"), 3), w.arbiter())
	return w
}

func (w *workload) run(f *failover, step func(ctx context.Context, f *failover, r *rand.Rand)) {
	w.wg.Add(1)
	go func() {
		defer w.wg.Done()
		defer f.close()
		r := rand.New(rand.NewPCG(uint64(len(w.jobs)), uint64(f.cur)))
		for w.ctx.Err() == nil {
			w.mu.Lock()
			paused := w.paused
			if !paused {
				w.busy++
			}
			w.mu.Unlock()
			if !paused {
				step(w.ctx, f, r)
				w.mu.Lock()
				w.busy--
				w.mu.Unlock()
			}
			select {
			case <-w.ctx.Done():
			case <-time.After(150 * time.Millisecond):
			}
		}
	}()
}

func (w *workload) note(err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.txs++
	if err != nil {
		w.errs++
		reason := err.Error()
		if i := strings.LastIndex(reason, ": "); i >= 0 && !unreachable(err) {
			reason = reason[i+2:] // the registered error's text
		} else if len(reason) > 60 {
			reason = reason[:60]
		}
		w.reasons[reason]++
	}
}

// topReasons lists the most frequent refusals and failures.
func (w *workload) topReasons() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	type kv struct {
		k string
		v int
	}
	var all []kv
	for k, v := range w.reasons {
		all = append(all, kv{k, v})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v || all[i].v == all[j].v && all[i].k < all[j].k })
	var b strings.Builder
	for i, e := range all {
		if i == 6 {
			break
		}
		fmt.Fprintf(&b, "\n  %4d × %s", e.v, e.k)
	}
	return b.String()
}

// jobsIn returns the tracked jobs' current states (from one node).
func (w *workload) jobsIn(ctx context.Context, f *failover, want func(markettypes.Job) bool) []markettypes.Job {
	w.mu.Lock()
	ids := append([]uint64{}, w.jobs...)
	w.mu.Unlock()
	var out []markettypes.Job
	for _, id := range ids {
		_ = f.do(ctx, func(ctx context.Context, c *agentkit.Client) error {
			j, err := c.Job(ctx, id)
			if err == nil && want(*j) {
				out = append(out, *j)
			}
			return err
		})
	}
	return out
}

func (w *workload) provider(agentID uint64) func(ctx context.Context, f *failover, r *rand.Rand) {
	return func(ctx context.Context, f *failover, r *rand.Rand) {
		for _, j := range w.jobsIn(ctx, f, func(j markettypes.Job) bool { return j.Provider == agentID }) {
			switch j.Status {
			case markettypes.JOB_STATUS_FUNDED:
				w.note(f.do(ctx, func(ctx context.Context, c *agentkit.Client) error { _, err := c.AcceptJob(ctx, j.Id); return err }))
			case markettypes.JOB_STATUS_IN_PROGRESS:
				result := []byte(fmt.Sprintf("result of job %d", j.Id))
				w.note(f.do(ctx, func(ctx context.Context, c *agentkit.Client) error {
					_, err := c.Deliver(ctx, j.Id, j.NextMilestone, agentkit.DataURI("text/plain", result), result)
					return err
				}))
			}
		}
	}
}

func (w *workload) client(i int, me agentkit.Signer, all []agentkit.Signer) func(ctx context.Context, f *failover, r *rand.Rand) {
	rated := map[uint64]bool{}
	return func(ctx context.Context, f *failover, r *rand.Rand) {
		mine := w.jobsIn(ctx, f, func(j markettypes.Job) bool { return j.Client == agentkit.Bech32(me.Address()) })
		open := 0
		for _, j := range mine {
			switch j.Status {
			case markettypes.JOB_STATUS_DELIVERED:
				if r.IntN(5) == 0 {
					w.note(f.do(ctx, func(ctx context.Context, c *agentkit.Client) error {
						_, err := c.Dispute(ctx, j.Id, j.NextMilestone, markettypes.REJECT_REASON_LOW_QUALITY, []byte("evidence"))
						return err
					}))
				} else {
					w.note(f.do(ctx, func(ctx context.Context, c *agentkit.Client) error {
						_, err := c.Complete(ctx, j.Id, j.NextMilestone)
						return err
					}))
				}
			case markettypes.JOB_STATUS_COMPLETED, markettypes.JOB_STATUS_RESOLVED:
				if !rated[j.Id] {
					rated[j.Id] = true
					w.note(f.do(ctx, func(ctx context.Context, c *agentkit.Client) error {
						_, err := c.Rate(ctx, j.Id, uint32(60+r.IntN(41)))
						return err
					}))
				}
			}
			if !j.Status.IsFinal() {
				open++
			}
		}
		w.mu.Lock()
		hiring := w.hiring
		w.mu.Unlock()
		if !hiring {
			return
		}
		if open < 2 {
			listing := w.listings[r.IntN(len(w.listings))]
			w.note(f.do(ctx, func(ctx context.Context, c *agentkit.Client) error {
				spec := []byte(fmt.Sprintf("work %d", r.Uint64()))
				job, err := c.Hire(ctx, agentkit.HireSpec{ListingID: listing, SpecURI: agentkit.DataURI("text/plain", spec), Spec: spec, DeliverWithin: 400})
				if err == nil {
					w.mu.Lock()
					w.jobs = append(w.jobs, job.Id)
					w.mu.Unlock()
				}
				return err
			}))
		}
		// Direct escrows (released or left to expire) and plain sends.
		switch r.IntN(6) {
		case 0:
			payee := w.providers[r.IntN(len(w.providers))].key.Address()
			w.note(f.do(ctx, func(ctx context.Context, c *agentkit.Client) error {
				h, err := c.Height(ctx)
				if err != nil {
					return err
				}
				res, err := c.Broadcast(ctx, &escrowtypes.MsgCreateEscrow{
					Payer: agentkit.Bech32(me.Address()), Payee: agentkit.Bech32(payee), Amount: sdk.NewCoins(agnt(10_000 + int64(r.IntN(10_000)))), ExpiresHeight: h + 40,
				})
				if err == nil {
					var out escrowtypes.MsgCreateEscrowResponse
					if c.Response(res, 0, &out) == nil {
						w.mu.Lock()
						w.escrows[agentkit.Bech32(me.Address())] = append(w.escrows[agentkit.Bech32(me.Address())], out.Id)
						w.mu.Unlock()
					}
				}
				return err
			}))
		case 1:
			w.mu.Lock()
			var id uint64
			if mine := w.escrows[agentkit.Bech32(me.Address())]; len(mine) > 0 {
				id = mine[r.IntN(len(mine))]
			}
			w.mu.Unlock()
			if id != 0 {
				w.note(f.do(ctx, func(ctx context.Context, c *agentkit.Client) error {
					_, err := c.Broadcast(ctx, &escrowtypes.MsgRelease{Payer: agentkit.Bech32(me.Address()), EscrowId: id})
					return err
				}))
			}
		case 2:
			to := all[(i+1)%len(all)].Address()
			w.note(f.do(ctx, func(ctx context.Context, c *agentkit.Client) error {
				_, err := c.Send(ctx, to, sdk.NewCoins(agnt(1_000)))
				return err
			}))
		}
	}
}

func (w *workload) arbiter() func(ctx context.Context, f *failover, r *rand.Rand) {
	return func(ctx context.Context, f *failover, r *rand.Rand) {
		for _, j := range w.jobsIn(ctx, f, func(j markettypes.Job) bool { return j.Status == markettypes.JOB_STATUS_DISPUTED }) {
			w.note(f.do(ctx, func(ctx context.Context, c *agentkit.Client) error {
				_, err := c.Resolve(ctx, j.Id, uint32(r.IntN(10_001)))
				return err
			}))
		}
	}
}

// stats returns the jobs tracked, how many are settled (final), and the
// transactions tried and refused or lost so far.
func (w *workload) stats(ctx context.Context, node *Node) (jobs, settled, txs, errs int) {
	w.mu.Lock()
	ids := append([]uint64{}, w.jobs...)
	txs, errs = w.txs, w.errs
	w.mu.Unlock()
	f := newFailover(w.n, []*Node{node}, agentkit.FromSecret("fault workload observer"), 0)
	defer f.close()
	for _, id := range ids {
		_ = f.do(ctx, func(ctx context.Context, c *agentkit.Client) error {
			j, err := c.Job(ctx, id)
			if err == nil && j.Status.IsFinal() {
				settled++
			}
			return err
		})
	}
	return len(ids), settled, txs, errs
}

// stopHiring ends new business; the actors keep moving open jobs.
func (w *workload) stopHiring() {
	w.mu.Lock()
	w.hiring = false
	w.mu.Unlock()
}

// pause holds every actor between steps until resume, and waits until the
// steps under way have finished.
func (w *workload) pause(t *testing.T) {
	t.Helper()
	w.mu.Lock()
	w.paused = true
	w.mu.Unlock()
	waitFor(t, 2*txTimeout, "the workload's steps under way to finish", func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.busy == 0
	})
}

func (w *workload) resume() {
	w.mu.Lock()
	w.paused = false
	w.mu.Unlock()
}

// stop ends every actor.
func (w *workload) stop() {
	w.cancel()
	w.wg.Wait()
}
