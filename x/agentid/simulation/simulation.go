// Package simulation drives x/agentid in the SDK's simulations (simsx):
// randomized params at genesis, and a message factory for every message —
// agents registered with keys the simulation holds and binds with real key
// proofs, updated, re-keyed, handed to new owners, suspended, retired,
// capped, attested — plus refusals that must be refused with the right
// error.
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
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/agentchain/agentchain/internal/simutil"
	"github.com/agentchain/agentchain/x/agentid/keeper"
	"github.com/agentchain/agentchain/x/agentid/types"
)

// Deps are what the factories read besides the keeper.
type Deps struct {
	Accounts simsx.ModuleAccountSource
	Bank     simutil.Bank
	Codec    address.Codec
	Keys     *simutil.Keyring
}

// Module adds x/agentid to a simulation manager.
type Module struct {
	k    keeper.Keeper
	deps Deps
}

// NewModule returns the simulation module of x/agentid.
func NewModule(k keeper.Keeper, deps Deps) Module { return Module{k: k, deps: deps} }

var _ module.AppModuleSimulation = Module{}

// Capabilities the simulation's agents and listings use.
var Capabilities = []string{"summarize", "translate", "research", "code", "review"}

// GenerateGenesisState sets random params: a deposit up to 1 AGNT, three
// of the simulation's accounts as attesters, and a short retention of
// expired attestations (up to 40 blocks, at most 1-5 agents a block) so
// that pruning runs inside a simulation.
func (Module) GenerateGenesisState(s *module.SimulationState) {
	gs := types.DefaultGenesis()
	gs.Params.RegistrationDeposit = sdk.NewCoin(s.BondDenom, sdkmath.NewInt(s.Rand.Int63n(1_000_001)))
	for i := 0; i < 3 && i < len(s.Accounts); i++ {
		gs.Params.Attesters = append(gs.Params.Attesters, s.Accounts[i].AddressBech32)
	}
	gs.Params.AttestationRetentionBlocks = s.Rand.Int63n(40)
	gs.Params.MaxPrunesPerBlock = uint32(1 + s.Rand.Intn(5))
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
	reg.Add(w.Get("agentid_register_agent", 60), m.registerAgent())
	reg.Add(w.Get("agentid_fund_agent_key", 40), m.fundAgentKey())
	reg.Add(w.Get("agentid_update_agent", 15), m.updateAgent())
	reg.Add(w.Get("agentid_rotate_agent_key", 8), m.rotateAgentKey())
	reg.Add(w.Get("agentid_transfer_ownership", 6), m.transferOwnership())
	reg.Add(w.Get("agentid_set_agent_status", 8), m.setAgentStatus())
	reg.Add(w.Get("agentid_deactivate_agent", 2), m.deactivateAgent())
	reg.Add(w.Get("agentid_set_spend_policy", 15), m.setSpendPolicy())
	reg.Add(w.Get("agentid_attest", 12), m.attest())
	reg.Add(w.Get("agentid_revoke_attestation", 4), m.revokeAttestation())
	reg.Add(w.Get("agentid_capped_send", 20), m.cappedSend())
	reg.Add(w.Get("agentid_refused_registration", 5), m.refusedRegistration())
	reg.Add(w.Get("agentid_refused_update", 3), m.refusedUpdate())
}

// ProposalMsgsX registers the params update as a governance proposal.
func (m Module) ProposalMsgsX(w simsx.WeightSource, reg simsx.Registry) {
	reg.Add(w.Get("agentid_update_params", 10), simsx.SimMsgFactoryFn[*types.MsgUpdateParams](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateParams) {
			p, err := m.k.Params.Get(ctx)
			if err != nil {
				rep.Skip(err.Error())
				return nil, nil
			}
			p.RegistrationDeposit.Amount = sdkmath.NewInt(data.Rand().Int63n(1_000_001))
			p.MaxCapabilities = uint32(4 + data.Rand().Intn(13))
			return nil, &types.MsgUpdateParams{Authority: m.k.Authority(), Params: p}
		}))
}

// pickAgent returns a random agent matching ok (a few tries), or skips.
func (m Module) pickAgent(ctx context.Context, r *rand.Rand, rep simsx.SimulationReporter, ok func(types.Agent) bool) (types.Agent, bool) {
	next, err := m.k.AgentSeq.Peek(ctx)
	if err != nil {
		rep.Skip(err.Error())
		return types.Agent{}, false
	}
	var found types.Agent
	_, picked := simutil.PickID(r, next, 12, func(id uint64) bool {
		a, err := m.k.Agents.Get(ctx, id)
		if err != nil || !ok(a) {
			return false
		}
		found = a
		return true
	})
	if !picked {
		rep.Skip("no matching agent")
	}
	return found, picked
}

