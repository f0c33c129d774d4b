// Package market_test runs x/market on the real application with signed
// transactions (direct and amino JSON): the hooks fire from real blocks, and
// the state survives export and import.
package market_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"slices"
	"sync"
	"testing"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	"github.com/agentchain/agentchain/x/market/types"
)

func coin(n int64) sdk.Coin { return sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(n)) }

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

type recorder struct {
	mu    sync.Mutex
	calls []string
}

func (r *recorder) add(s string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, s)
	return nil
}

func (r *recorder) AfterJobDelivered(context.Context, types.Job, uint32, bool) error {
	return r.add("delivered")
}
func (r *recorder) AfterJobSettled(context.Context, types.Job) error   { return r.add("settled") }
func (r *recorder) AfterJobCancelled(context.Context, types.Job) error { return r.add("cancelled") }
func (r *recorder) AfterJobExpired(context.Context, types.Job) error   { return r.add("expired") }
func (r *recorder) AfterDisputeOpened(context.Context, types.Job) error {
	return r.add("disputed")
}

func (r *recorder) AfterDisputeResolved(context.Context, types.Job, uint32) error {
	return r.add("resolved")
}

type world struct {
	ta                             *apptest.TestApp
	owner, client, arbiter, agentK *apptest.Account
	providerID, listingID          uint64
}

func setup(t *testing.T, rec *recorder) *world {
	t.Helper()
	ta := apptest.New(t, apptest.Options{Accounts: 4})
	if rec != nil {
		ta.MarketKeeper.SetHooks(rec)
	}
	w := &world{ta: ta, owner: ta.Accounts[0], client: ta.Accounts[1], arbiter: ta.Accounts[2]}
	w.agentK = apptest.NewAccount("market-integration-agent")
	apptest.MustOK(t, ta.Deliver(w.owner, banktypes.NewMsgSend(w.owner.Addr, w.agentK.Addr, sdk.NewCoins(coin(10_000_000)))))
	ta.Register(w.agentK)
	sig, err := w.agentK.Priv.Sign(agentidtypes.BindingDigest(apptest.ChainID, w.owner.Addr, w.agentK.Addr, 1))
	if err != nil {
		t.Fatal(err)
	}
	apptest.MustOK(t, ta.Deliver(w.owner, &agentidtypes.MsgRegisterAgent{
		Owner: w.owner.Addr.String(), Name: "worker", AgentAddress: w.agentK.Addr.String(),
		Proof: &agentidtypes.KeyProof{PubKey: w.agentK.Priv.PubKey().Bytes(), Nonce: 1, Signature: sig},
	}))
	w.providerID = 1
	params := types.DefaultParams()
	params.Arbiters, params.DefaultArbiter = []string{w.arbiter.Addr.String()}, w.arbiter.Addr.String()
	params.DisputeTimeoutBlocks = 3
	if _, err := ta.MsgServiceRouter().Handler(&types.MsgUpdateParams{})(ta.Ctx(), &types.MsgUpdateParams{
		Authority: authtypes.NewModuleAddress(govtypes.ModuleName).String(), Params: params,
	}); err != nil {
		t.Fatal(err)
	}
	res := ta.DeliverTx(w.agentK, apptest.Tx{Msgs: []sdk.Msg{&types.MsgCreateListing{
		Signer: w.agentK.Addr.String(), Provider: w.providerID, Capability: "code-review", Title: "Reviews",
		TermsUri: "https://t.example", TermsHash: hash("t"), Price: coin(500_000), MaxDurationBlocks: 100, ReviewWindowBlocks: 10,
	}}, SignMode: signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON})
	apptest.MustOK(t, res)
	w.listingID = 1
	return w
}

func (w *world) amino(t *testing.T, acc *apptest.Account, msg sdk.Msg) {
	t.Helper()
	apptest.MustOK(t, w.ta.DeliverTx(acc, apptest.Tx{Msgs: []sdk.Msg{msg}, SignMode: signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON}))
}

func (w *world) hire(t *testing.T, deliverBy int64) uint64 {
	t.Helper()
	id, err := w.ta.MarketKeeper.JobSeq.Peek(w.ta.Ctx())
	if err != nil {
		t.Fatal(err)
	}
	w.amino(t, w.client, &types.MsgHire{Client: w.client.Addr.String(), ListingId: w.listingID, SpecUri: "https://s.example", SpecHash: hash("s"), DeliverBy: w.ta.Height + deliverBy})
	return max(id, 1)
}

