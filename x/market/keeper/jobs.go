package keeper

import (
	"context"
	"fmt"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/typedevent"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"

	"github.com/agentchain/agentchain/x/market/types"
)

// jobState is what a transition may change of a stored job that its queue
// entry and its indexes hang on: the deadline and the status. (The other
// indexed fields, client, provider, parent and client agent, are fixed when
// the job is made; the market/job-indexes invariant checks every index.)
type jobState struct {
	deadline int64
	status   types.JobStatus
	// stored: the job exists in the store (false for a job being made).
	stored bool
}

// stateOf captures a stored job's state before a transition changes it.
func stateOf(j *types.Job) jobState {
	return jobState{deadline: j.Deadline, status: j.Status, stored: true}
}

// saveJob writes a job and moves its queue entry to its current deadline
// (none in a final state), so the queue only holds jobs that wait on it.
// The indexes move from was without reading the stored job back.
func (k Keeper) saveJob(ctx context.Context, j *types.Job, was jobState) error {
	if j.Status.IsFinal() {
		j.Deadline = 0
	}
	if was.deadline != j.Deadline {
		if was.deadline != 0 {
			if err := k.JobQueue.Remove(ctx, collections.Join(was.deadline, j.Id)); err != nil {
				return err
			}
		}
		if j.Deadline != 0 {
			if err := k.JobQueue.Set(ctx, collections.Join(j.Deadline, j.Id)); err != nil {
				return err
			}
		}
	}
	if j.Status.IsFinal() && (!was.stored || !was.status.IsFinal()) {
		// Settled: it waits for its retention window (prune.go).
		if err := k.PruneQueue.Set(ctx, collections.Join(j.SettledHeight, j.Id)); err != nil {
			return err
		}
	}
	if !was.stored {
		return k.Jobs.Insert(ctx, j.Id, *j)
	}
	old := *j
	old.Status = was.status
	return k.Jobs.Update(ctx, j.Id, old, *j)
}

// newJob creates a FUNDED job whose price is already in escrow escrowID,
// and queues its acceptance deadline.
func (k Keeper) newJob(ctx context.Context, j types.Job, params types.Params) error {
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	j.Status = types.JOB_STATUS_FUNDED
	j.CreatedHeight = height
	j.ProviderPaid, j.TakePaid, j.ArbiterFeePaid, j.ClientRefunded = sdk.NewCoins(), sdk.NewCoins(), sdk.NewCoins(), sdk.NewCoins()
	// A provider that never accepts gives the client its money back: at
	// the acceptance window's end, or at deliver_by if that comes first.
	j.Deadline = min(height+params.AcceptWindowBlocks, j.DeliverBy)
	if err := k.saveJob(ctx, &j, jobState{}); err != nil {
		return err
	}
	if err := typedevent.Emit(ctx, &types.EventJobFunded{
		JobId: j.Id, Client: j.Client, Provider: j.Provider, ListingId: j.ListingId, RequestId: j.RequestId,
		Price: j.Price, EscrowId: j.EscrowId, DeliverBy: j.DeliverBy, ParentJobId: j.ParentJobId,
	}); err != nil {
		return err
	}
	return nil
}

// refundRest returns what the job's escrow still holds to the client.
func (k Keeper) refundRest(ctx context.Context, j *types.Job) (sdk.Coins, error) {
	rest := j.Remaining()
	if rest.IsZero() {
		return sdk.NewCoins(), nil
	}
	amount := sdk.NewCoins(rest)
	if err := k.escrow.Refund(ctx, types.ModuleName, j.EscrowId, amount); err != nil {
		return nil, err
	}
	j.ClientRefunded = j.ClientRefunded.Add(amount...)
	// Every unpaid milestone is settled by the refund.
	j.NextMilestone = uint32(len(j.Milestones))
	return amount, nil
}

