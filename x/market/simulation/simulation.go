// Package simulation drives x/market in the SDK's simulations (simsx):
// params whose windows and timeouts fall within a run and whose per-block
// timer budget is small (so backlogs happen), and a message factory for
// every message in stateful flows — listings hired (whole or in
// milestones, directly or as subcontracts, by accounts or by agents' own
// keys), requests bid on and accepted, jobs accepted, delivered, completed,
// rejected, ruled on, timed out and settled by anyone — plus refusals of
// late and unauthorized actions.
package simulation

import (
	"context"
	"fmt"
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
	agentidsim "github.com/agentchain/agentchain/x/agentid/simulation"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	"github.com/agentchain/agentchain/x/market/keeper"
	"github.com/agentchain/agentchain/x/market/types"
)

// Deps are what the factories read besides the keeper.
type Deps struct {
	Agents   agentidkeeper.Keeper
	Accounts simsx.ModuleAccountSource
	Bank     simutil.Bank
	Codec    address.Codec
	Keys     *simutil.Keyring
}

// Module adds x/market to a simulation manager.
type Module struct {
	k    keeper.Keeper
	deps Deps
}

// NewModule returns the simulation module of x/market.
func NewModule(k keeper.Keeper, deps Deps) Module { return Module{k: k, deps: deps} }

var _ module.AppModuleSimulation = Module{}

// RandomParams returns params whose windows and timeouts fall within a
// short run, with arbiters among the given accounts.
func RandomParams(r *rand.Rand, arbiters []string) types.Params {
	p := types.DefaultParams()
	p.TakeRateBps = uint32(r.Intn(500))
	p.ArbiterFeeBps = uint32(r.Intn(300))
	p.AcceptWindowBlocks = int64(3 + r.Intn(30))
	p.MinReviewWindowBlocks = int64(2 + r.Intn(3))
	p.MaxReviewWindowBlocks = p.MinReviewWindowBlocks + int64(r.Intn(40))
	p.DefaultReviewWindowBlocks = p.MinReviewWindowBlocks + int64(r.Intn(int(p.MaxReviewWindowBlocks-p.MinReviewWindowBlocks)+1))
	p.MaxDurationBlocks = int64(20 + r.Intn(200))
	p.DisputeTimeoutBlocks = int64(3 + r.Intn(30))
	p.DefaultProviderShareBps = uint32(r.Intn(types.BasisPoints + 1))
	p.MaxBidsPerRequest = uint32(2 + r.Intn(8))
	p.MaxMilestones = uint32(1 + r.Intn(5))
	p.MaxTimeoutsPerBlock = uint32(1 + r.Intn(10))
	p.MaxRequestBlocks = int64(10 + r.Intn(100))
	// Settled jobs leave within a run (after the feedback window too).
	p.SettledJobRetentionBlocks = int64(r.Intn(40))
	p.MaxPrunesPerBlock = uint32(1 + r.Intn(5))
	p.Arbiters = append([]string{}, arbiters...)
	if len(arbiters) > 0 {
		p.DefaultArbiter = arbiters[0]
	}
	return p
}

// GenerateGenesisState sets random params; three of the simulation's
// accounts arbitrate.
func (Module) GenerateGenesisState(s *module.SimulationState) {
	var arbiters []string
	for i := len(s.Accounts) - 1; i >= 0 && len(arbiters) < 3; i-- {
		arbiters = append(arbiters, s.Accounts[i].AddressBech32)
	}
	gs := types.DefaultGenesis()
	gs.Params = RandomParams(s.Rand, arbiters)
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
	reg.Add(w.Get("market_create_listing", 40), m.createListing())
	reg.Add(w.Get("market_update_listing", 8), m.updateListing())
	reg.Add(w.Get("market_set_listing_status", 8), m.setListingStatus())
	reg.Add(w.Get("market_hire", 90), m.hire())
	reg.Add(w.Get("market_post_request", 20), m.postRequest())
	reg.Add(w.Get("market_cancel_request", 4), m.cancelRequest())
	reg.Add(w.Get("market_place_bid", 30), m.placeBid())
	reg.Add(w.Get("market_accept_bid", 20), m.acceptBid())
	reg.Add(w.Get("market_accept_job", 70), m.acceptJob())
	reg.Add(w.Get("market_decline_job", 8), m.declineJob())
	reg.Add(w.Get("market_cancel_job", 6), m.cancelJob())
	reg.Add(w.Get("market_deliver", 70), m.deliver())
	reg.Add(w.Get("market_complete", 45), m.complete())
	reg.Add(w.Get("market_reject", 15), m.reject())
	reg.Add(w.Get("market_resolve", 12), m.resolve())
	reg.Add(w.Get("market_settle_job", 10), m.settleJob())
	reg.Add(w.Get("market_settle_request", 5), m.settleRequest())
	reg.Add(w.Get("market_refused_late_accept", 3), m.refusedLateAccept())
	reg.Add(w.Get("market_refused_late_delivery", 3), m.refusedLateDelivery())
	reg.Add(w.Get("market_refused_late_rejection", 3), m.refusedLateRejection())
	reg.Add(w.Get("market_refused_late_ruling", 3), m.refusedLateRuling())
	reg.Add(w.Get("market_refused_stranger", 5), m.refusedStranger())
	reg.Add(w.Get("market_purchase", 40), m.purchase())
	reg.Add(w.Get("market_refused_replayed_purchase", 4), m.refusedReplayedPurchase())
	reg.Add(w.Get("market_subscribe", 30), m.subscribe())
	reg.Add(w.Get("market_withdraw_subscription", 25), m.withdrawSubscription())
	reg.Add(w.Get("market_top_up_subscription", 6), m.topUpSubscription())
	reg.Add(w.Get("market_pause_subscription", 6), m.pauseSubscription(true))
	reg.Add(w.Get("market_resume_subscription", 6), m.pauseSubscription(false))
	reg.Add(w.Get("market_cancel_subscription", 8), m.cancelSubscription())
	reg.Add(w.Get("market_refused_subscription_delivery", 3), m.refusedSubscriptionDelivery())
}

