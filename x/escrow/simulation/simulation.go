// Package simulation drives x/escrow's direct escrows in the SDK's
// simulations (simsx): randomized params (short dispute timeouts and a small
// per-block budget, so timers and backlogs happen within a run) and a
// message factory for every message, refusals included.
package simulation

import (
	"context"
	"math/rand"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/module"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"

	"github.com/agentchain/agentchain/internal/simutil"
	"github.com/agentchain/agentchain/x/escrow/keeper"
	"github.com/agentchain/agentchain/x/escrow/types"
)

// Module adds x/escrow to a simulation manager.
type Module struct {
	k keeper.Keeper
}

// NewModule returns the simulation module of x/escrow.
func NewModule(k keeper.Keeper) Module { return Module{k: k} }

var _ module.AppModuleSimulation = Module{}

// RandomParams returns params whose timers fire within a short run.
func RandomParams(r *rand.Rand, denom string) types.Params {
	p := types.DefaultParams()
	p.AllowedDenoms = []string{denom}
	p.MaxExpirationsPerBlock = uint32(1 + r.Intn(8))
	// Closed direct escrows and streams leave within a run.
	p.ClosedRetentionBlocks = int64(r.Intn(40))
	p.MaxPrunesPerBlock = uint32(r.Intn(6))
	p.DisputeTimeoutBlocks = int64(3 + r.Intn(30))
	p.DefaultPayeeShareBps = uint32(r.Intn(types.BasisPoints + 1))
	p.ArbiterFeeBps = uint32(r.Intn(500))
	return p
}

// GenerateGenesisState sets random params.
func (Module) GenerateGenesisState(s *module.SimulationState) {
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(s.Rand, s.BondDenom)
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
	reg.Add(w.Get("escrow_create_escrow", 60), m.createEscrow())
	reg.Add(w.Get("escrow_release", 25), m.release())
	reg.Add(w.Get("escrow_refund", 15), m.refund())
	reg.Add(w.Get("escrow_open_dispute", 15), m.openDispute())
	reg.Add(w.Get("escrow_resolve_dispute", 12), m.resolveDispute())
	reg.Add(w.Get("escrow_settle_escrow", 8), m.settleEscrow())
	reg.Add(w.Get("escrow_refused_release", 5), m.refusedRelease())
	reg.Add(w.Get("escrow_open_stream", 30), m.openStream())
	reg.Add(w.Get("escrow_withdraw_stream", 25), m.withdrawStream())
	reg.Add(w.Get("escrow_top_up_stream", 10), m.topUpStream())
	reg.Add(w.Get("escrow_cancel_stream", 8), m.cancelStream())
	reg.Add(w.Get("escrow_close_stream", 8), m.closeStream())
	reg.Add(w.Get("escrow_refused_close_stream", 4), m.refusedCloseStream())
}

// ProposalMsgsX registers the params update as a governance proposal.
func (m Module) ProposalMsgsX(w simsx.WeightSource, reg simsx.Registry) {
	reg.Add(w.Get("escrow_update_params", 10), simsx.SimMsgFactoryFn[*types.MsgUpdateParams](
		func(ctx context.Context, data *simsx.ChainDataSource, _ simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams) {
			return nil, &types.MsgUpdateParams{Authority: m.k.Authority(), Params: RandomParams(data.Rand().Rand, sdk.DefaultBondDenom)}
		}))
}

// pick returns a random direct escrow matching ok, or skips.
func (m Module) pick(ctx context.Context, r *rand.Rand, rep simsx.SimulationReporter, ok func(types.Escrow) bool) (types.Escrow, bool) {
	next, err := m.k.EscrowSeq.Peek(ctx)
	if err != nil {
		rep.Skip(err.Error())
		return types.Escrow{}, false
	}
	var found types.Escrow
	_, picked := simutil.PickID(r, next, 15, func(id uint64) bool {
		e, err := m.k.Escrows.Get(ctx, id)
		if err != nil || !e.IsDirect() || !ok(e) {
			return false
		}
		found = e
		return true
	})
	if !picked {
		rep.Skip("no matching escrow")
	}
	return found, picked
}

func height(ctx context.Context) int64 { return sdk.UnwrapSDKContext(ctx).BlockHeight() }

// live reports whether an escrow is open and no timer of it is due (a due
// escrow is refused with ErrTimedOut; refusedRelease covers that path).
func live(ctx context.Context, e types.Escrow) bool {
	h := height(ctx)
	switch e.Status {
	case types.ESCROW_STATUS_LOCKED:
		return e.ExpiresHeight == 0 || e.ExpiresHeight > h
	case types.ESCROW_STATUS_DISPUTED:
		return e.Dispute.DeadlineHeight > h
	}
	return false
}