// cancel ends a FUNDED job with a full refund, as of height at.
func (k Keeper) cancel(ctx context.Context, j *types.Job, cause string, at int64) error {
	old := stateOf(j)
	refund, err := k.refundRest(ctx, j)
	if err != nil {
		return err
	}
	j.Status = types.JOB_STATUS_CANCELLED
	j.SettledHeight = at
	if err := k.saveJob(ctx, j, old); err != nil {
		return err
	}
	if err := typedevent.Emit(ctx, &types.EventJobCancelled{JobId: j.Id, Client: j.Client, Provider: j.Provider, Cause: cause, Refund: refund}); err != nil {
		return err
	}
	job := *j
	return k.callHook(ctx, j.Id, "AfterJobCancelled", func(h types.MarketHooks, ctx context.Context) error { return h.AfterJobCancelled(ctx, job) })
}

// expire ends an accepted job whose deliver_by passed, as of height at:
// what is unpaid goes back to the client; milestones already paid stay paid.
func (k Keeper) expire(ctx context.Context, j *types.Job, at int64) error {
	old := stateOf(j)
	refund, err := k.refundRest(ctx, j)
	if err != nil {
		return err
	}
	j.Status = types.JOB_STATUS_EXPIRED
	j.SettledHeight = at
	if err := k.saveJob(ctx, j, old); err != nil {
		return err
	}
	if err := typedevent.Emit(ctx, &types.EventJobExpired{JobId: j.Id, Client: j.Client, Provider: j.Provider, Refund: refund}); err != nil {
		return err
	}
	job := *j
	return k.callHook(ctx, j.Id, "AfterJobExpired", func(h types.MarketHooks, ctx context.Context) error { return h.AfterJobExpired(ctx, job) })
}

// payMilestone releases the delivered milestone as of height at: the take
// (rounded up) to the fee collector, the rest to the provider. The last one
// completes the job; otherwise work goes on toward the next, until
// deliver_by.
func (k Keeper) payMilestone(ctx context.Context, j *types.Job, params types.Params, byTimeout bool, at int64) error {
	old := stateOf(j)
	idx := j.NextMilestone
	provider, take := types.Take(j.Milestones[idx].Amount, params.TakeRateBps)
	var extra []escrowtypes.Payment
	if take.IsPositive() {
		extra = append(extra, escrowtypes.Payment{Module: k.feeCollector, Amount: sdk.NewCoins(take)})
	}
	if err := k.escrow.Release(ctx, types.ModuleName, j.EscrowId, sdk.NewCoins(provider), extra...); err != nil {
		return err
	}
	j.ProviderPaid = j.ProviderPaid.Add(provider)
	j.TakePaid = j.TakePaid.Add(take)
	j.Milestones[idx].CompletedHeight = at
	j.NextMilestone++
	done := int(j.NextMilestone) == len(j.Milestones)
	if done {
		j.Status = types.JOB_STATUS_COMPLETED
		j.SettledHeight = at
	} else {
		j.Status = types.JOB_STATUS_IN_PROGRESS
		j.Deadline = j.DeliverBy
	}
	if err := k.saveJob(ctx, j, old); err != nil {
		return err
	}
	if err := typedevent.Emit(ctx, &types.EventMilestonePaid{
		JobId: j.Id, Client: j.Client, Provider: j.Provider, Milestone: idx,
		ProviderAmount: sdk.NewCoins(provider), Take: sdk.NewCoins(take), ByTimeout: byTimeout,
	}); err != nil {
		return err
	}
	if done {
		if err := typedevent.Emit(ctx, &types.EventJobCompleted{JobId: j.Id, Client: j.Client, Provider: j.Provider, ProviderPaid: j.ProviderPaid, TakePaid: j.TakePaid}); err != nil {
			return err
		}
		job := *j
		return k.callHook(ctx, j.Id, "AfterJobSettled", func(h types.MarketHooks, ctx context.Context) error { return h.AfterJobSettled(ctx, job) })
	}
	return nil
}