// ownedBySim picks an agent that is not deactivated and whose owner is an
// account of the simulation, with that owner as signer.
func (m Module) ownedBySim(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter, ok func(types.Agent) bool) (types.Agent, simsx.SimAccount, bool) {
	a, found := m.pickAgent(ctx, data.Rand().Rand, rep, func(a types.Agent) bool {
		return a.Status != types.AGENT_STATUS_DEACTIVATED && data.HasAccount(a.Owner) && (ok == nil || ok(a))
	})
	if !found {
		return a, simsx.SimAccount{}, false
	}
	owner := data.GetAccount(rep, a.Owner)
	return a, owner, !rep.IsSkipped()
}

// freshKey derives a key no agent is bound to yet (after an import, the
// keyring starts over while the chain keeps the agents it had).
func (m Module) freshKey(ctx context.Context, rep simsx.SimulationReporter, owner simtypes.Account) (simtypes.Account, bool) {
	for i := 0; i < 50; i++ {
		key := m.deps.Keys.NewKey(owner)
		if _, err := m.k.Agents.Indexes.Address.MatchExact(ctx, key.Address); err != nil {
			return key, true
		}
	}
	rep.Skip("no fresh agent key")
	return simtypes.Account{}, false
}

func (m Module) proof(ctx context.Context, owner sdk.AccAddress, key simtypes.Account) (*types.KeyProof, error) {
	last, err := m.k.BindingNonces.Get(ctx, key.Address)
	if err != nil {
		last = 0
	}
	nonce := last + 1
	sig, err := key.PrivKey.Sign(types.BindingDigest(sdk.UnwrapSDKContext(ctx).ChainID(), owner, key.Address, nonce))
	if err != nil {
		return nil, err
	}
	return &types.KeyProof{PubKey: key.PrivKey.PubKey().Bytes(), Nonce: nonce, Signature: sig}, nil
}

func randomName(r *rand.Rand) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 10)
	for i := range b {
		b[i] = alphabet[r.Intn(len(alphabet))]
	}
	return "sim-" + string(b)
}

func randomCapabilities(r *rand.Rand) []string {
	var out []string
	for _, c := range Capabilities {
		if r.Intn(2) == 0 {
			out = append(out, c)
		}
	}
	if len(out) == 0 {
		out = append(out, Capabilities[r.Intn(len(Capabilities))])
	}
	return out
}

func (m Module) registerAgent() simsx.SimMsgFactoryFn[*types.MsgRegisterAgent] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRegisterAgent) {
		p, err := m.k.Params.Get(ctx)
		if err != nil {
			rep.Skip(err.Error())
			return nil, nil
		}
		owner := data.AnyAccount(rep, simsx.WithLiquidBalanceGTE(p.RegistrationDeposit.AddAmount(sdkmath.OneInt())))
		if rep.IsSkipped() {
			return nil, nil
		}
		if p.RegistrationDeposit.IsPositive() && !owner.LiquidBalance().BlockAmount(p.RegistrationDeposit) {
			rep.Skip("owner cannot pay the deposit")
			return nil, nil
		}
		r := data.Rand().Rand
		name := randomName(r)
		if _, err := m.k.Agents.Indexes.Name.MatchExact(ctx, name); err == nil {
			rep.Skip("name taken")
			return nil, nil
		}
		key, ok := m.freshKey(ctx, rep, owner.Account)
		if !ok {
			return nil, nil
		}
		proof, err := m.proof(ctx, owner.Address, key)
		if err != nil {
			rep.Skip(err.Error())
			return nil, nil
		}
		msg := &types.MsgRegisterAgent{
			Owner: owner.AddressBech32, Name: name, AgentAddress: key.AddressBech32, Proof: proof,
			Capabilities: randomCapabilities(r),
		}
		if r.Intn(4) == 0 {
			msg.CardUri, msg.CardHash = simutil.URI(r, "card"), simutil.Hash(r)
		}
		if r.Intn(5) == 0 {
			payout := data.AnyAccount(rep)
			if rep.IsSkipped() {
				return nil, nil
			}
			msg.PayoutAddress = payout.AddressBech32
		}
		return []simsx.SimAccount{owner}, msg
	}
}