// ProposalMsgsX registers the params update as a governance proposal.
func (m Module) ProposalMsgsX(w simsx.WeightSource, reg simsx.Registry) {
	reg.Add(w.Get("market_update_params", 10), simsx.SimMsgFactoryFn[*types.MsgUpdateParams](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams) {
			p, err := m.k.Params.Get(ctx)
			if err != nil {
				rep.Skip(err.Error())
				return nil, nil
			}
			return nil, &types.MsgUpdateParams{Authority: m.k.Authority(), Params: RandomParams(data.Rand().Rand, p.Arbiters)}
		}))
}

func height(ctx context.Context) int64 { return sdk.UnwrapSDKContext(ctx).BlockHeight() }

// signerFor returns a signer for addr: an account of the simulation, or an
// agent key the simulation holds (its fee kept to at most maxFee).
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

// providerSigner returns a signer for a provider agent: its owner when the
// owner is an account of the simulation, otherwise its key if held.
func (m Module) providerSigner(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter, a agentidtypes.Agent) (simsx.SimAccount, bool) {
	if data.HasAccount(a.Owner) {
		return m.signerFor(ctx, data, rep, a.Owner)
	}
	return m.signerFor(ctx, data, rep, a.AgentAddress)
}

func (m Module) agent(ctx context.Context, id uint64) (agentidtypes.Agent, bool) {
	a, err := m.deps.Agents.GetAgent(ctx, id)
	return a, err == nil
}

// pickAgent returns a random active agent whose owner is an account of the
// simulation.
func (m Module) pickAgent(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) (agentidtypes.Agent, bool) {
	next, err := m.deps.Agents.AgentSeq.Peek(ctx)
	if err != nil {
		rep.Skip(err.Error())
		return agentidtypes.Agent{}, false
	}
	var found agentidtypes.Agent
	_, ok := simutil.PickID(data.Rand().Rand, next, 12, func(id uint64) bool {
		a, ok := m.agent(ctx, id)
		if !ok || a.Status != agentidtypes.AGENT_STATUS_ACTIVE || !data.HasAccount(a.Owner) {
			return false
		}
		found = a
		return true
	})
	if !ok {
		rep.Skip("no active agent")
	}
	return found, ok
}

// pickJob returns a random job (not a subscription) in status matching ok,
// reading at most 60 index entries from a random starting id.
func (m Module) pickJob(ctx context.Context, r *rand.Rand, rep simsx.SimulationReporter, status types.JobStatus, ok func(types.Job) bool) (types.Job, bool) {
	return m.pickJobs(ctx, r, rep, status, false, ok)
}

// pickSubscription returns a random running subscription matching ok.
func (m Module) pickSubscription(ctx context.Context, r *rand.Rand, rep simsx.SimulationReporter, ok func(types.Job) bool) (types.Job, bool) {
	return m.pickJobs(ctx, r, rep, types.JOB_STATUS_IN_PROGRESS, true, ok)
}

func (m Module) pickJobs(ctx context.Context, r *rand.Rand, rep simsx.SimulationReporter, status types.JobStatus, subs bool, ok func(types.Job) bool) (types.Job, bool) {
	next, err := m.k.JobSeq.Peek(ctx)
	if err != nil || next <= 1 {
		rep.Skip("no jobs")
		return types.Job{}, false
	}
	start := 1 + uint64(r.Int63n(int64(next-1)))
	var jobs []types.Job
	walk := func(from uint64) {
		rng := new(collections.Range[collections.Pair[int32, uint64]]).
			StartInclusive(collections.Join(int32(status), from)).
			EndInclusive(collections.Join(int32(status), next))
		_ = m.k.Jobs.Indexes.Status.Keys().Walk(ctx, rng, func(k collections.Pair[int32, uint64]) (bool, error) {
			j, err := m.k.Jobs.Get(ctx, k.K2())
			if err == nil && (j.StreamId != 0) == subs && ok(j) {
				jobs = append(jobs, j)
			}
			return len(jobs) >= 30, nil
		})
	}
	walk(start)
	if len(jobs) == 0 {
		walk(0)
	}
	if len(jobs) == 0 {
		rep.Skipf("no %s job", status)
		return types.Job{}, false
	}
	return jobs[r.Intn(len(jobs))], true
}

// open reports whether the job's deadline has not passed at this height.
func open(ctx context.Context, j types.Job) bool { return j.Deadline >= height(ctx) }

func (m Module) pickListing(ctx context.Context, r *rand.Rand, rep simsx.SimulationReporter, ok func(types.Listing) bool) (types.Listing, bool) {
	next, err := m.k.ListingSeq.Peek(ctx)
	if err != nil {
		rep.Skip(err.Error())
		return types.Listing{}, false
	}
	var found types.Listing
	_, picked := simutil.PickID(r, next, 12, func(id uint64) bool {
		l, err := m.k.Listings.Get(ctx, id)
		if err != nil || !ok(l) {
			return false
		}
		found = l
		return true
	})
	if !picked {
		rep.Skip("no matching listing")
	}
	return found, picked
}

func (m Module) pickRequest(ctx context.Context, r *rand.Rand, rep simsx.SimulationReporter, ok func(types.Request) bool) (types.Request, bool) {
	next, err := m.k.RequestSeq.Peek(ctx)
	if err != nil {
		rep.Skip(err.Error())
		return types.Request{}, false
	}
	var found types.Request
	_, picked := simutil.PickID(r, next, 12, func(id uint64) bool {
		q, err := m.k.Requests.Get(ctx, id)
		if err != nil || !ok(q) {
			return false
		}
		found = q
		return true
	})
	if !picked {
		rep.Skip("no matching request")
	}
	return found, picked
}