func (m Module) createEscrow() simsx.SimMsgFactoryFn[*types.MsgCreateEscrow] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCreateEscrow) {
		payer := data.AnyAccount(rep, simsx.WithDenomBalance(sdk.DefaultBondDenom))
		payee := data.AnyAccount(rep, simsx.ExcludeAccounts(payer))
		if rep.IsSkipped() {
			return nil, nil
		}
		amount := payer.LiquidBalance().RandSubsetCoin(rep, sdk.DefaultBondDenom)
		if rep.IsSkipped() {
			return nil, nil
		}
		r := data.Rand().Rand
		msg := &types.MsgCreateEscrow{Payer: payer.AddressBech32, Payee: payee.AddressBech32, Amount: sdk.NewCoins(amount), Reference: "sim"}
		if r.Intn(3) > 0 {
			msg.ExpiresHeight = height(ctx) + 1 + r.Int63n(60)
		}
		if r.Intn(2) == 0 {
			arbiter := data.AnyAccount(rep, simsx.ExcludeAccounts(payer, payee))
			if rep.IsSkipped() {
				return nil, nil
			}
			msg.Arbiter = arbiter.AddressBech32
		}
		return []simsx.SimAccount{payer}, msg
	}
}

func (m Module) release() simsx.SimMsgFactoryFn[*types.MsgRelease] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRelease) {
		e, found := m.pick(ctx, data.Rand().Rand, rep, func(e types.Escrow) bool {
			return e.Status == types.ESCROW_STATUS_LOCKED && live(ctx, e) && data.HasAccount(e.Payer)
		})
		if !found {
			return nil, nil
		}
		payer := data.GetAccount(rep, e.Payer)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{payer}, &types.MsgRelease{Payer: e.Payer, EscrowId: e.Id, Amount: part(data.Rand().Rand, e.Remaining())}
	}
}

// part returns all (nil) or a random part of remaining.
func part(r *rand.Rand, remaining sdk.Coins) sdk.Coins {
	if r.Intn(2) == 0 || remaining.Empty() {
		return nil
	}
	c := remaining[0]
	return sdk.NewCoins(sdk.NewCoin(c.Denom, sdkmath.NewInt(1+r.Int63n(c.Amount.Int64()))))
}

// refund is the payee giving back, or anyone returning an expired escrow.
func (m Module) refund() simsx.SimMsgFactoryFn[*types.MsgRefund] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRefund) {
		r := data.Rand().Rand
		e, found := m.pick(ctx, r, rep, func(e types.Escrow) bool {
			expired := e.Status == types.ESCROW_STATUS_LOCKED && e.ExpiresHeight > 0 && e.ExpiresHeight <= height(ctx)
			return expired || (live(ctx, e) && data.HasAccount(e.Payee))
		})
		if !found {
			return nil, nil
		}
		if live(ctx, e) {
			payee := data.GetAccount(rep, e.Payee)
			if rep.IsSkipped() {
				return nil, nil
			}
			return []simsx.SimAccount{payee}, &types.MsgRefund{Signer: e.Payee, EscrowId: e.Id, Amount: part(r, e.Remaining())}
		}
		anyone := data.AnyAccount(rep)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{anyone}, &types.MsgRefund{Signer: anyone.AddressBech32, EscrowId: e.Id}
	}
}

func (m Module) openDispute() simsx.SimMsgFactoryFn[*types.MsgOpenDispute] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgOpenDispute) {
		r := data.Rand().Rand
		e, found := m.pick(ctx, r, rep, func(e types.Escrow) bool {
			return e.Status == types.ESCROW_STATUS_LOCKED && live(ctx, e) && data.HasAccount(e.Payer) && data.HasAccount(e.Payee)
		})
		if !found {
			return nil, nil
		}
		who := e.Payer
		if r.Intn(2) == 0 {
			who = e.Payee
		}
		signer := data.GetAccount(rep, who)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{signer}, &types.MsgOpenDispute{
			Signer: who, EscrowId: e.Id, Reason: types.DisputeReason(1 + r.Intn(len(types.DisputeReason_name)-1)), EvidenceHash: simutil.Hash(r),
		}
	}
}

