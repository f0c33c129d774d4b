// Package simulation drives x/reputation in the SDK's simulations (simsx):
// a short half-life and feedback window, so decay and closing windows
// happen within a run, and a message factory for every message: both
// parties rate settled jobs, rated agents respond, raters revoke, and
// strangers, repeat raters and revocations of a dispute's ruling are
// refused.
package simulation

import (
	"context"
	"math/rand"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"

	"github.com/agentchain/agentchain/internal/simutil"
	agentidkeeper "github.com/agentchain/agentchain/x/agentid/keeper"
	marketkeeper "github.com/agentchain/agentchain/x/market/keeper"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	"github.com/agentchain/agentchain/x/reputation/keeper"
	"github.com/agentchain/agentchain/x/reputation/types"
)

// Deps are what the factories read besides the keeper.
type Deps struct {
	Agents   agentidkeeper.Keeper
	Market   marketkeeper.Keeper
	Accounts simsx.ModuleAccountSource
	Bank     simutil.Bank
	Codec    address.Codec
	Keys     *simutil.Keyring
}

// Module adds x/reputation to a simulation manager.
type Module struct {
	k    keeper.Keeper
	deps Deps
}

// NewModule returns the simulation module of x/reputation.
func NewModule(k keeper.Keeper, deps Deps) Module { return Module{k: k, deps: deps} }

var _ module.AppModuleSimulation = Module{}

// GenerateGenesisState sets random params with a short half-life and
// feedback window.
func (Module) GenerateGenesisState(s *module.SimulationState) {
	gs := types.DefaultGenesis()
	gs.Params.HalfLifeBlocks = int64(20 + s.Rand.Intn(500))
	gs.Params.FeedbackWindowBlocks = int64(5 + s.Rand.Intn(60))
	// Feedback leaves state within the run, so pruning meets the
	// invariants every block.
	gs.Params.FeedbackRetentionBlocks = gs.Params.FeedbackWindowBlocks + 1 + int64(s.Rand.Intn(60))
	gs.Params.MaxPrunesPerBlock = uint32(1 + s.Rand.Intn(5))
	gs.Params.PriorScore = uint32(s.Rand.Intn(types.MaxScore + 1))
	gs.Params.PriorWeight = sdkmath.LegacyNewDec(int64(1 + s.Rand.Intn(200)))
	gs.Params.DenomWeights = []types.DenomWeight{{Denom: s.BondDenom, Weight: sdkmath.LegacyNewDecWithPrec(1, 6)}}
	s.GenState[types.ModuleName] = s.Cdc.MustMarshalJSON(gs)
}

// RegisterStoreDecoder decodes the module's store for diffs.
func (m Module) RegisterStoreDecoder(sdr simtypes.StoreDecoderRegistry) {
	sdr[types.StoreKey] = simtypes.NewStoreDecoderFuncFromCollectionsSchema(m.k.Schema)
}

// WeightedOperations is the legacy interface; WeightedOperationsX is used.
func (Module) WeightedOperations(module.SimulationState) []simtypes.WeightedOperation { return nil }

// WeightedOperationsX registers the message factories.
func (m Module) WeightedOperationsX(w simsx.WeightSource, reg simsx.Registry) {
	reg.Add(w.Get("reputation_submit_feedback", 50), m.submitFeedback())
	reg.Add(w.Get("reputation_respond_feedback", 10), m.respondFeedback())
	reg.Add(w.Get("reputation_revoke_feedback", 5), m.revokeFeedback())
	reg.Add(w.Get("reputation_refused_feedback", 6), m.refusedFeedback())
	reg.Add(w.Get("reputation_refused_revoke_ruling", 2), m.refusedRevokeRuling())
}

// ProposalMsgsX registers the params update as a governance proposal (the
// half-life stays: it cannot change after genesis).
func (m Module) ProposalMsgsX(w simsx.WeightSource, reg simsx.Registry) {
	reg.Add(w.Get("reputation_update_params", 10), simsx.SimMsgFactoryFn[*types.MsgUpdateParams](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams) {
			p, err := m.k.Params.Get(ctx)
			if err != nil {
				rep.Skip(err.Error())
				return nil, nil
			}
			r := data.Rand().Rand
			p.FeedbackWindowBlocks = int64(5 + r.Intn(60))
			p.FeedbackRetentionBlocks = p.FeedbackWindowBlocks + 1 + int64(r.Intn(60))
			p.PriorScore = uint32(r.Intn(types.MaxScore + 1))
			return nil, &types.MsgUpdateParams{Authority: m.k.Authority(), Params: p}
		}))
}