func (m Module) createListing() simsx.SimMsgFactoryFn[*types.MsgCreateListing] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCreateListing) {
		a, ok := m.pickAgent(ctx, data, rep)
		if !ok {
			return nil, nil
		}
		signer, ok := m.providerSigner(ctx, data, rep, a)
		if !ok {
			return nil, nil
		}
		p, err := m.k.Params.Get(ctx)
		if err != nil {
			rep.Skip(err.Error())
			return nil, nil
		}
		r := data.Rand().Rand
		msg := &types.MsgCreateListing{
			Signer: signer.AddressBech32, Provider: a.Id, Capability: agentidsim.Capabilities[r.Intn(len(agentidsim.Capabilities))],
			Title: fmt.Sprintf("offer %d", r.Intn(1000)), TermsUri: simutil.URI(r, "terms"), TermsHash: simutil.Hash(r),
			Price:              sdk.NewCoin(sdk.DefaultBondDenom, sdkmath.NewInt(1+r.Int63n(20_000_000))),
			MaxDurationBlocks:  1 + r.Int63n(p.MaxDurationBlocks),
			ReviewWindowBlocks: p.MinReviewWindowBlocks + r.Int63n(p.MaxReviewWindowBlocks-p.MinReviewWindowBlocks+1),
		}
		if len(p.Arbiters) > 0 && r.Intn(2) == 0 {
			msg.Arbiter = p.Arbiters[r.Intn(len(p.Arbiters))]
		}
		if r.Intn(4) == 0 {
			// A subscription: a small price per block, a term range.
			msg.Billing, msg.ReviewWindowBlocks = types.LISTING_BILLING_PER_BLOCK, 0
			msg.Price = sdk.NewCoin(sdk.DefaultBondDenom, sdkmath.NewInt(1+r.Int63n(20_000)))
			msg.MinTermBlocks = 1 + r.Int63n(msg.MaxDurationBlocks)
		}
		return []simsx.SimAccount{signer}, msg
	}
}

func (m Module) ownListing(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) (types.Listing, simsx.SimAccount, bool) {
	l, ok := m.pickListing(ctx, data.Rand().Rand, rep, func(l types.Listing) bool {
		a, ok := m.agent(ctx, l.Provider)
		return ok && l.Status != types.LISTING_STATUS_CLOSED && a.Status == agentidtypes.AGENT_STATUS_ACTIVE && data.HasAccount(a.Owner)
	})
	if !ok {
		return l, simsx.SimAccount{}, false
	}
	a, _ := m.agent(ctx, l.Provider)
	signer, ok := m.providerSigner(ctx, data, rep, a)
	return l, signer, ok
}

func (m Module) updateListing() simsx.SimMsgFactoryFn[*types.MsgUpdateListing] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateListing) {
		l, signer, ok := m.ownListing(ctx, data, rep)
		if !ok {
			return nil, nil
		}
		r := data.Rand().Rand
		price := sdk.NewCoin(l.Price.Denom, l.Price.Amount.AddRaw(1+r.Int63n(1_000_000)))
		return []simsx.SimAccount{signer}, &types.MsgUpdateListing{Signer: signer.AddressBech32, ListingId: l.Id, Title: fmt.Sprintf("offer %d", r.Intn(1000)), Price: &price}
	}
}

func (m Module) setListingStatus() simsx.SimMsgFactoryFn[*types.MsgSetListingStatus] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSetListingStatus) {
		l, signer, ok := m.ownListing(ctx, data, rep)
		if !ok {
			return nil, nil
		}
		status := types.LISTING_STATUS_PAUSED
		switch {
		case l.Status == types.LISTING_STATUS_PAUSED:
			status = types.LISTING_STATUS_ACTIVE
		case data.Rand().Intn(5) == 0:
			status = types.LISTING_STATUS_CLOSED
		}
		return []simsx.SimAccount{signer}, &types.MsgSetListingStatus{Signer: signer.AddressBech32, ListingId: l.Id, Status: status}
	}
}

// clientFor picks who hires: mostly an account of the simulation, sometimes
// an agent's own key (a client agent) that can pay.
func (m Module) clientFor(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter, price sdk.Coin, exclude ...string) (simsx.SimAccount, bool) {
	r := data.Rand().Rand
	if r.Intn(4) == 0 {
		next, _ := m.deps.Agents.AgentSeq.Peek(ctx)
		var key simsx.SimAccount
		_, found := simutil.PickID(r, next, 5, func(id uint64) bool {
			a, ok := m.agent(ctx, id)
			if !ok || a.Status != agentidtypes.AGENT_STATUS_ACTIVE {
				return false
			}
			held, ok := m.deps.Keys.Get(a.AgentAddress)
			if !ok {
				return false
			}
			for _, x := range exclude {
				if x == a.AgentAddress {
					return false
				}
			}
			s := simutil.Signer(ctx, r, m.deps.Accounts, m.deps.Bank, m.deps.Codec, held)
			maxFee := sdkmath.NewInt(1_000)
			if s.LiquidBalance().AmountOf(price.Denom).LT(price.Amount.Add(maxFee)) {
				return false
			}
			// A capped key hires only what its bucket holds, fee included.
			if l, err := m.deps.Agents.SpendLimits.Get(ctx, collections.Join(a.Id, price.Denom)); err == nil &&
				l.Available(height(ctx)).LT(price.Amount.Add(maxFee)) {
				return false
			}
			if !s.LiquidBalance().BlockAmount(price) {
				return false
			}
			simutil.LimitFees(&s, price.Denom, maxFee)
			key = s
			return true
		})
		if found {
			return key, true
		}
	}
	client := data.AnyAccount(rep, simsx.WithLiquidBalanceGTE(price), simsx.ExcludeAddresses(exclude...))
	if rep.IsSkipped() {
		return client, false
	}
	if !client.LiquidBalance().BlockAmount(price) {
		rep.Skip("the client cannot pay")
		return client, false
	}
	return client, true
}

