package bench

import (
	"crypto/sha256"
	"fmt"
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/agentchain/agentchain/testutil/apptest"
	agentidkeeper "github.com/agentchain/agentchain/x/agentid/keeper"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	marketkeeper "github.com/agentchain/agentchain/x/market/keeper"
	"github.com/agentchain/agentchain/x/market/types"
)

func init() {
	rows = append(rows,
		TxRow{Name: "market Hire", Target: "≥ 0.75", Work: &marketStage{stage: stageHire}},
		TxRow{Name: "market AcceptJob", Target: "≥ 0.8", Work: &marketStage{stage: stageAccept}},
		TxRow{Name: "market Deliver", Target: "≥ 0.85", Work: &marketStage{stage: stageDeliver}},
		TxRow{Name: "market Complete", Target: "≥ 0.75", Work: &marketStage{stage: stageComplete}},
		TxRow{Name: "market lifecycle (4 txs) vs 4 sends", Target: "≥ 0.8", Work: &marketLifecycle{}},
		TxRow{Name: "market Purchase (pay-per-call)", Target: "≥ 0.8", Work: &marketPurchase{}},
		// No target: what a purchase's payment alone costs, to show how
		// much of a send the purchase has left for its record.
		TxRow{Name: "bank MultiSend (a purchase's payment)", Work: &purchasePayment{}},
	)
	compareRows = append(compareRows, CompareRow{
		Name:   "market listings-by-capability page of 100, by listings",
		Target: "≈ 1",
		SizeA:  100, SizeB: 100_000,
		SmokeA: 100, SmokeB: 1_000,
		Setup: setupListings,
		Step:  stepListingsQuery,
	})
}

const (
	stageHire = iota
	stageAccept
	stageDeliver
	stageComplete
)

var specHash = func() []byte { h := sha256.Sum256([]byte("bench spec")); return h[:] }()

// market is a set of provider agents, each its own owner and agent key,
// with a listing each, and client accounts.
type market struct {
	providers []*apptest.Account
	listings  []uint64
	clients   []*apptest.Account
	nextJob   uint64
	// provider of each job id, to sign its provider-side txs.
	jobProvider map[uint64]*apptest.Account
	jobClient   map[uint64]*apptest.Account
}

func newMarket(e *Env) *market {
	m := &market{providers: e.Pool(50), clients: e.Pool(100), jobProvider: map[uint64]*apptest.Account{}, jobClient: map[uint64]*apptest.Account{}}
	var txs [][]byte
	for i, p := range m.providers {
		txs = append(txs, e.Sign(p, apptest.Tx{Msgs: []sdk.Msg{&agentidtypes.MsgRegisterAgent{
			Owner: p.Addr.String(), Name: fmt.Sprintf("bench-provider-%d", i), AgentAddress: p.Addr.String(), Capabilities: []string{"summarize"},
		}}}))
	}
	e.SetupBlock(txs)
	txs = nil
	for _, p := range m.providers {
		a, found, err := e.AgentIDKeeper.GetAgentByAddress(e.Ctx(), p.Addr)
		if err != nil || !found {
			e.TB.Fatalf("provider %s: %v", p.Addr, err)
		}
		txs = append(txs, e.Sign(p, apptest.Tx{Msgs: []sdk.Msg{&types.MsgCreateListing{
			Signer: p.Addr.String(), Provider: a.Id, Capability: "summarize", Title: "bench",
			TermsUri: "https://terms.example", TermsHash: specHash, Price: coins(1_000_000)[0],
			MaxDurationBlocks: 1_000_000, ReviewWindowBlocks: 100_000,
		}}}))
	}
	e.SetupBlock(txs)
	res, err := marketkeeper.NewQueryServerImpl(e.MarketKeeper).ListingsByCapability(e.Ctx(), &types.QueryListingsByCapabilityRequest{Capability: "summarize"})
	if err != nil || len(res.Listings) != len(m.providers) {
		e.TB.Fatalf("bench listings: %v", err)
	}
	byProvider := map[uint64]uint64{}
	for _, l := range res.Listings {
		byProvider[l.Provider] = l.Id
	}
	for _, p := range m.providers {
		a, _, _ := e.AgentIDKeeper.GetAgentByAddress(e.Ctx(), p.Addr)
		m.listings = append(m.listings, byProvider[a.Id])
	}
	next, err := e.MarketKeeper.JobSeq.Peek(e.Ctx())
	if err != nil {
		e.TB.Fatal(err)
	}
	m.nextJob = max(next, 1)
	return m
}

