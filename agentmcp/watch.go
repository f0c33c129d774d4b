package agentmcp

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/agentchain/agentchain/agentkit"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// wait_for_jobs: the server follows the chain's job events of this agent,
// as client (its address) and as provider (its agent id), from when it is
// first asked, and keeps the latest changes in order, each with a cursor.
// A model waits for the changes after the cursor it last saw, instead of
// polling.

// maxChanges bounds the changes kept.
const maxChanges = 1000

// JobChange is one change to one of this agent's jobs.
type JobChange struct {
	Cursor   string `json:"cursor"`
	JobID    string `json:"job_id"`
	Event    string `json:"event" jsonschema:"what happened: funded, accepted, delivered, milestone_paid, completed, cancelled, expired, disputed or resolved"`
	Height   int64  `json:"height"`
	Role     string `json:"role" jsonschema:"this agent's side of the job"`
	Status   string `json:"status" jsonschema:"the job's status now"`
	NextStep string `json:"next_step,omitempty"`
}

type change struct {
	seq    uint64
	jobID  uint64
	event  string
	height int64
}

type jobWatch struct {
	s *Server

	mu       sync.Mutex
	started  bool
	provider uint64 // the agent id followed as provider, 0 until known
	changes  []change
	next     uint64        // the next change's cursor
	wake     chan struct{} // closed and replaced at each change
	subs     []*agentkit.Subscription
	ctx      context.Context
	cancel   context.CancelFunc
}

func newJobWatch(s *Server) *jobWatch {
	ctx, cancel := context.WithCancel(context.Background())
	return &jobWatch{s: s, next: 1, wake: make(chan struct{}), ctx: ctx, cancel: cancel}
}

func (w *jobWatch) close() {
	w.cancel()
	w.mu.Lock()
	subs := w.subs
	w.mu.Unlock()
	for _, sub := range subs {
		sub.Close()
	}
}

// start follows the client side, and the provider side once the agent is
// known, from height on.
func (w *jobWatch) start(ctx context.Context) error {
	w.mu.Lock()
	started := w.started
	w.mu.Unlock()
	if !started {
		h, err := w.s.kit.Height(ctx)
		if err != nil {
			return err
		}
		w.mu.Lock()
		if !w.started {
			w.started = true
			w.follow(agentkit.JobsOfClient(w.s.kit.AddressString()), h)
		}
		w.mu.Unlock()
	}
	if id := w.s.myAgentID(ctx); id != 0 {
		w.agentKnown(id)
	}
	return nil
}

// agentKnown starts following the jobs of agent id as provider.
func (w *jobWatch) agentKnown(id uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.started || w.provider == id {
		return
	}
	w.provider = id
	h, err := w.s.kit.Height(w.ctx)
	if err != nil {
		h = 0 // from now
	}
	w.follow(agentkit.JobsOfProvider(id), h)
}

// follow subscribes (under mu).
func (w *jobWatch) follow(f agentkit.Filter, from int64) {
	sub, err := w.s.kit.Subscribe(w.ctx, f, agentkit.SubscribeOptions{FromHeight: from})
	if err != nil {
		return
	}
	w.subs = append(w.subs, sub)
	go func() {
		for e := range sub.Events() {
			w.record(e)
		}
	}()
}

func (w *jobWatch) record(e agentkit.Event) {
	id, ok := e.Uint64("job_id")
	if !ok {
		return
	}
	name := e.Type[strings.LastIndex(e.Type, ".")+1:]
	name = snake(strings.TrimPrefix(strings.TrimPrefix(name, "EventJob"), "Event"))
	w.mu.Lock()
	defer w.mu.Unlock()
	// A self-hire is seen on both sides: keep it once.
	for i := len(w.changes) - 1; i >= 0 && i >= len(w.changes)-8; i-- {
		c := w.changes[i]
		if c.jobID == id && c.event == name && c.height == e.Height {
			return
		}
	}
	w.changes = append(w.changes, change{seq: w.next, jobID: id, event: name, height: e.Height})
	w.next++
	if len(w.changes) > maxChanges {
		w.changes = w.changes[len(w.changes)-maxChanges:]
	}
	close(w.wake)
	w.wake = make(chan struct{})
}

// snake turns "MilestonePaid" into "milestone_paid".
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// after returns the changes after cursor, the cursor to resume from, and
// the channel closed at the next change.
func (w *jobWatch) after(cursor uint64) ([]change, uint64, <-chan struct{}) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []change
	for _, c := range w.changes {
		if c.seq > cursor {
			out = append(out, c)
		}
	}
	return out, w.next - 1, w.wake
}

type waitIn struct {
	Since          string `json:"since,omitempty" jsonschema:"the cursor a previous wait_for_jobs returned; without it, jobs that need your action now are returned at once"`
	TimeoutSeconds int    `json:"timeout_seconds,omitempty" jsonschema:"how long to wait at most (default 30)"`
}