func milestones(r *rand.Rand, price sdk.Coin, maxCount uint32) []types.MilestoneSpec {
	n := 1 + r.Intn(int(maxCount))
	if n == 1 || price.Amount.LT(sdkmath.NewInt(int64(n))) {
		return nil
	}
	out := make([]types.MilestoneSpec, n)
	rest := price.Amount
	for i := 0; i < n-1; i++ {
		amt := sdkmath.NewInt(1 + r.Int63n(rest.SubRaw(int64(n-1-i)).Int64()))
		out[i] = types.MilestoneSpec{Title: fmt.Sprintf("part %d", i+1), Amount: sdk.NewCoin(price.Denom, amt)}
		rest = rest.Sub(amt)
	}
	out[n-1] = types.MilestoneSpec{Title: fmt.Sprintf("part %d", n), Amount: sdk.NewCoin(price.Denom, rest)}
	return out
}

// hire hires an active listing: whole or in milestones, and sometimes as a
// subcontract of a job the hiring agent is working on.
func (m Module) hire() simsx.SimMsgFactoryFn[*types.MsgHire] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgHire) {
		r := data.Rand().Rand
		p, err := m.k.Params.Get(ctx)
		if err != nil {
			rep.Skip(err.Error())
			return nil, nil
		}
		l, ok := m.pickListing(ctx, r, rep, func(l types.Listing) bool {
			a, ok := m.agent(ctx, l.Provider)
			return ok && l.Billing == types.LISTING_BILLING_PER_JOB && l.Status == types.LISTING_STATUS_ACTIVE && l.MinClientScore == 0 && a.Status == agentidtypes.AGENT_STATUS_ACTIVE
		})
		if !ok {
			return nil, nil
		}
		provider, _ := m.agent(ctx, l.Provider)
		arbiter := l.Arbiter
		if arbiter == "" {
			arbiter = p.DefaultArbiter
		}
		if arbiter != "" && (arbiter == provider.Owner || arbiter == provider.AgentAddress || arbiter == provider.Payout()) {
			rep.Skip("the listing's arbiter speaks for its provider")
			return nil, nil
		}
		msg := &types.MsgHire{
			ListingId: l.Id, SpecUri: simutil.URI(r, "spec"), SpecHash: simutil.Hash(r),
			DeliverBy: height(ctx) + 1 + r.Int63n(min(l.MaxDurationBlocks, 80)), Milestones: milestones(r, l.Price, p.MaxMilestones),
		}
		if r.Intn(2) == 0 {
			maxPrice := l.Price
			msg.MaxPrice = &maxPrice // the price as read: the hire goes through
		}
		// A subcontract: the provider of a job in progress hires for it.
		if r.Intn(6) == 0 {
			parent, found := m.pickJob(ctx, r, rep, types.JOB_STATUS_IN_PROGRESS, func(j types.Job) bool {
				pa, ok := m.agent(ctx, j.Provider)
				return ok && open(ctx, j) && j.Provider != l.Provider && data.HasAccount(pa.Owner) && pa.Payout() != provider.Payout()
			})
			if !found {
				return nil, nil
			}
			pa, _ := m.agent(ctx, parent.Provider)
			signer, ok := m.signerFor(ctx, data, rep, pa.Owner)
			if !ok {
				return nil, nil
			}
			if signer.AddressBech32 == provider.Payout() || signer.AddressBech32 == arbiter || !signer.LiquidBalance().BlockAmount(l.Price) {
				rep.Skip("the parent's provider cannot pay")
				return nil, nil
			}
			msg.Client, msg.ParentJobId = signer.AddressBech32, parent.Id
			return []simsx.SimAccount{signer}, msg
		}
		client, ok := m.clientFor(ctx, data, rep, l.Price, provider.Payout(), arbiter)
		if !ok {
			return nil, nil
		}
		msg.Client = client.AddressBech32
		return []simsx.SimAccount{client}, msg
	}
}

// purchase buys one to three calls of an active listing, paid at once.
func (m Module) purchase() simsx.SimMsgFactoryFn[*types.MsgPurchase] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgPurchase) {
		r := data.Rand().Rand
		l, ok := m.pickListing(ctx, r, rep, func(l types.Listing) bool {
			a, ok := m.agent(ctx, l.Provider)
			return ok && l.Billing == types.LISTING_BILLING_PER_JOB && l.Status == types.LISTING_STATUS_ACTIVE && l.MinClientScore == 0 && a.Status == agentidtypes.AGENT_STATUS_ACTIVE
		})
		if !ok {
			return nil, nil
		}
		provider, _ := m.agent(ctx, l.Provider)
		calls := uint32(1 + r.Intn(3))
		amount := sdk.NewCoin(l.Price.Denom, l.Price.Amount.MulRaw(int64(calls)))
		client, ok := m.clientFor(ctx, data, rep, amount, provider.Payout())
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{client}, &types.MsgPurchase{
			Client: client.AddressBech32, ListingId: l.Id, Calls: calls, Amount: amount,
			RequestId: fmt.Sprintf("sim-%d-%d", height(ctx), r.Int63()), ValidUntilHeight: height(ctx) + int64(r.Intn(5)),
		}
	}
}

