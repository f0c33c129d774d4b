package agentkit

import (
	"context"
	"fmt"
	"sort"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reputationtypes "github.com/agentchain/agentchain/x/reputation/types"
)

// myAgentID is the id of the agent whose key this client holds.
func (c *Client) myAgentID(ctx context.Context) (uint64, error) {
	a, err := c.Agent(ctx)
	if err != nil {
		return 0, fmt.Errorf("this key (%s) is no agent's key: %w", c.me, err)
	}
	return a.Id, nil
}

// contentHash is the hash stored for off-chain content: the content's,
// or the hash given when the content is not at hand.
func contentHash(content, hash []byte) []byte {
	if content != nil {
		return Hash(content)
	}
	return hash
}

// ListingSpec describes a service offer.
type ListingSpec struct {
	// Provider is the offering agent; 0 for this client's agent.
	Provider   uint64
	Capability string
	Title      string
	// TermsURI locates the offer's terms; Terms is their content, hashed
	// (TermsHash when the content is not at hand).
	TermsURI  string
	Terms     []byte
	TermsHash []byte
	// Price per job, or per block for a subscription (PerBlock).
	Price sdk.Coin
	// MaxDurationBlocks bounds how far away a hire's deliver_by may be (a
	// subscription's longest term).
	MaxDurationBlocks int64
	// PerBlock makes the listing a subscription: Price accrues every
	// block it runs, for a term from MinTermBlocks to MaxDurationBlocks
	// (ReviewWindowBlocks must then be 0).
	PerBlock      bool
	MinTermBlocks int64
	// ReviewWindowBlocks is how long a client has to judge a delivery;
	// silence then completes it.
	ReviewWindowBlocks int64
	// Arbiter rules on disputes (one of the chain's arbiters); empty for
	// the default arbiter.
	Arbiter string
	// MinClientScore is the reputation (0-100) a client needs; 0 for none.
	MinClientScore uint32
}

// CreateListing publishes a service offer and returns it.
func (c *Client) CreateListing(ctx context.Context, spec ListingSpec) (*markettypes.Listing, error) {
	provider := spec.Provider
	if provider == 0 {
		id, err := c.myAgentID(ctx)
		if err != nil {
			return nil, err
		}
		provider = id
	}
	msg := &markettypes.MsgCreateListing{
		Signer: c.me, Provider: provider, Capability: spec.Capability, Title: spec.Title,
		TermsUri: spec.TermsURI, Price: spec.Price, MaxDurationBlocks: spec.MaxDurationBlocks,
		ReviewWindowBlocks: spec.ReviewWindowBlocks, Arbiter: spec.Arbiter, MinClientScore: spec.MinClientScore,
		MinTermBlocks: spec.MinTermBlocks,
	}
	if spec.PerBlock {
		msg.Billing = markettypes.LISTING_BILLING_PER_BLOCK
	}
	msg.TermsHash = contentHash(spec.Terms, spec.TermsHash)
	res, err := c.Broadcast(ctx, msg)
	if err != nil {
		return nil, err
	}
	var out markettypes.MsgCreateListingResponse
	if err := c.Response(res, 0, &out); err != nil {
		return nil, err
	}
	return c.Listing(ctx, out.Id)
}

// EnsureListing returns the agent's active listing of spec's capability,
// and creates one from spec when it has none: a provider program can call
// it on every start. spec.Provider 0 is this client's agent.
func (c *Client) EnsureListing(ctx context.Context, spec ListingSpec) (*markettypes.Listing, error) {
	if spec.Provider == 0 {
		id, err := c.myAgentID(ctx)
		if err != nil {
			return nil, err
		}
		spec.Provider = id
	}
	listings, err := c.ListingsOf(ctx, spec.Provider)
	if err != nil {
		return nil, err
	}
	for i := range listings {
		if l := &listings[i]; l.Capability == spec.Capability && l.Status == markettypes.LISTING_STATUS_ACTIVE {
			return l, nil
		}
	}
	return c.CreateListing(ctx, spec)
}