type waitOut struct {
	Cursor   string      `json:"cursor" jsonschema:"pass it as since on the next call"`
	Changes  []JobChange `json:"changes"`
	TimedOut bool        `json:"timed_out" jsonschema:"nothing changed within the timeout"`
}

func (s *Server) waitForJobs(ctx context.Context, in waitIn) (waitOut, string, error) {
	limit := s.cfg.ToolTimeout - 5*time.Second
	timeout := time.Duration(in.TimeoutSeconds) * time.Second
	switch {
	case in.TimeoutSeconds < 0:
		return waitOut{}, "", fmt.Errorf("timeout_seconds %d is negative", in.TimeoutSeconds)
	case in.TimeoutSeconds == 0:
		timeout = 30 * time.Second
	}
	timeout = min(timeout, limit)
	if err := s.watch.start(ctx); err != nil {
		return waitOut{}, "", err
	}
	me, myAgent := s.kit.AddressString(), s.myAgentID(ctx)
	var cursor uint64
	if in.Since == "" {
		_, cur, _ := s.watch.after(^uint64(0))
		cursor = cur
		// Work waiting now: no need to wait for a change.
		pending, err := s.needingAction(ctx, me, myAgent)
		if err != nil {
			return waitOut{}, "", err
		}
		if len(pending) > 0 {
			out := waitOut{Cursor: strconv.FormatUint(cursor, 10), Changes: pending}
			return out, summarizeChanges(out), nil
		}
	} else {
		c, err := strconv.ParseUint(strings.TrimSpace(in.Since), 10, 64)
		if err != nil {
			return waitOut{}, "", fmt.Errorf("since %q is not a cursor: pass the cursor a previous wait_for_jobs returned, or nothing", in.Since)
		}
		cursor = c
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		changes, cur, wake := s.watch.after(cursor)
		if len(changes) > 0 {
			out := waitOut{Cursor: strconv.FormatUint(cur, 10), Changes: []JobChange{}}
			for _, c := range changes {
				out.Changes = append(out.Changes, s.describe(ctx, c, me, myAgent))
			}
			return out, summarizeChanges(out), nil
		}
		select {
		case <-wake:
		case <-timer.C:
			out := waitOut{Cursor: strconv.FormatUint(cur, 10), Changes: []JobChange{}, TimedOut: true}
			return out, fmt.Sprintf("no job changed within %s; call again with since=%s to keep waiting", timeout, out.Cursor), nil
		case <-ctx.Done():
			return waitOut{}, "", ctx.Err()
		}
	}
}

func (s *Server) describe(ctx context.Context, c change, me string, myAgent uint64) JobChange {
	jc := JobChange{Cursor: strconv.FormatUint(c.seq, 10), JobID: idString(c.jobID), Event: c.event, Height: c.height}
	if j, err := s.kit.Job(ctx, c.jobID); err == nil {
		v := jobView(j, me, myAgent)
		jc.Role, jc.Status, jc.NextStep = v.Role, v.Status, v.NextStep
	}
	return jc
}

// needingAction lists the jobs waiting on this agent: FUNDED and
// IN_PROGRESS ones as provider, DELIVERED ones as client.
func (s *Server) needingAction(ctx context.Context, me string, myAgent uint64) ([]JobChange, error) {
	var out []JobChange
	add := func(j markettypes.Job) {
		v := jobView(&j, me, myAgent)
		out = append(out, JobChange{JobID: v.ID, Event: "waiting", Height: j.CreatedHeight, Role: v.Role, Status: v.Status, NextStep: v.NextStep})
	}
	scan := func(seq func(func(markettypes.Job, error) bool), want ...markettypes.JobStatus) error {
		n := 0
		for j, err := range seq {
			if err != nil {
				return err
			}
			if n++; n > maxJobsScanned || len(out) >= 50 {
				break
			}
			for _, st := range want {
				if j.Status == st {
					add(j)
				}
			}
		}
		return nil
	}
	if myAgent != 0 {
		if err := scan(s.kit.ProviderJobs(ctx, myAgent), markettypes.JOB_STATUS_FUNDED, markettypes.JOB_STATUS_IN_PROGRESS); err != nil {
			return nil, err
		}
	}
	if err := scan(s.kit.ClientJobs(ctx, me), markettypes.JOB_STATUS_DELIVERED); err != nil {
		return nil, err
	}
	return out, nil
}

func summarizeChanges(out waitOut) string {
	parts := make([]string, 0, len(out.Changes))
	for i, c := range out.Changes {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("and %d more", len(out.Changes)-5))
			break
		}
		p := fmt.Sprintf("job %s %s (%s, you are the %s)", c.JobID, c.Event, c.Status, c.Role)
		if c.NextStep != "" {
			p += ": " + c.NextStep
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ") + "; cursor " + out.Cursor
}