// hires signs n hires (round-robin over clients and listings) and returns
// them with the ids their jobs will get.
func (m *market) hires(e *Env, n int) ([][]byte, []uint64) {
	txs := make([][]byte, n)
	ids := make([]uint64, n)
	for k := range txs {
		i := int(m.nextJob)
		c, p := m.clients[i%len(m.clients)], i%len(m.providers)
		txs[k] = e.Sign(c, apptest.Tx{Msgs: []sdk.Msg{&types.MsgHire{
			Client: c.Addr.String(), ListingId: m.listings[p], SpecUri: "https://spec.example", SpecHash: specHash,
			DeliverBy: e.Height + 500_000,
		}}})
		ids[k] = m.nextJob
		m.jobProvider[m.nextJob] = m.providers[p]
		m.jobClient[m.nextJob] = c
		m.nextJob++
	}
	return txs, ids
}

func (m *market) accepts(e *Env, ids []uint64) [][]byte {
	txs := make([][]byte, len(ids))
	for k, id := range ids {
		p := m.jobProvider[id]
		txs[k] = e.Sign(p, apptest.Tx{Msgs: []sdk.Msg{&types.MsgAcceptJob{Signer: p.Addr.String(), JobId: id}}})
	}
	return txs
}

func (m *market) delivers(e *Env, ids []uint64) [][]byte {
	txs := make([][]byte, len(ids))
	for k, id := range ids {
		p := m.jobProvider[id]
		txs[k] = e.Sign(p, apptest.Tx{Msgs: []sdk.Msg{&types.MsgDeliver{Signer: p.Addr.String(), JobId: id, ResultUri: "https://result.example", ResultHash: specHash}}})
	}
	return txs
}

func (m *market) completes(e *Env, ids []uint64) [][]byte {
	txs := make([][]byte, len(ids))
	for k, id := range ids {
		c := m.jobClient[id]
		txs[k] = e.Sign(c, apptest.Tx{Msgs: []sdk.Msg{&types.MsgComplete{Client: c.Addr.String(), JobId: id}}})
	}
	return txs
}

// marketStage measures one step of the lifecycle; setup brings enough jobs
// to the step before it.
type marketStage struct {
	stage int
	m     *market
	ready [][]uint64 // job ids per measured block
	next  int
}

func (w *marketStage) Setup(e *Env, n, blocks int) {
	w.m = newMarket(e)
	if w.stage == stageHire {
		return
	}
	for b := 0; b < blocks; b++ {
		txs, ids := w.m.hires(e, n)
		e.SetupBlock(txs)
		if w.stage >= stageDeliver {
			e.SetupBlock(w.m.accepts(e, ids))
		}
		if w.stage >= stageComplete {
			e.SetupBlock(w.m.delivers(e, ids))
		}
		w.ready = append(w.ready, ids)
	}
}

func (w *marketStage) Block(e *Env, n int) [][]byte {
	if w.stage == stageHire {
		txs, _ := w.m.hires(e, n)
		return txs
	}
	ids := w.ready[w.next]
	w.next++
	switch w.stage {
	case stageAccept:
		return w.m.accepts(e, ids)
	case stageDeliver:
		return w.m.delivers(e, ids)
	default:
		return w.m.completes(e, ids)
	}
}

// marketLifecycle runs the whole lifecycle as a pipeline: each measured
// block hires a quarter, and accepts, delivers and completes the jobs of
// the quarters before. Per tx it compares a lifecycle's four txs with four
// bank sends.
type marketLifecycle struct {
	m                          *market
	hired, accepted, delivered []uint64
}

func (w *marketLifecycle) Setup(e *Env, n, _ int) {
	w.m = newMarket(e)
	q := n / 4
	// Fill the pipeline.
	txs, ids := w.m.hires(e, q)
	e.SetupBlock(txs)
	w.hired = ids
	txs, ids = w.m.hires(e, q)
	e.SetupBlock(append(txs, w.m.accepts(e, w.hired)...))
	w.accepted, w.hired = w.hired, ids
	txs, ids = w.m.hires(e, q)
	e.SetupBlock(append(append(txs, w.m.accepts(e, w.hired)...), w.m.delivers(e, w.accepted)...))
	w.delivered, w.accepted, w.hired = w.accepted, w.hired, ids
}

func (w *marketLifecycle) Block(e *Env, n int) [][]byte {
	q := n / 4
	hires, ids := w.m.hires(e, q)
	txs := append(hires, w.m.accepts(e, w.hired)...)
	txs = append(txs, w.m.delivers(e, w.accepted)...)
	txs = append(txs, w.m.completes(e, w.delivered)...)
	w.delivered, w.accepted, w.hired = w.accepted, w.hired, ids
	return txs
}

