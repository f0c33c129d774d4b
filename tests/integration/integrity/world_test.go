// Package integrity_test replays, on the real application with signed
// transactions in real blocks, what an adversary tried from outside: acting
// after a deadline while the EndBlock queue is backlogged, laundering
// self-dealing, staining a stranger's record, silencing hooks with gas,
// paging past a query's range, and restarting a chain from a zero-height
// export. Every test here failed before the fixes it guards.
package integrity_test

import (
	"crypto/sha256"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reptypes "github.com/agentchain/agentchain/x/reputation/types"
)

func coin(n int64) sdk.Coin { return sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(n)) }

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

var authority = authtypes.NewModuleAddress(govtypes.ModuleName).String()

// world is an in-process chain with named accounts and helpers to drive
// agents through the market in real blocks.
type world struct {
	t  *testing.T
	ta *apptest.TestApp
	// arbiter is the market's default arbiter.
	arbiter *apptest.Account
	names   int
}

func newWorld(t *testing.T) *world {
	t.Helper()
	w := &world{t: t, ta: apptest.New(t, apptest.Options{Accounts: 10})}
	w.arbiter = w.ta.Accounts[len(w.ta.Accounts)-1]
	p := markettypes.DefaultParams()
	p.Arbiters, p.DefaultArbiter = []string{w.arbiter.Addr.String()}, w.arbiter.Addr.String()
	w.marketParams(p)
	return w
}

// gov runs a message as the governance authority, in the committed state
// (as a passed proposal would).
func (w *world) gov(msg sdk.Msg) {
	w.t.Helper()
	if _, err := w.ta.MsgServiceRouter().Handler(msg)(w.ta.Ctx(), msg); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) marketParams(p markettypes.Params) {
	w.gov(&markettypes.MsgUpdateParams{Authority: authority, Params: p})
}

// ok delivers msgs from acc in a block of their own and requires success.
func (w *world) ok(acc *apptest.Account, msgs ...sdk.Msg) *abci.ExecTxResult {
	w.t.Helper()
	r := w.ta.DeliverTx(acc, apptest.Tx{Msgs: msgs, Gas: 4_000_000})
	apptest.MustOK(w.t, r)
	return r
}

// refused delivers msgs and requires the block to refuse them with want.
func (w *world) refused(want *errorsmod.Error, acc *apptest.Account, msgs ...sdk.Msg) *abci.ExecTxResult {
	w.t.Helper()
	r := w.ta.DeliverTx(acc, apptest.Tx{Msgs: msgs, Gas: 4_000_000})
	if r.Code != want.ABCICode() || r.Codespace != want.Codespace() {
		w.t.Fatalf("code %d (%s): %s; want %s/%d (%s)", r.Code, r.Codespace, r.Log, want.Codespace(), want.ABCICode(), want.Error())
	}
	return r
}

// agent is a registered agent whose owner and key the test holds.
type agent struct {
	id    uint64
	owner *apptest.Account
	key   *apptest.Account
}

// newAgent registers an agent of owner with a fresh, funded key.
func (w *world) newAgent(owner *apptest.Account) agent {
	w.t.Helper()
	w.names++
	name := fmt.Sprintf("integrity-agent-%d", w.names)
	key := apptest.NewAccount(name)
	w.ok(owner, banktypes.NewMsgSend(owner.Addr, key.Addr, sdk.NewCoins(coin(1_000_000_000))))
	w.ta.Register(key)
	sig, err := key.Priv.Sign(agentidtypes.BindingDigest(apptest.ChainID, owner.Addr, key.Addr, 1))
	if err != nil {
		w.t.Fatal(err)
	}
	w.ok(owner, &agentidtypes.MsgRegisterAgent{
		Owner: owner.Addr.String(), Name: name, AgentAddress: key.Addr.String(),
		Proof:        &agentidtypes.KeyProof{PubKey: key.Priv.PubKey().Bytes(), Nonce: 1, Signature: sig},
		Capabilities: []string{"summarize"},
	})
	a, found, err := w.ta.AgentIDKeeper.GetAgentByAddress(w.ta.Ctx(), key.Addr)
	if err != nil || !found {
		w.t.Fatalf("agent %s not registered: %v", name, err)
	}
	return agent{id: a.Id, owner: owner, key: key}
}

