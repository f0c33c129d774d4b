// Package keeper holds x/market's state and logic: listings, requests for
// quote and their bids, jobs and their lifecycle, and the timeouts that
// keep every job moving.
package keeper

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	"cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/log"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/agentchain/agentchain/internal/collidx"
	"github.com/agentchain/agentchain/internal/keeperutil"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	"github.com/agentchain/agentchain/x/market/types"
)

// PriceKey orders active listings of a capability by denom and price.
type PriceKey = collections.Pair[string, collections.Pair[string, uint64]]

// ListingIndexes are the secondary indexes of listings.
type ListingIndexes struct {
	// Provider lists a provider agent's listings.
	Provider *collidx.Many[uint64, uint64, types.Listing]
	// Price holds active listings only, keyed (capability, denom, price, id):
	// a capability's offers in one denom, cheapest first, in one range.
	Price *collidx.Many[PriceKey, uint64, types.Listing]
}

// IndexesList implements collections.Indexes.
func (i ListingIndexes) IndexesList() []collections.Index[uint64, types.Listing] {
	return []collections.Index[uint64, types.Listing]{i.Provider, i.Price}
}

// RequestIndexes are the secondary indexes of requests.
type RequestIndexes struct {
	// OpenByCapability holds open requests only.
	OpenByCapability *collidx.Many[string, uint64, types.Request]
	// Client lists a client's requests.
	Client *collidx.Many[sdk.AccAddress, uint64, types.Request]
}

// IndexesList implements collections.Indexes.
func (i RequestIndexes) IndexesList() []collections.Index[uint64, types.Request] {
	return []collections.Index[uint64, types.Request]{i.OpenByCapability, i.Client}
}

// JobIndexes are the secondary indexes of jobs.
type JobIndexes struct {
	Client   *collidx.Many[sdk.AccAddress, uint64, types.Job]
	Provider *collidx.Many[uint64, uint64, types.Job]
	Status   *collidx.Many[int32, uint64, types.Job]
	// Parent lists the subcontracts of a job.
	Parent *collidx.Many[uint64, uint64, types.Job]
	// ClientAgent lists the jobs an agent hired as a client, whatever key
	// signed (since the v2 upgrade).
	ClientAgent *collidx.Many[uint64, uint64, types.Job]
}

// IndexesList implements collections.Indexes.
func (i JobIndexes) IndexesList() []collections.Index[uint64, types.Job] {
	list := []collections.Index[uint64, types.Job]{i.Client, i.Provider, i.Status, i.Parent}
	if indexClientAgents {
		list = append(list, i.ClientAgent)
	}
	return list
}

// QueueKey is (height, id).
type QueueKey = keeperutil.QueueKey

// BankKeeper pays pay-per-call purchases, which settle in their own tx
// and need no escrow; each credit passes x/agentid's spend-cap send
// restriction. (Declared here, not in types, so that the message types
// agent programs import link no bank module.)
type BankKeeper interface {
	InputOutputCoins(ctx context.Context, input banktypes.Input, outputs []banktypes.Output) error
	// BlockedAddr: InputOutputCoins does not refuse module accounts, so
	// the purchase does.
	BlockedAddr(addr sdk.AccAddress) bool
}

// hookHolder is shared by every copy of the keeper, so hooks set on the
// app's keeper reach the copy the module holds, whatever the order.
type hookHolder struct {
	hooks      types.MarketHooks
	reputation types.ReputationReader
}

// Keeper is x/market's keeper.
type Keeper struct {
	cdc          codec.BinaryCodec
	addressCodec address.Codec
	authority    string
	logger       log.Logger
	agents       types.AgentKeeper
	escrow       types.EscrowKeeper
	bank         BankKeeper
	feeCollector string
	// feeCollectorAddr is the fee collector's bech32 address.
	feeCollectorAddr string
	holder           *hookHolder

	Schema       collections.Schema
	Params       collections.Item[types.Params]
	ListingSeq   collections.Sequence
	RequestSeq   collections.Sequence
	JobSeq       collections.Sequence
	Listings     *collidx.IndexedMap[uint64, types.Listing, ListingIndexes]
	Requests     *collidx.IndexedMap[uint64, types.Request, RequestIndexes]
	Bids         collections.Map[collections.Pair[uint64, uint32], types.Bid]
	Jobs         *collidx.IndexedMap[uint64, types.Job, JobIndexes]
	JobQueue     collections.KeySet[QueueKey]
	RequestQueue collections.KeySet[QueueKey]
	// Purchases marks every (client, request id) a purchase settled, with
	// its job id: a request id settles at most once, ever.
	Purchases collections.Map[collections.Pair[sdk.AccAddress, string], uint64]
	// PruneQueue holds (settled height, id) of every settled job still in
	// state, oldest first (prune.go).
	PruneQueue collections.KeySet[QueueKey]
	// RequestPruneQueue holds (closed height, id) of every cancelled or
	// expired request still in state, oldest first (prune.go).
	RequestPruneQueue collections.KeySet[QueueKey]
}

