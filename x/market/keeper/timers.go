package keeper

import (
	"context"
	"fmt"
	"runtime/debug"

	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/keeperutil"
	"github.com/agentchain/agentchain/internal/typedevent"
	"github.com/agentchain/agentchain/x/market/types"
)

// Timers. A job's deadline is the last height at which its parties may act
// in its current state; a request's bid deadline is the first height at
// which it takes no more bids. What happens after a deadline is decided
// from those stored heights by every handler, not by the EndBlock queue:
//
//   - a handler that loads a job first applies every timer that is due
//     (loadJob), in its own transaction, and then judges the message against
//     the job as it now stands. A message about a job whose deadline passed
//     is refused with ErrDeadlinePassed and the refusal undoes the timers it
//     applied, so the stored job is unchanged; the job is exactly as it
//     would be had the queue fired on time.
//   - MsgSettleJob and MsgSettleRequest apply due timers and keep them:
//     anyone may move the coins of a due record at once.
//   - the EndBlock queue applies the same timers at the end of the block of
//     the deadline. Under a backlog it is late, but a late timer settles
//     exactly as an early one (the heights it records are the deadline's,
//     not the block's), and the job and request queries show a due record
//     as its timers leave it. So the queue is only clean-up: nothing a party
//     can do depends on when it runs (its events, and the list queries,
//     show the settlement when it happens).

// containHooksKey marks a context as EndBlock work (see withContainedHooks).
type containHooksKey struct{}

// withContainedHooks marks ctx as EndBlock work: a hook that fails there is
// contained (its writes dropped, EventHookFailed emitted) and the market
// action stands. Inside a transaction a hook's failure, out-of-gas
// included, fails the transaction, as the SDK's own hooks do.
func withContainedHooks(ctx sdk.Context) sdk.Context {
	return ctx.WithValue(containHooksKey{}, true)
}

func hooksContained(ctx sdk.Context) bool {
	v, _ := ctx.Value(containHooksKey{}).(bool)
	return v
}