// fundAgentKey has an owner send coins to its agent's key, so the key can
// pay fees and, as a client agent, prices.
func (m Module) fundAgentKey() simsx.SimMsgFactoryFn[*banktypes.MsgSend] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *banktypes.MsgSend) {
		if !data.IsSendEnabledDenom(sdk.DefaultBondDenom) {
			rep.Skip("sends are disabled")
			return nil, nil
		}
		a, owner, ok := m.ownedBySim(ctx, data, rep, func(a types.Agent) bool {
			_, held := m.deps.Keys.Get(a.AgentAddress)
			return held
		})
		if !ok {
			return nil, nil
		}
		bal := owner.LiquidBalance().AmountOf(sdk.DefaultBondDenom)
		if !bal.IsPositive() {
			rep.Skip("owner has nothing to send")
			return nil, nil
		}
		amount := sdk.NewCoin(sdk.DefaultBondDenom, bal.QuoRaw(10).AddRaw(1))
		if !owner.LiquidBalance().BlockAmount(amount) {
			rep.Skip("owner cannot fund")
			return nil, nil
		}
		return []simsx.SimAccount{owner}, &banktypes.MsgSend{FromAddress: owner.AddressBech32, ToAddress: a.AgentAddress, Amount: sdk.NewCoins(amount)}
	}
}

func (m Module) updateAgent() simsx.SimMsgFactoryFn[*types.MsgUpdateAgent] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateAgent) {
		a, owner, ok := m.ownedBySim(ctx, data, rep, nil)
		if !ok {
			return nil, nil
		}
		r := data.Rand().Rand
		msg := &types.MsgUpdateAgent{Owner: owner.AddressBech32, AgentId: a.Id, CardUri: simutil.URI(r, "card"), CardHash: simutil.Hash(r)}
		switch r.Intn(3) {
		case 0:
			msg.Capabilities = randomCapabilities(r)
		case 1:
			if a.PayoutAddress != "" {
				msg.ClearPayoutAddress = true
			}
		}
		return []simsx.SimAccount{owner}, msg
	}
}

func (m Module) rotateAgentKey() simsx.SimMsgFactoryFn[*types.MsgRotateAgentKey] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRotateAgentKey) {
		a, owner, ok := m.ownedBySim(ctx, data, rep, nil)
		if !ok {
			return nil, nil
		}
		key, ok := m.freshKey(ctx, rep, owner.Account)
		if !ok {
			return nil, nil
		}
		proof, err := m.proof(ctx, owner.Address, key)
		if err != nil {
			rep.Skip(err.Error())
			return nil, nil
		}
		return []simsx.SimAccount{owner}, &types.MsgRotateAgentKey{Owner: owner.AddressBech32, AgentId: a.Id, NewAgentAddress: key.AddressBech32, Proof: proof}
	}
}

func (m Module) transferOwnership() simsx.SimMsgFactoryFn[*types.MsgTransferOwnership] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgTransferOwnership) {
		a, owner, ok := m.ownedBySim(ctx, data, rep, nil)
		if !ok {
			return nil, nil
		}
		to := data.AnyAccount(rep, simsx.ExcludeAccounts(owner))
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{owner}, &types.MsgTransferOwnership{Owner: owner.AddressBech32, AgentId: a.Id, NewOwner: to.AddressBech32}
	}
}

func (m Module) setAgentStatus() simsx.SimMsgFactoryFn[*types.MsgSetAgentStatus] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSetAgentStatus) {
		a, owner, ok := m.ownedBySim(ctx, data, rep, nil)
		if !ok {
			return nil, nil
		}
		status := types.AGENT_STATUS_SUSPENDED
		if a.Status == types.AGENT_STATUS_SUSPENDED {
			status = types.AGENT_STATUS_ACTIVE
		}
		return []simsx.SimAccount{owner}, &types.MsgSetAgentStatus{Owner: owner.AddressBech32, AgentId: a.Id, Status: status}
	}
}

func (m Module) deactivateAgent() simsx.SimMsgFactoryFn[*types.MsgDeactivateAgent] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgDeactivateAgent) {
		a, owner, ok := m.ownedBySim(ctx, data, rep, nil)
		if !ok {
			return nil, nil
		}
		return []simsx.SimAccount{owner}, &types.MsgDeactivateAgent{Owner: owner.AddressBech32, AgentId: a.Id}
	}
}

