package types

import (
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// DefaultGenesis returns the genesis state of a new chain.
func DefaultGenesis() *GenesisState {
	return &GenesisState{Params: DefaultParams(), NextListingId: 1, NextRequestId: 1, NextJobId: 1}
}

// Validate checks a genesis state on its own: params, unique ids below the
// next ids, references between listings, requests, bids and jobs, money
// that adds up on every job, and queue entries that match what they wait
// for. References to agents and escrows are checked at InitGenesis, where
// those modules' state is at hand.
func (gs GenesisState) Validate() error {
	if err := gs.Params.Validate(); err != nil {
		return fmt.Errorf("params: %w", err)
	}
	if gs.NextListingId == 0 || gs.NextRequestId == 0 || gs.NextJobId == 0 {
		return fmt.Errorf("next ids start at 1")
	}
	listings := map[uint64]bool{}
	for _, l := range gs.Listings {
		if l.Id == 0 || l.Id >= gs.NextListingId || listings[l.Id] {
			return fmt.Errorf("listing %d: duplicate or out of range id", l.Id)
		}
		listings[l.Id] = true
		if err := ValidatePrice("listing price", l.Price); err != nil {
			return fmt.Errorf("listing %d: %w", l.Id, err)
		}
		if l.Status < LISTING_STATUS_ACTIVE || l.Status > LISTING_STATUS_CLOSED || l.Provider == 0 {
			return fmt.Errorf("listing %d: bad status or provider", l.Id)
		}
	}
	requests := map[uint64]*Request{}
	for i := range gs.Requests {
		r := &gs.Requests[i]
		if r.Id == 0 || r.Id >= gs.NextRequestId || requests[r.Id] != nil {
			return fmt.Errorf("request %d: duplicate or out of range id", r.Id)
		}
		requests[r.Id] = r
		if _, err := sdk.AccAddressFromBech32(r.Client); err != nil {
			return fmt.Errorf("request %d client: %w", r.Id, err)
		}
		if err := ValidatePrice("request budget", r.Budget); err != nil {
			return fmt.Errorf("request %d: %w", r.Id, err)
		}
		if r.Status < REQUEST_STATUS_OPEN || r.Status > REQUEST_STATUS_EXPIRED {
			return fmt.Errorf("request %d: bad status", r.Id)
		}
	}
	type bidKey struct {
		req uint64
		id  uint32
	}
	bids := map[bidKey]bool{}
	for _, b := range gs.Bids {
		r := requests[b.RequestId]
		if r == nil {
			return fmt.Errorf("bid %d on missing request %d", b.Id, b.RequestId)
		}
		if b.Id == 0 || b.Id > r.BidCount || bids[bidKey{b.RequestId, b.Id}] {
			return fmt.Errorf("bid %d of request %d: duplicate or out of range id", b.Id, b.RequestId)
		}
		bids[bidKey{b.RequestId, b.Id}] = true
		if err := ValidatePrice("bid price", b.Price); err != nil {
			return err
		}
		if b.Price.Denom != r.Budget.Denom || b.Price.Amount.GT(r.Budget.Amount) {
			return fmt.Errorf("bid %d of request %d exceeds the budget", b.Id, b.RequestId)
		}
	}
	jobs := map[uint64]*Job{}
	for i := range gs.Jobs {
		j := &gs.Jobs[i]
		if j.Id == 0 || j.Id >= gs.NextJobId || jobs[j.Id] != nil {
			return fmt.Errorf("job %d: duplicate or out of range id", j.Id)
		}
		jobs[j.Id] = j
	}
	for _, j := range jobs {
		if err := j.validate(listings, requests, gs.NextJobId); err != nil {
			return fmt.Errorf("job %d: %w", j.Id, err)
		}
	}
	for _, r := range requests {
		// An accepted request leaves state with its job, never before or after.
		if r.Status == REQUEST_STATUS_ACCEPTED && (r.JobId == 0 || jobs[r.JobId] == nil || jobs[r.JobId].RequestId != r.Id) {
			return fmt.Errorf("accepted request %d points at job %d, which is not its job", r.Id, r.JobId)
		}
	}
	marked := map[uint64]bool{}
	markers := map[string]bool{}
	for _, m := range gs.Purchases {
		j := jobs[m.JobId]
		// A marker outlives its job: a pruned purchase's request id still
		// settles at most once.
		pruned := j == nil && m.JobId != 0 && m.JobId < gs.NextJobId
		if !pruned && (j == nil || j.PurchaseRequestId != m.RequestId || j.Client != m.Client) || marked[m.JobId] || markers[m.Client+"/"+m.RequestId] {
			return fmt.Errorf("purchase marker (%s, %q, job %d) matches no purchase, or repeats one", m.Client, m.RequestId, m.JobId)
		}
		marked[m.JobId], markers[m.Client+"/"+m.RequestId] = true, true
	}
	for id, j := range jobs {
		if j.PurchaseRequestId != "" && !marked[id] {
			return fmt.Errorf("purchase job %d has no marker", id)
		}
	}
	seen := map[uint64]bool{}
	for _, q := range gs.JobQueue {
		j := jobs[q.Id]
		if j == nil || j.Status.IsFinal() || j.Deadline != q.Height || seen[q.Id] {
			return fmt.Errorf("job queue entry (%d, %d) matches no waiting job", q.Height, q.Id)
		}
		seen[q.Id] = true
	}
	seen = map[uint64]bool{}
	for _, q := range gs.RequestQueue {
		r := requests[q.Id]
		if r == nil || r.Status != REQUEST_STATUS_OPEN || r.BidDeadline != q.Height || seen[q.Id] {
			return fmt.Errorf("request queue entry (%d, %d) matches no open request", q.Height, q.Id)
		}
		seen[q.Id] = true
	}
	return nil
}

func (j *Job) validate(listings map[uint64]bool, requests map[uint64]*Request, nextJobID uint64) error {
	if _, err := sdk.AccAddressFromBech32(j.Client); err != nil {
		return fmt.Errorf("client: %w", err)
	}
	if _, err := sdk.AccAddressFromBech32(j.ProviderPayout); err != nil {
		return fmt.Errorf("provider payout: %w", err)
	}
	if (j.ListingId == 0) == (j.RequestId == 0) {
		return fmt.Errorf("a job comes from exactly one listing or one request")
	}
	if j.ListingId != 0 && !listings[j.ListingId] {
		return fmt.Errorf("missing listing %d", j.ListingId)
	}
	if j.RequestId != 0 && requests[j.RequestId] == nil {
		return fmt.Errorf("missing request %d", j.RequestId)
	}
	// A parent absent from state was pruned after it settled (a
	// subcontract keeps its parent's id).
	if j.ParentJobId != 0 && (j.ParentJobId >= nextJobID || j.ParentJobId == j.Id) {
		return fmt.Errorf("missing parent job %d", j.ParentJobId)
	}
	if j.PurchaseRequestId != "" {
		if err := ValidateRequestID(j.PurchaseRequestId); err != nil {
			return err
		}
		if j.Status != JOB_STATUS_COMPLETED || j.Calls == 0 || j.EscrowId != 0 || j.ListingId == 0 {
			return fmt.Errorf("a purchase is a COMPLETED job of a listing with calls and no escrow")
		}
	} else if j.Calls != 0 {
		return fmt.Errorf("calls on a job that is not a purchase")
	}
	if j.StreamId != 0 {
		if j.EscrowId != 0 || j.ListingId == 0 || j.PurchaseRequestId != "" || len(j.Milestones) != 1 || j.Deadline != 0 {
			return fmt.Errorf("a subscription is a job of a listing with a stream, one milestone, no escrow and no timer")
		}
		if s := j.Status; s != JOB_STATUS_IN_PROGRESS && s != JOB_STATUS_COMPLETED && s != JOB_STATUS_CANCELLED {
			return fmt.Errorf("a subscription is IN_PROGRESS, COMPLETED or CANCELLED, not %s", s)
		}
	}
	if j.Status < JOB_STATUS_FUNDED || j.Status > JOB_STATUS_RESOLVED {
		return fmt.Errorf("unknown status %d", j.Status)
	}
	if err := ValidatePrice("price", j.Price); err != nil {
		return err
	}
	if len(j.Milestones) == 0 || int(j.NextMilestone) > len(j.Milestones) {
		return fmt.Errorf("milestones: %d, next %d", len(j.Milestones), j.NextMilestone)
	}
	specs := make([]MilestoneSpec, len(j.Milestones))
	for i, m := range j.Milestones {
		specs[i] = MilestoneSpec{Title: m.Title, Amount: m.Amount}
	}
	if _, err := BuildMilestones(specs, j.Price, uint32(len(specs))); err != nil {
		return err
	}
	for _, c := range []sdk.Coins{j.ProviderPaid, j.TakePaid, j.ArbiterFeePaid, j.ClientRefunded} {
		if err := c.Validate(); err != nil {
			return err
		}
	}
	accounted := j.Accounted()
	price := sdk.NewCoins(j.Price)
	if j.Status.IsFinal() {
		if !accounted.Equal(price) {
			return fmt.Errorf("settled job paid out %s of %s", accounted, j.Price)
		}
		if j.Deadline != 0 {
			return fmt.Errorf("settled job has a deadline")
		}
	} else {
		if !accounted.Add(j.Remaining()).Equal(price) {
			return fmt.Errorf("paid %s plus remaining %s is not the price %s", accounted, j.Remaining(), j.Price)
		}
		// A negative deadline is one a zero-height restart moved into the
		// new chain's past (a timer that failed before the export): the
		// first EndBlock applies it.
		if j.Deadline == 0 && j.StreamId == 0 {
			return fmt.Errorf("an open job needs a deadline")
		}
	}
	return nil
}