// refusedReplayedPurchase sends a settled purchase's request id again.
func (m Module) refusedReplayedPurchase() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler[*types.MsgPurchase](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgPurchase, simsx.SimDeliveryResultHandler) {
			j, ok := m.pickJob(ctx, data.Rand().Rand, rep, types.JOB_STATUS_COMPLETED, func(j types.Job) bool { return j.PurchaseRequestId != "" })
			if !ok {
				return nil, nil, nil
			}
			client, ok := m.signerFor(ctx, data, rep, j.Client)
			if !ok {
				return nil, nil, nil
			}
			return []simsx.SimAccount{client}, &types.MsgPurchase{
				Client: j.Client, ListingId: j.ListingId, Calls: j.Calls, Amount: j.Price,
				RequestId: j.PurchaseRequestId, ValidUntilHeight: height(ctx) + 1,
			}, simutil.Expect(types.ErrRequestIDUsed)
		})
}

func (m Module) postRequest() simsx.SimMsgFactoryFn[*types.MsgPostRequest] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgPostRequest) {
		r := data.Rand().Rand
		p, err := m.k.Params.Get(ctx)
		if err != nil {
			rep.Skip(err.Error())
			return nil, nil
		}
		budget := sdk.NewCoin(sdk.DefaultBondDenom, sdkmath.NewInt(1+r.Int63n(30_000_000)))
		client := data.AnyAccount(rep, simsx.WithLiquidBalanceGTE(budget))
		if rep.IsSkipped() {
			return nil, nil
		}
		if !client.LiquidBalance().BlockAmount(budget) {
			rep.Skip("the client cannot pay")
			return nil, nil
		}
		return []simsx.SimAccount{client}, &types.MsgPostRequest{
			Client: client.AddressBech32, Capability: agentidsim.Capabilities[r.Intn(len(agentidsim.Capabilities))],
			SpecUri: simutil.URI(r, "spec"), SpecHash: simutil.Hash(r), Budget: budget,
			BidDeadline: height(ctx) + 1 + r.Int63n(p.MaxRequestBlocks),
		}
	}
}

// liveRequest reports whether a request is open and still takes bids.
func liveRequest(ctx context.Context, q types.Request) bool {
	return q.Status == types.REQUEST_STATUS_OPEN && q.BidDeadline > height(ctx)
}

func (m Module) cancelRequest() simsx.SimMsgFactoryFn[*types.MsgCancelRequest] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCancelRequest) {
		q, ok := m.pickRequest(ctx, data.Rand().Rand, rep, func(q types.Request) bool { return liveRequest(ctx, q) && data.HasAccount(q.Client) })
		if !ok {
			return nil, nil
		}
		client := data.GetAccount(rep, q.Client)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{client}, &types.MsgCancelRequest{Client: q.Client, RequestId: q.Id}
	}
}

func (m Module) placeBid() simsx.SimMsgFactoryFn[*types.MsgPlaceBid] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgPlaceBid) {
		r := data.Rand().Rand
		p, err := m.k.Params.Get(ctx)
		if err != nil {
			rep.Skip(err.Error())
			return nil, nil
		}
		q, ok := m.pickRequest(ctx, r, rep, func(q types.Request) bool {
			return liveRequest(ctx, q) && q.BidCount < p.MaxBidsPerRequest && q.MinProviderScore == 0
		})
		if !ok {
			return nil, nil
		}
		a, ok := m.pickAgent(ctx, data, rep)
		if !ok {
			return nil, nil
		}
		dup := false
		_ = m.k.Bids.Walk(ctx, collections.NewPrefixedPairRange[uint64, uint32](q.Id), func(_ collections.Pair[uint64, uint32], b types.Bid) (bool, error) {
			dup = b.Provider == a.Id
			return dup, nil
		})
		if dup {
			rep.Skip("already bid")
			return nil, nil
		}
		signer, ok := m.providerSigner(ctx, data, rep, a)
		if !ok {
			return nil, nil
		}
		price := sdk.NewCoin(q.Budget.Denom, sdkmath.NewInt(1+r.Int63n(q.Budget.Amount.Int64())))
		return []simsx.SimAccount{signer}, &types.MsgPlaceBid{
			Signer: signer.AddressBech32, RequestId: q.Id, Provider: a.Id, Price: price,
			DeliveryBlocks: 1 + r.Int63n(min(p.MaxDurationBlocks, 80)), NoteUri: simutil.URI(r, "note"),
		}
	}
}

func (m Module) acceptBid() simsx.SimMsgFactoryFn[*types.MsgAcceptBid] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgAcceptBid) {
		r := data.Rand().Rand
		p, err := m.k.Params.Get(ctx)
		if err != nil {
			rep.Skip(err.Error())
			return nil, nil
		}
		q, ok := m.pickRequest(ctx, r, rep, func(q types.Request) bool {
			return liveRequest(ctx, q) && q.BidCount > 0 && data.HasAccount(q.Client) && q.Client != p.DefaultArbiter
		})
		if !ok {
			return nil, nil
		}
		var bids []types.Bid
		_ = m.k.Bids.Walk(ctx, collections.NewPrefixedPairRange[uint64, uint32](q.Id), func(_ collections.Pair[uint64, uint32], b types.Bid) (bool, error) {
			if a, ok := m.agent(ctx, b.Provider); ok && a.Status == agentidtypes.AGENT_STATUS_ACTIVE && a.Payout() != q.Client &&
				(p.DefaultArbiter == "" || (p.DefaultArbiter != a.Owner && p.DefaultArbiter != a.AgentAddress && p.DefaultArbiter != a.Payout())) {
				bids = append(bids, b)
			}
			return false, nil
		})
		if len(bids) == 0 {
			rep.Skip("no acceptable bid")
			return nil, nil
		}
		b := bids[r.Intn(len(bids))]
		client := data.GetAccount(rep, q.Client)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{client}, &types.MsgAcceptBid{Client: q.Client, RequestId: q.Id, BidId: b.Id, Milestones: milestones(r, b.Price, p.MaxMilestones)}
	}
}