func (m Module) resolveDispute() simsx.SimMsgFactoryFn[*types.MsgResolveDispute] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgResolveDispute) {
		r := data.Rand().Rand
		e, found := m.pick(ctx, r, rep, func(e types.Escrow) bool {
			return e.Status == types.ESCROW_STATUS_DISPUTED && live(ctx, e) && e.Arbiter != "" && data.HasAccount(e.Arbiter)
		})
		if !found {
			return nil, nil
		}
		arbiter := data.GetAccount(rep, e.Arbiter)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{arbiter}, &types.MsgResolveDispute{Signer: e.Arbiter, EscrowId: e.Id, PayeeShareBps: uint32(r.Intn(types.BasisPoints + 1))}
	}
}

// settleEscrow applies a due timer (anyone).
func (m Module) settleEscrow() simsx.SimMsgFactoryFn[*types.MsgSettleEscrow] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSettleEscrow) {
		e, found := m.pick(ctx, data.Rand().Rand, rep, func(e types.Escrow) bool {
			return e.Status != types.ESCROW_STATUS_CLOSED && !live(ctx, e)
		})
		if !found {
			return nil, nil
		}
		anyone := data.AnyAccount(rep)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{anyone}, &types.MsgSettleEscrow{Signer: anyone.AddressBech32, EscrowId: e.Id}
	}
}

// refusedRelease has the payer release an escrow whose timer is due (it is
// the payer's again, or the dispute's default split applies), or a
// stranger release one: both refused.
func (m Module) refusedRelease() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler[*types.MsgRelease](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRelease, simsx.SimDeliveryResultHandler) {
			r := data.Rand().Rand
			e, found := m.pick(ctx, r, rep, func(e types.Escrow) bool {
				return e.Status != types.ESCROW_STATUS_CLOSED && data.HasAccount(e.Payer)
			})
			if !found {
				return nil, nil, nil
			}
			if !live(ctx, e) {
				payer := data.GetAccount(rep, e.Payer)
				if rep.IsSkipped() {
					return nil, nil, nil
				}
				return []simsx.SimAccount{payer}, &types.MsgRelease{Payer: e.Payer, EscrowId: e.Id}, simutil.Expect(types.ErrTimedOut)
			}
			stranger := data.AnyAccount(rep, simsx.ExcludeAddresses(e.Payer))
			if rep.IsSkipped() {
				return nil, nil, nil
			}
			return []simsx.SimAccount{stranger}, &types.MsgRelease{Payer: stranger.AddressBech32, EscrowId: e.Id}, simutil.Expect(types.ErrUnauthorized)
		})
}

// pickStream returns a random direct stream matching ok, or skips.
func (m Module) pickStream(ctx context.Context, r *rand.Rand, rep simsx.SimulationReporter, ok func(types.Stream) bool) (types.Stream, bool) {
	next, err := m.k.StreamSeq.Peek(ctx)
	if err != nil {
		rep.Skip(err.Error())
		return types.Stream{}, false
	}
	var found types.Stream
	_, picked := simutil.PickID(r, next, 15, func(id uint64) bool {
		s, err := m.k.Streams.Get(ctx, id)
		if err != nil || !s.IsDirect() || !ok(s) {
			return false
		}
		found = s
		return true
	})
	if !picked {
		rep.Skip("no matching stream")
	}
	return found, picked
}

// openStream opens a stream with a random rate, period, deposit and,
// sometimes, a start in the future, a cliff and an end.
func (m Module) openStream() simsx.SimMsgFactoryFn[*types.MsgOpenStream] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgOpenStream) {
		payer := data.AnyAccount(rep, simsx.WithDenomBalance(sdk.DefaultBondDenom))
		payee := data.AnyAccount(rep, simsx.ExcludeAccounts(payer))
		if rep.IsSkipped() {
			return nil, nil
		}
		deposit := payer.LiquidBalance().RandSubsetCoin(rep, sdk.DefaultBondDenom)
		if rep.IsSkipped() {
			return nil, nil
		}
		r := data.Rand().Rand
		h := height(ctx)
		period := int64(1 + r.Intn(4))
		// Between 1 and 40 periods' worth of deposit.
		rate := sdk.NewCoin(deposit.Denom, deposit.Amount.QuoRaw(int64(1+r.Intn(40))).AddRaw(1))
		if rate.Amount.GT(deposit.Amount) {
			rate.Amount = deposit.Amount
		}
		msg := &types.MsgOpenStream{
			Payer: payer.AddressBech32, Payee: payee.AddressBech32, Rate: rate, PeriodBlocks: period, Deposit: deposit, Reference: "sim",
		}
		if r.Intn(3) == 0 {
			msg.StartHeight = h + r.Int63n(10)
		}
		start := max(msg.StartHeight, h)
		if r.Intn(2) == 0 {
			msg.EndHeight = start + period*(1+r.Int63n(40))
		}
		if r.Intn(3) == 0 {
			msg.CliffHeight = start + r.Int63n(period*3+1)
			if msg.EndHeight > 0 && msg.CliffHeight >= msg.EndHeight {
				msg.CliffHeight = 0
			}
			if atCliff := rate.Amount.MulRaw((msg.CliffHeight - start) / period); msg.CliffHeight > 0 && atCliff.GT(deposit.Amount) {
				msg.CliffHeight = 0
			}
		}
		return []simsx.SimAccount{payer}, msg
	}
}