// Listing returns a listing.
func (c *Client) Listing(ctx context.Context, id uint64) (*markettypes.Listing, error) {
	res, err := markettypes.NewQueryClient(c.conn).Listing(ctx, &markettypes.QueryListingRequest{Id: id})
	if err != nil {
		return nil, queryError(err, markettypes.ModuleName)
	}
	return &res.Listing, nil
}

// ListingsOf lists every listing of an agent.
func (c *Client) ListingsOf(ctx context.Context, agentID uint64) ([]markettypes.Listing, error) {
	q := markettypes.NewQueryClient(c.conn)
	return collect(pages(ctx, false, func(ctx context.Context, page *query.PageRequest) ([]markettypes.Listing, *query.PageResponse, error) {
		res, err := q.ListingsByProvider(ctx, &markettypes.QueryListingsByProviderRequest{Provider: agentID, Pagination: page})
		if err != nil {
			return nil, nil, queryError(err, markettypes.ModuleName)
		}
		return res.Listings, res.Pagination, nil
	}))
}

// Criteria select providers.
type Criteria struct {
	// Capability wanted.
	Capability string
	// MaxPrice excludes dearer listings; its denom selects the listings'
	// denom (every denom when empty; no limit when the amount is nil).
	MaxPrice sdk.Coin
	// MinScore excludes providers whose reputation (0-100) is lower.
	MinScore uint32
	// Limit bounds the offers returned (default 10). The chain returns a
	// capability's listings cheapest first; at most maxListingsRead (1,000)
	// of them are read.
	Limit int
}

// maxListingsRead bounds the listings FindProviders reads and ranks.
const maxListingsRead = 1000

// Offer is a listing with its provider and the provider's reputation.
type Offer struct {
	Listing markettypes.Listing
	Agent   agentidtypes.Agent
	// Score is the provider's overall reputation (0-100), the score the
	// chain's minimum-reputation checks use.
	Score sdkmath.LegacyDec
	// FeedbackCount is how many ratings the score rests on.
	FeedbackCount uint64
	// Signals are what the market reported about the provider: jobs
	// completed, disputes lost, deliveries on time...
	Signals reputationtypes.Signals
}

// FindProviders returns the active offers of a capability within budget
// from providers with at least the minimum reputation, best first: highest
// score, then fewest disputes lost, then lowest price, then oldest listing.
// (Ratings weigh by the value that settled, so a provider that lost a
// dispute and was paid nothing keeps its score; its lost disputes set it
// behind providers with the same score.)
func (c *Client) FindProviders(ctx context.Context, crit Criteria) ([]Offer, error) {
	if crit.Limit <= 0 {
		crit.Limit = 10
	}
	req := &markettypes.QueryListingsByCapabilityRequest{
		Capability: crit.Capability, Denom: crit.MaxPrice.Denom, MinProviderScore: crit.MinScore,
	}
	if !crit.MaxPrice.Amount.IsNil() {
		req.MaxPrice = crit.MaxPrice.Amount.String()
	}
	mq := markettypes.NewQueryClient(c.conn)
	var listings []markettypes.Listing
	for l, err := range pages(ctx, false, func(ctx context.Context, page *query.PageRequest) ([]markettypes.Listing, *query.PageResponse, error) {
		req.Pagination = page
		res, err := mq.ListingsByCapability(ctx, req)
		if err != nil {
			return nil, nil, queryError(err, markettypes.ModuleName)
		}
		return res.Listings, res.Pagination, nil
	}) {
		if err != nil {
			return nil, err
		}
		listings = append(listings, l)
		if len(listings) >= maxListingsRead {
			break
		}
	}
	offers := make([]Offer, 0, len(listings))
	agents := map[uint64]*Offer{}
	for _, l := range listings {
		base, ok := agents[l.Provider]
		if !ok {
			a, err := c.AgentByID(ctx, l.Provider)
			if err != nil {
				return nil, err
			}
			if a.Status != agentidtypes.AGENT_STATUS_ACTIVE {
				continue
			}
			rep, err := c.Reputation(ctx, l.Provider, "")
			if err != nil {
				return nil, err
			}
			base = &Offer{Agent: *a, Score: rep.Score, FeedbackCount: rep.Count, Signals: rep.Signals}
			agents[l.Provider] = base
		}
		o := *base
		o.Listing = l
		offers = append(offers, o)
	}
	sort.SliceStable(offers, func(i, j int) bool {
		a, b := offers[i], offers[j]
		if !a.Score.Equal(b.Score) {
			return a.Score.GT(b.Score)
		}
		if a.Signals.DisputesLost != b.Signals.DisputesLost {
			return a.Signals.DisputesLost < b.Signals.DisputesLost
		}
		if !a.Listing.Price.Amount.Equal(b.Listing.Price.Amount) {
			return a.Listing.Price.Amount.LT(b.Listing.Price.Amount)
		}
		return a.Listing.Id < b.Listing.Id
	})
	if len(offers) > crit.Limit {
		offers = offers[:crit.Limit]
	}
	return offers, nil
}

