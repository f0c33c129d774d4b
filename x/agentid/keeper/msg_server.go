package keeper

import (
	"bytes"
	"context"
	"errors"
	"slices"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/keeperutil"
	"github.com/agentchain/agentchain/internal/typedevent"
	"github.com/agentchain/agentchain/x/agentid/types"
)

// MaxSpendPoliciesPerAgent bounds the denoms one agent can be capped in, so
// that deactivation's cleanup and the spend query stay small.
const MaxSpendPoliciesPerAgent = 8

// MaxWindowBlocks bounds a spend window: about a year of 1-second blocks.
const MaxWindowBlocks = 31_536_000

type msgServer struct {
	k Keeper
}

var _ types.MsgServer = msgServer{}

// NewMsgServerImpl returns the module's Msg service. Every handler checks
// its input first, then state, and writes last: a refused message leaves no
// trace.
func NewMsgServerImpl(k Keeper) types.MsgServer {
	return msgServer{k: k}
}

func (k Keeper) parseAddr(field, s string) (sdk.AccAddress, error) {
	return keeperutil.ParseAddress(k.addressCodec, types.ErrInvalidAddress, field, s)
}

// parsePayout checks a payout address: valid, and able to receive coins.
// A module account (a blocked address) is refused: payments to it would
// bypass its module's books (bank's InputOutputCoins, which pays
// purchases, does not check blocked addresses).
func (k Keeper) parsePayout(s string) error {
	addr, err := k.parseAddr("payout_address", s)
	if err != nil {
		return err
	}
	if k.bank.BlockedAddr(addr) {
		return errorsmod.Wrapf(types.ErrInvalidAddress, "payout_address %s may not receive coins (a module account or blocked address)", s)
	}
	return nil
}

// ownedAgent loads an agent that the signer owns and that is not deactivated.
func (k Keeper) ownedAgent(ctx context.Context, id uint64, signer string) (types.Agent, error) {
	signerAddr, err := k.parseAddr("owner", signer)
	if err != nil {
		return types.Agent{}, err
	}
	a, err := k.GetAgent(ctx, id)
	if err != nil {
		return a, err
	}
	owner, err := k.addressCodec.StringToBytes(a.Owner)
	if err != nil {
		return a, err
	}
	if !bytes.Equal(owner, signerAddr) {
		return a, errorsmod.Wrapf(types.ErrNotOwner, "agent %d is owned by %s, not %s", id, a.Owner, signer)
	}
	if a.Status == types.AGENT_STATUS_DEACTIVATED {
		return a, errorsmod.Wrapf(types.ErrAgentDeactivated, "agent %d", id)
	}
	return a, nil
}

// checkBinding verifies that the owner may bind agentAddr: either it is the
// owner's own address, or the proof is valid and its nonce is fresh. It
// returns the nonce to record (0 when none).
func (k Keeper) checkBinding(ctx context.Context, owner, agentAddr sdk.AccAddress, proof *types.KeyProof) (uint64, error) {
	if agentAddr.Equals(owner) {
		return 0, nil
	}
	sdkCtx := sdk.UnwrapSDKContext(ctx)
	if err := types.VerifyKeyProof(sdkCtx.ChainID(), owner, agentAddr, proof); err != nil {
		return 0, err
	}
	last, err := k.BindingNonces.Get(ctx, agentAddr)
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return 0, err
	}
	if proof.Nonce <= last {
		return 0, errorsmod.Wrapf(types.ErrNonceUsed, "nonce %d for %s: the last accepted nonce is %d; sign a new proof with a greater nonce", proof.Nonce, agentAddr, last)
	}
	return proof.Nonce, nil
}

// checkAddressFree refuses an agent address already bound to an agent.
func (k Keeper) checkAddressFree(ctx context.Context, addr sdk.AccAddress) error {
	id, err := k.Agents.Indexes.Address.MatchExact(ctx, addr)
	switch {
	case err == nil:
		return errorsmod.Wrapf(types.ErrAddressTaken, "%s is the address of agent %d", addr, id)
	case errors.Is(err, collections.ErrNotFound):
		return nil
	default:
		return err
	}
}

