package agentmcp

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"google.golang.org/grpc/status"

	bankv1beta1 "cosmossdk.io/api/cosmos/bank/v1beta1"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/agentchain/agentchain/agentkit"
	"github.com/agentchain/agentchain/agentkit/x402"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reputationtypes "github.com/agentchain/agentchain/x/reputation/types"
)

func (s *Server) addTools() {
	addTool(s, "whoami", "Who this agent is on agentchain: its address, its registered agent (if any), its balances, and its spend cap with what it may still spend now. Call this first.", false, s.whoami)
	addTool(s, "register_agent", "Register this key as an agent (it owns itself), paying the registration deposit. Needed before offering services, bidding or being rated. The name is unique forever.", true, s.registerAgent)
	addTool(s, "update_agent", "Change this agent's capabilities, card (description) or endpoints. Only fields given change.", true, s.updateAgent)
	addTool(s, "find_providers", "Find agents offering a capability, best first (highest reputation, fewest lost disputes, lowest price). Returns listings you can hire with hire.", false, s.findProviders)
	addTool(s, "get_agent", "Look up an agent by id, name or address: its card, status, capabilities and listings.", false, s.getAgent)
	addTool(s, "resolve_agent_card", "An agent's card (A2A-style: skills, endpoints, x402 pay-per-call terms), fetched from its card URI and trusted only if its sha256 is the agent's card_hash on chain and it names that agent on this chain.", false, s.resolveAgentCard)
	addTool(s, "get_reputation", "An agent's reputation: score 0-100, how many ratings it rests on, market signals (jobs completed, disputes lost...) and its most recent feedback.", false, s.getReputation)
	addTool(s, "create_listing", "Offer a service: a capability at a fixed price per job. Clients then hire it and the price waits in escrow until they complete the job.", true, s.createListing)
	addTool(s, "set_listing_status", "Pause, reopen or close one of this agent's listings.", true, s.setListingStatus)
	addTool(s, "hire", "Hire a listing for a task: the listing's price moves from this account into escrow, and the provider must accept, then deliver. Give the task as spec (text) or spec_uri with spec_hash.", true, s.hire)
	addTool(s, "post_request", "Ask for quotes: post a task for a capability with a budget (locked in escrow); providers bid until the bid window closes, then accept_bid.", true, s.postRequest)
	addTool(s, "find_requests", "Open requests for quotes of a capability, for a provider looking for work to bid on.", false, s.findRequests)
	addTool(s, "get_request", "A request for quotes and its bids.", false, s.getRequest)
	addTool(s, "place_bid", "Bid on an open request as this agent: a price (at most the budget) and a delivery time in blocks.", true, s.placeBid)
	addTool(s, "accept_bid", "Accept a bid on your request: it becomes a funded job with that provider.", true, s.acceptBid)
	addTool(s, "my_jobs", "This agent's jobs, newest first, as client and/or provider, optionally of one status, each with the next step.", false, s.myJobs)
	addTool(s, "get_job", "A job with its spec and delivered results, fetched and checked against their hashes on chain.", false, s.getJob)
	addTool(s, "accept_job", "As the provider, accept a FUNDED job: you commit to deliver by its deliver_by height.", true, s.acceptJob)
	addTool(s, "decline_job", "As the provider, decline a FUNDED job: the client is refunded in full.", true, s.declineJob)
	addTool(s, "deliver", "As the provider, deliver the result of an IN_PROGRESS job (or its next milestone). Give it as result (text) or result_uri with result_hash.", true, s.deliver)
	addTool(s, "complete", "As the client, accept a DELIVERED job (or milestone): escrow pays the provider.", true, s.complete)
	addTool(s, "reject", "As the client, reject a DELIVERED job with a reason: the job goes to its arbiter, who splits the escrow.", true, s.reject)
	addTool(s, "rate", "Rate the other side of a settled job, 0-100 (once per job). Ratings weigh by the value that settled.", true, s.rate)
	addTool(s, "wait_for_jobs", "Wait until one of this agent's jobs changes (hired, accepted, delivered, paid...) or the timeout passes, instead of polling. Without since, returns at once the jobs that need your action, if any. Pass the cursor it returns as since on the next call.", false, s.waitForJobs)
}

// ---- whoami

type whoamiIn struct{}

// SpendCap is an owner's cap on what the agent may spend.
type SpendCap struct {
	Denom        string `json:"denom"`
	Cap          Amount `json:"cap" jsonschema:"the most that may leave at once (a full bucket)"`
	WindowBlocks uint64 `json:"window_blocks" jsonschema:"blocks an empty bucket takes to refill"`
	Available    Amount `json:"available" jsonschema:"what may leave now"`
}

type whoamiOut struct {
	Address    string     `json:"address"`
	ChainID    string     `json:"chain_id"`
	Height     int64      `json:"height" jsonschema:"the chain's latest block"`
	Registered bool       `json:"registered" jsonschema:"whether this key is a registered agent"`
	Agent      *AgentView `json:"agent,omitempty"`
	Balances   []Amount   `json:"balances"`
	SpendCaps  []SpendCap `json:"spend_caps" jsonschema:"empty when no owner caps this agent"`
	ReadOnly   bool       `json:"read_only" jsonschema:"this server signs nothing"`
	MaxPrice   *Amount    `json:"max_price,omitempty" jsonschema:"this server's cap on one hire or bid"`
}

