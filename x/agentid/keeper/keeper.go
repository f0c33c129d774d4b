// Package keeper holds x/agentid's state and logic: agents and their
// indexes, attestations, spend policies and key-binding nonces.
package keeper

import (
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/indexes"
	"cosmossdk.io/core/address"
	"cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/collidx"
	"github.com/agentchain/agentchain/internal/keeperutil"
	"github.com/agentchain/agentchain/x/agentid/types"
)

// AgentIndexes are the secondary indexes of the agents map. IndexedMap keeps
// them in step with every write; lookups never scan.
type AgentIndexes struct {
	// Name finds an agent by its unique name.
	Name *indexes.Unique[string, uint64, types.Agent]
	// Address finds an agent by its unique agent address.
	Address *indexes.Unique[sdk.AccAddress, uint64, types.Agent]
	// Owner lists an owner's agents (pageable).
	Owner *collidx.Many[sdk.AccAddress, uint64, types.Agent]
	// Capability lists the agents of each capability (pageable); an agent
	// with several capabilities is under each.
	Capability *collidx.Many[string, uint64, types.Agent]
}

// IndexesList implements collections.Indexes.
func (i AgentIndexes) IndexesList() []collections.Index[uint64, types.Agent] {
	return []collections.Index[uint64, types.Agent]{i.Name, i.Address, i.Owner, i.Capability}
}

func newAgentIndexes(sb *collections.SchemaBuilder, ac address.Codec) AgentIndexes {
	return AgentIndexes{
		Name: indexes.NewUnique(sb, types.AgentsByNameKey, "agents_by_name",
			collections.StringKey, collections.Uint64Key,
			func(_ uint64, a types.Agent) (string, error) { return a.Name, nil }),
		Address: indexes.NewUnique(sb, types.AgentsByAddressKey, "agents_by_address",
			sdk.AccAddressKey, collections.Uint64Key,
			func(_ uint64, a types.Agent) (sdk.AccAddress, error) { return ac.StringToBytes(a.AgentAddress) }),
		Owner: collidx.NewMany(sb, types.AgentsByOwnerKey, "agents_by_owner",
			sdk.AccAddressKey, collections.Uint64Key,
			func(_ uint64, a types.Agent) ([]sdk.AccAddress, error) {
				owner, err := ac.StringToBytes(a.Owner)
				return []sdk.AccAddress{owner}, err
			}),
		Capability: collidx.NewMany(sb, types.AgentsByCapabilityKey, "agents_by_capability",
			collections.StringKey, collections.Uint64Key,
			func(_ uint64, a types.Agent) ([]string, error) { return a.Capabilities, nil }),
	}
}

// AttestationKey is (agent id, (attester, claim type)).
type AttestationKey = collections.Pair[uint64, collections.Pair[sdk.AccAddress, string]]

// Keeper is x/agentid's keeper.
type Keeper struct {
	cdc          codec.BinaryCodec
	storeService store.KVStoreService
	addressCodec address.Codec
	authority    string
	logger       log.Logger

	bank       types.BankKeeper
	moduleAddr sdk.AccAddress

	Schema collections.Schema
	Params collections.Item[types.Params]
	// AgentSeq issues agent ids, starting at 1.
	AgentSeq collections.Sequence
	Agents   *collidx.IndexedMap[uint64, types.Agent, AgentIndexes]
	// Attestations are keyed by agent, then attester and claim type.
	Attestations collections.Map[AttestationKey, types.Attestation]
	// SpendLimits are keyed by (agent id, denom).
	SpendLimits collections.Map[collections.Pair[uint64, string], types.SpendLimit]
	// BindingNonces hold the last key-proof nonce accepted per agent address.
	BindingNonces collections.Map[sdk.AccAddress, uint64]
	// AttestationExpiry holds (expires height, agent id) for every
	// attestation that expires (prune.go).
	AttestationExpiry collections.KeySet[keeperutil.QueueKey]
}