// resolve splits what remains of a disputed job as of height at: the
// arbiter's fee first (only when the arbiter itself rules), the provider's
// share of the rest minus the take, and the remainder back to the client.
func (k Keeper) resolve(ctx context.Context, j *types.Job, params types.Params, shareBps uint32, arbiter sdk.AccAddress, resolvedBy string, at int64) error {
	old := stateOf(j)
	feeBps := uint32(0)
	if arbiter != nil {
		feeBps = params.ArbiterFeeBps
	}
	split := types.SplitDispute(j.Remaining(), shareBps, feeBps, params.TakeRateBps)
	var extra []escrowtypes.Payment
	if split.Take.IsPositive() {
		extra = append(extra, escrowtypes.Payment{Module: k.feeCollector, Amount: sdk.NewCoins(split.Take)})
	}
	if split.ArbiterFee.IsPositive() {
		extra = append(extra, escrowtypes.Payment{Recipient: arbiter, Amount: sdk.NewCoins(split.ArbiterFee)})
	}
	if err := k.escrow.Release(ctx, types.ModuleName, j.EscrowId, sdk.NewCoins(split.Provider), extra...); err != nil {
		return err
	}
	if split.Refund.IsPositive() {
		if err := k.escrow.Refund(ctx, types.ModuleName, j.EscrowId, sdk.NewCoins(split.Refund)); err != nil {
			return err
		}
	}
	j.ProviderPaid = j.ProviderPaid.Add(split.Provider)
	j.TakePaid = j.TakePaid.Add(split.Take)
	j.ArbiterFeePaid = j.ArbiterFeePaid.Add(split.ArbiterFee)
	j.ClientRefunded = j.ClientRefunded.Add(split.Refund)
	j.NextMilestone = uint32(len(j.Milestones))
	j.Status = types.JOB_STATUS_RESOLVED
	j.ProviderShareBps = shareBps
	j.SettledHeight = at
	if err := k.saveJob(ctx, j, old); err != nil {
		return err
	}
	if err := typedevent.Emit(ctx, &types.EventJobResolved{
		JobId: j.Id, Client: j.Client, Provider: j.Provider, ProviderShareBps: shareBps,
		ProviderAmount: sdk.NewCoins(split.Provider), Take: sdk.NewCoins(split.Take),
		ArbiterFee: sdk.NewCoins(split.ArbiterFee), Refund: sdk.NewCoins(split.Refund), ResolvedBy: resolvedBy,
	}); err != nil {
		return err
	}
	job := *j
	if err := k.callHook(ctx, j.Id, "AfterDisputeResolved", func(h types.MarketHooks, ctx context.Context) error {
		return h.AfterDisputeResolved(ctx, job, shareBps)
	}); err != nil {
		return err
	}
	return k.callHook(ctx, j.Id, "AfterJobSettled", func(h types.MarketHooks, ctx context.Context) error { return h.AfterJobSettled(ctx, job) })
}

