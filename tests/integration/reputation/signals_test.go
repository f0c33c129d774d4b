// Package reputation_test runs x/reputation on the real application: the
// market's hooks record signals from real blocks, feedback signs with amino
// JSON, and the state survives export and import.
package reputation_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
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
	marketkeeper "github.com/agentchain/agentchain/x/market/keeper"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	"github.com/agentchain/agentchain/x/reputation/keeper"
	"github.com/agentchain/agentchain/x/reputation/types"
)

func coin(n int64) sdk.Coin { return sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(n)) }

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func send(t *testing.T, ta *apptest.TestApp, acc *apptest.Account, msg sdk.Msg) {
	t.Helper()
	apptest.MustOK(t, ta.DeliverTx(acc, apptest.Tx{Msgs: []sdk.Msg{msg}, SignMode: signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON}))
}

// A completed, an expired and a disputed job each change the right signals
// of the provider, through the hooks the app wires, in real blocks.
func TestHooksRecordSignals(t *testing.T) {
	ta := apptest.New(t, apptest.Options{Accounts: 4})
	owner, client, arbiter := ta.Accounts[0], ta.Accounts[1], ta.Accounts[2]
	hot := apptest.NewAccount("reputation-integration-agent")
	apptest.MustOK(t, ta.Deliver(owner, banktypes.NewMsgSend(owner.Addr, hot.Addr, sdk.NewCoins(coin(100_000_000)))))
	ta.Register(hot)
	sig, _ := hot.Priv.Sign(agentidtypes.BindingDigest(apptest.ChainID, owner.Addr, hot.Addr, 1))
	send(t, ta, owner, &agentidtypes.MsgRegisterAgent{
		Owner: owner.Addr.String(), Name: "signal-agent", AgentAddress: hot.Addr.String(),
		Proof: &agentidtypes.KeyProof{PubKey: hot.Priv.PubKey().Bytes(), Nonce: 1, Signature: sig},
	})
	params := markettypes.DefaultParams()
	params.Arbiters, params.DefaultArbiter = []string{arbiter.Addr.String()}, arbiter.Addr.String()
	if _, err := ta.MsgServiceRouter().Handler(&markettypes.MsgUpdateParams{})(ta.Ctx(), &markettypes.MsgUpdateParams{
		Authority: authtypes.NewModuleAddress(govtypes.ModuleName).String(), Params: params,
	}); err != nil {
		t.Fatal(err)
	}
	send(t, ta, hot, &markettypes.MsgCreateListing{
		Signer: hot.Addr.String(), Provider: 1, Capability: "summarize", Title: "t",
		TermsUri: "https://t.example", TermsHash: hash("t"), Price: coin(1_000_000), MaxDurationBlocks: 100, ReviewWindowBlocks: 10,
	})
	hire := func(deliverIn int64) uint64 {
		id, _ := ta.MarketKeeper.JobSeq.Peek(ta.Ctx())
		send(t, ta, client, &markettypes.MsgHire{Client: client.Addr.String(), ListingId: 1, SpecUri: "https://s.example", SpecHash: hash("s"), DeliverBy: ta.Height + deliverIn})
		send(t, ta, hot, &markettypes.MsgAcceptJob{Signer: hot.Addr.String(), JobId: max(id, 1)})
		return max(id, 1)
	}
	signals := func() types.Signals {
		res, err := keeper.NewQueryServerImpl(ta.ReputationKeeper).Reputation(ta.Ctx(), &types.QueryReputationRequest{AgentId: 1})
		if err != nil {
			t.Fatal(err)
		}
		return res.Signals
	}

	completed := hire(50)
	send(t, ta, hot, &markettypes.MsgDeliver{Signer: hot.Addr.String(), JobId: completed, ResultUri: "https://r.example", ResultHash: hash("r")})
	send(t, ta, client, &markettypes.MsgComplete{Client: client.Addr.String(), JobId: completed})
	s := signals()
	if s.JobsCompleted != 1 || s.DeliveredOnTime != 1 || !s.Earned.Equal(sdk.NewCoins(coin(980_000))) {
		t.Fatalf("after a completed job: %+v", s)
	}
	send(t, ta, client, &types.MsgSubmitFeedback{Rater: client.Addr.String(), JobId: completed, Score: 95, Tags: []string{"fast"}})

	hire(3)
	for i := 0; i < 4; i++ {
		ta.NextBlock(nil)
	}
	if s := signals(); s.JobsExpired != 1 {
		t.Fatalf("after an expired job: %+v", s)
	}

	disputed := hire(50)
	send(t, ta, hot, &markettypes.MsgDeliver{Signer: hot.Addr.String(), JobId: disputed, ResultUri: "https://r.example", ResultHash: hash("r")})
	send(t, ta, client, &markettypes.MsgReject{Client: client.Addr.String(), JobId: disputed, Reason: markettypes.REJECT_REASON_INCOMPLETE, EvidenceHash: hash("e")})
	send(t, ta, arbiter, &markettypes.MsgResolve{Signer: arbiter.Addr.String(), JobId: disputed, ProviderShareBps: 2000})
	if s := signals(); s.DisputesOpened != 1 || s.DisputesLost != 1 || s.JobsResolved != 1 || s.DeliveredOnTime != 2 {
		t.Fatalf("after a lost dispute: %+v", s)
	}
	// The ruling counts in the score: 20% of 1 AGNT at stake, by the arbiter.
	fb, err := keeper.NewQueryServerImpl(ta.ReputationKeeper).Feedback(ta.Ctx(), &types.QueryFeedbackRequest{JobId: disputed, Role: types.RATER_ROLE_RULING})
	if err != nil || fb.Feedback.Score != 20 || !fb.Feedback.Weight.Equal(sdkmath.LegacyOneDec()) || fb.Feedback.Rater != arbiter.Addr.String() {
		t.Fatalf("the ruling: %+v %v", fb, err)
	}
	res, err := keeper.NewQueryServerImpl(ta.ReputationKeeper).Reputation(ta.Ctx(), &types.QueryReputationRequest{AgentId: 1})
	if err != nil || res.Count != 2 || res.OnTimeRateBps != 6_666 {
		t.Fatalf("two on time, one expired, a rating and a ruling: %+v %v", res, err)
	}

	// The state exports, imports (replay-checked) and exports unchanged.
	exported, err := ta.ExportAppStateAndValidators(false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	ta2 := apptest.New(t, apptest.Options{AppState: exported.AppState})
	exported2, err := ta2.ExportAppStateAndValidators(false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var a, b map[string]json.RawMessage
	_ = json.Unmarshal(exported.AppState, &a)
	_ = json.Unmarshal(exported2.AppState, &b)
	if !bytes.Equal(a[types.ModuleName], b[types.ModuleName]) || len(a[types.ModuleName]) < 100 {
		t.Fatalf("reputation state changed across export/import")
	}
}

// provider registers an agent owned by owner with a funded hot key and
// returns the hot key (agent ids follow registration order).
func provider(t *testing.T, ta *apptest.TestApp, owner *apptest.Account, name string) *apptest.Account {
	t.Helper()
	hot := apptest.NewAccount("reputation-integration-" + name)
	apptest.MustOK(t, ta.Deliver(owner, banktypes.NewMsgSend(owner.Addr, hot.Addr, sdk.NewCoins(coin(100_000_000)))))
	ta.Register(hot)
	sig, _ := hot.Priv.Sign(agentidtypes.BindingDigest(apptest.ChainID, owner.Addr, hot.Addr, 1))
	send(t, ta, owner, &agentidtypes.MsgRegisterAgent{
		Owner: owner.Addr.String(), Name: name, AgentAddress: hot.Addr.String(),
		Proof: &agentidtypes.KeyProof{PubKey: hot.Priv.PubKey().Bytes(), Nonce: 1, Signature: sig},
	})
	return hot
}

// Two providers with the same completed job rated the same; one then loses
// a dispute by the arbiter's ruling, and again by the dispute timeout's
// default split in EndBlock. It ranks below the clean one in TopAgents and
// drops out of ListingsByCapability with a minimum score between theirs.
func TestLostDisputeRanksBelow(t *testing.T) {
	ta := apptest.New(t, apptest.Options{Accounts: 4})
	owner1, owner2, client, arbiter := ta.Accounts[0], ta.Accounts[1], ta.Accounts[2], ta.Accounts[3]
	params := markettypes.DefaultParams()
	params.Arbiters, params.DefaultArbiter = []string{arbiter.Addr.String()}, arbiter.Addr.String()
	params.DefaultProviderShareBps, params.DisputeTimeoutBlocks = 0, 3
	if _, err := ta.MsgServiceRouter().Handler(&markettypes.MsgUpdateParams{})(ta.Ctx(), &markettypes.MsgUpdateParams{
		Authority: authtypes.NewModuleAddress(govtypes.ModuleName).String(), Params: params,
	}); err != nil {
		t.Fatal(err)
	}
	clean, faulty := provider(t, ta, owner1, "clean-provider"), provider(t, ta, owner2, "faulty-provider")
	for i, hot := range []*apptest.Account{clean, faulty} {
		send(t, ta, hot, &markettypes.MsgCreateListing{
			Signer: hot.Addr.String(), Provider: uint64(i + 1), Capability: "summarize", Title: "t",
			TermsUri: "https://t.example", TermsHash: hash("t"), Price: coin(10_000_000), MaxDurationBlocks: 100, ReviewWindowBlocks: 10,
		})
	}
	job := func(listing uint64, hot *apptest.Account) uint64 {
		id, _ := ta.MarketKeeper.JobSeq.Peek(ta.Ctx())
		id = max(id, 1)
		send(t, ta, client, &markettypes.MsgHire{Client: client.Addr.String(), ListingId: listing, SpecUri: "https://s.example", SpecHash: hash("s"), DeliverBy: ta.Height + 50})
		send(t, ta, hot, &markettypes.MsgAcceptJob{Signer: hot.Addr.String(), JobId: id})
		send(t, ta, hot, &markettypes.MsgDeliver{Signer: hot.Addr.String(), JobId: id, ResultUri: "https://r.example", ResultHash: hash("r")})
		return id
	}
	for i, hot := range []*apptest.Account{clean, faulty} {
		id := job(uint64(i+1), hot)
		send(t, ta, client, &markettypes.MsgComplete{Client: client.Addr.String(), JobId: id})
		send(t, ta, client, &types.MsgSubmitFeedback{Rater: client.Addr.String(), JobId: id, Score: 90})
	}
	qs := keeper.NewQueryServerImpl(ta.ReputationKeeper)
	score := func(id uint64) sdkmath.LegacyDec {
		res, err := qs.Reputation(ta.Ctx(), &types.QueryReputationRequest{AgentId: id, Capability: "summarize"})
		if err != nil {
			t.Fatal(err)
		}
		return res.Score
	}
	// Equal but for a few blocks of decay (the clean one was rated first).
	equal := score(2)
	if d := equal.Sub(score(1)); d.IsNegative() || d.GT(sdkmath.LegacyNewDecWithPrec(1, 4)) {
		t.Fatalf("equal records score %s and %s", score(1), equal)
	}

	// Lost by the arbiter's ruling.
	ruled := job(2, faulty)
	send(t, ta, client, &markettypes.MsgReject{Client: client.Addr.String(), JobId: ruled, Reason: markettypes.REJECT_REASON_LOW_QUALITY, EvidenceHash: hash("e")})
	send(t, ta, arbiter, &markettypes.MsgResolve{Signer: arbiter.Addr.String(), JobId: ruled, ProviderShareBps: 0})
	afterRuling := score(2)
	if !afterRuling.LT(equal) {
		t.Fatalf("a lost ruling left the score at %s (was %s)", afterRuling, equal)
	}
	// Lost by the timeout's default split (0% here), in EndBlock.
	timedOut := job(2, faulty)
	send(t, ta, client, &markettypes.MsgReject{Client: client.Addr.String(), JobId: timedOut, Reason: markettypes.REJECT_REASON_INCOMPLETE, EvidenceHash: hash("e")})
	for i := 0; i < 5; i++ {
		ta.NextBlock(nil)
	}
	if j, _ := ta.MarketKeeper.GetJob(ta.Ctx(), timedOut); j.Status != markettypes.JOB_STATUS_RESOLVED {
		t.Fatalf("the dispute did not time out: %s", j.Status)
	}
	fb, err := qs.Feedback(ta.Ctx(), &types.QueryFeedbackRequest{JobId: timedOut, Role: types.RATER_ROLE_RULING})
	if err != nil || fb.Feedback.Score != 0 || !fb.Feedback.Weight.Equal(sdkmath.LegacyNewDec(10)) || fb.Feedback.Rater != arbiter.Addr.String() {
		t.Fatalf("the timeout's ruling: %+v %v", fb, err)
	}
	final := score(2)
	if !final.LT(afterRuling) {
		t.Fatalf("a timed-out dispute left the score at %s (was %s)", final, afterRuling)
	}

	top, err := qs.TopAgents(ta.Ctx(), &types.QueryTopAgentsRequest{Capability: "summarize"})
	if err != nil || len(top.Agents) != 2 || top.Agents[0].AgentId != 1 || top.Agents[1].AgentId != 2 {
		t.Fatalf("top agents %+v %v", top, err)
	}
	minScore := uint32(final.TruncateInt64()) + 1
	listings, err := marketkeeper.NewQueryServerImpl(ta.MarketKeeper).ListingsByCapability(ta.Ctx(), &markettypes.QueryListingsByCapabilityRequest{Capability: "summarize", MinProviderScore: minScore})
	if err != nil || len(listings.Listings) != 1 || listings.Listings[0].Provider != 1 {
		t.Fatalf("listings with a minimum score of %d: %+v %v", minScore, listings, err)
	}
	inv, err := qs.Invariants(ta.Ctx(), &types.QueryInvariantsRequest{})
	if err != nil || len(inv.Broken) > 0 {
		t.Fatalf("invariants %+v %v", inv, err)
	}
	t.Logf("clean %s; after a lost ruling %s; after a lost timeout %s", score(1), afterRuling, final)
}