func height(ctx context.Context) int64 { return sdk.UnwrapSDKContext(ctx).BlockHeight() }

// signerFor returns a signer for addr: an account of the simulation, or an
// agent key the simulation holds.
func (m Module) signerFor(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter, addr string) (simsx.SimAccount, bool) {
	if data.HasAccount(addr) {
		acc := data.GetAccount(rep, addr)
		return acc, !rep.IsSkipped()
	}
	key, held := m.deps.Keys.Get(addr)
	if !held {
		rep.Skip("no key for " + addr)
		return simsx.SimAccount{}, false
	}
	s := simutil.Signer(ctx, data.Rand().Rand, m.deps.Accounts, m.deps.Bank, m.deps.Codec, key)
	if s.LiquidBalance().AmountOf(sdk.DefaultBondDenom).IsZero() {
		rep.Skip("the key holds nothing to pay fees with")
		return simsx.SimAccount{}, false
	}
	simutil.LimitFees(&s, sdk.DefaultBondDenom, sdkmath.NewInt(1_000))
	return s, true
}

// speaker returns a signer for an agent: its owner if an account of the
// simulation, otherwise its key if held.
func (m Module) speaker(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter, id uint64) (simsx.SimAccount, bool) {
	a, err := m.deps.Agents.GetAgent(ctx, id)
	if err != nil {
		rep.Skip(err.Error())
		return simsx.SimAccount{}, false
	}
	if data.HasAccount(a.Owner) {
		return m.signerFor(ctx, data, rep, a.Owner)
	}
	return m.signerFor(ctx, data, rep, a.AgentAddress)
}

// pickSettled returns a random settled job still in its feedback window.
func (m Module) pickSettled(ctx context.Context, r *rand.Rand, rep simsx.SimulationReporter, ok func(markettypes.Job) bool) (markettypes.Job, bool) {
	p, err := m.k.Params.Get(ctx)
	if err != nil {
		rep.Skip(err.Error())
		return markettypes.Job{}, false
	}
	next, err := m.deps.Market.JobSeq.Peek(ctx)
	if err != nil {
		rep.Skip(err.Error())
		return markettypes.Job{}, false
	}
	var found markettypes.Job
	_, picked := simutil.PickID(r, next, 20, func(id uint64) bool {
		j, err := m.deps.Market.GetJob(ctx, id)
		if err != nil || (j.Status != markettypes.JOB_STATUS_COMPLETED && j.Status != markettypes.JOB_STATUS_RESOLVED) {
			return false
		}
		if height(ctx) > j.SettledHeight+p.FeedbackWindowBlocks || !ok(j) {
			return false
		}
		found = j
		return true
	})
	if !picked {
		rep.Skip("no settled job to rate")
	}
	return found, picked
}

func (m Module) rated(ctx context.Context, job uint64, role types.RaterRole) bool {
	has, err := m.k.Feedback.Has(ctx, collections.Join(job, int32(role)))
	return err != nil || has
}

func (m Module) submitFeedback() simsx.SimMsgFactoryFn[*types.MsgSubmitFeedback] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubmitFeedback) {
		r := data.Rand().Rand
		role := types.RATER_ROLE_CLIENT
		if r.Intn(3) == 0 {
			role = types.RATER_ROLE_PROVIDER
		}
		j, ok := m.pickSettled(ctx, r, rep, func(j markettypes.Job) bool {
			return !m.rated(ctx, j.Id, role) && (role == types.RATER_ROLE_CLIENT || j.ClientAgent != 0)
		})
		if !ok {
			return nil, nil
		}
		var signer simsx.SimAccount
		if role == types.RATER_ROLE_CLIENT {
			signer, ok = m.signerFor(ctx, data, rep, j.Client)
		} else {
			signer, ok = m.speaker(ctx, data, rep, j.Provider)
		}
		if !ok {
			return nil, nil
		}
		msg := &types.MsgSubmitFeedback{Rater: signer.AddressBech32, JobId: j.Id, Score: uint32(r.Intn(types.MaxScore + 1))}
		if r.Intn(2) == 0 {
			msg.Tags = []string{[]string{"fast", "thorough", "late", "accurate"}[r.Intn(4)]}
		}
		if r.Intn(3) == 0 {
			msg.CommentUri, msg.CommentHash = simutil.URI(r, "comment"), simutil.Hash(r)
		}
		return []simsx.SimAccount{signer}, msg
	}
}