// Hire implements types.MsgServer.
func (m msgServer) Hire(ctx context.Context, msg *types.MsgHire) (*types.MsgHireResponse, error) {
	k := m.k
	client, err := k.parseAddr("client", msg.Client)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateURI("spec_uri", msg.SpecUri, false); err != nil {
		return nil, err
	}
	if err := types.ValidateHash("spec_hash", msg.SpecHash); err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	l, err := k.GetListing(ctx, msg.ListingId)
	if err != nil {
		return nil, err
	}
	if l.Billing != types.LISTING_BILLING_PER_JOB {
		return nil, errorsmod.Wrapf(types.ErrWrongBilling, "listing %d is a subscription (priced per block): subscribe to it", l.Id)
	}
	if l.Status != types.LISTING_STATUS_ACTIVE {
		return nil, errorsmod.Wrapf(types.ErrWrongStatus, "listing %d is %s", l.Id, l.Status)
	}
	if msg.MaxPrice != nil {
		if err := msg.MaxPrice.Validate(); err != nil {
			return nil, errorsmod.Wrapf(types.ErrInvalidPrice, "max_price %s: %s", msg.MaxPrice, err)
		}
		if msg.MaxPrice.Denom != l.Price.Denom || l.Price.Amount.GT(msg.MaxPrice.Amount) {
			return nil, errorsmod.Wrapf(types.ErrPriceAboveMax, "listing %d costs %s; the hire allows at most %s", l.Id, l.Price, msg.MaxPrice)
		}
	}
	milestones, err := types.BuildMilestones(msg.Milestones, l.Price, params.MaxMilestones)
	if err != nil {
		return nil, err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if msg.DeliverBy <= height || msg.DeliverBy > height+l.MaxDurationBlocks {
		return nil, errorsmod.Wrapf(types.ErrInvalidDeadline, "deliver_by %d must be after %d and at most %d (the listing's max duration)", msg.DeliverBy, height, height+l.MaxDurationBlocks)
	}
	provider, err := k.getAgent(ctx, l.Provider)
	if err != nil {
		return nil, err
	}
	if err := requireActive(provider); err != nil {
		return nil, err
	}

	// The client agent: the parent job's provider when subcontracting,
	// otherwise the agent whose key signs, if any.
	var clientAgent uint64
	if msg.ParentJobId != 0 {
		parent, passed, err := k.loadJob(ctx, msg.ParentJobId)
		if err != nil {
			return nil, err
		}
		parentProvider, err := k.getAgent(ctx, parent.Provider)
		if err != nil {
			return nil, err
		}
		if !speaksFor(parentProvider, client) {
			return nil, errorsmod.Wrapf(types.ErrNotParentProvider, "job %d's provider is agent %d; %s does not speak for it", parent.Id, parent.Provider, client)
		}
		if passed != 0 {
			return nil, deadlinePassed(parent, passed)
		}
		if parent.StreamId != 0 {
			return nil, errorsmod.Wrapf(types.ErrIsSubscription, "parent job %d is a subscription; subcontract under a job", parent.Id)
		}
		if parent.Status != types.JOB_STATUS_IN_PROGRESS {
			return nil, errorsmod.Wrapf(types.ErrWrongStatus, "parent job %d is %s; subcontract while it is in progress", parent.Id, parent.Status)
		}
		clientAgent = parent.Provider
	} else if clientAgent, err = k.clientAgent(ctx, client); err != nil {
		return nil, err
	}
	if err := k.checkMinScore(ctx, "the client", clientAgent, l.MinClientScore); err != nil {
		return nil, err
	}
	payout, err := k.parseAddr("provider payout", provider.Payout())
	if err != nil {
		return nil, err
	}
	self, err := k.selfDealing(ctx, client, clientAgent, provider)
	if err != nil {
		return nil, err
	}
	arbiter := l.Arbiter
	if arbiter == "" {
		arbiter = params.DefaultArbiter
	}
	if err := checkArbiterNotParty(arbiter, client, provider); err != nil {
		return nil, err
	}
	id, err := peekID(ctx, k.JobSeq)
	if err != nil {
		return nil, err
	}
	escrowID, err := k.escrow.Lock(ctx, types.ModuleName, client, payout, sdk.NewCoins(l.Price), fmt.Sprintf("market/job/%d", id))
	if err != nil {
		return nil, escrowRefused(err)
	}
	if err := takeID(ctx, k.JobSeq, id); err != nil {
		return nil, err
	}
	if err := k.newJob(ctx, types.Job{
		Id: id, Client: client.String(), ClientAgent: clientAgent, Provider: provider.Id,
		ProviderPayout: payout.String(), ListingId: l.Id, SpecUri: msg.SpecUri, SpecHash: msg.SpecHash,
		Price: l.Price, EscrowId: escrowID, DeliverBy: msg.DeliverBy, ReviewWindowBlocks: l.ReviewWindowBlocks,
		Arbiter: arbiter, ParentJobId: msg.ParentJobId, Milestones: milestones, SelfDealing: self,
	}, params); err != nil {
		return nil, err
	}
	return &types.MsgHireResponse{JobId: id}, nil
}

// providerJob loads a job, as it stands now, that signer may move as its
// provider; a job whose deadline passed is refused.
func (k Keeper) providerJob(ctx context.Context, jobID uint64, signer string) (types.Job, error) {
	addr, err := k.parseAddr("signer", signer)
	if err != nil {
		return types.Job{}, err
	}
	j, passed, err := k.loadJob(ctx, jobID)
	if err != nil {
		return j, err
	}
	if j.StreamId != 0 {
		return j, errorsmod.Wrapf(types.ErrIsSubscription, "job %d", j.Id)
	}
	a, err := k.getAgent(ctx, j.Provider)
	if err != nil {
		return j, err
	}
	if !speaksFor(a, addr) {
		return j, errorsmod.Wrapf(types.ErrUnauthorized, "%s is neither the owner nor the agent key of job %d's provider (agent %d)", signer, j.Id, j.Provider)
	}
	if passed != 0 {
		return j, deadlinePassed(j, passed)
	}
	return j, nil
}

// clientJob loads a job, as it stands now, that signer may move as its
// client; a job whose deadline passed is refused.
func (k Keeper) clientJob(ctx context.Context, jobID uint64, signer string) (types.Job, error) {
	if _, err := k.parseAddr("client", signer); err != nil {
		return types.Job{}, err
	}
	j, passed, err := k.loadJob(ctx, jobID)
	if err != nil {
		return j, err
	}
	if j.StreamId != 0 {
		return j, errorsmod.Wrapf(types.ErrIsSubscription, "job %d", j.Id)
	}
	if j.Client != signer {
		return j, errorsmod.Wrapf(types.ErrUnauthorized, "job %d's client is %s, not %s", j.Id, j.Client, signer)
	}
	if passed != 0 {
		return j, deadlinePassed(j, passed)
	}
	return j, nil
}

func wrongStatus(j types.Job, want types.JobStatus) error {
	return errorsmod.Wrapf(types.ErrWrongStatus, "job %d is %s, not %s", j.Id, j.Status, want)
}

// AcceptJob implements types.MsgServer.
func (m msgServer) AcceptJob(ctx context.Context, msg *types.MsgAcceptJob) (*types.MsgAcceptJobResponse, error) {
	k := m.k
	j, err := k.providerJob(ctx, msg.JobId, msg.Signer)
	if err != nil {
		return nil, err
	}
	if j.Status != types.JOB_STATUS_FUNDED {
		return nil, wrongStatus(j, types.JOB_STATUS_FUNDED)
	}
	provider, err := k.getAgent(ctx, j.Provider)
	if err != nil {
		return nil, err
	}
	if err := requireActive(provider); err != nil {
		return nil, err
	}
	old := stateOf(&j)
	j.Status = types.JOB_STATUS_IN_PROGRESS
	j.AcceptedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	j.Deadline = j.DeliverBy
	if err := k.saveJob(ctx, &j, old); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventJobAccepted{JobId: j.Id, Client: j.Client, Provider: j.Provider}); err != nil {
		return nil, err
	}
	return &types.MsgAcceptJobResponse{}, nil
}