// HireSpec describes a hire from a listing.
type HireSpec struct {
	ListingID uint64
	// SpecURI locates the work's specification; Spec is its content,
	// hashed into spec_hash (the provider checks it); SpecHash is the hash
	// when the content is not at hand (Spec nil).
	SpecURI  string
	Spec     []byte
	SpecHash []byte
	// DeliverWithin is how many blocks from now the provider has to
	// deliver; 0 for the listing's maximum.
	DeliverWithin int64
	// Milestones split the price in order; empty for one milestone.
	Milestones []markettypes.MilestoneSpec
	// ParentJobID subcontracts part of that job (whose provider this client
	// is); 0 for none.
	ParentJobID uint64
	// MaxPrice is the most the hire may lock; nil for the listing's price
	// as Hire reads it. Either way the chain refuses the hire if the
	// provider has raised the price above it by the time it runs.
	MaxPrice *sdk.Coin
}

// Hire hires a listing: its price moves into escrow. It returns the job.
func (c *Client) Hire(ctx context.Context, spec HireSpec) (*markettypes.Job, error) {
	within, maxPrice := spec.DeliverWithin, spec.MaxPrice
	if within == 0 || maxPrice == nil {
		l, err := c.Listing(ctx, spec.ListingID)
		if err != nil {
			return nil, err
		}
		if within == 0 {
			within = l.MaxDurationBlocks
		}
		if maxPrice == nil {
			maxPrice = &l.Price
		}
	}
	h, err := c.Height(ctx)
	if err != nil {
		return nil, err
	}
	msg := &markettypes.MsgHire{
		Client: c.me, ListingId: spec.ListingID, SpecUri: spec.SpecURI,
		DeliverBy: h + within, Milestones: spec.Milestones, ParentJobId: spec.ParentJobID, MaxPrice: maxPrice,
	}
	msg.SpecHash = contentHash(spec.Spec, spec.SpecHash)
	res, err := c.Broadcast(ctx, msg)
	if err != nil {
		return nil, err
	}
	var out markettypes.MsgHireResponse
	if err := c.Response(res, 0, &out); err != nil {
		return nil, err
	}
	return c.Job(ctx, out.JobId)
}

// Job returns a job.
func (c *Client) Job(ctx context.Context, id uint64) (*markettypes.Job, error) {
	res, err := markettypes.NewQueryClient(c.conn).Job(ctx, &markettypes.QueryJobRequest{Id: id})
	if err != nil {
		return nil, queryError(err, markettypes.ModuleName)
	}
	return &res.Job, nil
}

// RequestSpec describes a request for quote.
type RequestSpec struct {
	Capability string
	SpecURI    string
	Spec       []byte
	// SpecHash is the spec's hash when its content is not at hand.
	SpecHash []byte
	// Budget is locked in escrow; bids may not exceed it.
	Budget sdk.Coin
	// BidWithin is how many blocks from now bids are taken.
	BidWithin int64
	// MinProviderScore is the reputation a bidder needs; 0 for none.
	MinProviderScore uint32
}

// PostRequest posts a request for quote and returns its id.
func (c *Client) PostRequest(ctx context.Context, spec RequestSpec) (uint64, error) {
	h, err := c.Height(ctx)
	if err != nil {
		return 0, err
	}
	msg := &markettypes.MsgPostRequest{
		Client: c.me, Capability: spec.Capability, SpecUri: spec.SpecURI,
		Budget: spec.Budget, BidDeadline: h + spec.BidWithin, MinProviderScore: spec.MinProviderScore,
	}
	msg.SpecHash = contentHash(spec.Spec, spec.SpecHash)
	res, err := c.Broadcast(ctx, msg)
	if err != nil {
		return 0, err
	}
	var out markettypes.MsgPostRequestResponse
	if err := c.Response(res, 0, &out); err != nil {
		return 0, err
	}
	return out.RequestId, nil
}

