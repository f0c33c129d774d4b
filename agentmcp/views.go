package agentmcp

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/agentkit"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reputationtypes "github.com/agentchain/agentchain/x/reputation/types"
)

// What tools return: the chain's records in words a model reads, ids as
// strings, amounts in AGNT and uagnt, hashes in hex.

// AgentView is an agent.
type AgentView struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Status        string     `json:"status" jsonschema:"active, suspended or deactivated"`
	Owner         string     `json:"owner" jsonschema:"the account that answers for the agent"`
	Address       string     `json:"address" jsonschema:"the agent's own key, which signs its transactions"`
	Payout        string     `json:"payout,omitempty" jsonschema:"where market payments go, when not the agent's key"`
	Capabilities  []string   `json:"capabilities"`
	CardURI       string     `json:"card_uri,omitempty"`
	CardHash      string     `json:"card_hash,omitempty"`
	Endpoints     []Endpoint `json:"endpoints,omitempty"`
	Deposit       Amount     `json:"deposit"`
	CreatedHeight int64      `json:"created_height"`
}

// Endpoint is where an agent listens.
type Endpoint struct {
	Protocol string `json:"protocol" jsonschema:"e.g. a2a, mcp, https"`
	URL      string `json:"url"`
}

func agentView(a *agentidtypes.Agent) AgentView {
	v := AgentView{
		ID: idString(a.Id), Name: a.Name, Status: enumWord(a.Status.String(), "AGENT_STATUS_"), Owner: a.Owner,
		Address: a.AgentAddress, Payout: a.PayoutAddress, Capabilities: nonNil(a.Capabilities), CardURI: a.CardUri,
		CardHash: hexOrEmpty(a.CardHash), Deposit: ShowAmount(a.Deposit), CreatedHeight: a.CreatedHeight,
	}
	for _, e := range a.Endpoints {
		v.Endpoints = append(v.Endpoints, Endpoint{Protocol: e.Protocol, URL: e.Url})
	}
	return v
}

// ListingView is a standing offer.
type ListingView struct {
	ID                 string `json:"id"`
	ProviderID         string `json:"provider_id"`
	Capability         string `json:"capability"`
	Title              string `json:"title"`
	Price              Amount `json:"price" jsonschema:"per job"`
	Status             string `json:"status" jsonschema:"active, paused or closed"`
	MaxDurationBlocks  int64  `json:"max_duration_blocks" jsonschema:"the longest delivery time a hire may ask, in blocks"`
	ReviewWindowBlocks int64  `json:"review_window_blocks" jsonschema:"blocks a client has to judge a delivery; silence completes it"`
	MinClientScore     uint32 `json:"min_client_score,omitempty"`
	TermsURI           string `json:"terms_uri,omitempty"`
	TermsHash          string `json:"terms_hash,omitempty"`
}

func listingView(l *markettypes.Listing) ListingView {
	return ListingView{
		ID: idString(l.Id), ProviderID: idString(l.Provider), Capability: l.Capability, Title: l.Title,
		Price: ShowAmount(l.Price), Status: enumWord(l.Status.String(), "LISTING_STATUS_"),
		MaxDurationBlocks: l.MaxDurationBlocks, ReviewWindowBlocks: l.ReviewWindowBlocks, MinClientScore: l.MinClientScore,
		TermsURI: l.TermsUri, TermsHash: hexOrEmpty(l.TermsHash),
	}
}

// JobView is a job.
type JobView struct {
	ID               string          `json:"id"`
	Status           string          `json:"status" jsonschema:"FUNDED (waiting for the provider), IN_PROGRESS, DELIVERED (waiting for the client), COMPLETED, CANCELLED, EXPIRED, DISPUTED or RESOLVED"`
	Role             string          `json:"role,omitempty" jsonschema:"this agent's side: client or provider"`
	NextStep         string          `json:"next_step,omitempty" jsonschema:"what this agent can do now"`
	Client           string          `json:"client"`
	ProviderID       string          `json:"provider_id"`
	ListingID        string          `json:"listing_id,omitempty"`
	RequestID        string          `json:"request_id,omitempty"`
	Price            Amount          `json:"price"`
	DeliverBy        int64           `json:"deliver_by" jsonschema:"the height by which the provider must deliver"`
	Deadline         int64           `json:"deadline,omitempty" jsonschema:"the height at which the current stage times out"`
	SpecURI          string          `json:"spec_uri,omitempty"`
	SpecHash         string          `json:"spec_hash,omitempty"`
	Milestones       []MilestoneView `json:"milestones"`
	Rejection        string          `json:"rejection,omitempty"`
	ProviderPaid     []Amount        `json:"provider_paid,omitempty"`
	ClientRefunded   []Amount        `json:"client_refunded,omitempty"`
	CreatedHeight    int64           `json:"created_height"`
	ProviderShareBps uint32          `json:"provider_share_bps,omitempty" jsonschema:"a dispute's ruling: the provider's share in basis points"`
}

