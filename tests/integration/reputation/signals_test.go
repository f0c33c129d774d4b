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
	if s.JobsCompleted != 1 || s.DeliveredOnTime != 1 || !s.VolumeEarned.Equal(sdkmath.NewInt(980_000)) {
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