// DeclineJob implements types.MsgServer.
func (m msgServer) DeclineJob(ctx context.Context, msg *types.MsgDeclineJob) (*types.MsgDeclineJobResponse, error) {
	j, err := m.k.providerJob(ctx, msg.JobId, msg.Signer)
	if err != nil {
		return nil, err
	}
	if j.Status != types.JOB_STATUS_FUNDED {
		return nil, wrongStatus(j, types.JOB_STATUS_FUNDED)
	}
	if err := m.k.cancel(ctx, &j, "declined", sdk.UnwrapSDKContext(ctx).BlockHeight()); err != nil {
		return nil, err
	}
	return &types.MsgDeclineJobResponse{}, nil
}

// CancelJob implements types.MsgServer.
func (m msgServer) CancelJob(ctx context.Context, msg *types.MsgCancelJob) (*types.MsgCancelJobResponse, error) {
	j, err := m.k.clientJob(ctx, msg.JobId, msg.Client)
	if err != nil {
		return nil, err
	}
	if j.Status != types.JOB_STATUS_FUNDED {
		return nil, wrongStatus(j, types.JOB_STATUS_FUNDED)
	}
	if err := m.k.cancel(ctx, &j, "withdrawn", sdk.UnwrapSDKContext(ctx).BlockHeight()); err != nil {
		return nil, err
	}
	return &types.MsgCancelJobResponse{}, nil
}