func (m Module) setSpendPolicy() simsx.SimMsgFactoryFn[*types.MsgSetSpendPolicy] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgSetSpendPolicy) {
		a, owner, ok := m.ownedBySim(ctx, data, rep, nil)
		if !ok {
			return nil, nil
		}
		r := data.Rand().Rand
		has, err := m.k.SpendLimits.Has(ctx, collections.Join(a.Id, sdk.DefaultBondDenom))
		if err != nil {
			rep.Skip(err.Error())
			return nil, nil
		}
		msg := &types.MsgSetSpendPolicy{Owner: owner.AddressBech32, AgentId: a.Id, Denom: sdk.DefaultBondDenom}
		if has && r.Intn(4) == 0 {
			msg.Remove = true
		} else {
			msg.Cap = sdkmath.NewInt(r.Int63n(50_000_000_000))
			msg.WindowBlocks = uint64(1 + r.Intn(1000))
		}
		return []simsx.SimAccount{owner}, msg
	}
}

func (m Module) attest() simsx.SimMsgFactoryFn[*types.MsgAttest] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgAttest) {
		p, err := m.k.Params.Get(ctx)
		if err != nil || len(p.Attesters) == 0 {
			rep.Skip("no attesters")
			return nil, nil
		}
		r := data.Rand().Rand
		attester := data.GetAccount(rep, p.Attesters[r.Intn(len(p.Attesters))])
		if rep.IsSkipped() {
			return nil, nil
		}
		a, found := m.pickAgent(ctx, r, rep, func(a types.Agent) bool { return a.Status != types.AGENT_STATUS_DEACTIVATED })
		if !found {
			return nil, nil
		}
		msg := &types.MsgAttest{
			Attester: attester.AddressBech32, AgentId: a.Id, ClaimType: []string{"kyc", "model-audit", "capability-tested"}[r.Intn(3)],
			Uri: simutil.URI(r, "claim"), Hash: simutil.Hash(r),
		}
		if r.Intn(2) == 0 {
			msg.ExpiresHeight = sdk.UnwrapSDKContext(ctx).BlockHeight() + 1 + r.Int63n(100)
		}
		return []simsx.SimAccount{attester}, msg
	}
}

func (m Module) revokeAttestation() simsx.SimMsgFactoryFn[*types.MsgRevokeAttestation] {
	return func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRevokeAttestation) {
		r := data.Rand().Rand
		a, found := m.pickAgent(ctx, r, rep, func(a types.Agent) bool { return true })
		if !found {
			return nil, nil
		}
		var atts []types.Attestation
		_ = m.k.Attestations.Walk(ctx, collections.NewPrefixedPairRange[uint64, collections.Pair[sdk.AccAddress, string]](a.Id),
			func(_ keeper.AttestationKey, at types.Attestation) (bool, error) {
				if data.HasAccount(at.Attester) {
					atts = append(atts, at)
				}
				return len(atts) >= 10, nil
			})
		if len(atts) == 0 {
			rep.Skip("no attestation to revoke")
			return nil, nil
		}
		at := atts[r.Intn(len(atts))]
		attester := data.GetAccount(rep, at.Attester)
		if rep.IsSkipped() {
			return nil, nil
		}
		return []simsx.SimAccount{attester}, &types.MsgRevokeAttestation{Attester: at.Attester, AgentId: at.AgentId, ClaimType: at.ClaimType}
	}
}

// cappedSend has a capped agent key send coins. Whatever the bucket holds
// minus the most the fee can take must go through; more may be refused with
// ErrSpendCapExceeded, and nothing else.
func (m Module) cappedSend() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler[*banktypes.MsgSend](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *banktypes.MsgSend, simsx.SimDeliveryResultHandler) {
			if !data.IsSendEnabledDenom(sdk.DefaultBondDenom) {
				rep.Skip("sends are disabled")
				return nil, nil, nil
			}
			r := data.Rand().Rand
			var key simtypes.Account
			var limit types.SpendLimit
			a, found := m.pickAgent(ctx, r, rep, func(a types.Agent) bool {
				k, held := m.deps.Keys.Get(a.AgentAddress)
				if !held {
					return false
				}
				l, err := m.k.SpendLimits.Get(ctx, collections.Join(a.Id, sdk.DefaultBondDenom))
				if err != nil {
					return false
				}
				key, limit = k, l
				return true
			})
			if !found {
				return nil, nil, nil
			}
			signer := simutil.Signer(ctx, r, m.deps.Accounts, m.deps.Bank, m.deps.Codec, key)
			balance := signer.LiquidBalance().AmountOf(sdk.DefaultBondDenom)
			if balance.LT(sdkmath.NewInt(100)) {
				rep.Skip("the agent key holds too little")
				return nil, nil, nil
			}
			height := sdk.UnwrapSDKContext(ctx).BlockHeight()
			available := limit.Available(height)
			maxFee := sdkmath.MinInt(balance.QuoRaw(10), sdkmath.NewInt(1_000))
			amount := sdkmath.NewInt(1 + r.Int63n(available.MulRaw(2).AddRaw(2).Int64()))
			if amount.Add(maxFee).GT(balance) {
				amount = balance.Sub(maxFee)
			}
			if !amount.IsPositive() || !signer.LiquidBalance().BlockAmount(sdk.NewCoin(sdk.DefaultBondDenom, amount)) {
				rep.Skip("nothing to send")
				return nil, nil, nil
			}
			simutil.LimitFees(&signer, sdk.DefaultBondDenom, maxFee)
			to := data.AnyAccount(rep)
			if rep.IsSkipped() {
				return nil, nil, nil
			}
			msg := &banktypes.MsgSend{FromAddress: a.AgentAddress, ToAddress: to.AddressBech32, Amount: sdk.NewCoins(sdk.NewCoin(sdk.DefaultBondDenom, amount))}
			if to.AddressBech32 == a.Owner {
				return []simsx.SimAccount{signer}, msg, nil // to the owner: never capped
			}
			if amount.Add(maxFee).LTE(available) {
				return []simsx.SimAccount{signer}, msg, nil // the bucket holds it: must pass
			}
			return []simsx.SimAccount{signer}, msg, simutil.ExpectOneOf(types.ErrSpendCapExceeded)
		})
}