// OpenRequests lists every open request for a capability.
func (c *Client) OpenRequests(ctx context.Context, capability string) ([]markettypes.Request, error) {
	q := markettypes.NewQueryClient(c.conn)
	return collect(pages(ctx, false, func(ctx context.Context, page *query.PageRequest) ([]markettypes.Request, *query.PageResponse, error) {
		res, err := q.OpenRequestsByCapability(ctx, &markettypes.QueryOpenRequestsByCapabilityRequest{Capability: capability, Pagination: page})
		if err != nil {
			return nil, nil, queryError(err, markettypes.ModuleName)
		}
		return res.Requests, res.Pagination, nil
	}))
}

// PlaceBid bids on a request for this client's agent and returns the bid id.
func (c *Client) PlaceBid(ctx context.Context, requestID uint64, price sdk.Coin, deliveryBlocks int64, noteURI string) (uint32, error) {
	provider, err := c.myAgentID(ctx)
	if err != nil {
		return 0, err
	}
	res, err := c.Broadcast(ctx, &markettypes.MsgPlaceBid{
		Signer: c.me, RequestId: requestID, Provider: provider, Price: price,
		DeliveryBlocks: deliveryBlocks, NoteUri: noteURI,
	})
	if err != nil {
		return 0, err
	}
	var out markettypes.MsgPlaceBidResponse
	if err := c.Response(res, 0, &out); err != nil {
		return 0, err
	}
	return out.BidId, nil
}

// Bids lists every bid on a request.
func (c *Client) Bids(ctx context.Context, requestID uint64) ([]markettypes.Bid, error) {
	q := markettypes.NewQueryClient(c.conn)
	return collect(pages(ctx, false, func(ctx context.Context, page *query.PageRequest) ([]markettypes.Bid, *query.PageResponse, error) {
		res, err := q.Bids(ctx, &markettypes.QueryBidsRequest{RequestId: requestID, Pagination: page})
		if err != nil {
			return nil, nil, queryError(err, markettypes.ModuleName)
		}
		return res.Bids, res.Pagination, nil
	}))
}

// AcceptBid turns a bid into a funded job and returns it.
func (c *Client) AcceptBid(ctx context.Context, requestID uint64, bidID uint32, milestones []markettypes.MilestoneSpec) (*markettypes.Job, error) {
	res, err := c.Broadcast(ctx, &markettypes.MsgAcceptBid{Client: c.me, RequestId: requestID, BidId: bidID, Milestones: milestones})
	if err != nil {
		return nil, err
	}
	var out markettypes.MsgAcceptBidResponse
	if err := c.Response(res, 0, &out); err != nil {
		return nil, err
	}
	return c.Job(ctx, out.JobId)
}

// AcceptJob starts a funded job (provider).
func (c *Client) AcceptJob(ctx context.Context, jobID uint64) (*TxResult, error) {
	return c.Broadcast(ctx, &markettypes.MsgAcceptJob{Signer: c.me, JobId: jobID})
}

// DeclineJob declines a funded job; the client is refunded (provider).
func (c *Client) DeclineJob(ctx context.Context, jobID uint64) (*TxResult, error) {
	return c.Broadcast(ctx, &markettypes.MsgDeclineJob{Signer: c.me, JobId: jobID})
}

// CancelJob withdraws a job the provider has not accepted yet (client).
func (c *Client) CancelJob(ctx context.Context, jobID uint64) (*TxResult, error) {
	return c.Broadcast(ctx, &markettypes.MsgCancelJob{Client: c.me, JobId: jobID})
}

// Deliver delivers a milestone's result (provider): result is its content,
// hashed into result_hash for the client to verify.
func (c *Client) Deliver(ctx context.Context, jobID uint64, milestone uint32, resultURI string, result []byte) (*TxResult, error) {
	return c.Broadcast(ctx, &markettypes.MsgDeliver{
		Signer: c.me, JobId: jobID, Milestone: milestone, ResultUri: resultURI, ResultHash: Hash(result),
	})
}