// Deliver implements types.MsgServer. A suspended provider may still
// deliver: its open jobs settle. A delivery after deliver_by finds the job
// expired (providerJob refuses it).
func (m msgServer) Deliver(ctx context.Context, msg *types.MsgDeliver) (*types.MsgDeliverResponse, error) {
	k := m.k
	if err := types.ValidateURI("result_uri", msg.ResultUri, false); err != nil {
		return nil, err
	}
	if err := types.ValidateHash("result_hash", msg.ResultHash); err != nil {
		return nil, err
	}
	j, err := k.providerJob(ctx, msg.JobId, msg.Signer)
	if err != nil {
		return nil, err
	}
	if j.Status != types.JOB_STATUS_IN_PROGRESS {
		return nil, wrongStatus(j, types.JOB_STATUS_IN_PROGRESS)
	}
	if msg.Milestone != j.NextMilestone {
		return nil, errorsmod.Wrapf(types.ErrMilestoneOutOfOrder, "job %d expects milestone %d, got %d", j.Id, j.NextMilestone, msg.Milestone)
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	old := stateOf(&j)
	ms := &j.Milestones[msg.Milestone]
	ms.ResultUri, ms.ResultHash, ms.DeliveredHeight = msg.ResultUri, msg.ResultHash, height
	j.Status = types.JOB_STATUS_DELIVERED
	j.Deadline = height + j.ReviewWindowBlocks
	if err := k.saveJob(ctx, &j, old); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventJobDelivered{
		JobId: j.Id, Client: j.Client, Provider: j.Provider, Milestone: msg.Milestone,
		ResultUri: msg.ResultUri, ReviewDeadline: j.Deadline,
	}); err != nil {
		return nil, err
	}
	job := j
	if err := k.callHook(ctx, j.Id, "AfterJobDelivered", func(h types.MarketHooks, ctx context.Context) error {
		return h.AfterJobDelivered(ctx, job, msg.Milestone, height <= job.DeliverBy)
	}); err != nil {
		return nil, err
	}
	return &types.MsgDeliverResponse{}, nil
}