// RegisterAgent implements types.MsgServer.
func (m msgServer) RegisterAgent(ctx context.Context, msg *types.MsgRegisterAgent) (*types.MsgRegisterAgentResponse, error) {
	k := m.k
	owner, err := k.parseAddr("owner", msg.Owner)
	if err != nil {
		return nil, err
	}
	agentAddr, err := k.parseAddr("agent_address", msg.AgentAddress)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateName(msg.Name); err != nil {
		return nil, err
	}
	if msg.PayoutAddress != "" {
		if err := k.parsePayout(msg.PayoutAddress); err != nil {
			return nil, err
		}
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	caps, err := types.NormalizeCapabilities(msg.Capabilities, params.MaxCapabilities)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateCard(msg.CardUri, msg.CardHash); err != nil {
		return nil, err
	}
	if err := types.ValidateEndpoints(msg.Endpoints, params.MaxEndpoints); err != nil {
		return nil, err
	}
	if _, err := k.Agents.Indexes.Name.MatchExact(ctx, msg.Name); err == nil {
		return nil, errorsmod.Wrapf(types.ErrNameTaken, "%q (names are never reused, even after deactivation)", msg.Name)
	} else if !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}
	if err := k.checkAddressFree(ctx, agentAddr); err != nil {
		return nil, err
	}
	nonce, err := k.checkBinding(ctx, owner, agentAddr, msg.Proof)
	if err != nil {
		return nil, err
	}

	deposit := params.RegistrationDeposit
	if deposit.IsPositive() {
		if err := k.bank.SendCoinsFromAccountToModule(ctx, owner, types.ModuleName, sdk.NewCoins(deposit)); err != nil {
			// A refusal by the owner's own spend cap (an owner may itself
			// be an agent's address) is passed on as it is; any other
			// failure (too little balance, say) is this module's refusal
			// with the bank's explanation.
			if errors.Is(err, types.ErrSpendCapExceeded) {
				return nil, errorsmod.Wrapf(err, "registration deposit of %s", deposit)
			}
			return nil, errorsmod.Wrapf(types.ErrDepositFailed, "registration deposit of %s from %s: %s", deposit, owner, err)
		}
	}
	id, err := k.nextAgentID(ctx)
	if err != nil {
		return nil, err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	agent := types.Agent{
		Id:            id,
		Name:          msg.Name,
		Owner:         owner.String(),
		AgentAddress:  agentAddr.String(),
		PayoutAddress: msg.PayoutAddress,
		CardUri:       msg.CardUri,
		CardHash:      msg.CardHash,
		Capabilities:  caps,
		Endpoints:     msg.Endpoints,
		Status:        types.AGENT_STATUS_ACTIVE,
		Deposit:       deposit,
		CreatedHeight: height,
		UpdatedHeight: height,
	}
	if err := k.Agents.Set(ctx, id, agent); err != nil {
		return nil, err
	}
	if nonce > 0 {
		if err := k.BindingNonces.Set(ctx, agentAddr, nonce); err != nil {
			return nil, err
		}
	}
	if err := typedevent.Emit(ctx, &types.EventAgentRegistered{
		AgentId: id, Name: agent.Name, Owner: agent.Owner, AgentAddress: agent.AgentAddress, Deposit: deposit,
	}); err != nil {
		return nil, err
	}
	return &types.MsgRegisterAgentResponse{Id: id}, nil
}

// UpdateAgent implements types.MsgServer.
func (m msgServer) UpdateAgent(ctx context.Context, msg *types.MsgUpdateAgent) (*types.MsgUpdateAgentResponse, error) {
	k := m.k
	if msg.ClearCard && (msg.CardUri != "" || len(msg.CardHash) > 0) {
		return nil, errorsmod.Wrap(types.ErrInvalidURI, "clear_card together with a new card")
	}
	if msg.ClearCapabilities && len(msg.Capabilities) > 0 {
		return nil, errorsmod.Wrap(types.ErrInvalidCapability, "clear_capabilities together with new capabilities")
	}
	if msg.ClearEndpoints && len(msg.Endpoints) > 0 {
		return nil, errorsmod.Wrap(types.ErrInvalidEndpoint, "clear_endpoints together with new endpoints")
	}
	if msg.ClearPayoutAddress && msg.PayoutAddress != "" {
		return nil, errorsmod.Wrap(types.ErrInvalidAddress, "clear_payout_address together with a new payout address")
	}
	if msg.PayoutAddress != "" {
		if err := k.parsePayout(msg.PayoutAddress); err != nil {
			return nil, err
		}
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	agent, err := k.ownedAgent(ctx, msg.AgentId, msg.Owner)
	if err != nil {
		return nil, err
	}
	before := agent.String()

	switch {
	case msg.ClearCard:
		agent.CardUri, agent.CardHash = "", nil
	case msg.CardUri != "" || len(msg.CardHash) > 0:
		if msg.CardUri == "" {
			return nil, errorsmod.Wrap(types.ErrInvalidURI, "card_hash given without card_uri")
		}
		if err := types.ValidateCard(msg.CardUri, msg.CardHash); err != nil {
			return nil, err
		}
		agent.CardUri, agent.CardHash = msg.CardUri, msg.CardHash
	}
	switch {
	case msg.ClearCapabilities:
		agent.Capabilities = nil
	case len(msg.Capabilities) > 0:
		caps, err := types.NormalizeCapabilities(msg.Capabilities, params.MaxCapabilities)
		if err != nil {
			return nil, err
		}
		agent.Capabilities = caps
	}
	switch {
	case msg.ClearEndpoints:
		agent.Endpoints = nil
	case len(msg.Endpoints) > 0:
		if err := types.ValidateEndpoints(msg.Endpoints, params.MaxEndpoints); err != nil {
			return nil, err
		}
		agent.Endpoints = msg.Endpoints
	}
	switch {
	case msg.ClearPayoutAddress:
		agent.PayoutAddress = ""
	case msg.PayoutAddress != "":
		agent.PayoutAddress = msg.PayoutAddress
	}
	if agent.String() == before {
		return nil, errorsmod.Wrapf(types.ErrNothingToUpdate, "agent %d", agent.Id)
	}
	agent.UpdatedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.Agents.Set(ctx, agent.Id, agent); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventAgentUpdated{AgentId: agent.Id}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateAgentResponse{}, nil
}

// RotateAgentKey implements types.MsgServer. Spend policies are keyed by the
// agent, so they follow it to the new address; the old address is no longer
// the agent's and no longer capped.
func (m msgServer) RotateAgentKey(ctx context.Context, msg *types.MsgRotateAgentKey) (*types.MsgRotateAgentKeyResponse, error) {
	k := m.k
	owner, err := k.parseAddr("owner", msg.Owner)
	if err != nil {
		return nil, err
	}
	newAddr, err := k.parseAddr("new_agent_address", msg.NewAgentAddress)
	if err != nil {
		return nil, err
	}
	agent, err := k.ownedAgent(ctx, msg.AgentId, msg.Owner)
	if err != nil {
		return nil, err
	}
	oldAddr := agent.AgentAddress
	if newAddr.String() == oldAddr {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "%s is already agent %d's address", oldAddr, agent.Id)
	}
	if err := k.checkAddressFree(ctx, newAddr); err != nil {
		return nil, err
	}
	nonce, err := k.checkBinding(ctx, owner, newAddr, msg.Proof)
	if err != nil {
		return nil, err
	}
	agent.AgentAddress = newAddr.String()
	agent.UpdatedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.Agents.Set(ctx, agent.Id, agent); err != nil {
		return nil, err
	}
	if nonce > 0 {
		if err := k.BindingNonces.Set(ctx, newAddr, nonce); err != nil {
			return nil, err
		}
	}
	if err := typedevent.Emit(ctx, &types.EventAgentKeyRotated{AgentId: agent.Id, OldAddress: oldAddr, NewAddress: agent.AgentAddress}); err != nil {
		return nil, err
	}
	return &types.MsgRotateAgentKeyResponse{}, nil
}

// TransferOwnership implements types.MsgServer.
func (m msgServer) TransferOwnership(ctx context.Context, msg *types.MsgTransferOwnership) (*types.MsgTransferOwnershipResponse, error) {
	k := m.k
	newOwner, err := k.parseAddr("new_owner", msg.NewOwner)
	if err != nil {
		return nil, err
	}
	agent, err := k.ownedAgent(ctx, msg.AgentId, msg.Owner)
	if err != nil {
		return nil, err
	}
	oldOwner := agent.Owner
	if newOwner.String() == oldOwner {
		return nil, errorsmod.Wrapf(types.ErrInvalidAddress, "%s already owns agent %d", oldOwner, agent.Id)
	}
	agent.Owner = newOwner.String()
	agent.UpdatedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.Agents.Set(ctx, agent.Id, agent); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventOwnershipTransferred{AgentId: agent.Id, OldOwner: oldOwner, NewOwner: agent.Owner}); err != nil {
		return nil, err
	}
	return &types.MsgTransferOwnershipResponse{}, nil
}