// NewKeeper returns the keeper. feeCollector is the module account that
// receives the take (bank pays purchases, which need no escrow); authority (gov) sets params and may resolve any dispute.
func NewKeeper(
	cdc codec.BinaryCodec,
	storeService store.KVStoreService,
	ac address.Codec,
	agents types.AgentKeeper,
	escrow types.EscrowKeeper,
	bank BankKeeper,
	feeCollector string,
	authority string,
	logger log.Logger,
) Keeper {
	if _, err := ac.StringToBytes(authority); err != nil {
		panic(fmt.Errorf("invalid market authority %q: %w", authority, err))
	}
	feeCollectorAddr, err := ac.BytesToString(authtypes.NewModuleAddress(feeCollector))
	if err != nil {
		panic(fmt.Errorf("fee collector address: %w", err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := Keeper{
		feeCollectorAddr: feeCollectorAddr,
		cdc:              cdc, addressCodec: ac, authority: authority,
		logger: logger.With("module", "x/"+types.ModuleName),
		agents: agents, escrow: escrow, bank: bank, feeCollector: feeCollector,
		holder:     &hookHolder{},
		Params:     collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		ListingSeq: collections.NewSequence(sb, types.ListingSeqKey, "listing_seq"),
		RequestSeq: collections.NewSequence(sb, types.RequestSeqKey, "request_seq"),
		JobSeq:     collections.NewSequence(sb, types.JobSeqKey, "job_seq"),
		Listings: collidx.NewIndexedMap(sb, types.ListingsKey, "listings", collections.Uint64Key,
			codec.CollValue[types.Listing](cdc), ListingIndexes{
				Provider: collidx.NewMany(sb, types.ListingsByProviderKey, "listings_by_provider",
					collections.Uint64Key, collections.Uint64Key,
					func(_ uint64, l types.Listing) ([]uint64, error) { return []uint64{l.Provider}, nil }),
				Price: collidx.NewMany(sb, types.ListingsByCapabilityKey, "listings_by_capability_price",
					collections.PairKeyCodec(collections.StringKey, collections.PairKeyCodec(collections.StringKey, collections.Uint64Key)),
					collections.Uint64Key,
					func(_ uint64, l types.Listing) ([]PriceKey, error) {
						if l.Status != types.LISTING_STATUS_ACTIVE {
							return nil, nil
						}
						return []PriceKey{collections.Join(l.Capability, collections.Join(l.Price.Denom, l.Price.Amount.Uint64()))}, nil
					}),
			}),
		Requests: collidx.NewIndexedMap(sb, types.RequestsKey, "requests", collections.Uint64Key,
			codec.CollValue[types.Request](cdc), RequestIndexes{
				OpenByCapability: collidx.NewMany(sb, types.RequestsOpenByCapKey, "open_requests_by_capability",
					collections.StringKey, collections.Uint64Key,
					func(_ uint64, r types.Request) ([]string, error) {
						if r.Status != types.REQUEST_STATUS_OPEN {
							return nil, nil
						}
						return []string{r.Capability}, nil
					}),
				Client: collidx.NewMany(sb, types.RequestsByClientKey, "requests_by_client",
					sdk.AccAddressKey, collections.Uint64Key,
					func(_ uint64, r types.Request) ([]sdk.AccAddress, error) {
						a, err := ac.StringToBytes(r.Client)
						return []sdk.AccAddress{a}, err
					}),
			}),
		Bids: collections.NewMap(sb, types.BidsKey, "bids",
			collections.PairKeyCodec(collections.Uint64Key, collections.Uint32Key), codec.CollValue[types.Bid](cdc)),
		Jobs: collidx.NewIndexedMap(sb, types.JobsKey, "jobs", collections.Uint64Key,
			codec.CollValue[types.Job](cdc), JobIndexes{
				Client: collidx.NewMany(sb, types.JobsByClientKey, "jobs_by_client", sdk.AccAddressKey, collections.Uint64Key,
					func(_ uint64, j types.Job) ([]sdk.AccAddress, error) {
						a, err := ac.StringToBytes(j.Client)
						return []sdk.AccAddress{a}, err
					}),
				Provider: collidx.NewMany(sb, types.JobsByProviderKey, "jobs_by_provider", collections.Uint64Key, collections.Uint64Key,
					func(_ uint64, j types.Job) ([]uint64, error) { return []uint64{j.Provider}, nil }),
				Status: collidx.NewMany(sb, types.JobsByStatusKey, "jobs_by_status", collections.Int32Key, collections.Uint64Key,
					func(_ uint64, j types.Job) ([]int32, error) { return []int32{int32(j.Status)}, nil }),
				Parent: collidx.NewMany(sb, types.JobsByParentKey, "jobs_by_parent", collections.Uint64Key, collections.Uint64Key,
					func(_ uint64, j types.Job) ([]uint64, error) {
						if j.ParentJobId == 0 {
							return nil, nil
						}
						return []uint64{j.ParentJobId}, nil
					}),
				ClientAgent: collidx.NewMany(sb, types.JobsByClientAgentKey, "jobs_by_client_agent", collections.Uint64Key, collections.Uint64Key,
					func(_ uint64, j types.Job) ([]uint64, error) {
						if j.ClientAgent == 0 {
							return nil, nil
						}
						return []uint64{j.ClientAgent}, nil
					}),
			}),
		JobQueue:     collections.NewKeySet(sb, types.JobQueueKey, "job_queue", keeperutil.QueueKeyCodec),
		RequestQueue: collections.NewKeySet(sb, types.RequestQueueKey, "request_queue", keeperutil.QueueKeyCodec),
		Purchases: collections.NewMap(sb, types.PurchasesKey, "purchases",
			collections.PairKeyCodec(sdk.AccAddressKey, collections.StringKey), collections.Uint64Value),
		PruneQueue:        collections.NewKeySet(sb, types.PruneQueueKey, "prune_queue", keeperutil.QueueKeyCodec),
		RequestPruneQueue: collections.NewKeySet(sb, types.RequestPruneQueueKey, "request_prune_queue", keeperutil.QueueKeyCodec),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// SetHooks installs the market hooks (x/reputation). Every copy of the
// keeper sees them.
func (k Keeper) SetHooks(h types.MarketHooks) { k.holder.hooks = h }

// SetReputationReader installs the reader of agents' scores used by
// minimum-reputation checks. Every copy of the keeper sees it.
func (k Keeper) SetReputationReader(r types.ReputationReader) { k.holder.reputation = r }

// Authority returns the gov authority.
func (k Keeper) Authority() string { return k.authority }

// Logger returns the module logger.
func (k Keeper) Logger() log.Logger { return k.logger }

func (k Keeper) parseAddr(field, s string) (sdk.AccAddress, error) {
	return keeperutil.ParseAddress(k.addressCodec, types.ErrInvalidAddress, field, s)
}

// peekID returns the id the sequence will issue next (ids start at 1),
// without taking it: handlers read it to name escrows before anything that
// may still fail, and take it with takeID once they write.
func peekID(ctx context.Context, seq collections.Sequence) (uint64, error) {
	id, err := seq.Peek(ctx)
	if err != nil {
		return 0, err
	}
	return max(id, 1), nil
}

// takeID consumes id, which peekID returned.
func takeID(ctx context.Context, seq collections.Sequence, id uint64) error {
	return seq.Set(ctx, id+1)
}

// GetListing returns a listing.
func (k Keeper) GetListing(ctx context.Context, id uint64) (types.Listing, error) {
	l, err := k.Listings.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		return l, errorsmod.Wrapf(types.ErrListingNotFound, "listing %d", id)
	}
	return l, err
}

// GetRequest returns a request.
func (k Keeper) GetRequest(ctx context.Context, id uint64) (types.Request, error) {
	r, err := k.Requests.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		if pruned, perr := k.RequestPruned(ctx, id); perr == nil && pruned {
			return r, errorsmod.Wrapf(types.ErrRequestNotFound, "request %d finished and left state with its bids (after settled_job_retention_blocks, or with the job it became); its history is in its events", id)
		}
		return r, errorsmod.Wrapf(types.ErrRequestNotFound, "request %d", id)
	}
	return r, err
}

// GetJob returns a job.
func (k Keeper) GetJob(ctx context.Context, id uint64) (types.Job, error) {
	j, err := k.Jobs.Get(ctx, id)
	if errors.Is(err, collections.ErrNotFound) {
		if pruned, perr := k.JobPruned(ctx, id); perr == nil && pruned {
			return j, errorsmod.Wrapf(types.ErrJobNotFound, "job %d settled and left state after the retention window (settled_job_retention_blocks); its history is in its events", id)
		}
		return j, errorsmod.Wrapf(types.ErrJobNotFound, "job %d", id)
	}
	return j, err
}

// getAgent returns an agent; one that does not exist is refused with the
// market's own error.
func (k Keeper) getAgent(ctx context.Context, id uint64) (agentidtypes.Agent, error) {
	a, err := k.agents.GetAgent(ctx, id)
	if errors.Is(err, agentidtypes.ErrAgentNotFound) {
		return a, errorsmod.Wrapf(types.ErrAgentNotFound, "agent %d", id)
	}
	return a, err
}

// escrowRefused turns x/escrow's refusal of a payment (too little balance,
// a spend cap, a denom escrows do not hold, a payee that may not be paid)
// into the market's own error, keeping its explanation.
func escrowRefused(err error) error {
	return errorsmod.Wrap(types.ErrEscrowRefused, err.Error())
}

// selfDealing decides, at hire, whether a job is self-dealt: the client
// side (the client account; the client agent's owner, key and payout
// address) and the provider side (the provider's owner, key and payout
// address) share an address. The answer is kept on the job, so a later
// transfer of ownership or key rotation cannot launder it.
func (k Keeper) selfDealing(ctx context.Context, client sdk.AccAddress, clientAgent uint64, provider agentidtypes.Agent) (bool, error) {
	providerSide := []string{provider.Owner, provider.AgentAddress, provider.Payout()}
	clientSide := []string{client.String()}
	if clientAgent != 0 {
		a, err := k.getAgent(ctx, clientAgent)
		if err != nil {
			return false, err
		}
		clientSide = append(clientSide, a.Owner, a.AgentAddress, a.Payout())
	}
	for _, c := range clientSide {
		if slices.Contains(providerSide, c) {
			return true, nil
		}
	}
	return false, nil
}

// speaksFor reports whether signer is the agent's owner or its agent key.
func speaksFor(a agentidtypes.Agent, signer sdk.AccAddress) bool {
	s := signer.String()
	return s == a.Owner || s == a.AgentAddress
}

// checkArbiterNotParty refuses a job whose arbiter would be one of its
// parties (the client, or the provider's owner, key or payout address): an
// arbiter ruling on its own job could award itself the escrow. Direct
// escrows refuse the same.
func checkArbiterNotParty(arbiter string, client sdk.AccAddress, provider agentidtypes.Agent) error {
	if arbiter == "" {
		return nil
	}
	if arbiter == client.String() || arbiter == provider.Owner || arbiter == provider.AgentAddress || arbiter == provider.Payout() {
		return errorsmod.Wrapf(types.ErrArbiterIsParty, "the job's arbiter %s would be the client or speak for agent %d", arbiter, provider.Id)
	}
	return nil
}

// providerSigner loads a provider agent for which signer may act.
func (k Keeper) providerSigner(ctx context.Context, providerID uint64, signer string) (agentidtypes.Agent, error) {
	addr, err := k.parseAddr("signer", signer)
	if err != nil {
		return agentidtypes.Agent{}, err
	}
	a, err := k.getAgent(ctx, providerID)
	if err != nil {
		return a, err
	}
	if !speaksFor(a, addr) {
		return a, errorsmod.Wrapf(types.ErrUnauthorized, "%s is neither the owner nor the agent key of agent %d", signer, providerID)
	}
	return a, nil
}

// requireActive refuses an agent that is suspended or deactivated.
func requireActive(a agentidtypes.Agent) error {
	if a.Status != agentidtypes.AGENT_STATUS_ACTIVE {
		return errorsmod.Wrapf(types.ErrAgentNotActive, "agent %d (%s) is %s", a.Id, a.Name, a.Status)
	}
	return nil
}

// clientAgent returns the agent whose key the client signs with, or 0 for
// an account that is no agent. An agent that is not active cannot act.
func (k Keeper) clientAgent(ctx context.Context, client sdk.AccAddress) (uint64, error) {
	a, found, err := k.agents.GetAgentByAddress(ctx, client)
	if err != nil || !found {
		return 0, err
	}
	if err := requireActive(a); err != nil {
		return 0, err
	}
	return a.Id, nil
}

// checkMinScore enforces a minimum reputation on an agent (0 for none). A
// party that is no agent has no reputation and fails any minimum above 0.
// Without a reputation reader nothing is enforced.
func (k Keeper) checkMinScore(ctx context.Context, who string, agentID uint64, minScore uint32) error {
	reader := k.holder.reputation
	if minScore == 0 || reader == nil {
		return nil
	}
	if agentID == 0 {
		return errorsmod.Wrapf(types.ErrReputationTooLow, "%s has no agent identity, so no reputation; %d is required", who, minScore)
	}
	score, err := reader.AgentScore(ctx, agentID)
	if err != nil {
		return err
	}
	if score < minScore {
		return errorsmod.Wrapf(types.ErrReputationTooLow, "%s (agent %d) scores %d, %d is required", who, agentID, score, minScore)
	}
	return nil
}