// The hooks the app sets on the market keeper fire from real blocks: a
// completed, an expired and a disputed job each call theirs.
func TestHooksFireOnTheRealApp(t *testing.T) {
	rec := &recorder{}
	w := setup(t, rec)
	completed := w.hire(t, 50)
	w.amino(t, w.agentK, &types.MsgAcceptJob{Signer: w.agentK.Addr.String(), JobId: completed})
	w.amino(t, w.agentK, &types.MsgDeliver{Signer: w.agentK.Addr.String(), JobId: completed, ResultUri: "https://r.example", ResultHash: hash("r")})
	w.amino(t, w.client, &types.MsgComplete{Client: w.client.Addr.String(), JobId: completed})
	if !slices.Equal(rec.calls, []string{"delivered", "settled"}) {
		t.Fatalf("completed job hooks %v", rec.calls)
	}

	rec.calls = nil
	expired := w.hire(t, 3)
	w.amino(t, w.agentK, &types.MsgAcceptJob{Signer: w.agentK.Addr.String(), JobId: expired})
	for i := 0; i < 4; i++ {
		w.ta.NextBlock(nil)
	}
	if !slices.Equal(rec.calls, []string{"expired"}) {
		t.Fatalf("expired job hooks %v", rec.calls)
	}

	rec.calls = nil
	disputed := w.hire(t, 50)
	w.amino(t, w.agentK, &types.MsgAcceptJob{Signer: w.agentK.Addr.String(), JobId: disputed})
	w.amino(t, w.agentK, &types.MsgDeliver{Signer: w.agentK.Addr.String(), JobId: disputed, ResultUri: "https://r.example", ResultHash: hash("r")})
	w.amino(t, w.client, &types.MsgReject{Client: w.client.Addr.String(), JobId: disputed, Reason: types.REJECT_REASON_INCOMPLETE, EvidenceHash: hash("e")})
	w.amino(t, w.arbiter, &types.MsgResolve{Signer: w.arbiter.Addr.String(), JobId: disputed, ProviderShareBps: 2500})
	if !slices.Equal(rec.calls, []string{"delivered", "disputed", "resolved", "settled"}) {
		t.Fatalf("disputed job hooks %v", rec.calls)
	}
}

// Export, import into a new chain, export again: the market state is the
// same, and InitGenesis checks it against agentid and escrow.
func TestGenesisRoundTrip(t *testing.T) {
	w := setup(t, nil)
	open := w.hire(t, 50)
	w.amino(t, w.agentK, &types.MsgAcceptJob{Signer: w.agentK.Addr.String(), JobId: open})
	done := w.hire(t, 50)
	w.amino(t, w.agentK, &types.MsgDeclineJob{Signer: w.agentK.Addr.String(), JobId: done})
	w.amino(t, w.client, &types.MsgPostRequest{Client: w.client.Addr.String(), Capability: "code-review", SpecUri: "https://s.example", SpecHash: hash("s"), Budget: coin(900), BidDeadline: w.ta.Height + 40})
	w.amino(t, w.agentK, &types.MsgPlaceBid{Signer: w.agentK.Addr.String(), RequestId: 1, Provider: w.providerID, Price: coin(700), DeliveryBlocks: 5})

	exported, err := w.ta.ExportAppStateAndValidators(false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]json.RawMessage
	if err := json.Unmarshal(exported.AppState, &state); err != nil {
		t.Fatal(err)
	}
	var gs types.GenesisState
	w.ta.AppCodec().MustUnmarshalJSON(state[types.ModuleName], &gs)
	if len(gs.Jobs) != 2 || len(gs.Listings) != 1 || len(gs.Requests) != 1 || len(gs.Bids) != 1 || len(gs.JobQueue) != 1 || len(gs.RequestQueue) != 1 {
		t.Fatalf("exported %+v", gs)
	}
	ta2 := apptest.New(t, apptest.Options{AppState: exported.AppState})
	exported2, err := ta2.ExportAppStateAndValidators(false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var state2 map[string]json.RawMessage
	if err := json.Unmarshal(exported2.AppState, &state2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(state[types.ModuleName], state2[types.ModuleName]) {
		t.Fatalf("market state changed across export/import")
	}
	// A genesis whose open job's escrow holds the wrong amount is refused.
	gs.Jobs[0].Price = coin(1)
	gs.Jobs[0].Milestones[0].Amount = coin(1)
	if err := ta2.MarketKeeper.InitGenesis(ta2.Ctx(), gs); err == nil {
		t.Fatal("a job whose escrow does not hold its price was imported")
	}
}