// SetAgentStatus implements types.MsgServer.
func (m msgServer) SetAgentStatus(ctx context.Context, msg *types.MsgSetAgentStatus) (*types.MsgSetAgentStatusResponse, error) {
	k := m.k
	if msg.Status != types.AGENT_STATUS_ACTIVE && msg.Status != types.AGENT_STATUS_SUSPENDED {
		return nil, errorsmod.Wrapf(types.ErrInvalidStatus, "status %s: use ACTIVE or SUSPENDED (DeactivateAgent retires an agent)", msg.Status)
	}
	agent, err := k.ownedAgent(ctx, msg.AgentId, msg.Owner)
	if err != nil {
		return nil, err
	}
	if agent.Status == msg.Status {
		return nil, errorsmod.Wrapf(types.ErrInvalidStatus, "agent %d is already %s", agent.Id, msg.Status)
	}
	agent.Status = msg.Status
	agent.UpdatedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.Agents.Set(ctx, agent.Id, agent); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventAgentStatusChanged{AgentId: agent.Id, Status: agent.Status}); err != nil {
		return nil, err
	}
	return &types.MsgSetAgentStatusResponse{}, nil
}

// DeactivateAgent implements types.MsgServer: the deposit goes back to the
// owner, spend policies end, and the name and address stay taken forever.
func (m msgServer) DeactivateAgent(ctx context.Context, msg *types.MsgDeactivateAgent) (*types.MsgDeactivateAgentResponse, error) {
	k := m.k
	agent, err := k.ownedAgent(ctx, msg.AgentId, msg.Owner)
	if err != nil {
		return nil, err
	}
	owner, err := k.addressCodec.StringToBytes(agent.Owner)
	if err != nil {
		return nil, err
	}
	refund := agent.Deposit
	if refund.IsPositive() {
		if err := k.bank.SendCoinsFromModuleToAccount(ctx, types.ModuleName, owner, sdk.NewCoins(refund)); err != nil {
			return nil, err
		}
	}
	agent.Deposit = sdk.NewCoin(refund.Denom, sdkmath.ZeroInt())
	agent.Status = types.AGENT_STATUS_DEACTIVATED
	agent.UpdatedHeight = sdk.UnwrapSDKContext(ctx).BlockHeight()
	if err := k.Agents.Set(ctx, agent.Id, agent); err != nil {
		return nil, err
	}
	rng := collections.NewPrefixedPairRange[uint64, string](agent.Id)
	if err := k.SpendLimits.Clear(ctx, rng); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventAgentDeactivated{AgentId: agent.Id, RefundedTo: agent.Owner, Refund: refund}); err != nil {
		return nil, err
	}
	return &types.MsgDeactivateAgentResponse{}, nil
}

