package keeper

import (
	"context"
	"errors"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/internal/invariant"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	"github.com/agentchain/agentchain/x/market/types"
)

// maxBroken bounds the violations an invariant reports.
const maxBroken = 20

// Invariants are the market's checks of its whole state:
//
//   - job-escrows: every job's payments add up (paid out plus unpaid is the
//     price; a settled job paid out exactly its price); every open job's
//     escrow is the market's, locked, pays the job's provider payout and
//     holds exactly the job's unpaid price; a settled job's escrow is closed;
//   - request-escrows: every open request's escrow is the market's, locked,
//     with no payee yet, and holds exactly its budget;
//   - timers: every job queue entry points at an open job whose deadline is
//     that height and every open job is queued; the same for open requests
//     and their bid deadlines;
//   - purchases: every purchase marker names a purchase job of that client
//     and request id (or one pruned since), and every purchase job has its
//     marker;
//   - prune-queue: every settled job in state waits in the prune queue at
//     its settled height, and every entry is such a job; the same for
//     closed requests and their closed heights; an accepted request's job
//     is in state;
//   - job-indexes: every job index (client, provider, status, parent and,
//     since the v2 upgrade, client agent) holds exactly the jobs with that
//     key (saveJob moves the indexes without reading the stored job back).
func (k Keeper) Invariants() []invariant.Invariant {
	return []invariant.Invariant{
		{Name: "market/job-escrows", Check: k.checkJobEscrows},
		{Name: "market/request-escrows", Check: k.checkRequestEscrows},
		{Name: "market/timers", Check: k.checkTimers},
		{Name: "market/job-indexes", Check: k.checkIndexes},
		{Name: "market/purchases", Check: k.checkPurchases},
		{Name: "market/prune-queue", Check: k.checkPruneQueue},
	}
}