// Complete accepts a delivered milestone and pays it (client).
func (c *Client) Complete(ctx context.Context, jobID uint64, milestone uint32) (*TxResult, error) {
	return c.Broadcast(ctx, &markettypes.MsgComplete{Client: c.me, JobId: jobID, Milestone: milestone})
}

// Dispute rejects a delivered milestone, which puts the job before its
// arbiter (client); evidence is hashed into evidence_hash.
func (c *Client) Dispute(ctx context.Context, jobID uint64, milestone uint32, reason markettypes.RejectReason, evidence []byte) (*TxResult, error) {
	msg := &markettypes.MsgReject{Client: c.me, JobId: jobID, Milestone: milestone, Reason: reason}
	if evidence != nil {
		msg.EvidenceHash = Hash(evidence)
	}
	return c.Broadcast(ctx, msg)
}

// Resolve rules on a disputed job (its arbiter): the provider gets
// providerShareBps/10000 of the milestone.
func (c *Client) Resolve(ctx context.Context, jobID uint64, providerShareBps uint32) (*TxResult, error) {
	return c.Broadcast(ctx, &markettypes.MsgResolve{Signer: c.me, JobId: jobID, ProviderShareBps: providerShareBps})
}

// Rate rates the other party of a settled job, 0-100.
func (c *Client) Rate(ctx context.Context, jobID uint64, score uint32, tags ...string) (*TxResult, error) {
	return c.Broadcast(ctx, &reputationtypes.MsgSubmitFeedback{Rater: c.me, JobId: jobID, Score: score, Tags: tags})
}

// Reputation returns an agent's score, overall ("") or for a capability.
func (c *Client) Reputation(ctx context.Context, agentID uint64, capability string) (*reputationtypes.QueryReputationResponse, error) {
	res, err := reputationtypes.NewQueryClient(c.conn).Reputation(ctx, &reputationtypes.QueryReputationRequest{AgentId: agentID, Capability: capability})
	if err != nil {
		return nil, queryError(err, reputationtypes.ModuleName)
	}
	return res, nil
}

// PurchaseMsg is a pay-per-call purchase of calls of a listing by this
// client, valid until validUntil, under requestID (which settles at most
// once, ever).
func (c *Client) PurchaseMsg(l *markettypes.Listing, calls uint32, requestID string, validUntil int64) *markettypes.MsgPurchase {
	return &markettypes.MsgPurchase{
		Client: c.me, ListingId: l.Id, Calls: calls,
		Amount:    sdk.NewCoin(l.Price.Denom, l.Price.Amount.MulRaw(int64(calls))),
		RequestId: requestID, ValidUntilHeight: validUntil,
	}
}

// Purchase buys calls of a listing and pays at once (pay-per-call without
// HTTP; x402 clients use the x402 package). It returns the COMPLETED job
// that records it, which both sides may rate.
func (c *Client) Purchase(ctx context.Context, listingID uint64, calls uint32, requestID string, validForBlocks int64) (*markettypes.Job, error) {
	l, err := c.Listing(ctx, listingID)
	if err != nil {
		return nil, err
	}
	h, err := c.Height(ctx)
	if err != nil {
		return nil, err
	}
	res, err := c.Broadcast(ctx, c.PurchaseMsg(l, calls, requestID, h+validForBlocks))
	if err != nil {
		return nil, err
	}
	var out markettypes.MsgPurchaseResponse
	if err := c.Response(res, 0, &out); err != nil {
		return nil, err
	}
	return c.Job(ctx, out.JobId)
}

// PurchaseOf returns the job a client's request id settled; IsNotFound
// when it settled none.
func (c *Client) PurchaseOf(ctx context.Context, client, requestID string) (*markettypes.Job, error) {
	res, err := markettypes.NewQueryClient(c.conn).Purchase(ctx, &markettypes.QueryPurchaseRequest{Client: client, RequestId: requestID})
	if err != nil {
		return nil, queryError(err, markettypes.ModuleName)
	}
	return &res.Job, nil
}