// SetSpendPolicy implements types.MsgServer.
func (m msgServer) SetSpendPolicy(ctx context.Context, msg *types.MsgSetSpendPolicy) (*types.MsgSetSpendPolicyResponse, error) {
	k := m.k
	if err := sdk.ValidateDenom(msg.Denom); err != nil {
		return nil, errorsmod.Wrapf(types.ErrInvalidSpendPolicy, "denom %q: %s", msg.Denom, err)
	}
	if !msg.Remove {
		if msg.Cap.IsNil() || msg.Cap.IsNegative() {
			return nil, errorsmod.Wrap(types.ErrInvalidSpendPolicy, "cap must be zero or positive")
		}
		if msg.Cap.BigInt().BitLen() > types.MaxSpendCapBits {
			return nil, errorsmod.Wrapf(types.ErrInvalidSpendPolicy, "cap must be below 2^%d", types.MaxSpendCapBits)
		}
		if msg.WindowBlocks == 0 || msg.WindowBlocks > MaxWindowBlocks {
			return nil, errorsmod.Wrapf(types.ErrInvalidSpendPolicy, "window_blocks must be in [1, %d], got %d", MaxWindowBlocks, msg.WindowBlocks)
		}
	}
	agent, err := k.ownedAgent(ctx, msg.AgentId, msg.Owner)
	if err != nil {
		return nil, err
	}
	key := collections.Join(agent.Id, msg.Denom)
	existing, err := k.SpendLimits.Get(ctx, key)
	found := err == nil
	if err != nil && !errors.Is(err, collections.ErrNotFound) {
		return nil, err
	}

	if msg.Remove {
		if !found {
			return nil, errorsmod.Wrapf(types.ErrSpendPolicyNotFound, "agent %d has no spend policy for %s", agent.Id, msg.Denom)
		}
		if err := k.SpendLimits.Remove(ctx, key); err != nil {
			return nil, err
		}
		if err := typedevent.Emit(ctx, &types.EventSpendPolicySet{AgentId: agent.Id, Denom: msg.Denom, Removed: true}); err != nil {
			return nil, err
		}
		return &types.MsgSetSpendPolicyResponse{}, nil
	}

	if !found {
		n := 0
		if err := k.SpendLimits.Walk(ctx, collections.NewPrefixedPairRange[uint64, string](agent.Id), func(collections.Pair[uint64, string], types.SpendLimit) (bool, error) {
			n++
			return false, nil
		}); err != nil {
			return nil, err
		}
		if n >= MaxSpendPoliciesPerAgent {
			return nil, errorsmod.Wrapf(types.ErrInvalidSpendPolicy, "agent %d already has %d spend policies, the most allowed", agent.Id, n)
		}
	}
	// A new policy starts with a full bucket. Changing one keeps what was
	// drawn (see types.SpendLimit.Rescaled), so raising and lowering a cap
	// cannot refill it.
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	limit := types.SpendLimit{
		AgentId: agent.Id, Denom: msg.Denom, Cap: msg.Cap, WindowBlocks: msg.WindowBlocks,
		Used: sdkmath.ZeroInt(), UsedHeight: height,
	}
	if found {
		limit = existing.Rescaled(height, msg.Cap, msg.WindowBlocks)
	}
	if err := k.SpendLimits.Set(ctx, key, limit); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventSpendPolicySet{
		AgentId: agent.Id, Denom: msg.Denom, Cap: msg.Cap.String(), WindowBlocks: msg.WindowBlocks,
	}); err != nil {
		return nil, err
	}
	return &types.MsgSetSpendPolicyResponse{}, nil
}

