package agentkit

import (
	"context"
	"errors"
	"fmt"

	"github.com/cosmos/gogoproto/proto"

	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// Work does a milestone of a job: it returns the result's content (its
// sha256 goes on chain) and a URI where the client can fetch it.
type Work func(ctx context.Context, job *markettypes.Job, milestone uint32) (resultURI string, result []byte, err error)

// ServeOptions tune a provider agent's loop.
type ServeOptions struct {
	// FromHeight replays the agent's job events from this height (0: from
	// now); jobs already waiting on the agent are picked up either way.
	FromHeight int64
	// Accept decides whether to take a funded job; nil takes every job.
	// A job not taken is declined, and its client refunded.
	Accept func(job *markettypes.Job) bool
	// OnEvent hears every event of the agent's jobs (for logs).
	OnEvent func(Event)
	// OnError hears work that failed and connection trouble; the loop goes
	// on. A job whose work fails stays with the agent until its deadline.
	OnError func(error)
	// MaxJobs ends Serve after this many of the agent's jobs completed
	// while it ran (0: until ctx is done).
	MaxJobs int
	// RateClient, if set, rates the client of each job that completes while
	// Serve runs, when that client hired as an agent (only agents have a
	// reputation): it returns the score (0-100), or false to leave the job
	// unrated. Failures go to OnError.
	RateClient func(job *markettypes.Job) (score uint32, rate bool)
}

// Serve runs a provider agent: it accepts the jobs funded for agentID, does
// each milestone with work and delivers it, until ctx is done (or MaxJobs
// jobs completed). It first takes up the jobs already waiting on the agent
// (funded, or in progress with a milestone to deliver), then follows the
// agent's job events over the websocket.
func (c *Client) Serve(ctx context.Context, agentID uint64, opts ServeOptions, work Work) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	onErr := func(err error) {
		if opts.OnError != nil {
			opts.OnError(err)
		}
	}
	if opts.FromHeight <= 0 {
		// From the current height: the scan below then misses nothing.
		h, err := c.Height(ctx)
		if err != nil {
			return err
		}
		opts.FromHeight = h
	}
	sub, err := c.Subscribe(ctx, JobsOfProvider(agentID), SubscribeOptions{FromHeight: opts.FromHeight, OnError: onErr})
	if err != nil {
		return err
	}
	defer sub.Close()

	// Jobs that were waiting before the subscription: every job of the
	// agent, newest first, page by page.
	for job, err := range c.ProviderJobs(ctx, agentID) {
		if err != nil {
			return err
		}
		if err := c.step(ctx, &job, opts, work); err != nil {
			onErr(err)
		}
	}

	completed := 0
	for e := range sub.Events() {
		if opts.OnEvent != nil {
			opts.OnEvent(e)
		}
		jobID, ok := e.Uint64("job_id")
		if !ok {
			continue
		}
		switch e.Type {
		case proto.MessageName(&markettypes.EventJobCompleted{}):
			if opts.RateClient != nil {
				if err := c.rateClient(ctx, jobID, opts.RateClient); err != nil {
					onErr(err)
				}
			}
			completed++
			if opts.MaxJobs > 0 && completed >= opts.MaxJobs {
				return nil
			}
			continue
		case proto.MessageName(&markettypes.EventJobFunded{}), proto.MessageName(&markettypes.EventMilestonePaid{}):
		default:
			continue
		}
		job, err := c.Job(ctx, jobID)
		if err != nil {
			onErr(err)
			continue
		}
		if err := c.step(ctx, job, opts, work); err != nil {
			onErr(err)
		}
	}
	return ctx.Err()
}

// rateClient rates the client agent of a completed job, if decide says so.
func (c *Client) rateClient(ctx context.Context, jobID uint64, decide func(*markettypes.Job) (uint32, bool)) error {
	job, err := c.Job(ctx, jobID)
	if err != nil {
		return err
	}
	if job.ClientAgent == 0 {
		return nil
	}
	score, ok := decide(job)
	if !ok {
		return nil
	}
	if _, err := c.Rate(ctx, jobID, score); err != nil {
		return fmt.Errorf("rate the client of job %d: %w", jobID, err)
	}
	return nil
}

// step moves a job of the agent forward: accept a funded job, deliver the
// next milestone of one in progress. Anything else waits on the client.
func (c *Client) step(ctx context.Context, job *markettypes.Job, opts ServeOptions, work Work) error {
	switch job.Status {
	case markettypes.JOB_STATUS_FUNDED:
		if opts.Accept != nil && !opts.Accept(job) {
			if _, err := c.DeclineJob(ctx, job.Id); err != nil {
				return fmt.Errorf("decline job %d: %w", job.Id, err)
			}
			return nil
		}
		if _, err := c.AcceptJob(ctx, job.Id); err != nil {
			if errors.Is(err, markettypes.ErrWrongStatus) {
				return nil // already moved on (a replayed event)
			}
			return fmt.Errorf("accept job %d: %w", job.Id, err)
		}
	case markettypes.JOB_STATUS_IN_PROGRESS:
	default:
		return nil
	}
	m := job.NextMilestone
	uri, result, err := work(ctx, job, m)
	if err != nil {
		return fmt.Errorf("work on job %d milestone %d: %w", job.Id, m, err)
	}
	if _, err := c.Deliver(ctx, job.Id, m, uri, result); err != nil {
		if errors.Is(err, markettypes.ErrWrongStatus) || errors.Is(err, markettypes.ErrMilestoneOutOfOrder) {
			return nil // delivered already
		}
		return fmt.Errorf("deliver job %d milestone %d: %w", job.Id, m, err)
	}
	return nil
}

// AwaitJob waits until a job satisfies done and returns it. It follows the
// job's events from the current height and reads the job again after each.
func (c *Client) AwaitJob(ctx context.Context, jobID uint64, done func(*markettypes.Job) bool) (*markettypes.Job, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// Events from this height on are delivered, read back if need be; the
	// job is read after it, so no change can fall in between.
	fromHeight, err := c.Height(ctx)
	if err != nil {
		return nil, err
	}
	sub, err := c.Subscribe(ctx, Filter{Types: jobEventTypes, Attrs: map[string]string{"job_id": Quote(jobID)}}, SubscribeOptions{FromHeight: fromHeight})
	if err != nil {
		return nil, err
	}
	defer sub.Close()
	job, err := c.Job(ctx, jobID)
	if err != nil {
		return nil, err
	}
	if done(job) {
		return job, nil
	}
	for range sub.Events() {
		if job, err = c.Job(ctx, jobID); err != nil {
			return nil, err
		}
		if done(job) {
			return job, nil
		}
	}
	return nil, ctx.Err()
}

// Delivered is an AwaitJob condition: milestone m was delivered (or the
// job went past it, or ended).
func Delivered(m uint32) func(*markettypes.Job) bool {
	return func(j *markettypes.Job) bool {
		if int(m) < len(j.Milestones) && j.Milestones[m].DeliveredHeight > 0 {
			return true
		}
		return Settled(j)
	}
}

// Settled is an AwaitJob condition: the job reached a final status.
func Settled(j *markettypes.Job) bool {
	switch j.Status {
	case markettypes.JOB_STATUS_COMPLETED, markettypes.JOB_STATUS_CANCELLED,
		markettypes.JOB_STATUS_EXPIRED, markettypes.JOB_STATUS_RESOLVED:
		return true
	}
	return false
}