// providerOf returns a signer for a job's provider.
func (m Module) providerOf(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter, j types.Job) (simsx.SimAccount, bool) {
	a, ok := m.agent(ctx, j.Provider)
	if !ok {
		rep.Skip("no provider")
		return simsx.SimAccount{}, false
	}
	return m.providerSigner(ctx, data, rep, a)
}

func (m Module) acceptJob() simsx.SimMsgFactoryFn[*types.MsgAcceptJob] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgAcceptJob) {
		j, ok := m.pickJob(ctx, data.Rand().Rand, rep, types.JOB_STATUS_FUNDED, func(j types.Job) bool {
			a, ok := m.agent(ctx, j.Provider)
			return ok && open(ctx, j) && a.Status == agentidtypes.AGENT_STATUS_ACTIVE
		})
		if !ok {
			return nil, nil
		}
		signer, ok := m.providerOf(ctx, data, rep, j)
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{signer}, &types.MsgAcceptJob{Signer: signer.AddressBech32, JobId: j.Id}
	}
}

func (m Module) declineJob() simsx.SimMsgFactoryFn[*types.MsgDeclineJob] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgDeclineJob) {
		j, ok := m.pickJob(ctx, data.Rand().Rand, rep, types.JOB_STATUS_FUNDED, func(j types.Job) bool { return open(ctx, j) })
		if !ok {
			return nil, nil
		}
		signer, ok := m.providerOf(ctx, data, rep, j)
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{signer}, &types.MsgDeclineJob{Signer: signer.AddressBech32, JobId: j.Id}
	}
}

func (m Module) clientOf(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter, j types.Job) (simsx.SimAccount, bool) {
	return m.signerFor(ctx, data, rep, j.Client)
}

func (m Module) cancelJob() simsx.SimMsgFactoryFn[*types.MsgCancelJob] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCancelJob) {
		j, ok := m.pickJob(ctx, data.Rand().Rand, rep, types.JOB_STATUS_FUNDED, func(j types.Job) bool { return open(ctx, j) })
		if !ok {
			return nil, nil
		}
		client, ok := m.clientOf(ctx, data, rep, j)
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{client}, &types.MsgCancelJob{Client: j.Client, JobId: j.Id}
	}
}

func (m Module) deliver() simsx.SimMsgFactoryFn[*types.MsgDeliver] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgDeliver) {
		r := data.Rand().Rand
		j, ok := m.pickJob(ctx, r, rep, types.JOB_STATUS_IN_PROGRESS, func(j types.Job) bool { return open(ctx, j) })
		if !ok {
			return nil, nil
		}
		signer, ok := m.providerOf(ctx, data, rep, j)
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{signer}, &types.MsgDeliver{
			Signer: signer.AddressBech32, JobId: j.Id, Milestone: j.NextMilestone, ResultUri: simutil.URI(r, "result"), ResultHash: simutil.Hash(r),
		}
	}
}

func (m Module) complete() simsx.SimMsgFactoryFn[*types.MsgComplete] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgComplete) {
		j, ok := m.pickJob(ctx, data.Rand().Rand, rep, types.JOB_STATUS_DELIVERED, func(j types.Job) bool { return open(ctx, j) })
		if !ok {
			return nil, nil
		}
		client, ok := m.clientOf(ctx, data, rep, j)
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{client}, &types.MsgComplete{Client: j.Client, JobId: j.Id, Milestone: j.NextMilestone}
	}
}

func (m Module) reject() simsx.SimMsgFactoryFn[*types.MsgReject] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgReject) {
		r := data.Rand().Rand
		j, ok := m.pickJob(ctx, r, rep, types.JOB_STATUS_DELIVERED, func(j types.Job) bool { return open(ctx, j) })
		if !ok {
			return nil, nil
		}
		client, ok := m.clientOf(ctx, data, rep, j)
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{client}, &types.MsgReject{
			Client: j.Client, JobId: j.Id, Milestone: j.NextMilestone, Reason: types.RejectReason(1 + r.Intn(4)), EvidenceHash: simutil.Hash(r),
		}
	}
}

func (m Module) resolve() simsx.SimMsgFactoryFn[*types.MsgResolve] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgResolve) {
		r := data.Rand().Rand
		j, ok := m.pickJob(ctx, r, rep, types.JOB_STATUS_DISPUTED, func(j types.Job) bool {
			return open(ctx, j) && j.Arbiter != "" && data.HasAccount(j.Arbiter)
		})
		if !ok {
			return nil, nil
		}
		arbiter := data.GetAccount(rep, j.Arbiter)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{arbiter}, &types.MsgResolve{Signer: j.Arbiter, JobId: j.Id, ProviderShareBps: uint32(r.Intn(types.BasisPoints + 1))}
	}
}

// settleJob applies the due timers of a job the queue has not reached.
func (m Module) settleJob() simsx.SimMsgFactoryFn[*types.MsgSettleJob] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSettleJob) {
		r := data.Rand().Rand
		status := []types.JobStatus{types.JOB_STATUS_FUNDED, types.JOB_STATUS_IN_PROGRESS, types.JOB_STATUS_DELIVERED, types.JOB_STATUS_DISPUTED}[r.Intn(4)]
		j, ok := m.pickJob(ctx, r, rep, status, func(j types.Job) bool { return !open(ctx, j) })
		if !ok {
			return nil, nil
		}
		anyone := data.AnyAccount(rep)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{anyone}, &types.MsgSettleJob{Signer: anyone.AddressBech32, JobId: j.Id}
	}
}