// Attest implements types.MsgServer.
func (m msgServer) Attest(ctx context.Context, msg *types.MsgAttest) (*types.MsgAttestResponse, error) {
	k := m.k
	attester, err := k.parseAddr("attester", msg.Attester)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateClaimType(msg.ClaimType); err != nil {
		return nil, err
	}
	if err := types.ValidateHash("hash", msg.Hash); err != nil {
		return nil, err
	}
	params, err := k.Params.Get(ctx)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateURI("uri", msg.Uri); err != nil {
		return nil, err
	}
	height := sdk.UnwrapSDKContext(ctx).BlockHeight()
	if msg.ExpiresHeight < 0 {
		return nil, errorsmod.Wrapf(types.ErrInvalidExpiry, "expires_height %d is negative (0 means the attestation never expires)", msg.ExpiresHeight)
	}
	if msg.ExpiresHeight != 0 && msg.ExpiresHeight <= height {
		return nil, errorsmod.Wrapf(types.ErrInvalidExpiry, "expires_height %d is not after the current height %d", msg.ExpiresHeight, height)
	}
	if !slices.Contains(params.Attesters, attester.String()) {
		return nil, errorsmod.Wrapf(types.ErrNotAttester, "%s is not in the attesters param", attester)
	}
	agent, err := k.GetAgent(ctx, msg.AgentId)
	if err != nil {
		return nil, err
	}
	if agent.Status == types.AGENT_STATUS_DEACTIVATED {
		return nil, errorsmod.Wrapf(types.ErrAgentDeactivated, "agent %d", agent.Id)
	}
	att := types.Attestation{
		AgentId: agent.Id, Attester: attester.String(), ClaimType: msg.ClaimType, Uri: msg.Uri,
		Hash: msg.Hash, ExpiresHeight: msg.ExpiresHeight, CreatedHeight: height,
	}
	if err := k.Attestations.Set(ctx, collections.Join(agent.Id, collections.Join(attester, msg.ClaimType)), att); err != nil {
		return nil, err
	}
	if err := k.queueExpiry(ctx, att); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventAttested{
		AgentId: agent.Id, Attester: att.Attester, ClaimType: att.ClaimType, ExpiresHeight: att.ExpiresHeight,
	}); err != nil {
		return nil, err
	}
	return &types.MsgAttestResponse{}, nil
}

