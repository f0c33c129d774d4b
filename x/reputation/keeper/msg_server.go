package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/typedevent"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"

	"github.com/agentchain/agentchain/x/reputation/types"
)

type msgServer struct {
	k Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the Msg service. Every handler checks input,
// then state, and writes last.
func NewMsgServerImpl(k Keeper) types.MsgServer { return msgServer{k: k} }

// speaksFor reports whether addr is the agent's owner or agent key.
func speaksFor(a agentidtypes.Agent, addr string) bool {
	return addr == a.Owner || addr == a.AgentAddress
}

// SubmitFeedback implements types.MsgServer.
func (m msgServer) SubmitFeedback(ctx context.Context, msg *types.MsgSubmitFeedback) (*types.MsgSubmitFeedbackResponse, error) {
	k := m.k
	rater, err := k.parseAddr("rater", msg.Rater)
	if err != nil {
		return nil, err
	}
	if msg.Score > types.MaxScore {
		return nil, errorsmod.Wrapf(types.ErrInvalidScore, "%d", msg.Score)
	}
	if err := types.ValidateRef("comment", msg.CommentUri, msg.CommentHash, false); err != nil {
		return nil, err
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	tags, err := types.NormalizeTags(msg.Tags, p.MaxTags)
	if err != nil {
		return nil, err
	}
	job, err := k.market.LoadJob(ctx, msg.JobId)
	if errors.Is(err, markettypes.ErrJobNotFound) {
		// The market's message says whether the job never was, or left
		// state after its retention (past its feedback window).
		return nil, errorsmod.Wrap(types.ErrJobNotFound, err.Error())
	}
	if err != nil {
		return nil, err
	}
	// A running subscription may be rated once something was paid: its
	// weight is what was paid so far (one rating per party, as for a job).
	runningSub := job.StreamId != 0 && job.Status == markettypes.JOB_STATUS_IN_PROGRESS
	if runningSub && job.ProviderPaid.Add(job.TakePaid...).IsZero() {
		return nil, errorsmod.Wrapf(types.ErrJobNotSettled, "subscription %d has paid nothing yet; feedback waits for a withdrawal", job.Id)
	}
	if !runningSub && job.Status != markettypes.JOB_STATUS_COMPLETED && job.Status != markettypes.JOB_STATUS_RESOLVED {
		return nil, errorsmod.Wrapf(types.ErrJobNotSettled, "job %d is %s; feedback waits for COMPLETED or RESOLVED", job.Id, job.Status)
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if !runningSub && height > job.SettledHeight+p.FeedbackWindowBlocks {
		return nil, errorsmod.Wrapf(types.ErrFeedbackWindowClosed, "job %d settled at %d; feedback was taken until %d", job.Id, job.SettledHeight, job.SettledHeight+p.FeedbackWindowBlocks)
	}
	provider, err := k.getAgent(ctx, job.Provider)
	if err != nil {
		return nil, err
	}
	fb := types.Feedback{
		JobId: job.Id, Rater: rater.String(), Score: msg.Score, Tags: tags,
		CommentUri: msg.CommentUri, CommentHash: msg.CommentHash, Height: height,
	}
	switch {
	case rater.String() == job.Client:
		fb.Role, fb.Subject, fb.RaterAgent = types.RATER_ROLE_CLIENT, job.Provider, job.ClientAgent
	case speaksFor(provider, rater.String()):
		if job.ClientAgent == 0 {
			return nil, errorsmod.Wrapf(types.ErrClientNotAgent, "job %d's client %s has no agent identity", job.Id, job.Client)
		}
		fb.Role, fb.Subject, fb.RaterAgent = types.RATER_ROLE_PROVIDER, job.ClientAgent, job.Provider
	default:
		return nil, errorsmod.Wrapf(types.ErrNotAParty, "%s is neither job %d's client nor its provider", rater, job.Id)
	}
	key := collections.Join(job.Id, int32(fb.Role))
	if has, err := k.Feedback.Has(ctx, key); err != nil {
		return nil, err
	} else if has {
		return nil, errorsmod.Wrapf(types.ErrAlreadyRated, "job %d, %s", job.Id, fb.Role)
	}
	if fb.Capability, err = k.capabilityOf(ctx, job); err != nil {
		return nil, err
	}
	// Self-dealing was decided when the job was made (see markettypes.Job).
	fb.Weight = sdkmath.LegacyZeroDec()
	if !job.SelfDealing {
		// The value that settled for the work: what the provider side was
		// paid, take included (so far, for a running subscription).
		fb.Weight = p.WeightOf(job.ProviderPaid.Add(job.TakePaid...))
	}
	if err := k.addFeedback(ctx, &fb, p); err != nil {
		return nil, err
	}
	return &types.MsgSubmitFeedbackResponse{Weight: fb.Weight}, nil
}

// addFeedback stores a new feedback (or ruling) under the next sequence
// number, counts it in its subject's sums and emits EventFeedbackSubmitted.
func (k Keeper) addFeedback(ctx context.Context, fb *types.Feedback, p types.Params) error {
	var err error
	if fb.Seq, err = k.nextSeq(ctx); err != nil {
		return err
	}
	if err := k.Feedback.Set(ctx, collections.Join(fb.JobId, int32(fb.Role)), *fb); err != nil {
		return err
	}
	if err := k.FeedbackQueue.Set(ctx, collections.Join(fb.Height, fb.JobId)); err != nil {
		return err
	}
	overall, err := k.applyFeedback(ctx, *fb, p, false)
	if err != nil {
		return err
	}
	return typedevent.Emit(ctx, &types.EventFeedbackSubmitted{
		JobId: fb.JobId, Role: fb.Role, Subject: fb.Subject, Score: fb.Score, Weight: fb.Weight.String(),
		NewScore: types.Score(overall.WeightedScore, overall.Weight, p).String(),
	})
}

func (k Keeper) getFeedback(ctx context.Context, jobID uint64, role types.RaterRole) (types.Feedback, error) {
	if !types.ValidRole(role) {
		return types.Feedback{}, errorsmod.Wrapf(types.ErrInvalidRole, "%d", role)
	}
	fb, err := k.Feedback.Get(ctx, collections.Join(jobID, int32(role)))
	if errors.Is(err, collections.ErrNotFound) {
		return fb, errorsmod.Wrapf(types.ErrFeedbackNotFound,
			"job %d, %s (feedback leaves state feedback_retention_blocks after it was given; its history is in the EventFeedbackSubmitted events)", jobID, role)
	}
	return fb, err
}

// RespondFeedback implements types.MsgServer: the rated agent (its owner or
// agent key) appends one response.
func (m msgServer) RespondFeedback(ctx context.Context, msg *types.MsgRespondFeedback) (*types.MsgRespondFeedbackResponse, error) {
	k := m.k
	responder, err := k.parseAddr("responder", msg.Responder)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateRef("response", msg.ResponseUri, msg.ResponseHash, true); err != nil {
		return nil, err
	}
	fb, err := k.getFeedback(ctx, msg.JobId, msg.Role)
	if err != nil {
		return nil, err
	}
	subject, err := k.getAgent(ctx, fb.Subject)
	if err != nil {
		return nil, err
	}
	if !speaksFor(subject, responder.String()) {
		return nil, errorsmod.Wrapf(types.ErrNotSubject, "the feedback rates agent %d; %s does not speak for it", fb.Subject, responder)
	}
	if fb.ResponseUri != "" {
		return nil, errorsmod.Wrapf(types.ErrAlreadyResponded, "job %d, %s", fb.JobId, fb.Role)
	}
	fb.ResponseUri, fb.ResponseHash = msg.ResponseUri, msg.ResponseHash
	fb.ResponseHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.Feedback.Set(ctx, collections.Join(fb.JobId, int32(fb.Role)), fb); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventFeedbackResponded{JobId: fb.JobId, Role: fb.Role, Subject: fb.Subject}); err != nil {
		return nil, err
	}
	return &types.MsgRespondFeedbackResponse{}, nil
}

// RevokeFeedback implements types.MsgServer. A ruling is the record of a
// dispute's outcome, not anyone's opinion: no one can revoke it.
func (m msgServer) RevokeFeedback(ctx context.Context, msg *types.MsgRevokeFeedback) (*types.MsgRevokeFeedbackResponse, error) {
	k := m.k
	rater, err := k.parseAddr("rater", msg.Rater)
	if err != nil {
		return nil, err
	}
	if msg.Role == types.RATER_ROLE_RULING {
		return nil, errorsmod.Wrapf(types.ErrRulingFinal, "job %d", msg.JobId)
	}
	fb, err := k.getFeedback(ctx, msg.JobId, msg.Role)
	if err != nil {
		return nil, err
	}
	if fb.Rater != rater.String() {
		return nil, errorsmod.Wrapf(types.ErrNotRater, "job %d's %s feedback was given by %s", fb.JobId, fb.Role, fb.Rater)
	}
	if fb.Revoked {
		return nil, errorsmod.Wrapf(types.ErrAlreadyRevoked, "job %d, %s", fb.JobId, fb.Role)
	}
	p, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if fb.RevokeSeq, err = k.nextSeq(ctx); err != nil {
		return nil, err
	}
	fb.Revoked = true
	fb.RevokedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.Feedback.Set(ctx, collections.Join(fb.JobId, int32(fb.Role)), fb); err != nil {
		return nil, err
	}
	if _, err := k.applyFeedback(ctx, fb, p, true); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventFeedbackRevoked{JobId: fb.JobId, Role: fb.Role, Subject: fb.Subject}); err != nil {
		return nil, err
	}
	return &types.MsgRevokeFeedbackResponse{}, nil
}

// UpdateParams implements types.MsgServer. The half-life cannot change: the
// stored sums are decayed with it, and changing it would rewrite history.
func (m msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	k := m.k
	if msg.Authority != k.authority {
		return nil, errorsmod.Wrapf(types.ErrInvalidAuthority, "expected %s, got %s", k.authority, msg.Authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, errorsmod.Wrap(types.ErrInvalidParams, err.Error())
	}
	current, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if msg.Params.HalfLifeBlocks != current.HalfLifeBlocks {
		return nil, errorsmod.Wrapf(types.ErrInvalidParams, "half_life_blocks is fixed at %d: the stored scores are decayed with it", current.HalfLifeBlocks)
	}
	if err := k.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventParamsUpdated{Authority: msg.Authority}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}