// MilestoneView is a part of a job's price and its delivery.
type MilestoneView struct {
	Index           int    `json:"index"`
	Title           string `json:"title,omitempty"`
	Amount          Amount `json:"amount"`
	ResultURI       string `json:"result_uri,omitempty"`
	ResultHash      string `json:"result_hash,omitempty"`
	DeliveredHeight int64  `json:"delivered_height,omitempty"`
	CompletedHeight int64  `json:"completed_height,omitempty"`
}

func jobView(j *markettypes.Job, me string, myAgent uint64) JobView {
	v := JobView{
		ID: idString(j.Id), Status: strings.TrimPrefix(j.Status.String(), "JOB_STATUS_"), Client: j.Client, ProviderID: idString(j.Provider),
		Price: ShowAmount(j.Price), DeliverBy: j.DeliverBy, Deadline: j.Deadline, SpecURI: j.SpecUri, SpecHash: hexOrEmpty(j.SpecHash),
		CreatedHeight: j.CreatedHeight, ProviderShareBps: j.ProviderShareBps,
		ProviderPaid: ShowAmounts(j.ProviderPaid), ClientRefunded: ShowAmounts(j.ClientRefunded),
	}
	if j.ListingId != 0 {
		v.ListingID = idString(j.ListingId)
	}
	if j.RequestId != 0 {
		v.RequestID = idString(j.RequestId)
	}
	for i, m := range j.Milestones {
		v.Milestones = append(v.Milestones, MilestoneView{
			Index: i, Title: m.Title, Amount: ShowAmount(m.Amount), ResultURI: m.ResultUri, ResultHash: hexOrEmpty(m.ResultHash),
			DeliveredHeight: m.DeliveredHeight, CompletedHeight: m.CompletedHeight,
		})
	}
	if j.Rejection != nil {
		v.Rejection = enumWord(j.Rejection.Reason.String(), "REJECT_REASON_")
	}
	switch {
	case j.Client == me:
		v.Role = "client"
	case myAgent != 0 && j.Provider == myAgent:
		v.Role = "provider"
	}
	v.NextStep = nextStep(j, v.Role)
	return v
}

// nextStep is what a side can do with a job now.
func nextStep(j *markettypes.Job, role string) string {
	switch role {
	case "provider":
		switch j.Status {
		case markettypes.JOB_STATUS_FUNDED:
			return "read the spec (get_job), then accept_job or decline_job"
		case markettypes.JOB_STATUS_IN_PROGRESS:
			return "do the work and deliver it (deliver) before block " + strconv.FormatInt(j.DeliverBy, 10)
		case markettypes.JOB_STATUS_DELIVERED:
			return "wait for the client to complete or reject (wait_for_jobs)"
		case markettypes.JOB_STATUS_COMPLETED, markettypes.JOB_STATUS_RESOLVED:
			return "rate the client (rate), if the client is an agent"
		}
	case "client":
		switch j.Status {
		case markettypes.JOB_STATUS_FUNDED:
			return "wait for the provider to accept (wait_for_jobs)"
		case markettypes.JOB_STATUS_IN_PROGRESS:
			return "wait for the delivery (wait_for_jobs)"
		case markettypes.JOB_STATUS_DELIVERED:
			return "read the result (get_job), then complete (pays the provider) or reject with a reason"
		case markettypes.JOB_STATUS_COMPLETED, markettypes.JOB_STATUS_RESOLVED:
			return "rate the provider (rate)"
		case markettypes.JOB_STATUS_DISPUTED:
			return "wait for the arbiter's ruling"
		}
	}
	return ""
}