// RevokeAttestation implements types.MsgServer. An attester may revoke its
// claims even after governance removed it from the attesters.
func (m msgServer) RevokeAttestation(ctx context.Context, msg *types.MsgRevokeAttestation) (*types.MsgRevokeAttestationResponse, error) {
	k := m.k
	attester, err := k.parseAddr("attester", msg.Attester)
	if err != nil {
		return nil, err
	}
	if err := types.ValidateClaimType(msg.ClaimType); err != nil {
		return nil, err
	}
	key := collections.Join(msg.AgentId, collections.Join(attester, msg.ClaimType))
	has, err := k.Attestations.Has(ctx, key)
	if err != nil {
		return nil, err
	}
	if !has {
		return nil, errorsmod.Wrapf(types.ErrAttestationNotFound, "no %q attestation of agent %d by %s", msg.ClaimType, msg.AgentId, attester)
	}
	if err := k.Attestations.Remove(ctx, key); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventAttestationRevoked{AgentId: msg.AgentId, Attester: attester.String(), ClaimType: msg.ClaimType}); err != nil {
		return nil, err
	}
	return &types.MsgRevokeAttestationResponse{}, nil
}

// UpdateParams implements types.MsgServer.
func (m msgServer) UpdateParams(ctx context.Context, msg *types.MsgUpdateParams) (*types.MsgUpdateParamsResponse, error) {
	k := m.k
	if msg.Authority != k.authority {
		return nil, errorsmod.Wrapf(types.ErrInvalidAuthority, "expected %s, got %s", k.authority, msg.Authority)
	}
	if err := msg.Params.Validate(); err != nil {
		return nil, errorsmod.Wrap(types.ErrInvalidParams, err.Error())
	}
	if err := k.Params.Set(ctx, msg.Params); err != nil {
		return nil, err
	}
	if err := typedevent.Emit(ctx, &types.EventParamsUpdated{Authority: msg.Authority}); err != nil {
		return nil, err
	}
	return &types.MsgUpdateParamsResponse{}, nil
}