func (s *Server) whoami(ctx context.Context, _ whoamiIn) (whoamiOut, string, error) {
	out := whoamiOut{Address: s.kit.AddressString(), ChainID: s.kit.ChainID(), ReadOnly: s.cfg.ReadOnly, Balances: []Amount{}, SpendCaps: []SpendCap{}}
	h, err := s.kit.Height(ctx)
	if err != nil {
		return out, "", err
	}
	out.Height = h
	bal, err := bankv1beta1.NewQueryClient(s.kit.Conn()).AllBalances(ctx, &bankv1beta1.QueryAllBalancesRequest{Address: out.Address})
	if err != nil {
		return out, "", err
	}
	for _, c := range bal.GetBalances() {
		amt, ok := sdkmath.NewIntFromString(c.GetAmount())
		if ok {
			out.Balances = append(out.Balances, ShowAmount(sdk.Coin{Denom: c.GetDenom(), Amount: amt}))
		}
	}
	if !s.cfg.MaxPrice.Amount.IsNil() {
		a := ShowAmount(s.cfg.MaxPrice)
		out.MaxPrice = &a
	}
	a, err := s.kit.Agent(ctx)
	switch {
	case agentkit.IsNotFound(err):
	case err != nil:
		return out, "", err
	default:
		v := agentView(a)
		out.Agent, out.Registered = &v, true
		pols, err := agentidtypes.NewQueryClient(s.kit.Conn()).SpendPolicies(ctx, &agentidtypes.QuerySpendPoliciesRequest{AgentId: a.Id})
		if err != nil {
			return out, "", err
		}
		for _, p := range pols.Policies {
			out.SpendCaps = append(out.SpendCaps, SpendCap{
				Denom: p.Denom, Cap: ShowAmount(sdkCoin(p.Denom, p.Cap)), WindowBlocks: p.WindowBlocks, Available: ShowAmount(sdkCoin(p.Denom, p.Available)),
			})
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s on %s at height %d", out.Address, out.ChainID, out.Height)
	if out.Agent != nil {
		fmt.Fprintf(&b, ", agent #%s %q (%s)", out.Agent.ID, out.Agent.Name, out.Agent.Status)
	} else {
		b.WriteString(", not a registered agent")
	}
	fmt.Fprintf(&b, "; balance %s", amountsText(out.Balances))
	for _, c := range out.SpendCaps {
		fmt.Fprintf(&b, "; spend cap %s per %d blocks, %s available now", c.Cap.Text, c.WindowBlocks, c.Available.Text)
	}
	return out, b.String(), nil
}

func amountsText(as []Amount) string {
	if len(as) == 0 {
		return "0 AGNT"
	}
	parts := make([]string, len(as))
	for i, a := range as {
		parts[i] = a.Text
	}
	return strings.Join(parts, ", ")
}

// ---- register_agent, update_agent

type registerIn struct {
	Name         string     `json:"name" jsonschema:"unique handle: 3-32 characters of a-z, 0-9 and -, starting with a letter or digit"`
	Capabilities []string   `json:"capabilities" jsonschema:"what the agent does, as tags such as summarize or translate"`
	Description  string     `json:"description,omitempty" jsonschema:"one paragraph about the agent; published as its card"`
	CardURI      string     `json:"card_uri,omitempty" jsonschema:"instead of description: the URI of an agent card you host"`
	CardHash     string     `json:"card_hash,omitempty" jsonschema:"sha256 (hex) of what card_uri serves"`
	Endpoints    []Endpoint `json:"endpoints,omitempty"`
}

func (s *Server) card(name, description string, capabilities []string, uri, hash string) (string, []byte, error) {
	var text string
	if description != "" {
		text = string(agentkit.AgentCard(name, description, capabilities))
	}
	return s.publish("card", text, uri, hash, false)
}

func endpoints(in []Endpoint) []agentidtypes.Endpoint {
	var out []agentidtypes.Endpoint
	for _, e := range in {
		out = append(out, agentidtypes.Endpoint{Protocol: e.Protocol, Url: e.URL})
	}
	return out
}

func (s *Server) registerAgent(ctx context.Context, in registerIn) (AgentView, string, error) {
	if a, err := s.kit.Agent(ctx); err == nil {
		return AgentView{}, "", fmt.Errorf("this key is already agent #%d %q: use update_agent to change it", a.Id, a.Name)
	}
	uri, hash, err := s.card(in.Name, in.Description, in.Capabilities, in.CardURI, in.CardHash)
	if err != nil {
		return AgentView{}, "", err
	}
	a, err := s.kit.RegisterAgent(ctx, agentkit.AgentSpec{
		Name: in.Name, Capabilities: in.Capabilities, CardURI: uri, CardHash: hash, Endpoints: endpoints(in.Endpoints),
	}, nil)
	if err != nil {
		return AgentView{}, "", err
	}
	s.watch.agentKnown(a.Id)
	v := agentView(a)
	return v, fmt.Sprintf("registered agent #%s %q with capabilities %s; deposit %s held", v.ID, v.Name, strings.Join(v.Capabilities, ", "), v.Deposit.Text), nil
}

type updateIn struct {
	Capabilities []string   `json:"capabilities,omitempty" jsonschema:"the new full list of capabilities (replaces the old)"`
	Description  string     `json:"description,omitempty" jsonschema:"a new description, published as the agent's card"`
	CardURI      string     `json:"card_uri,omitempty"`
	CardHash     string     `json:"card_hash,omitempty"`
	Endpoints    []Endpoint `json:"endpoints,omitempty" jsonschema:"the new full list of endpoints (replaces the old)"`
}

func (s *Server) updateAgent(ctx context.Context, in updateIn) (AgentView, string, error) {
	a, err := s.myAgent(ctx)
	if err != nil {
		return AgentView{}, "", err
	}
	if len(in.Capabilities) == 0 && in.Description == "" && in.CardURI == "" && len(in.Endpoints) == 0 {
		return AgentView{}, "", errors.New("nothing to change: give capabilities, description (or card_uri and card_hash) or endpoints")
	}
	caps := in.Capabilities
	if len(caps) == 0 {
		caps = a.Capabilities
	}
	uri, hash, err := s.card(a.Name, in.Description, caps, in.CardURI, in.CardHash)
	if err != nil {
		return AgentView{}, "", err
	}
	if _, err := s.kit.Broadcast(ctx, &agentidtypes.MsgUpdateAgent{
		Owner: s.kit.AddressString(), AgentId: a.Id, Capabilities: in.Capabilities, CardUri: uri, CardHash: hash, Endpoints: endpoints(in.Endpoints),
	}); err != nil {
		return AgentView{}, "", err
	}
	a, err = s.kit.AgentByID(ctx, a.Id)
	if err != nil {
		return AgentView{}, "", err
	}
	v := agentView(a)
	return v, fmt.Sprintf("updated agent #%s %q: capabilities %s", v.ID, v.Name, strings.Join(v.Capabilities, ", ")), nil
}

// myAgent is this key's agent, or an error telling the model to register.
func (s *Server) myAgent(ctx context.Context) (*agentidtypes.Agent, error) {
	a, err := s.kit.Agent(ctx)
	if agentkit.IsNotFound(err) {
		return nil, fmt.Errorf("this key (%s) is not a registered agent: call register_agent first", s.kit.AddressString())
	}
	return a, err
}

// myAgentID is this key's agent id, 0 when it has none.
func (s *Server) myAgentID(ctx context.Context) uint64 {
	if a, err := s.kit.Agent(ctx); err == nil {
		return a.Id
	}
	return 0
}

// ---- find_providers, get_agent, get_reputation

type findIn struct {
	Capability string `json:"capability" jsonschema:"the capability wanted, e.g. summarize"`
	MaxPrice   string `json:"max_price,omitempty" jsonschema:"the most you would pay per job, e.g. \"5\" (AGNT)"`
	MinScore   uint32 `json:"min_score,omitempty" jsonschema:"the lowest reputation (0-100) to consider"`
	Limit      int    `json:"limit,omitempty" jsonschema:"how many offers at most (default 10, at most 50)"`
}

// Offer is a listing with its provider's standing.
type Offer struct {
	ListingID          string `json:"listing_id"`
	Title              string `json:"title"`
	Price              Amount `json:"price"`
	ProviderID         string `json:"provider_id"`
	ProviderName       string `json:"provider_name"`
	Score              string `json:"score" jsonschema:"reputation 0-100"`
	Ratings            uint64 `json:"ratings" jsonschema:"how many ratings the score rests on"`
	JobsCompleted      uint64 `json:"jobs_completed"`
	DisputesLost       uint64 `json:"disputes_lost"`
	MaxDurationBlocks  int64  `json:"max_duration_blocks"`
	ReviewWindowBlocks int64  `json:"review_window_blocks"`
}

type findOut struct {
	Offers []Offer `json:"offers"`
}

func (s *Server) findProviders(ctx context.Context, in findIn) (findOut, string, error) {
	if strings.TrimSpace(in.Capability) == "" {
		return findOut{}, "", errors.New("capability is missing: name the capability wanted, e.g. \"summarize\"")
	}
	if in.MinScore > 100 {
		return findOut{}, "", fmt.Errorf("min_score %d is over 100: scores run 0-100", in.MinScore)
	}
	if in.Limit < 0 || in.Limit > 50 {
		return findOut{}, "", fmt.Errorf("limit %d: give 1-50", in.Limit)
	}
	crit := agentkit.Criteria{Capability: strings.TrimSpace(in.Capability), MinScore: in.MinScore, Limit: in.Limit}
	if in.MaxPrice != "" {
		c, err := ParseAmount("max_price", in.MaxPrice, true)
		if err != nil {
			return findOut{}, "", err
		}
		crit.MaxPrice = c
	}
	offers, err := s.kit.FindProviders(ctx, crit)
	if err != nil {
		return findOut{}, "", err
	}
	out := findOut{Offers: []Offer{}}
	for _, o := range offers {
		out.Offers = append(out.Offers, Offer{
			ListingID: idString(o.Listing.Id), Title: o.Listing.Title, Price: ShowAmount(o.Listing.Price),
			ProviderID: idString(o.Agent.Id), ProviderName: o.Agent.Name, Score: score(o.Score), Ratings: o.FeedbackCount,
			JobsCompleted: o.Signals.JobsCompleted, DisputesLost: o.Signals.DisputesLost,
			MaxDurationBlocks: o.Listing.MaxDurationBlocks, ReviewWindowBlocks: o.Listing.ReviewWindowBlocks,
		})
	}
	if len(out.Offers) == 0 {
		return out, fmt.Sprintf("no active offers of %q match", crit.Capability), nil
	}
	best := out.Offers[0]
	return out, fmt.Sprintf("%d offers of %q; best: listing %s %q by %s (score %s, %d jobs completed, %d disputes lost) at %s",
		len(out.Offers), crit.Capability, best.ListingID, best.Title, best.ProviderName, best.Score, best.JobsCompleted, best.DisputesLost, best.Price.Text), nil
}

type getAgentIn struct {
	AgentID string `json:"agent_id,omitempty" jsonschema:"the agent's id, e.g. \"3\""`
	Name    string `json:"name,omitempty"`
	Address string `json:"address,omitempty" jsonschema:"the agent's key address (agent1...)"`
}

type getAgentOut struct {
	Agent    AgentView     `json:"agent"`
	Card     *Fetched      `json:"card,omitempty"`
	Listings []ListingView `json:"listings"`
}

func (s *Server) lookupAgent(ctx context.Context, in getAgentIn) (*agentidtypes.Agent, error) {
	given := 0
	for _, v := range []string{in.AgentID, in.Name, in.Address} {
		if v != "" {
			given++
		}
	}
	if given != 1 {
		return nil, errors.New("give exactly one of agent_id, name or address")
	}
	switch {
	case in.AgentID != "":
		id, err := parseID("agent_id", in.AgentID)
		if err != nil {
			return nil, err
		}
		return s.kit.AgentByID(ctx, id)
	case in.Name != "":
		return s.kit.AgentByName(ctx, in.Name)
	default:
		addr, err := agentkit.ParseAddress(in.Address)
		if err != nil {
			return nil, fmt.Errorf("address %q: %w", in.Address, err)
		}
		return s.kit.AgentByAddress(ctx, addr)
	}
}

func (s *Server) getAgent(ctx context.Context, in getAgentIn) (getAgentOut, string, error) {
	a, err := s.lookupAgent(ctx, in)
	if err != nil {
		return getAgentOut{}, "", err
	}
	out := getAgentOut{Agent: agentView(a), Listings: []ListingView{}}
	out.Card = s.fetch(ctx, a.CardUri, a.CardHash)
	ls, err := s.kit.ListingsOf(ctx, a.Id)
	if err != nil {
		return out, "", err
	}
	for i := range ls {
		out.Listings = append(out.Listings, listingView(&ls[i]))
	}
	return out, fmt.Sprintf("agent #%s %q (%s), capabilities %s, %d listings", out.Agent.ID, a.Name, out.Agent.Status, strings.Join(a.Capabilities, ", "), len(out.Listings)), nil
}

type resolveCardIn struct {
	AgentID string `json:"agent_id" jsonschema:"the agent's id, e.g. \"3\""`
}

type resolveCardOut struct {
	Card *x402.AgentCard `json:"card"`
}

func (s *Server) resolveAgentCard(ctx context.Context, in resolveCardIn) (resolveCardOut, string, error) {
	id, err := parseID("agent_id", in.AgentID)
	if err != nil {
		return resolveCardOut{}, "", err
	}
	card, _, err := x402.ResolveCardWith(ctx, s.kit, id, s.fetchURI)
	if err != nil {
		return resolveCardOut{}, "", err
	}
	return resolveCardOut{Card: card}, fmt.Sprintf("agent #%d's card %q verified against its card_hash: %d skills, %d x402 payment options", id, card.Name, len(card.Skills), len(card.Payments)), nil
}

type reputationIn struct {
	AgentID    string `json:"agent_id"`
	Capability string `json:"capability,omitempty" jsonschema:"a capability's score instead of the overall one"`
}

// FeedbackView is one rating.
type FeedbackView struct {
	JobID    string   `json:"job_id"`
	Score    uint32   `json:"score"`
	Role     string   `json:"role" jsonschema:"the rater's side of the job (client or provider), or ruling: a dispute's outcome, scored by the provider's share"`
	Rater    string   `json:"rater"`
	Tags     []string `json:"tags,omitempty"`
	Weight   string   `json:"weight" jsonschema:"how much it counts (the value that settled, or for a ruling the value at stake; 0 for self-dealing)"`
	Height   int64    `json:"height"`
	Revoked  bool     `json:"revoked,omitempty"`
	Response string   `json:"response_uri,omitempty" jsonschema:"the rated agent's answer"`
}

type reputationOut struct {
	AgentID        string         `json:"agent_id"`
	Capability     string         `json:"capability,omitempty"`
	Score          string         `json:"score" jsonschema:"0-100"`
	Ratings        uint64         `json:"ratings"`
	Signals        SignalsView    `json:"signals"`
	RecentFeedback []FeedbackView `json:"recent_feedback"`
}

func (s *Server) getReputation(ctx context.Context, in reputationIn) (reputationOut, string, error) {
	id, err := parseID("agent_id", in.AgentID)
	if err != nil {
		return reputationOut{}, "", err
	}
	if _, err := s.kit.AgentByID(ctx, id); err != nil {
		return reputationOut{}, "", err
	}
	rep, err := s.kit.Reputation(ctx, id, in.Capability)
	if err != nil {
		return reputationOut{}, "", err
	}
	out := reputationOut{AgentID: idString(id), Capability: in.Capability, Score: score(rep.Score), Ratings: rep.Count, Signals: signalsView(rep.Signals), RecentFeedback: []FeedbackView{}}
	fb, err := reputationtypes.NewQueryClient(s.kit.Conn()).FeedbackReceived(ctx, &reputationtypes.QueryFeedbackReceivedRequest{
		AgentId: id, Pagination: &query.PageRequest{Limit: 5, Reverse: true},
	})
	if err != nil {
		return out, "", err
	}
	for _, f := range fb.Feedback {
		out.RecentFeedback = append(out.RecentFeedback, FeedbackView{
			JobID: idString(f.JobId), Score: f.Score, Role: enumWord(f.Role.String(), "RATER_ROLE_"), Rater: f.Rater, Tags: f.Tags,
			Weight: f.Weight.TruncateInt().String(), Height: f.Height, Revoked: f.Revoked, Response: f.ResponseUri,
		})
	}
	onTime := "no deadlines yet"
	if out.Signals.OnTimeRate != "" {
		onTime = out.Signals.OnTimeRate + " of deadlines met"
	}
	return out, fmt.Sprintf("agent #%s: score %s from %d ratings; %d jobs completed, %d disputes lost, %d expired, %s",
		out.AgentID, out.Score, out.Ratings, out.Signals.JobsCompleted, out.Signals.DisputesLost, out.Signals.JobsExpired, onTime), nil
}

// ---- listings

type createListingIn struct {
	Capability         string `json:"capability" jsonschema:"the capability offered, e.g. summarize"`
	Title              string `json:"title" jsonschema:"a short title clients see"`
	Price              string `json:"price" jsonschema:"price per job, e.g. \"2.5\" (AGNT) or \"2500000uagnt\""`
	Terms              string `json:"terms,omitempty" jsonschema:"what a client gets, as text (published with the listing)"`
	TermsURI           string `json:"terms_uri,omitempty"`
	TermsHash          string `json:"terms_hash,omitempty"`
	MaxDurationBlocks  int64  `json:"max_duration_blocks,omitempty" jsonschema:"the longest delivery time a hire may ask, in blocks (default 1000)"`
	ReviewWindowBlocks int64  `json:"review_window_blocks,omitempty" jsonschema:"blocks a client has to judge a delivery before it completes by itself (default 100)"`
	MinClientScore     uint32 `json:"min_client_score,omitempty" jsonschema:"the reputation (0-100) a client needs to hire it"`
}

func (s *Server) createListing(ctx context.Context, in createListingIn) (ListingView, string, error) {
	price, err := ParseAmount("price", in.Price, false)
	if err != nil {
		return ListingView{}, "", err
	}
	if in.MinClientScore > 100 {
		return ListingView{}, "", fmt.Errorf("min_client_score %d is over 100", in.MinClientScore)
	}
	if in.MaxDurationBlocks < 0 || in.ReviewWindowBlocks < 0 {
		return ListingView{}, "", errors.New("max_duration_blocks and review_window_blocks are counts of blocks: give positive numbers")
	}
	terms := in.Terms
	if terms == "" && in.TermsURI == "" {
		terms = in.Title
	}
	uri, hash, err := s.publish("terms", terms, in.TermsURI, in.TermsHash, true)
	if err != nil {
		return ListingView{}, "", err
	}
	a, err := s.myAgent(ctx)
	if err != nil {
		return ListingView{}, "", err
	}
	l, err := s.kit.CreateListing(ctx, agentkit.ListingSpec{
		Provider: a.Id, Capability: in.Capability, Title: in.Title, TermsURI: uri, TermsHash: hash, Price: price,
		MaxDurationBlocks: orDefault(in.MaxDurationBlocks, 1000), ReviewWindowBlocks: orDefault(in.ReviewWindowBlocks, 100), MinClientScore: in.MinClientScore,
	})
	if err != nil {
		return ListingView{}, "", err
	}
	v := listingView(l)
	return v, fmt.Sprintf("listing %s %q offers %s at %s per job", v.ID, v.Title, v.Capability, v.Price.Text), nil
}

func orDefault(v, def int64) int64 {
	if v == 0 {
		return def
	}
	return v
}

type listingStatusIn struct {
	ListingID string `json:"listing_id"`
	Status    string `json:"status" jsonschema:"active, paused or closed (closed is final)"`
}

func (s *Server) setListingStatus(ctx context.Context, in listingStatusIn) (ListingView, string, error) {
	id, err := parseID("listing_id", in.ListingID)
	if err != nil {
		return ListingView{}, "", err
	}
	st, ok := map[string]markettypes.ListingStatus{
		"active": markettypes.LISTING_STATUS_ACTIVE, "paused": markettypes.LISTING_STATUS_PAUSED, "closed": markettypes.LISTING_STATUS_CLOSED,
	}[strings.ToLower(strings.TrimSpace(in.Status))]
	if !ok {
		return ListingView{}, "", fmt.Errorf("status %q: give active, paused or closed", in.Status)
	}
	if _, err := s.kit.Broadcast(ctx, &markettypes.MsgSetListingStatus{Signer: s.kit.AddressString(), ListingId: id, Status: st}); err != nil {
		return ListingView{}, "", err
	}
	l, err := s.kit.Listing(ctx, id)
	if err != nil {
		return ListingView{}, "", err
	}
	v := listingView(l)
	return v, fmt.Sprintf("listing %s is %s", v.ID, v.Status), nil
}

// ---- hire, requests, bids

type hireIn struct {
	ListingID           string `json:"listing_id" jsonschema:"the listing to hire, from find_providers"`
	Spec                string `json:"spec,omitempty" jsonschema:"the task, as text; the provider reads it and its hash is kept on chain"`
	SpecURI             string `json:"spec_uri,omitempty" jsonschema:"instead of spec: where the task is"`
	SpecHash            string `json:"spec_hash,omitempty" jsonschema:"sha256 (hex) of what spec_uri serves"`
	DeliverWithinBlocks int64  `json:"deliver_within_blocks,omitempty" jsonschema:"blocks the provider has to deliver (default: the listing's maximum)"`
}

func (s *Server) hire(ctx context.Context, in hireIn) (JobView, string, error) {
	id, err := parseID("listing_id", in.ListingID)
	if err != nil {
		return JobView{}, "", err
	}
	if in.DeliverWithinBlocks < 0 {
		return JobView{}, "", fmt.Errorf("deliver_within_blocks %d is negative", in.DeliverWithinBlocks)
	}
	l, err := s.kit.Listing(ctx, id)
	if err != nil {
		return JobView{}, "", err
	}
	if err := s.checkPrice("the listing's price", l.Price); err != nil {
		return JobView{}, "", err
	}
	uri, hash, err := s.publish("spec", in.Spec, in.SpecURI, in.SpecHash, true)
	if err != nil {
		return JobView{}, "", err
	}
	within := in.DeliverWithinBlocks
	if within == 0 {
		within = l.MaxDurationBlocks
	}
	// The price checked against the cap is the most the hire may lock: a
	// provider raising it meanwhile gets the hire refused by the chain.
	j, err := s.kit.Hire(ctx, agentkit.HireSpec{ListingID: id, SpecURI: uri, SpecHash: hash, DeliverWithin: within, MaxPrice: &l.Price})
	if err != nil {
		return JobView{}, "", err
	}
	v := jobView(j, s.kit.AddressString(), s.myAgentID(ctx))
	return v, fmt.Sprintf("hired listing %s: job %s is %s, %s in escrow; the provider must accept, then deliver by block %d", in.ListingID, v.ID, v.Status, v.Price.Text, v.DeliverBy), nil
}

// jobNow reads a job as this agent sees it.
func (s *Server) jobNow(ctx context.Context, id uint64) (JobView, error) {
	j, err := s.kit.Job(ctx, id)
	if err != nil {
		return JobView{}, err
	}
	return jobView(j, s.kit.AddressString(), s.myAgentID(ctx)), nil
}

type postRequestIn struct {
	Capability       string `json:"capability"`
	Budget           string `json:"budget" jsonschema:"the most you will pay, locked in escrow until a bid is accepted, e.g. \"10\" (AGNT)"`
	Spec             string `json:"spec,omitempty" jsonschema:"the task, as text"`
	SpecURI          string `json:"spec_uri,omitempty"`
	SpecHash         string `json:"spec_hash,omitempty"`
	BidWindowBlocks  int64  `json:"bid_window_blocks,omitempty" jsonschema:"blocks during which bids are taken (default 50)"`
	MinProviderScore uint32 `json:"min_provider_score,omitempty" jsonschema:"the reputation (0-100) a bidder needs"`
}

func (s *Server) postRequest(ctx context.Context, in postRequestIn) (RequestView, string, error) {
	budget, err := ParseAmount("budget", in.Budget, false)
	if err != nil {
		return RequestView{}, "", err
	}
	if err := s.checkPrice("the budget", budget); err != nil {
		return RequestView{}, "", err
	}
	if in.MinProviderScore > 100 {
		return RequestView{}, "", fmt.Errorf("min_provider_score %d is over 100", in.MinProviderScore)
	}
	if in.BidWindowBlocks < 0 {
		return RequestView{}, "", fmt.Errorf("bid_window_blocks %d is negative", in.BidWindowBlocks)
	}
	uri, hash, err := s.publish("spec", in.Spec, in.SpecURI, in.SpecHash, true)
	if err != nil {
		return RequestView{}, "", err
	}
	reqID, err := s.kit.PostRequest(ctx, agentkit.RequestSpec{
		Capability: in.Capability, SpecURI: uri, SpecHash: hash, Budget: budget,
		BidWithin: orDefault(in.BidWindowBlocks, 50), MinProviderScore: in.MinProviderScore,
	})
	if err != nil {
		return RequestView{}, "", err
	}
	v, err := s.requestNow(ctx, reqID)
	if err != nil {
		return RequestView{}, "", err
	}
	return v, fmt.Sprintf("request %s for %s posted with a budget of %s; bids until block %d", v.ID, v.Capability, v.Budget.Text, v.BidDeadline), nil
}

func (s *Server) requestNow(ctx context.Context, id uint64) (RequestView, error) {
	res, err := markettypes.NewQueryClient(s.kit.Conn()).Request(ctx, &markettypes.QueryRequestRequest{Id: id})
	if err != nil {
		return RequestView{}, queryErr(err)
	}
	bids, err := s.kit.Bids(ctx, id)
	if err != nil {
		return RequestView{}, err
	}
	return requestView(&res.Request, bids), nil
}

type findRequestsIn struct {
	Capability string `json:"capability"`
}

type findRequestsOut struct {
	Requests []RequestView `json:"requests"`
}

func (s *Server) findRequests(ctx context.Context, in findRequestsIn) (findRequestsOut, string, error) {
	if strings.TrimSpace(in.Capability) == "" {
		return findRequestsOut{}, "", errors.New("capability is missing")
	}
	rs, err := s.kit.OpenRequests(ctx, strings.TrimSpace(in.Capability))
	if err != nil {
		return findRequestsOut{}, "", err
	}
	out := findRequestsOut{Requests: []RequestView{}}
	for i := range rs {
		if len(out.Requests) == 50 {
			break
		}
		out.Requests = append(out.Requests, requestView(&rs[i], nil))
	}
	return out, fmt.Sprintf("%d open requests for %q", len(rs), in.Capability), nil
}

type requestIn struct {
	RequestID string `json:"request_id"`
}

func (s *Server) getRequest(ctx context.Context, in requestIn) (RequestView, string, error) {
	id, err := parseID("request_id", in.RequestID)
	if err != nil {
		return RequestView{}, "", err
	}
	v, err := s.requestNow(ctx, id)
	if err != nil {
		return RequestView{}, "", err
	}
	return v, fmt.Sprintf("request %s (%s) for %s, budget %s, %d bids", v.ID, v.Status, v.Capability, v.Budget.Text, len(v.Bids)), nil
}

type placeBidIn struct {
	RequestID      string `json:"request_id"`
	Price          string `json:"price" jsonschema:"what you ask, at most the request's budget, e.g. \"4\" (AGNT)"`
	DeliveryBlocks int64  `json:"delivery_blocks" jsonschema:"blocks you need to deliver once accepted"`
	Note           string `json:"note,omitempty" jsonschema:"a short note to the client (published)"`
}

type placeBidOut struct {
	RequestID string `json:"request_id"`
	BidID     string `json:"bid_id"`
	Price     Amount `json:"price"`
}

func (s *Server) placeBid(ctx context.Context, in placeBidIn) (placeBidOut, string, error) {
	id, err := parseID("request_id", in.RequestID)
	if err != nil {
		return placeBidOut{}, "", err
	}
	price, err := ParseAmount("price", in.Price, false)
	if err != nil {
		return placeBidOut{}, "", err
	}
	if err := s.checkPrice("the bid", price); err != nil {
		return placeBidOut{}, "", err
	}
	if in.DeliveryBlocks <= 0 {
		return placeBidOut{}, "", fmt.Errorf("delivery_blocks %d: give the blocks you need, above zero", in.DeliveryBlocks)
	}
	noteURI, _, err := s.publish("note", in.Note, "", "", false)
	if err != nil {
		return placeBidOut{}, "", err
	}
	if _, err := s.myAgent(ctx); err != nil {
		return placeBidOut{}, "", err
	}
	bid, err := s.kit.PlaceBid(ctx, id, price, in.DeliveryBlocks, noteURI)
	if err != nil {
		return placeBidOut{}, "", err
	}
	out := placeBidOut{RequestID: idString(id), BidID: idString(uint64(bid)), Price: ShowAmount(price)}
	return out, fmt.Sprintf("bid %s on request %s at %s, delivery in %d blocks", out.BidID, out.RequestID, out.Price.Text, in.DeliveryBlocks), nil
}

type acceptBidIn struct {
	RequestID string `json:"request_id"`
	BidID     string `json:"bid_id"`
}

func (s *Server) acceptBid(ctx context.Context, in acceptBidIn) (JobView, string, error) {
	id, err := parseID("request_id", in.RequestID)
	if err != nil {
		return JobView{}, "", err
	}
	bidID, err := parseID("bid_id", in.BidID)
	if err != nil {
		return JobView{}, "", err
	}
	if bidID > 1<<32-1 {
		return JobView{}, "", fmt.Errorf("bid_id %q is not a bid of request %s", in.BidID, in.RequestID)
	}
	bids, err := s.kit.Bids(ctx, id)
	if err != nil {
		return JobView{}, "", err
	}
	for _, b := range bids {
		if uint64(b.Id) == bidID {
			if err := s.checkPrice("the bid's price", b.Price); err != nil {
				return JobView{}, "", err
			}
		}
	}
	j, err := s.kit.AcceptBid(ctx, id, uint32(bidID), nil)
	if err != nil {
		return JobView{}, "", err
	}
	v := jobView(j, s.kit.AddressString(), s.myAgentID(ctx))
	return v, fmt.Sprintf("accepted bid %s: job %s with provider #%s for %s is %s", in.BidID, v.ID, v.ProviderID, v.Price.Text, v.Status), nil
}

// ---- jobs

func sortJobsNewestFirst(jobs []markettypes.Job) {
	sort.Slice(jobs, func(i, k int) bool { return jobs[i].Id > jobs[k].Id })
}

// queryErr is a refused query's message.
func queryErr(err error) error {
	if st, ok := status.FromError(err); ok {
		return errors.New(st.Message())
	}
	return err
}

type myJobsIn struct {
	Role   string `json:"role,omitempty" jsonschema:"client, provider or any (default any)"`
	Status string `json:"status,omitempty" jsonschema:"only jobs of this status, e.g. FUNDED or DELIVERED"`
	Limit  int    `json:"limit,omitempty" jsonschema:"how many at most (default 20, at most 100)"`
}

type myJobsOut struct {
	Jobs []JobView `json:"jobs"`
}

// maxJobsScanned bounds the jobs my_jobs reads per side.
const maxJobsScanned = 1000

func (s *Server) myJobs(ctx context.Context, in myJobsIn) (myJobsOut, string, error) {
	role := strings.ToLower(strings.TrimSpace(in.Role))
	if role == "" {
		role = "any"
	}
	if role != "any" && role != "client" && role != "provider" {
		return myJobsOut{}, "", fmt.Errorf("role %q: give client, provider or any", in.Role)
	}
	var status markettypes.JobStatus
	if in.Status != "" {
		v, ok := markettypes.JobStatus_value["JOB_STATUS_"+strings.ToUpper(strings.TrimSpace(in.Status))]
		if !ok || v == 0 {
			return myJobsOut{}, "", fmt.Errorf("status %q: give FUNDED, IN_PROGRESS, DELIVERED, COMPLETED, CANCELLED, EXPIRED, DISPUTED or RESOLVED", in.Status)
		}
		status = markettypes.JobStatus(v)
	}
	limit := in.Limit
	if limit == 0 {
		limit = 20
	}
	if limit < 0 || limit > 100 {
		return myJobsOut{}, "", fmt.Errorf("limit %d: give 1-100", in.Limit)
	}
	me, myAgent := s.kit.AddressString(), s.myAgentID(ctx)
	var jobs []markettypes.Job
	take := func(seq func(func(markettypes.Job, error) bool)) error {
		n := 0
		for j, err := range seq {
			if err != nil {
				return err
			}
			if n++; n > maxJobsScanned {
				break
			}
			if status == 0 || j.Status == status {
				jobs = append(jobs, j)
			}
		}
		return nil
	}
	if role != "provider" {
		if err := take(s.kit.ClientJobs(ctx, me)); err != nil {
			return myJobsOut{}, "", err
		}
	}
	if role != "client" && myAgent != 0 {
		if err := take(s.kit.ProviderJobs(ctx, myAgent)); err != nil {
			return myJobsOut{}, "", err
		}
	}
	// Newest first across both sides; a self-hire appears once.
	seen := map[uint64]bool{}
	out := myJobsOut{Jobs: []JobView{}}
	sortJobsNewestFirst(jobs)
	for i := range jobs {
		if seen[jobs[i].Id] || len(out.Jobs) == limit {
			continue
		}
		seen[jobs[i].Id] = true
		out.Jobs = append(out.Jobs, jobView(&jobs[i], me, myAgent))
	}
	if len(out.Jobs) == 0 {
		return out, "no jobs match", nil
	}
	parts := make([]string, 0, 5)
	for i, j := range out.Jobs {
		if i == 5 {
			parts = append(parts, "...")
			break
		}
		parts = append(parts, fmt.Sprintf("job %s %s (%s)", j.ID, j.Status, j.Role))
	}
	return out, fmt.Sprintf("%d jobs: %s", len(out.Jobs), strings.Join(parts, ", ")), nil
}

type jobIn struct {
	JobID string `json:"job_id"`
}

type getJobOut struct {
	Job     JobView    `json:"job"`
	Spec    *Fetched   `json:"spec,omitempty" jsonschema:"the task, fetched and checked against spec_hash"`
	Results []*Fetched `json:"results,omitempty" jsonschema:"delivered results, fetched and checked against their hashes"`
}

func (s *Server) getJob(ctx context.Context, in jobIn) (getJobOut, string, error) {
	id, err := parseID("job_id", in.JobID)
	if err != nil {
		return getJobOut{}, "", err
	}
	j, err := s.kit.Job(ctx, id)
	if err != nil {
		return getJobOut{}, "", err
	}
	out := getJobOut{Job: jobView(j, s.kit.AddressString(), s.myAgentID(ctx))}
	out.Spec = s.fetch(ctx, j.SpecUri, j.SpecHash)
	for _, m := range j.Milestones {
		if m.ResultUri != "" {
			out.Results = append(out.Results, s.fetch(ctx, m.ResultUri, m.ResultHash))
		}
	}
	summary := fmt.Sprintf("job %s is %s (%s, %s)", out.Job.ID, out.Job.Status, roleOrNone(out.Job.Role), out.Job.Price.Text)
	if out.Job.NextStep != "" {
		summary += "; next: " + out.Job.NextStep
	}
	return out, summary, nil
}

func roleOrNone(r string) string {
	if r == "" {
		return "not a party"
	}
	return "you are the " + r
}

func (s *Server) acceptJob(ctx context.Context, in jobIn) (JobView, string, error) {
	return s.jobAction(ctx, in.JobID, "accepted", func(id uint64, _ *markettypes.Job) error {
		_, err := s.kit.AcceptJob(ctx, id)
		return err
	})
}

func (s *Server) declineJob(ctx context.Context, in jobIn) (JobView, string, error) {
	return s.jobAction(ctx, in.JobID, "declined", func(id uint64, _ *markettypes.Job) error {
		_, err := s.kit.DeclineJob(ctx, id)
		return err
	})
}

// jobAction runs one job transition and reports the job after it.
func (s *Server) jobAction(ctx context.Context, jobID, done string, act func(uint64, *markettypes.Job) error) (JobView, string, error) {
	id, err := parseID("job_id", jobID)
	if err != nil {
		return JobView{}, "", err
	}
	j, err := s.kit.Job(ctx, id)
	if err != nil {
		return JobView{}, "", err
	}
	if err := act(id, j); err != nil {
		return JobView{}, "", err
	}
	v, err := s.jobNow(ctx, id)
	if err != nil {
		return JobView{}, "", err
	}
	summary := fmt.Sprintf("job %s %s: now %s", v.ID, done, v.Status)
	if v.NextStep != "" {
		summary += "; next: " + v.NextStep
	}
	return v, summary, nil
}

type deliverIn struct {
	JobID      string `json:"job_id"`
	Result     string `json:"result,omitempty" jsonschema:"the work, as text; the client reads it and its hash is kept on chain"`
	ResultURI  string `json:"result_uri,omitempty" jsonschema:"instead of result: where the work is"`
	ResultHash string `json:"result_hash,omitempty" jsonschema:"sha256 (hex) of what result_uri serves"`
	Milestone  *int   `json:"milestone,omitempty" jsonschema:"the milestone delivered (default: the next one)"`
}

func milestoneOf(j *markettypes.Job, m *int) (uint32, error) {
	if m == nil {
		return j.NextMilestone, nil
	}
	if *m < 0 || *m >= len(j.Milestones) {
		return 0, fmt.Errorf("milestone %d: job %d has milestones 0-%d", *m, j.Id, len(j.Milestones)-1)
	}
	return uint32(*m), nil
}

func (s *Server) deliver(ctx context.Context, in deliverIn) (JobView, string, error) {
	uri, hash, err := s.publish("result", in.Result, in.ResultURI, in.ResultHash, true)
	if err != nil {
		return JobView{}, "", err
	}
	return s.jobAction(ctx, in.JobID, "delivered", func(id uint64, j *markettypes.Job) error {
		m, err := milestoneOf(j, in.Milestone)
		if err != nil {
			return err
		}
		_, err = s.kit.Broadcast(ctx, &markettypes.MsgDeliver{Signer: s.kit.AddressString(), JobId: id, Milestone: m, ResultUri: uri, ResultHash: hash})
		return err
	})
}

type completeIn struct {
	JobID     string `json:"job_id"`
	Milestone *int   `json:"milestone,omitempty" jsonschema:"the milestone accepted (default: the next one)"`
}

func (s *Server) complete(ctx context.Context, in completeIn) (JobView, string, error) {
	return s.jobAction(ctx, in.JobID, "completed", func(id uint64, j *markettypes.Job) error {
		m, err := milestoneOf(j, in.Milestone)
		if err != nil {
			return err
		}
		_, err = s.kit.Complete(ctx, id, m)
		return err
	})
}

type rejectIn struct {
	JobID     string `json:"job_id"`
	Reason    string `json:"reason" jsonschema:"spec_mismatch, low_quality, incomplete or other"`
	Evidence  string `json:"evidence,omitempty" jsonschema:"what is wrong, as text (its hash goes on chain for the arbiter)"`
	Milestone *int   `json:"milestone,omitempty"`
}

func (s *Server) reject(ctx context.Context, in rejectIn) (JobView, string, error) {
	v, ok := markettypes.RejectReason_value["REJECT_REASON_"+strings.ToUpper(strings.TrimSpace(in.Reason))]
	if !ok || v == 0 {
		return JobView{}, "", fmt.Errorf("reason %q: give spec_mismatch, low_quality, incomplete or other", in.Reason)
	}
	var evidence []byte
	if in.Evidence != "" {
		evidence = []byte(in.Evidence)
		// Only its hash goes on chain; a server with a content store also
		// keeps the text, for the arbiter (best effort).
		_, _ = s.store.put(evidence)
	}
	return s.jobAction(ctx, in.JobID, "rejected", func(id uint64, j *markettypes.Job) error {
		m, err := milestoneOf(j, in.Milestone)
		if err != nil {
			return err
		}
		_, err = s.kit.Dispute(ctx, id, m, markettypes.RejectReason(v), evidence)
		return err
	})
}

type rateIn struct {
	JobID string   `json:"job_id"`
	Score int      `json:"score" jsonschema:"0 (worst) to 100 (best)"`
	Tags  []string `json:"tags,omitempty" jsonschema:"short qualities, e.g. fast, accurate"`
}

type rateOut struct {
	JobID   string `json:"job_id"`
	Score   int    `json:"score"`
	Subject string `json:"subject" jsonschema:"who was rated: the provider agent's id, or the client"`
}

func (s *Server) rate(ctx context.Context, in rateIn) (rateOut, string, error) {
	id, err := parseID("job_id", in.JobID)
	if err != nil {
		return rateOut{}, "", err
	}
	if in.Score < 0 || in.Score > 100 {
		return rateOut{}, "", fmt.Errorf("score %d: give 0-100", in.Score)
	}
	j, err := s.kit.Job(ctx, id)
	if err != nil {
		return rateOut{}, "", err
	}
	if _, err := s.kit.Rate(ctx, id, uint32(in.Score), in.Tags...); err != nil {
		return rateOut{}, "", err
	}
	out := rateOut{JobID: idString(id), Score: in.Score}
	if j.Client == s.kit.AddressString() {
		out.Subject = "provider #" + idString(j.Provider)
	} else {
		out.Subject = "client " + j.Client
	}
	return out, fmt.Sprintf("rated %s %d/100 for job %s", out.Subject, out.Score, out.JobID), nil
}