// Complete implements types.MsgServer.
func (m msgServer) Complete(ctx context.Context, msg *types.MsgComplete) (*types.MsgCompleteResponse, error) {
	k := m.k
	j, err := k.clientJob(ctx, msg.JobId, msg.Client)
	if err != nil {
		return nil, err
	}
	if j.Status != types.JOB_STATUS_DELIVERED {
		return nil, wrongStatus(j, types.JOB_STATUS_DELIVERED)
	}
	if msg.Milestone != j.NextMilestone {
		return nil, errorsmod.Wrapf(types.ErrMilestoneOutOfOrder, "job %d's delivered milestone is %d, got %d", j.Id, j.NextMilestone, msg.Milestone)
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := k.payMilestone(ctx, &j, params, false, sdk.UnwrapSDKContext(ctx).BlockHeight()); err != nil {
		return nil, err
	}
	return &types.MsgCompleteResponse{}, nil
}

// Reject implements types.MsgServer. A rejection after the review window
// finds the milestone already paid (clientJob refuses it).
func (m msgServer) Reject(ctx context.Context, msg *types.MsgReject) (*types.MsgRejectResponse, error) {
	k := m.k
	if _, ok := types.RejectReason_name[int32(msg.Reason)]; !ok || msg.Reason == types.REJECT_REASON_UNSPECIFIED {
		return nil, errorsmod.Wrapf(types.ErrInvalidReason, "%d", msg.Reason)
	}
	if err := types.ValidateHash("evidence_hash", msg.EvidenceHash); err != nil {
		return nil, err
	}
	j, err := k.clientJob(ctx, msg.JobId, msg.Client)
	if err != nil {
		return nil, err
	}
	if j.Status != types.JOB_STATUS_DELIVERED {
		return nil, wrongStatus(j, types.JOB_STATUS_DELIVERED)
	}
	if msg.Milestone != j.NextMilestone {
		return nil, errorsmod.Wrapf(types.ErrMilestoneOutOfOrder, "job %d's delivered milestone is %d, got %d", j.Id, j.NextMilestone, msg.Milestone)
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	old := stateOf(&j)
	j.Status = types.JOB_STATUS_DISPUTED
	j.Rejection = &types.Rejection{Reason: msg.Reason, EvidenceHash: msg.EvidenceHash, Height: height}
	j.Deadline = height + params.DisputeTimeoutBlocks
	if err := k.saveJob(ctx, &j, old); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventJobDisputed{
		JobId: j.Id, Client: j.Client, Provider: j.Provider, Milestone: msg.Milestone,
		Reason: msg.Reason, Arbiter: j.Arbiter, DisputeDeadline: j.Deadline,
	}); err != nil {
		return nil, err
	}
	job := j
	if err := k.callHook(ctx, j.Id, "AfterDisputeOpened", func(h types.MarketHooks, ctx context.Context) error { return h.AfterDisputeOpened(ctx, job) }); err != nil {
		return nil, err
	}
	return &types.MsgRejectResponse{}, nil
}

// Resolve implements types.MsgServer: the job's arbiter rules and earns its
// fee; the gov authority may rule on any dispute, for no fee. A ruling
// after the dispute timeout finds the default split applied.
func (m msgServer) Resolve(ctx context.Context, msg *types.MsgResolve) (*types.MsgResolveResponse, error) {
	k := m.k
	signer, err := k.parseAddr("signer", msg.Signer)
	if err != nil {
		return nil, err
	}
	if msg.ProviderShareBps > types.BasisPoints {
		return nil, errorsmod.Wrapf(types.ErrInvalidShare, "%d", msg.ProviderShareBps)
	}
	j, passed, err := k.loadJob(ctx, msg.JobId)
	if err != nil {
		return nil, err
	}
	isArbiter := j.Arbiter != "" && j.Arbiter == signer.String()
	if !isArbiter && signer.String() != k.authority {
		return nil, errorsmod.Wrapf(types.ErrUnauthorized, "only job %d's arbiter (%q) or the gov authority rules on it", j.Id, j.Arbiter)
	}
	if passed != 0 {
		return nil, deadlinePassed(j, passed)
	}
	if j.Status != types.JOB_STATUS_DISPUTED {
		return nil, wrongStatus(j, types.JOB_STATUS_DISPUTED)
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	var arbiter sdk.AccAddress
	if isArbiter {
		arbiter = signer
	}
	if err := k.resolve(ctx, &j, params, msg.ProviderShareBps, arbiter, signer.String(), sdk.UnwrapSDKContext(ctx).BlockHeight()); err != nil {
		return nil, err
	}
	return &types.MsgResolveResponse{}, nil
}