func (m Module) settleRequest() simsx.SimMsgFactoryFn[*types.MsgSettleRequest] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSettleRequest) {
		q, ok := m.pickRequest(ctx, data.Rand().Rand, rep, func(q types.Request) bool {
			return q.Status == types.REQUEST_STATUS_OPEN && !liveRequest(ctx, q)
		})
		if !ok {
			return nil, nil
		}
		anyone := data.AnyAccount(rep)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{anyone}, &types.MsgSettleRequest{Signer: anyone.AddressBech32, RequestId: q.Id}
	}
}

// The refusedLate* factories have a party act on a job whose deadline
// passed before the queue got to it: an acceptance after the accept window,
// a delivery after deliver_by, a rejection after the review window, a
// ruling after the dispute timeout. Each must be refused with
// ErrDeadlinePassed.

func (m Module) dueJob(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter, status types.JobStatus) (types.Job, bool) {
	return m.pickJob(ctx, data.Rand().Rand, rep, status, func(j types.Job) bool { return !open(ctx, j) })
}

func (m Module) refusedLateAccept() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler[*types.MsgAcceptJob](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgAcceptJob, simsx.SimDeliveryResultHandler) {
			j, ok := m.dueJob(ctx, data, rep, types.JOB_STATUS_FUNDED)
			if !ok {
				return nil, nil, nil
			}
			signer, ok := m.providerOf(ctx, data, rep, j)
			if !ok {
				return nil, nil, nil
			}
			return []simsx.SimAccount{signer}, &types.MsgAcceptJob{Signer: signer.AddressBech32, JobId: j.Id}, simutil.Expect(types.ErrDeadlinePassed)
		})
}

func (m Module) refusedLateDelivery() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler[*types.MsgDeliver](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgDeliver, simsx.SimDeliveryResultHandler) {
			j, ok := m.dueJob(ctx, data, rep, types.JOB_STATUS_IN_PROGRESS)
			if !ok {
				return nil, nil, nil
			}
			signer, ok := m.providerOf(ctx, data, rep, j)
			if !ok {
				return nil, nil, nil
			}
			r := data.Rand().Rand
			return []simsx.SimAccount{signer}, &types.MsgDeliver{
				Signer: signer.AddressBech32, JobId: j.Id, Milestone: j.NextMilestone, ResultUri: simutil.URI(r, "late"), ResultHash: simutil.Hash(r),
			}, simutil.Expect(types.ErrDeadlinePassed)
		})
}

func (m Module) refusedLateRejection() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler[*types.MsgReject](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgReject, simsx.SimDeliveryResultHandler) {
			j, ok := m.dueJob(ctx, data, rep, types.JOB_STATUS_DELIVERED)
			if !ok {
				return nil, nil, nil
			}
			client, ok := m.clientOf(ctx, data, rep, j)
			if !ok {
				return nil, nil, nil
			}
			return []simsx.SimAccount{client}, &types.MsgReject{
				Client: j.Client, JobId: j.Id, Milestone: j.NextMilestone, Reason: types.REJECT_REASON_OTHER, EvidenceHash: simutil.Hash(data.Rand().Rand),
			}, simutil.Expect(types.ErrDeadlinePassed)
		})
}

func (m Module) refusedLateRuling() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler[*types.MsgResolve](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgResolve, simsx.SimDeliveryResultHandler) {
			j, ok := m.dueJob(ctx, data, rep, types.JOB_STATUS_DISPUTED)
			if !ok {
				return nil, nil, nil
			}
			if j.Arbiter == "" || !data.HasAccount(j.Arbiter) {
				rep.Skip("no arbiter")
				return nil, nil, nil
			}
			arbiter := data.GetAccount(rep, j.Arbiter)
			if rep.IsSkipped() {
				return nil, nil, nil
			}
			return []simsx.SimAccount{arbiter}, &types.MsgResolve{Signer: j.Arbiter, JobId: j.Id}, simutil.Expect(types.ErrDeadlinePassed)
		})
}

// refusedStranger has someone who is not a party move a job.
func (m Module) refusedStranger() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler[*types.MsgComplete](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgComplete, simsx.SimDeliveryResultHandler) {
			j, ok := m.pickJob(ctx, data.Rand().Rand, rep, types.JOB_STATUS_DELIVERED, func(types.Job) bool { return true })
			if !ok {
				return nil, nil, nil
			}
			stranger := data.AnyAccount(rep, simsx.ExcludeAddresses(j.Client))
			if rep.IsSkipped() {
				return nil, nil, nil
			}
			return []simsx.SimAccount{stranger}, &types.MsgComplete{Client: stranger.AddressBech32, JobId: j.Id, Milestone: j.NextMilestone},
				simutil.Expect(types.ErrUnauthorized)
		})
}

// subscribe subscribes to an active per-block listing for a term it takes.
func (m Module) subscribe() simsx.SimMsgFactoryFn[*types.MsgSubscribe] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSubscribe) {
		r := data.Rand().Rand
		l, ok := m.pickListing(ctx, r, rep, func(l types.Listing) bool {
			a, ok := m.agent(ctx, l.Provider)
			return ok && l.Billing == types.LISTING_BILLING_PER_BLOCK && l.Status == types.LISTING_STATUS_ACTIVE && l.MinClientScore == 0 &&
				a.Status == agentidtypes.AGENT_STATUS_ACTIVE && l.MinTermBlocks <= 60
		})
		if !ok {
			return nil, nil
		}
		provider, _ := m.agent(ctx, l.Provider)
		term := l.MinTermBlocks + r.Int63n(min(l.MaxDurationBlocks, 60)-l.MinTermBlocks+1)
		client, ok := m.clientFor(ctx, data, rep, sdk.NewCoin(l.Price.Denom, l.Price.Amount.MulRaw(term)), provider.Payout())
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{client}, &types.MsgSubscribe{Client: client.AddressBech32, ListingId: l.Id, Rate: l.Price, TermBlocks: term}
	}
}