// refusedRegistration tries to bind a key without holding it (a proof
// signed by another key) or to take a used name.
func (m Module) refusedRegistration() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler[*types.MsgRegisterAgent](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgRegisterAgent, simsx.SimDeliveryResultHandler) {
			owner := data.AnyAccount(rep, simsx.WithSpendableBalance())
			victim := data.AnyAccount(rep, simsx.ExcludeAccounts(owner))
			if rep.IsSkipped() {
				return nil, nil, nil
			}
			r := data.Rand().Rand
			if existing, found := m.pickAgent(ctx, r, rep, func(types.Agent) bool { return true }); found && r.Intn(2) == 0 {
				key, ok := m.freshKey(ctx, rep, owner.Account)
				if !ok {
					return nil, nil, nil
				}
				proof, err := m.proof(ctx, owner.Address, key)
				if err != nil {
					rep.Skip(err.Error())
					return nil, nil, nil
				}
				return []simsx.SimAccount{owner}, &types.MsgRegisterAgent{Owner: owner.AddressBech32, Name: existing.Name, AgentAddress: key.AddressBech32, Proof: proof},
					simutil.Expect(types.ErrNameTaken)
			} else if rep.IsSkipped() {
				return nil, nil, nil
			}
			// A proof for the victim's address signed by the owner's own key.
			nonce := uint64(1)
			sig, err := owner.PrivKey.Sign(types.BindingDigest(sdk.UnwrapSDKContext(ctx).ChainID(), owner.Address, victim.Address, nonce))
			if err != nil {
				rep.Skip(err.Error())
				return nil, nil, nil
			}
			return []simsx.SimAccount{owner}, &types.MsgRegisterAgent{
				Owner: owner.AddressBech32, Name: randomName(r), AgentAddress: victim.AddressBech32,
				Proof: &types.KeyProof{PubKey: victim.PubKey.Bytes(), Nonce: nonce, Signature: sig},
			}, simutil.Expect(types.ErrInvalidKeyProof)
		})
}

// refusedUpdate has someone who is not the owner update an agent.
func (m Module) refusedUpdate() simsx.SimMsgFactoryX {
	return simsx.NewSimMsgFactoryWithDeliveryResultHandler[*types.MsgUpdateAgent](
		func(ctx context.Context, data *simsx.ChainDataSource, rep simsx.SimulationReporter) ([]simsx.SimAccount, *types.MsgUpdateAgent, simsx.SimDeliveryResultHandler) {
			a, found := m.pickAgent(ctx, data.Rand().Rand, rep, func(a types.Agent) bool { return a.Status != types.AGENT_STATUS_DEACTIVATED })
			if !found {
				return nil, nil, nil
			}
			stranger := data.AnyAccount(rep, simsx.ExcludeAddresses(a.Owner))
			if rep.IsSkipped() {
				return nil, nil, nil
			}
			r := data.Rand().Rand
			return []simsx.SimAccount{stranger}, &types.MsgUpdateAgent{Owner: stranger.AddressBech32, AgentId: a.Id, CardUri: simutil.URI(r, "card"), CardHash: simutil.Hash(r)},
				simutil.Expect(types.ErrNotOwner)
		})
}

// String names the module in reports.
func (Module) String() string { return fmt.Sprintf("%s simulation", types.ModuleName) }