// RequestView is a request for quotes and its bids.
type RequestView struct {
	ID               string    `json:"id"`
	Client           string    `json:"client"`
	Capability       string    `json:"capability"`
	Budget           Amount    `json:"budget" jsonschema:"locked in escrow; bids may not exceed it"`
	Status           string    `json:"status"`
	BidDeadline      int64     `json:"bid_deadline" jsonschema:"bids are taken until this height"`
	MinProviderScore uint32    `json:"min_provider_score,omitempty"`
	SpecURI          string    `json:"spec_uri,omitempty"`
	SpecHash         string    `json:"spec_hash,omitempty"`
	JobID            string    `json:"job_id,omitempty" jsonschema:"the job an accepted bid became"`
	Bids             []BidView `json:"bids,omitempty"`
}

// BidView is a provider's bid.
type BidView struct {
	ID             string `json:"id"`
	ProviderID     string `json:"provider_id"`
	Price          Amount `json:"price"`
	DeliveryBlocks int64  `json:"delivery_blocks"`
	NoteURI        string `json:"note_uri,omitempty"`
}

func requestView(r *markettypes.Request, bids []markettypes.Bid) RequestView {
	v := RequestView{
		ID: idString(r.Id), Client: r.Client, Capability: r.Capability, Budget: ShowAmount(r.Budget),
		Status: enumWord(r.Status.String(), "REQUEST_STATUS_"), BidDeadline: r.BidDeadline, MinProviderScore: r.MinProviderScore,
		SpecURI: r.SpecUri, SpecHash: hexOrEmpty(r.SpecHash),
	}
	if r.JobId != 0 {
		v.JobID = idString(r.JobId)
	}
	for _, b := range bids {
		v.Bids = append(v.Bids, BidView{ID: idString(uint64(b.Id)), ProviderID: idString(b.Provider), Price: ShowAmount(b.Price), DeliveryBlocks: b.DeliveryBlocks, NoteURI: b.NoteUri})
	}
	return v
}

// SignalsView is what the market reported about an agent.
type SignalsView struct {
	JobsCompleted   uint64 `json:"jobs_completed"`
	JobsResolved    uint64 `json:"jobs_resolved" jsonschema:"jobs that ended in a dispute ruling"`
	JobsExpired     uint64 `json:"jobs_expired"`
	DisputesOpened  uint64 `json:"disputes_opened"`
	DisputesLost    uint64 `json:"disputes_lost"`
	DeliveredOnTime uint64 `json:"delivered_on_time" jsonschema:"milestones delivered by their deadline"`
	// OnTimeRate is empty when the agent has no deadline behind it yet.
	OnTimeRate string   `json:"on_time_rate,omitempty" jsonschema:"deadlines met: deliveries on time over those plus jobs accepted and left to expire, e.g. 66.66%; absent with no history"`
	Earned     []Amount `json:"earned" jsonschema:"paid to it as provider, per denom"`
	Spent      []Amount `json:"spent" jsonschema:"paid by it for work as a client agent, per denom"`
}

func signalsView(s reputationtypes.Signals) SignalsView {
	v := SignalsView{
		JobsCompleted: s.JobsCompleted, JobsResolved: s.JobsResolved, JobsExpired: s.JobsExpired,
		DisputesOpened: s.DisputesOpened, DisputesLost: s.DisputesLost, DeliveredOnTime: s.DeliveredOnTime,
		Earned: ShowAmounts(s.Earned), Spent: ShowAmounts(s.Spent),
	}
	if s.DeliveredOnTime > 0 || s.JobsExpired > 0 {
		bps := reputationtypes.OnTimeRateBps(s)
		v.OnTimeRate = fmt.Sprintf("%d.%02d%%", bps/100, bps%100)
	}
	return v
}

// score writes a 0-100 score with one decimal.
func score(d sdkmath.LegacyDec) string {
	if d.IsNil() {
		return "0"
	}
	return agentkit.FormatScore(d)
}

func sdkCoin(denom string, amt sdkmath.Int) sdk.Coin {
	if amt.IsNil() {
		amt = sdkmath.ZeroInt()
	}
	return sdk.Coin{Denom: denom, Amount: amt}
}

func enumWord(s, prefix string) string { return strings.ToLower(strings.TrimPrefix(s, prefix)) }

func hexOrEmpty(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return hex.EncodeToString(b)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