// pickFeedback returns a random feedback matching ok, reading at most 30
// entries from a random job on.
func (m Module) pickFeedback(ctx context.Context, r *rand.Rand, rep simsx.SimulationReporter, ok func(types.Feedback) bool) (types.Feedback, bool) {
	next, err := m.deps.Market.JobSeq.Peek(ctx)
	if err != nil || next <= 1 {
		rep.Skip("no jobs")
		return types.Feedback{}, false
	}
	start := 1 + uint64(r.Int63n(int64(next-1)))
	var out []types.Feedback
	rng := new(collections.Range[keeper.FeedbackKey]).StartInclusive(collections.Join(start, int32(0)))
	_ = m.k.Feedback.Walk(ctx, rng, func(_ keeper.FeedbackKey, fb types.Feedback) (bool, error) {
		if ok(fb) {
			out = append(out, fb)
		}
		return len(out) >= 10, nil
	})
	if len(out) == 0 {
		rep.Skip("no matching feedback")
		return types.Feedback{}, false
	}
	return out[r.Intn(len(out))], true
}

func (m Module) respondFeedback() simsx.SimMsgFactoryFn[*types.MsgRespondFeedback] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRespondFeedback) {
		r := data.Rand().Rand
		fb, ok := m.pickFeedback(ctx, r, rep, func(fb types.Feedback) bool { return fb.ResponseUri == "" })
		if !ok {
			return nil, nil
		}
		signer, ok := m.speaker(ctx, data, rep, fb.Subject)
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{signer}, &types.MsgRespondFeedback{
			Responder: signer.AddressBech32, JobId: fb.JobId, Role: fb.Role, ResponseUri: simutil.URI(r, "response"), ResponseHash: simutil.Hash(r),
		}
	}
}

func (m Module) revokeFeedback() simsx.SimMsgFactoryFn[*types.MsgRevokeFeedback] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRevokeFeedback) {
		// A ruling is never revoked (ErrRulingFinal).
		fb, ok := m.pickFeedback(ctx, data.Rand().Rand, rep, func(fb types.Feedback) bool {
			return !fb.Revoked && fb.Role != types.RATER_ROLE_RULING
		})
		if !ok {
			return nil, nil
		}
		signer, ok := m.signerFor(ctx, data, rep, fb.Rater)
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{signer}, &types.MsgRevokeFeedback{Rater: fb.Rater, JobId: fb.JobId, Role: fb.Role}
	}
}

// refusedFeedback has a stranger rate a job, or a client rate one twice.
func (m Module) refusedFeedback() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler[*types.MsgSubmitFeedback](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubmitFeedback, simsx.SimDeliveryResultHandler) {
			r := data.Rand().Rand
			j, ok := m.pickSettled(ctx, r, rep, func(markettypes.Job) bool { return true })
			if !ok {
				return nil, nil, nil
			}
			if m.rated(ctx, j.Id, types.RATER_ROLE_CLIENT) {
				signer, ok := m.signerFor(ctx, data, rep, j.Client)
				if !ok {
					return nil, nil, nil
				}
				return []simsx.SimAccount{signer}, &types.MsgSubmitFeedback{Rater: j.Client, JobId: j.Id, Score: 1}, simutil.Expect(types.ErrAlreadyRated)
			}
			provider, err := m.deps.Agents.GetAgent(ctx, j.Provider)
			if err != nil {
				rep.Skip(err.Error())
				return nil, nil, nil
			}
			exclude := []string{j.Client, provider.Owner, provider.AgentAddress}
			stranger := data.AnyAccount(rep, simsx.ExcludeAddresses(exclude...))
			if rep.IsSkipped() {
				return nil, nil, nil
			}
			return []simsx.SimAccount{stranger}, &types.MsgSubmitFeedback{Rater: stranger.AddressBech32, JobId: j.Id, Score: 0}, simutil.Expect(types.ErrNotAParty)
		})
}

// refusedRevokeRuling has someone revoke a dispute's ruling: no one can.
func (m Module) refusedRevokeRuling() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler[*types.MsgRevokeFeedback](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRevokeFeedback, simsx.SimDeliveryResultHandler) {
			fb, ok := m.pickFeedback(ctx, data.Rand().Rand, rep, func(fb types.Feedback) bool { return fb.Role == types.RATER_ROLE_RULING })
			if !ok {
				return nil, nil, nil
			}
			signer := data.AnyAccount(rep)
			if rep.IsSkipped() {
				return nil, nil, nil
			}
			return []simsx.SimAccount{signer}, &types.MsgRevokeFeedback{Rater: signer.AddressBech32, JobId: fb.JobId, Role: fb.Role}, simutil.Expect(types.ErrRulingFinal)
		})
}