func (k Keeper) checkPruneQueue(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	entries := 0
	err := k.PruneQueue.Walk(ctx, nil, func(key QueueKey) (bool, error) {
		entries++
		j, err := k.Jobs.Get(ctx, key.K2())
		switch {
		case errors.Is(err, collections.ErrNotFound):
			broken.Addf("prune queue entry (%d, %d) has no job", key.K1(), key.K2())
		case err != nil:
			return true, err
		case !j.Status.IsFinal() || j.SettledHeight != key.K1():
			broken.Addf("prune queue entry (%d, %d): the job is %s, settled at %d", key.K1(), key.K2(), j.Status, j.SettledHeight)
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	settled := 0
	err = k.Jobs.Walk(ctx, nil, func(id uint64, j types.Job) (bool, error) {
		if !j.Status.IsFinal() {
			return false, nil
		}
		settled++
		has, err := k.PruneQueue.Has(ctx, collections.Join(j.SettledHeight, id))
		if err == nil && !has {
			broken.Addf("settled job %d (at %d) is not in the prune queue", id, j.SettledHeight)
		}
		return false, err
	})
	if settled != entries {
		broken.Addf("%d settled jobs, %d prune queue entries", settled, entries)
	}
	if err != nil {
		return nil, err
	}
	if err := k.checkRequestPruneQueue(ctx, broken); err != nil {
		return nil, err
	}
	return broken.List(), nil
}

// checkRequestPruneQueue: every closed (cancelled or expired) request waits
// in the request prune queue at its closed height, every entry is such a
// request, and every accepted request's job is in state (it leaves with
// its job, never before).
func (k Keeper) checkRequestPruneQueue(ctx context.Context, broken *invariant.Broken) error {
	entries := 0
	err := k.RequestPruneQueue.Walk(ctx, nil, func(key QueueKey) (bool, error) {
		entries++
		r, err := k.Requests.Get(ctx, key.K2())
		switch {
		case errors.Is(err, collections.ErrNotFound):
			broken.Addf("request prune queue entry (%d, %d) has no request", key.K1(), key.K2())
		case err != nil:
			return true, err
		case !requestClosed(r) || r.ClosedHeight != key.K1():
			broken.Addf("request prune queue entry (%d, %d): the request is %s, closed at %d", key.K1(), key.K2(), r.Status, r.ClosedHeight)
		}
		return false, nil
	})
	if err != nil {
		return err
	}
	closed := 0
	err = k.Requests.Walk(ctx, nil, func(id uint64, r types.Request) (bool, error) {
		switch {
		case requestClosed(r):
			closed++
			has, err := k.RequestPruneQueue.Has(ctx, collections.Join(r.ClosedHeight, id))
			if err != nil {
				return true, err
			}
			if !has {
				broken.Addf("closed request %d (at %d) is not in the request prune queue", id, r.ClosedHeight)
			}
		case r.Status == types.REQUEST_STATUS_ACCEPTED:
			has, err := k.Jobs.Has(ctx, r.JobId)
			if err != nil {
				return true, err
			}
			if !has {
				broken.Addf("accepted request %d outlived its job %d", id, r.JobId)
			}
		}
		return false, nil
	})
	if closed != entries {
		broken.Addf("%d closed requests, %d request prune queue entries", closed, entries)
	}
	return err
}

// requestClosed reports whether a request was cancelled or expired.
func requestClosed(r types.Request) bool {
	return r.Status == types.REQUEST_STATUS_CANCELLED || r.Status == types.REQUEST_STATUS_EXPIRED
}

func (k Keeper) checkJobEscrows(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	err := k.Jobs.Walk(ctx, nil, func(id uint64, j types.Job) (bool, error) {
		price := sdk.NewCoins(j.Price)
		accounted := j.Accounted()
		if j.PurchaseRequestId != "" {
			// A purchase paid at once, from the client's account: no escrow.
			if j.Status != types.JOB_STATUS_COMPLETED || !accounted.Equal(price) || j.EscrowId != 0 {
				broken.Addf("purchase job %d is %s, paid out %s of %s, escrow %d", id, j.Status, accounted, j.Price, j.EscrowId)
			}
			return false, nil
		}
		if j.StreamId != 0 {
			k.checkSubscription(ctx, broken, j)
			return false, nil
		}
		e, err := k.escrow.GetEscrow(ctx, j.EscrowId)
		if err != nil {
			broken.Addf("job %d: escrow %d: %s", id, j.EscrowId, err)
			return false, nil
		}
		if e.OwnerModule != types.ModuleName {
			broken.Addf("job %d: escrow %d belongs to %q", id, e.Id, e.OwnerModule)
		}
		if j.Status.IsFinal() {
			if !accounted.Equal(price) {
				broken.Addf("settled job %d paid out %s of its price %s", id, accounted, j.Price)
			}
			// A job made from a request shares the request's escrow, which
			// the job's settlement closes too.
			if e.Status != escrowtypes.ESCROW_STATUS_CLOSED {
				broken.Addf("settled job %d left escrow %d %s holding %s", id, e.Id, e.Status, e.Remaining())
			}
			return false, nil
		}
		unpaid := sdk.NewCoins(j.Remaining())
		if !accounted.Add(unpaid...).Equal(price) {
			broken.Addf("job %d: paid %s plus unpaid %s is not its price %s", id, accounted, unpaid, j.Price)
		}
		if e.Status != escrowtypes.ESCROW_STATUS_LOCKED || !e.Remaining().Equal(unpaid) {
			broken.Addf("open job %d (%s): escrow %d is %s holding %s, the unpaid price is %s", id, j.Status, e.Id, e.Status, e.Remaining(), unpaid)
		}
		if e.Payee != j.ProviderPayout {
			broken.Addf("open job %d: escrow %d pays %s, the job's provider payout is %s", id, e.Id, e.Payee, j.ProviderPayout)
		}
		return false, nil
	})
	return broken.List(), err
}

// checkSubscription: a subscription's stream is the market's, from its
// client to its provider payout, holds the deposit (the job's price) less
// what was paid out (the job's provider pay and take) or refunded; it is
// closed exactly when the job is settled.
func (k Keeper) checkSubscription(ctx context.Context, broken *invariant.Broken, j types.Job) {
	s, err := k.escrow.GetStream(ctx, j.StreamId)
	if err != nil {
		broken.Addf("subscription %d: stream %d: %s", j.Id, j.StreamId, err)
		return
	}
	paid := j.ProviderPaid.Add(j.TakePaid...)
	switch {
	case s.OwnerModule != types.ModuleName || s.Payer != j.Client || s.Payee != j.ProviderPayout:
		broken.Addf("subscription %d: stream %d (%q) from %s to %s", j.Id, s.Id, s.OwnerModule, s.Payer, s.Payee)
	case !s.Deposit.Equal(j.Price):
		broken.Addf("subscription %d: stream %d deposit %s, job price %s", j.Id, s.Id, s.Deposit, j.Price)
	case !sdk.NewCoins(s.Withdrawn).Equal(paid) || !sdk.NewCoins(s.Refunded).Equal(j.ClientRefunded):
		broken.Addf("subscription %d: stream %d paid %s and refunded %s; the job paid %s and refunded %s", j.Id, s.Id, s.Withdrawn, s.Refunded, paid, j.ClientRefunded)
	case (s.Status == escrowtypes.STREAM_STATUS_CLOSED) != j.Status.IsFinal():
		broken.Addf("subscription %d is %s; its stream %d is %s", j.Id, j.Status, s.Id, s.Status)
	case j.Status.IsFinal() && !j.Accounted().Equal(sdk.NewCoins(j.Price)):
		broken.Addf("settled subscription %d paid out %s of %s", j.Id, j.Accounted(), j.Price)
	}
}

func (k Keeper) checkRequestEscrows(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	err := k.Requests.Walk(ctx, nil, func(id uint64, r types.Request) (bool, error) {
		if r.Status != types.REQUEST_STATUS_OPEN {
			return false, nil
		}
		e, err := k.escrow.GetEscrow(ctx, r.EscrowId)
		if err != nil {
			broken.Addf("request %d: escrow %d: %s", id, r.EscrowId, err)
			return false, nil
		}
		if e.OwnerModule != types.ModuleName || e.Status != escrowtypes.ESCROW_STATUS_LOCKED || e.Payee != "" ||
			!e.Remaining().Equal(sdk.NewCoins(r.Budget)) {
			broken.Addf("open request %d: escrow %d (%q, %s, payee %q) holds %s, the budget is %s",
				id, e.Id, e.OwnerModule, e.Status, e.Payee, e.Remaining(), r.Budget)
		}
		return false, nil
	})
	return broken.List(), err
}

func (k Keeper) checkTimers(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	// Every queue entry points at a record waiting on exactly that height.
	if err := k.JobQueue.Walk(ctx, nil, func(key QueueKey) (bool, error) {
		j, err := k.Jobs.Get(ctx, key.K2())
		if err != nil || j.Status.IsFinal() || j.Deadline != key.K1() {
			broken.Addf("job queue entry (%d, %d) matches no open job with that deadline", key.K1(), key.K2())
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	if err := k.RequestQueue.Walk(ctx, nil, func(key QueueKey) (bool, error) {
		r, err := k.Requests.Get(ctx, key.K2())
		if err != nil || r.Status != types.REQUEST_STATUS_OPEN || r.BidDeadline != key.K1() {
			broken.Addf("request queue entry (%d, %d) matches no open request with that bid deadline", key.K1(), key.K2())
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	// Every record that waits on a timer is queued.
	if err := k.Jobs.Walk(ctx, nil, func(id uint64, j types.Job) (bool, error) {
		if j.Status.IsFinal() {
			if j.Deadline != 0 {
				broken.Addf("settled job %d keeps deadline %d", id, j.Deadline)
			}
			return false, nil
		}
		if j.StreamId != 0 {
			if j.Deadline != 0 {
				broken.Addf("subscription %d has a deadline %d", id, j.Deadline)
			}
			return false, nil
		}
		has, err := k.JobQueue.Has(ctx, collections.Join(j.Deadline, id))
		if err != nil {
			return true, err
		}
		if !has {
			broken.Addf("open job %d (%s) waits on height %d but is not queued", id, j.Status, j.Deadline)
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	err := k.Requests.Walk(ctx, nil, func(id uint64, r types.Request) (bool, error) {
		if r.Status != types.REQUEST_STATUS_OPEN {
			return false, nil
		}
		has, err := k.RequestQueue.Has(ctx, collections.Join(r.BidDeadline, id))
		if err != nil {
			return true, err
		}
		if !has {
			broken.Addf("open request %d waits on height %d but is not queued", id, r.BidDeadline)
		}
		return false, nil
	})
	return broken.List(), err
}

// IterateJobs calls f on every job in id order until it returns true (for
// audits such as x/reputation's replay of its signals; it reads every job).
func (k Keeper) IterateJobs(ctx context.Context, f func(j types.Job) (stop bool, err error)) error {
	return k.Jobs.Walk(ctx, nil, func(_ uint64, j types.Job) (bool, error) { return f(j) })
}

// checkIndexes: every job hired by a client agent is indexed under it, and
// every index entry points at such a job (since the v2 upgrade).
func (k Keeper) checkIndexes(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	idx := k.Jobs.Indexes
	// Every job is under each of its index keys...
	if err := k.Jobs.Walk(ctx, nil, func(id uint64, j types.Job) (bool, error) {
		client, err := k.addressCodec.StringToBytes(j.Client)
		if err != nil {
			broken.Addf("job %d: client %q: %s", id, j.Client, err)
			return false, nil
		}
		checks := []struct {
			name string
			has  func() (bool, error)
		}{
			{"client", func() (bool, error) { return idx.Client.Has(ctx, client, id) }},
			{"provider", func() (bool, error) { return idx.Provider.Has(ctx, j.Provider, id) }},
			{"status", func() (bool, error) { return idx.Status.Has(ctx, int32(j.Status), id) }},
		}
		if j.ParentJobId != 0 {
			checks = append(checks, struct {
				name string
				has  func() (bool, error)
			}{"parent", func() (bool, error) { return idx.Parent.Has(ctx, j.ParentJobId, id) }})
		}
		if indexClientAgents && j.ClientAgent != 0 {
			checks = append(checks, struct {
				name string
				has  func() (bool, error)
			}{"client-agent", func() (bool, error) { return idx.ClientAgent.Has(ctx, j.ClientAgent, id) }})
		}
		for _, c := range checks {
			has, err := c.has()
			if err != nil {
				return true, err
			}
			if !has {
				broken.Addf("job %d (%s) is not in the %s index", id, j.Status, c.name)
			}
		}
		return false, nil
	}); err != nil {
		return nil, err
	}
	// ...and every entry names a job with that key.
	match := func(name string, id uint64, ok func(types.Job) bool) {
		j, err := k.Jobs.Get(ctx, id)
		if err != nil || !ok(j) {
			broken.Addf("%s index entry for job %d matches no such job", name, id)
		}
	}
	if err := idx.Client.Keys().Walk(ctx, nil, func(key collections.Pair[sdk.AccAddress, uint64]) (bool, error) {
		match("client", key.K2(), func(j types.Job) bool { return j.Client == key.K1().String() })
		return false, nil
	}); err != nil {
		return nil, err
	}
	for _, ix := range []struct {
		name string
		keys collections.KeySet[collections.Pair[uint64, uint64]]
	}{{"provider", idx.Provider.Keys()}, {"parent", idx.Parent.Keys()}} {
		name, keys := ix.name, ix.keys
		if err := keys.Walk(ctx, nil, func(key collections.Pair[uint64, uint64]) (bool, error) {
			match(name, key.K2(), func(j types.Job) bool {
				if name == "provider" {
					return j.Provider == key.K1()
				}
				return j.ParentJobId == key.K1()
			})
			return false, nil
		}); err != nil {
			return nil, err
		}
	}
	if err := idx.Status.Keys().Walk(ctx, nil, func(key collections.Pair[int32, uint64]) (bool, error) {
		match("status", key.K2(), func(j types.Job) bool { return int32(j.Status) == key.K1() })
		return false, nil
	}); err != nil {
		return nil, err
	}
	if !indexClientAgents {
		return broken.List(), nil
	}
	err := idx.ClientAgent.Keys().Walk(ctx, nil, func(key collections.Pair[uint64, uint64]) (bool, error) {
		match("client-agent", key.K2(), func(j types.Job) bool { return j.ClientAgent == key.K1() })
		return false, nil
	})
	return broken.List(), err
}

func (k Keeper) checkPurchases(ctx context.Context) ([]string, error) {
	broken := invariant.NewBroken(maxBroken)
	markers := 0
	err := k.Purchases.Walk(ctx, nil, func(key collections.Pair[sdk.AccAddress, string], id uint64) (bool, error) {
		j, err := k.Jobs.Get(ctx, id)
		if errors.Is(err, collections.ErrNotFound) {
			// A marker outlives its purchase, pruned after retention.
			pruned, perr := k.JobPruned(ctx, id)
			if perr != nil {
				return true, perr
			}
			if !pruned {
				broken.Addf("purchase marker (%s, %q): job %d was never made", key.K1(), key.K2(), id)
			}
			return false, nil
		}
		markers++
		if err != nil {
			broken.Addf("purchase marker (%s, %q): job %d: %s", key.K1(), key.K2(), id, err)
			return false, nil
		}
		if j.Client != key.K1().String() || j.PurchaseRequestId != key.K2() {
			broken.Addf("purchase marker (%s, %q) points at job %d of (%s, %q)", key.K1(), key.K2(), id, j.Client, j.PurchaseRequestId)
		}
		return false, nil
	})
	if err != nil {
		return nil, err
	}
	jobs := 0
	err = k.Jobs.Walk(ctx, nil, func(_ uint64, j types.Job) (bool, error) {
		if j.PurchaseRequestId != "" {
			jobs++
		}
		return false, nil
	})
	if jobs != markers {
		broken.Addf("%d purchase jobs, %d purchase markers of jobs in state", jobs, markers)
	}
	return broken.List(), err
}