// listing creates a listing of the agent at price uagnt.
func (w *world) listing(a agent, capability string, price, review int64) uint64 {
	w.t.Helper()
	next, err := w.ta.MarketKeeper.ListingSeq.Peek(w.ta.Ctx())
	if err != nil {
		w.t.Fatal(err)
	}
	w.ok(a.key, &markettypes.MsgCreateListing{
		Signer: a.key.Addr.String(), Provider: a.id, Capability: capability, Title: "offer",
		TermsUri: "https://terms.example", TermsHash: hash("terms"), Price: coin(price),
		MaxDurationBlocks: 1000, ReviewWindowBlocks: review,
	})
	return max(next, 1)
}

func (w *world) hireMsg(client *apptest.Account, listing uint64, deliverIn int64) *markettypes.MsgHire {
	return &markettypes.MsgHire{
		Client: client.Addr.String(), ListingId: listing, SpecUri: "https://spec.example",
		SpecHash: hash("spec"), DeliverBy: w.ta.Height + 1 + deliverIn,
	}
}

// hire hires the listing (deliver_by deliverIn blocks after the hire's
// block) and returns the job id.
func (w *world) hire(client *apptest.Account, listing uint64, deliverIn int64) uint64 {
	w.t.Helper()
	next, err := w.ta.MarketKeeper.JobSeq.Peek(w.ta.Ctx())
	if err != nil {
		w.t.Fatal(err)
	}
	w.ok(client, w.hireMsg(client, listing, deliverIn))
	return max(next, 1)
}

func (w *world) job(id uint64) markettypes.Job {
	w.t.Helper()
	j, err := w.ta.MarketKeeper.GetJob(w.ta.Ctx(), id)
	if err != nil {
		w.t.Fatal(err)
	}
	return j
}

func (w *world) accept(a agent, job uint64) {
	w.t.Helper()
	w.ok(a.key, &markettypes.MsgAcceptJob{Signer: a.key.Addr.String(), JobId: job})
}

func (w *world) deliver(a agent, job uint64) {
	w.t.Helper()
	w.ok(a.key, &markettypes.MsgDeliver{Signer: a.key.Addr.String(), JobId: job, ResultUri: "https://result.example", ResultHash: hash("result")})
}

func (w *world) signals(agentID uint64) reptypes.Signals {
	w.t.Helper()
	s, err := w.ta.ReputationKeeper.Signals.Get(w.ta.Ctx(), agentID)
	if err != nil {
		return reptypes.NewSignals(agentID)
	}
	return s
}

// invariants requires every module invariant to hold.
func (w *world) invariants() {
	w.t.Helper()
	if _, err := w.ta.CheckInvariants(w.ta.Ctx()); err != nil {
		w.t.Fatal(err)
	}
}

// feedbackWindow sets the reputation module's feedback window.
func (w *world) feedbackWindow(blocks int64) {
	w.t.Helper()
	p, err := w.ta.ReputationKeeper.Params.Get(w.ta.Ctx())
	if err != nil {
		w.t.Fatal(err)
	}
	p.FeedbackWindowBlocks = blocks
	w.gov(&reptypes.MsgUpdateParams{Authority: authority, Params: p})
}

// reimport exports the chain, starts a new one from the export and
// requires its invariants to hold.
func (w *world) reimport() *apptest.TestApp {
	w.t.Helper()
	exported, err := w.ta.ExportAppStateAndValidators(false, nil, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	nb := apptest.New(w.t, apptest.Options{AppState: exported.AppState, Accounts: len(w.ta.Accounts)})
	if _, err := nb.CheckInvariants(nb.Ctx()); err != nil {
		w.t.Fatal(err)
	}
	return nb
}

func (w *world) until(height int64) {
	for w.ta.Height < height {
		w.ta.NextBlock(nil)
	}
}

// escrowParams sets escrow params through the authority.
func (w *world) escrowParams(f func(p *escrowtypes.Params)) {
	w.t.Helper()
	p, err := w.ta.EscrowKeeper.Params.Get(w.ta.Ctx())
	if err != nil {
		w.t.Fatal(err)
	}
	f(&p)
	w.gov(&escrowtypes.MsgUpdateParams{Authority: authority, Params: p})
}

// txResponse returns the encoded response of a tx's first message.
func txResponse(t *testing.T, r *abci.ExecTxResult) []byte {
	t.Helper()
	var data sdk.TxMsgData
	if err := data.Unmarshal(r.Data); err != nil || len(data.MsgResponses) == 0 {
		t.Fatalf("tx data: %v", err)
	}
	return data.MsgResponses[0].Value
}