// withdrawStream has the payee take what accrued (streams with something
// withdrawable, or ended ones, which the withdrawal closes).
func (m Module) withdrawStream() simsx.SimMsgFactoryFn[*types.MsgWithdrawStream] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgWithdrawStream) {
		h := height(ctx)
		st, found := m.pickStream(ctx, data.Rand().Rand, rep, func(s types.Stream) bool {
			return s.Status != types.STREAM_STATUS_CLOSED && (s.Withdrawable(h).IsPositive() || s.Ended(h)) && data.HasAccount(s.Payee)
		})
		if !found {
			return nil, nil
		}
		payee := data.GetAccount(rep, st.Payee)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{payee}, &types.MsgWithdrawStream{Payee: st.Payee, StreamId: st.Id}
	}
}

func (m Module) topUpStream() simsx.SimMsgFactoryFn[*types.MsgTopUpStream] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgTopUpStream) {
		h := height(ctx)
		st, found := m.pickStream(ctx, data.Rand().Rand, rep, func(s types.Stream) bool {
			return s.Status != types.STREAM_STATUS_CLOSED && !s.Ended(h) && data.HasAccount(s.Payer)
		})
		if !found {
			return nil, nil
		}
		payer := data.GetAccount(rep, st.Payer)
		if rep.IsSkipped() {
			return nil, nil
		}
		amount := payer.LiquidBalance().RandSubsetCoin(rep, st.Rate.Denom)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{payer}, &types.MsgTopUpStream{Payer: st.Payer, StreamId: st.Id, Amount: amount}
	}
}

func (m Module) cancelStream() simsx.SimMsgFactoryFn[*types.MsgCancelStream] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCancelStream) {
		r := data.Rand().Rand
		st, found := m.pickStream(ctx, r, rep, func(s types.Stream) bool {
			return s.Status != types.STREAM_STATUS_CLOSED && data.HasAccount(s.Payer) && data.HasAccount(s.Payee)
		})
		if !found {
			return nil, nil
		}
		who := st.Payer
		if r.Intn(2) == 0 {
			who = st.Payee
		}
		signer := data.GetAccount(rep, who)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{signer}, &types.MsgCancelStream{Signer: who, StreamId: st.Id}
	}
}

// closeStream: anyone settles a stream that ran out or ended.
func (m Module) closeStream() simsx.SimMsgFactoryFn[*types.MsgCloseStream] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCloseStream) {
		h := height(ctx)
		st, found := m.pickStream(ctx, data.Rand().Rand, rep, func(s types.Stream) bool {
			return s.Status != types.STREAM_STATUS_CLOSED && (s.Exhausted(h) || s.Ended(h))
		})
		if !found {
			return nil, nil
		}
		anyone := data.AnyAccount(rep)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{anyone}, &types.MsgCloseStream{Signer: anyone.AddressBech32, StreamId: st.Id}
	}
}

// refusedCloseStream: a stream still running cannot be closed by a
// stranger; a stranger cannot withdraw either.
func (m Module) refusedCloseStream() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler[*types.MsgCloseStream](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCloseStream, simsx.SimDeliveryResultHandler) {
			h := height(ctx)
			st, found := m.pickStream(ctx, data.Rand().Rand, rep, func(s types.Stream) bool {
				return s.Status != types.STREAM_STATUS_CLOSED && !s.Exhausted(h) && !s.Ended(h)
			})
			if !found {
				return nil, nil, nil
			}
			anyone := data.AnyAccount(rep)
			if rep.IsSkipped() {
				return nil, nil, nil
			}
			return []simsx.SimAccount{anyone}, &types.MsgCloseStream{Signer: anyone.AddressBech32, StreamId: st.Id}, simutil.Expect(types.ErrStreamNotDue)
		})
}