// callHook runs a market hook. In a transaction its error (or panic, such
// as running out of gas) fails the transaction: no market action happens
// without the signals it owes. In EndBlock (withContainedHooks) it runs in
// its own cache context and a failure is logged and reported as
// EventHookFailed: money moves on time even if a signal cannot be written.
func (k Keeper) callHook(ctx context.Context, jobID uint64, name string, f func(h types.MarketHooks, ctx context.Context) error) error {
	h := k.holder.hooks
	if h == nil {
		return nil
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if !hooksContained(sdkCtx) {
		return f(h, ctx)
	}
	err := keeperutil.Contained(sdkCtx, func(cacheCtx sdk.Context) error {
		defer func() {
			if r := recover(); r != nil {
				// The stack goes to this node's log only; Contained turns the
				// panic into an error that every node words alike.
				k.logger.Error("market hook panicked", "hook", name, "job", jobID, "stack", string(debug.Stack()))
				panic(r)
			}
		}()
		return f(h, cacheCtx)
	})
	if err != nil {
		k.logger.Error("market hook failed", "hook", name, "job", jobID, "err", err)
		return typedevent.Emit(sdkCtx, &types.EventHookFailed{JobId: jobID, Hook: name, Error: err.Error()})
	}
	return nil
}

// fireTimer applies the timer of the job's current state as of height at
// (its deadline, or later when timers chain):
//
//	FUNDED      → CANCELLED (never accepted: full refund)
//	IN_PROGRESS → EXPIRED   (deliver_by passed: the unpaid rest refunded)
//	DELIVERED   → the milestone is paid (a silent client cannot hold back pay)
//	DISPUTED    → RESOLVED  (the default split, no arbiter fee)
func (k Keeper) fireTimer(ctx context.Context, j *types.Job, params types.Params, at int64) error {
	switch j.Status {
	case types.JOB_STATUS_FUNDED:
		return k.cancel(ctx, j, "accept-timeout", at)
	case types.JOB_STATUS_IN_PROGRESS:
		return k.expire(ctx, j, at)
	case types.JOB_STATUS_DELIVERED:
		return k.payMilestone(ctx, j, params, true, at)
	case types.JOB_STATUS_DISPUTED:
		return k.resolve(ctx, j, params, params.DefaultProviderShareBps, nil, "timeout", at)
	default:
		return errorsmod.Wrapf(types.ErrNothingDue, "job %d is %s", j.Id, j.Status)
	}
}

// settleDue applies every timer of the job whose deadline is below limit
// (the current height for a handler; the height after it in EndBlock). A
// paid milestone may leave the job IN_PROGRESS with deliver_by already
// behind: the loop runs at most once per milestone plus one, so its work is
// bounded by max_milestones. It returns the first deadline that passed (0
// if none).
func (k Keeper) settleDue(ctx context.Context, j *types.Job, params types.Params, limit int64) (int64, error) {
	first, at := int64(0), int64(0)
	for steps := 0; j.Deadline != 0 && j.Deadline < limit; steps++ {
		if steps > len(j.Milestones)+1 {
			return first, fmt.Errorf("job %d: timers do not settle", j.Id)
		}
		if first == 0 {
			first = j.Deadline
		}
		at = max(at, j.Deadline)
		if err := k.fireTimer(ctx, j, params, at); err != nil {
			return first, err
		}
	}
	return first, nil
}

// loadJob returns a job as it stands at the current height: every timer
// that is due has been applied in ctx. passed is the deadline that passed
// (0 if none was due).
func (k Keeper) loadJob(ctx context.Context, id uint64) (j types.Job, passed int64, err error) {
	j, err = k.GetJob(ctx, id)
	if err != nil {
		return j, 0, err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if j.Deadline == 0 || j.Deadline >= height {
		return j, 0, nil
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return j, 0, err
	}
	passed, err = k.settleDue(ctx, &j, params, height)
	return j, passed, err
}

// LoadJob returns a job as it stands at the current height, with every due
// timer applied in ctx (for x/reputation, which rates jobs that a passed
// review window completed). Its writes persist only if ctx's do.
func (k Keeper) LoadJob(ctx context.Context, id uint64) (types.Job, error) {
	j, _, err := k.loadJob(ctx, id)
	return j, err
}

// deadlinePassed is the refusal of a message about a job whose deadline
// passed before the message's block.
func deadlinePassed(j types.Job, passed int64) error {
	return errorsmod.Wrapf(types.ErrDeadlinePassed, "job %d's deadline was height %d; its timer applies and it is now %s", j.Id, passed, j.Status)
}

// requestDue reports whether an open request's bid deadline has come.
func requestDue(r types.Request, height int64) bool {
	return r.Status == types.REQUEST_STATUS_OPEN && r.BidDeadline <= height
}

// SettleJob implements types.MsgServer.
func (m msgServer) SettleJob(ctx context.Context, msg *types.MsgSettleJob) (*types.MsgSettleJobResponse, error) {
	k := m.k
	if _, err := k.parseAddr("signer", msg.Signer); err != nil {
		return nil, err
	}
	j, passed, err := k.loadJob(ctx, msg.JobId)
	if err != nil {
		return nil, err
	}
	if passed == 0 {
		if j.Status.IsFinal() {
			return nil, errorsmod.Wrapf(types.ErrNothingDue, "job %d is %s", j.Id, j.Status)
		}
		return nil, errorsmod.Wrapf(types.ErrNothingDue, "job %d is %s until height %d", j.Id, j.Status, j.Deadline)
	}
	return &types.MsgSettleJobResponse{Status: j.Status}, nil
}

// SettleRequest implements types.MsgServer.
func (m msgServer) SettleRequest(ctx context.Context, msg *types.MsgSettleRequest) (*types.MsgSettleRequestResponse, error) {
	k := m.k
	if _, err := k.parseAddr("signer", msg.Signer); err != nil {
		return nil, err
	}
	r, err := k.GetRequest(ctx, msg.RequestId)
	if err != nil {
		return nil, err
	}
	if r.Status != types.REQUEST_STATUS_OPEN {
		return nil, errorsmod.Wrapf(types.ErrNothingDue, "request %d is %s", r.Id, r.Status)
	}
	if height := sdk.UnwrapSDKContext(ctx).BlockHeight(); !requestDue(r, height) {
		return nil, errorsmod.Wrapf(types.ErrNothingDue, "request %d takes bids until height %d", r.Id, r.BidDeadline-1)
	}
	if err := k.closeRequest(ctx, &r, types.REQUEST_STATUS_EXPIRED); err != nil {
		return nil, err
	}
	return &types.MsgSettleRequestResponse{}, nil
}

// jobAsOfNow returns a job as it stands at the query's height: its due
// timers are applied in a throw-away branch of the state, so a query shows
// what every handler would act on, whether or not the EndBlock queue got
// to it. If applying them fails, the stored job is returned.
func (k Keeper) jobAsOfNow(ctx context.Context, j types.Job) types.Job {
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if j.Deadline == 0 || j.Deadline >= sdkCtx.BlockHeight() {
		return j
	}
	branch, _ := sdkCtx.CacheContext()
	params, err := k.Params.Get(branch)
	if err != nil {
		return j
	}
	view := j
	if _, err := k.settleDue(withContainedHooks(branch), &view, params, sdkCtx.BlockHeight()); err != nil {
		return j
	}
	return view
}