// setupListings builds a chain holding size active listings of one
// capability, from 100 providers, at spread-out prices.
func setupListings(tb testing.TB, size, _ int) *Env {
	e := newEnv(tb, 100)
	ids := agentidkeeper.NewMsgServerImpl(e.AgentIDKeeper)
	ms := marketkeeper.NewMsgServerImpl(e.MarketKeeper)
	ctx := e.Ctx()
	var providers []uint64
	for i, acc := range e.Accounts {
		res, err := ids.RegisterAgent(ctx, &agentidtypes.MsgRegisterAgent{Owner: acc.Addr.String(), Name: fmt.Sprintf("lister-%d", i), AgentAddress: acc.Addr.String()})
		if err != nil {
			tb.Fatal(err)
		}
		providers = append(providers, res.Id)
	}
	for i := 0; i < size; i++ {
		p := i % len(providers)
		if _, err := ms.CreateListing(ctx, &types.MsgCreateListing{
			Signer: e.Accounts[p].Addr.String(), Provider: providers[p], Capability: "summarize", Title: "listing",
			TermsUri: "https://terms.example", TermsHash: specHash, Price: coins(int64(1_000 + (i*7919)%1_000_000))[0],
			MaxDurationBlocks: 1000, ReviewWindowBlocks: 100,
		}); err != nil {
			tb.Fatal(err)
		}
	}
	e.NextBlock(nil)
	return e
}

// stepListingsQuery asks for the cheapest page of 100 listings under a max
// price, 20 times.
func stepListingsQuery(tb testing.TB, e *Env, measure func(func())) int {
	qs := marketkeeper.NewQueryServerImpl(e.MarketKeeper)
	ctx := e.Ctx()
	const queries = 20
	measure(func() {
		for i := 0; i < queries; i++ {
			res, err := qs.ListingsByCapability(ctx, &types.QueryListingsByCapabilityRequest{
				Capability: "summarize", Denom: "uagnt", MaxPrice: "2000000", Pagination: &query.PageRequest{Limit: 100},
			})
			if err != nil {
				tb.Fatal(err)
			}
			if len(res.Listings) != 100 {
				tb.Fatalf("page of %d listings", len(res.Listings))
			}
		}
	})
	return queries
}

// marketPurchase measures pay-per-call purchases (round-robin over clients
// and listings, one call each, a fresh request id per purchase).
type marketPurchase struct {
	m    *market
	next int
}

func (w *marketPurchase) Setup(e *Env, _, _ int) { w.m = newMarket(e) }

func (w *marketPurchase) Block(e *Env, n int) [][]byte {
	txs := make([][]byte, n)
	for k := range txs {
		i := w.next
		w.next++
		c := w.m.clients[i%len(w.m.clients)]
		txs[k] = e.Sign(c, apptest.Tx{Msgs: []sdk.Msg{&types.MsgPurchase{
			Client: c.Addr.String(), ListingId: w.m.listings[i%len(w.m.listings)], Calls: 1, Amount: coins(1_000_000)[0],
			RequestId: fmt.Sprintf("bench-%d", i), ValidUntilHeight: e.Height + 1_000,
		}}})
	}
	return txs
}

// purchasePayment is a purchase's payment without the purchase: one
// MsgMultiSend per tx debiting a client once and crediting a provider's
// payout address with the price less the take and one account with the
// take (the bank call MsgPurchase makes, InputOutputCoins; a MsgMultiSend
// may not pay the fee collector, a module account, so one account every tx
// pays stands in for it), round-robin over as many clients and payees as
// the purchase row.
type purchasePayment struct {
	clients, payees []*apptest.Account
	takeTo          *apptest.Account
	next            int
}

func (w *purchasePayment) Setup(e *Env, _, _ int) {
	w.payees, w.clients, w.takeTo = e.Pool(50), e.Pool(100), e.Pool(1)[0]
}

func (w *purchasePayment) Block(e *Env, n int) [][]byte {
	price := coins(1_000_000)[0]
	provider, take := types.Take(price, types.DefaultParams().TakeRateBps)
	txs := make([][]byte, n)
	for k := range txs {
		i := w.next
		w.next++
		c := w.clients[i%len(w.clients)]
		txs[k] = e.Sign(c, apptest.Tx{Msgs: []sdk.Msg{&banktypes.MsgMultiSend{
			Inputs: []banktypes.Input{{Address: c.Addr.String(), Coins: sdk.NewCoins(price)}},
			Outputs: []banktypes.Output{
				{Address: w.payees[i%len(w.payees)].Addr.String(), Coins: sdk.NewCoins(provider)},
				{Address: w.takeTo.Addr.String(), Coins: sdk.NewCoins(take)},
			},
		}}})
	}
	return txs
}