// subscriptionProvider returns a running subscription matching ok and a
// signer for its provider.
func (m Module) subscriptionProvider(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter, ok func(types.Job, escrowtypes.Stream) bool) (types.Job, simsx.SimAccount, bool) {
	j, found := m.pickSubscription(ctx, data.Rand().Rand, rep, func(j types.Job) bool {
		st, err := m.k.SubscriptionStream(ctx, j)
		return err == nil && ok(j, st)
	})
	if !found {
		return j, simsx.SimAccount{}, false
	}
	a, found := m.agent(ctx, j.Provider)
	if !found {
		rep.Skip("no provider")
		return j, simsx.SimAccount{}, false
	}
	signer, found := m.providerSigner(ctx, data, rep, a)
	return j, signer, found
}

func (m Module) withdrawSubscription() simsx.SimMsgFactoryFn[*types.MsgWithdrawSubscription] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgWithdrawSubscription) {
		h := height(ctx)
		j, signer, ok := m.subscriptionProvider(ctx, data, rep, func(_ types.Job, st escrowtypes.Stream) bool {
			return st.Withdrawable(h).IsPositive() || st.Ended(h)
		})
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{signer}, &types.MsgWithdrawSubscription{Signer: signer.AddressBech32, JobId: j.Id}
	}
}

// pauseSubscription pauses an active subscription, or resumes a paused one.
func (m Module) pauseSubscription(pause bool) simsx.SimMsgFactoryX {
	want := escrowtypes.STREAM_STATUS_PAUSED
	if pause {
		want = escrowtypes.STREAM_STATUS_ACTIVE
	}
	find := func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) (types.Job, simsx.SimAccount, bool) {
		return m.subscriptionProvider(ctx, data, rep, func(_ types.Job, st escrowtypes.Stream) bool { return st.Status == want })
	}
	if pause {
		return simsx.SimMsgFactoryFn[*types.MsgPauseSubscription](func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgPauseSubscription) {
			j, signer, ok := find(ctx, data, rep)
			if !ok {
				return nil, nil
			}
			return []simsx.SimAccount{signer}, &types.MsgPauseSubscription{Signer: signer.AddressBech32, JobId: j.Id}
		})
	}
	return simsx.SimMsgFactoryFn[*types.MsgResumeSubscription](func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgResumeSubscription) {
		j, signer, ok := find(ctx, data, rep)
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{signer}, &types.MsgResumeSubscription{Signer: signer.AddressBech32, JobId: j.Id}
	})
}

// topUpSubscription extends a running subscription within its listing's
// maximum term.
func (m Module) topUpSubscription() simsx.SimMsgFactoryFn[*types.MsgTopUpSubscription] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgTopUpSubscription) {
		r := data.Rand().Rand
		h := height(ctx)
		room := func(j types.Job) (escrowtypes.Stream, int64) {
			st, err := m.k.SubscriptionStream(ctx, j)
			l, lerr := m.k.GetListing(ctx, j.ListingId)
			if err != nil || lerr != nil || st.Ended(h) {
				return st, 0
			}
			return st, l.MaxDurationBlocks - (st.EndHeight - st.StartHeight)
		}
		j, found := m.pickSubscription(ctx, r, rep, func(j types.Job) bool {
			_, left := room(j)
			return left > 0 && data.HasAccount(j.Client)
		})
		if !found {
			return nil, nil
		}
		st, left := room(j)
		extra := 1 + r.Int63n(min(left, 20))
		client := data.GetAccount(rep, j.Client)
		if rep.IsSkipped() || !client.LiquidBalance().BlockAmount(sdk.NewCoin(st.Rate.Denom, st.Rate.Amount.MulRaw(extra))) {
			rep.Skip("the client cannot pay")
			return nil, nil
		}
		return []simsx.SimAccount{client}, &types.MsgTopUpSubscription{Client: j.Client, JobId: j.Id, ExtraBlocks: extra}
	}
}

// cancelSubscription ends a subscription (the client or the provider).
func (m Module) cancelSubscription() simsx.SimMsgFactoryFn[*types.MsgCancelSubscription] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgCancelSubscription) {
		r := data.Rand().Rand
		if r.Intn(2) == 0 {
			j, signer, ok := m.subscriptionProvider(ctx, data, rep, func(types.Job, escrowtypes.Stream) bool { return true })
			if !ok {
				return nil, nil
			}
			return []simsx.SimAccount{signer}, &types.MsgCancelSubscription{Signer: signer.AddressBech32, JobId: j.Id}
		}
		j, found := m.pickSubscription(ctx, r, rep, func(j types.Job) bool { return data.HasAccount(j.Client) })
		if !found {
			return nil, nil
		}
		client := data.GetAccount(rep, j.Client)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{client}, &types.MsgCancelSubscription{Signer: j.Client, JobId: j.Id}
	}
}

// refusedSubscriptionDelivery: a job message on a subscription is refused.
func (m Module) refusedSubscriptionDelivery() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler[*types.MsgDeliver](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgDeliver, simsx.SimDeliveryResultHandler) {
			r := data.Rand().Rand
			j, signer, ok := m.subscriptionProvider(ctx, data, rep, func(types.Job, escrowtypes.Stream) bool { return true })
			if !ok {
				return nil, nil, nil
			}
			return []simsx.SimAccount{signer}, &types.MsgDeliver{
				Signer: signer.AddressBech32, JobId: j.Id, ResultUri: simutil.URI(r, "result"), ResultHash: simutil.Hash(r),
			}, simutil.Expect(types.ErrIsSubscription)
		})
}