// NewKeeper returns the keeper. authority is the account allowed to change
// params (the gov module account).
func NewKeeper(
	cdc codec.BinaryCodec,
	storeService store.KVStoreService,
	ak types.AccountKeeper,
	bk types.BankKeeper,
	authority string,
	logger log.Logger,
) Keeper {
	if _, err := ak.AddressCodec().StringToBytes(authority); err != nil {
		panic(fmt.Errorf("invalid agentid authority %q: %w", authority, err))
	}
	moduleAddr := ak.GetModuleAddress(types.ModuleName)
	if moduleAddr == nil {
		panic("the agentid module account is not set in the account keeper's permissions")
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		cdc:          cdc,
		storeService: storeService,
		addressCodec: ak.AddressCodec(),
		authority:    authority,
		logger:       logger.With("module", "x/"+types.ModuleName),
		bank:         bk,
		moduleAddr:   moduleAddr,
		Params:       collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		AgentSeq:     collections.NewSequence(sb, types.AgentSeqKey, "agent_seq"),
		Agents: collidx.NewIndexedMap(sb, types.AgentsKey, "agents",
			collections.Uint64Key, codec.CollValue[types.Agent](cdc), newAgentIndexes(sb, ak.AddressCodec())),
		Attestations: collections.NewMap(sb, types.AttestationsKey, "attestations",
			collections.PairKeyCodec(collections.Uint64Key, collections.PairKeyCodec(sdk.AccAddressKey, collections.StringKey)),
			codec.CollValue[types.Attestation](cdc)),
		SpendLimits: collections.NewMap(sb, types.SpendLimitsKey, "spend_limits",
			collections.PairKeyCodec(collections.Uint64Key, collections.StringKey),
			codec.CollValue[types.SpendLimit](cdc)),
		BindingNonces: collections.NewMap(sb, types.BindingNoncesKey, "binding_nonces",
			sdk.AccAddressKey, collections.Uint64Value),
		AttestationExpiry: collections.NewKeySet(sb, types.AttestationExpiryKey, "attestation_expiry", keeperutil.QueueKeyCodec),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// Authority returns the account allowed to change params.
func (k Keeper) Authority() string { return k.authority }

// AddressCodec returns the account address codec.
func (k Keeper) AddressCodec() address.Codec { return k.addressCodec }

// Logger returns the module's logger.
func (k Keeper) Logger() log.Logger { return k.logger }

// GetAgent returns an agent by id.
func (k Keeper) GetAgent(ctx context.Context, id uint64) (types.Agent, error) {
	a, err := k.Agents.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return a, errorsmod.Wrapf(types.ErrAgentNotFound, "agent %d", id)
	}
	return a, err
}

// GetAgentByAddress returns the agent whose agent address is addr, and
// whether there is one.
func (k Keeper) GetAgentByAddress(ctx context.Context, addr sdk.AccAddress) (types.Agent, bool, error) {
	id, err := k.Agents.Indexes.Address.MatchExact(ctx, addr)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Agent{}, false, nil
	}
	if err != nil {
		return types.Agent{}, false, err
	}
	a, err := k.Agents.Get(ctx, id)
	if err != nil {
		return types.Agent{}, false, err
	}
	return a, true, nil
}

// GetAgentByName returns an agent by name.
func (k Keeper) GetAgentByName(ctx context.Context, name string) (types.Agent, error) {
	id, err := k.Agents.Indexes.Name.MatchExact(ctx, name)
	if errors.Is(err, collections.ErrNotFound) {
		return types.Agent{}, errorsmod.Wrapf(types.ErrAgentNotFound, "no agent named %q", name)
	}
	if err != nil {
		return types.Agent{}, err
	}
	return k.GetAgent(ctx, id)
}

// nextAgentID issues the next agent id; ids start at 1 so that 0 can mean
// "no agent" in other modules' records.
func (k Keeper) nextAgentID(ctx context.Context) (uint64, error) {
	id, err := k.AgentSeq.Next(ctx)
	if err != nil {
		return 0, err
	}
	if id == 0 {
		return k.AgentSeq.Next(ctx)
	}
	return id, nil
}

// DepositsHeld returns the sum of the deposits of agents not deactivated.
// The module account must hold exactly this (see CheckDepositConservation).
func (k Keeper) DepositsHeld(ctx context.Context) (sdk.Coins, error) {
	total := sdk.NewCoins()
	err := k.Agents.Walk(ctx, nil, func(_ uint64, a types.Agent) (bool, error) {
		if a.Status != types.AGENT_STATUS_DEACTIVATED && a.Deposit.IsPositive() {
			total = total.Add(a.Deposit)
		}
		return false, nil
	})
	return total, err
}

// CheckDepositConservation returns an error unless the module account holds
// exactly the deposits of the agents that are not deactivated. It walks
// every agent: for tests, queries and audits, never for block hooks.
func (k Keeper) CheckDepositConservation(ctx context.Context) error {
	held, err := k.DepositsHeld(ctx)
	if err != nil {
		return err
	}
	balance := k.bank.GetAllBalances(ctx, k.moduleAddr)
	if !balance.Equal(held) {
		return fmt.Errorf("agentid module account holds %s, agents' deposits sum to %s", balance, held)
	}
	return nil
}
