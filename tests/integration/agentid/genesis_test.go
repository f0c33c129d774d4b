package agentid_test

import (
	"bytes"
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
	"github.com/agentchain/agentchain/x/agentid/types"
)

// populate fills x/agentid with one of everything, every message signed
// with amino JSON (the legacy sign mode Ledger and many wallets use).
func populate(t *testing.T, ta *apptest.TestApp) {
	t.Helper()
	owner, attester := ta.Accounts[0], ta.Accounts[1]
	agentKey := apptest.NewAccount("genesis-agent-key")
	rotated := apptest.NewAccount("genesis-agent-key-2")
	amino := func(acc *apptest.Account, msgs ...sdk.Msg) {
		t.Helper()
		apptest.MustOK(t, ta.DeliverTx(acc, apptest.Tx{Msgs: msgs, SignMode: signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON}))
	}
	amino(owner, &types.MsgRegisterAgent{
		Owner: owner.Addr.String(), Name: "genesis-agent", AgentAddress: agentKey.Addr.String(),
		Proof: proofFor(t, agentKey, owner.Addr, 3), CardUri: "ipfs://card", CardHash: bytes.Repeat([]byte{7}, 32),
		Capabilities: []string{"research", "summarize"}, Endpoints: []types.Endpoint{{Protocol: "mcp", Url: "wss://mcp.example"}},
	})
	amino(owner, &types.MsgRegisterAgent{Owner: owner.Addr.String(), Name: "retired-agent", AgentAddress: owner.Addr.String()})
	amino(owner, &types.MsgUpdateAgent{Owner: owner.Addr.String(), AgentId: 1, PayoutAddress: ta.Accounts[2].Addr.String()})
	amino(owner, &types.MsgRotateAgentKey{Owner: owner.Addr.String(), AgentId: 1, NewAgentAddress: rotated.Addr.String(), Proof: proofFor(t, rotated, owner.Addr, 1)})
	amino(owner, &types.MsgSetSpendPolicy{Owner: owner.Addr.String(), AgentId: 1, Denom: app.BaseDenom, Cap: sdkmath.NewInt(5), WindowBlocks: 100})
	amino(owner, &types.MsgSetAgentStatus{Owner: owner.Addr.String(), AgentId: 1, Status: types.AGENT_STATUS_SUSPENDED})
	amino(owner, &types.MsgDeactivateAgent{Owner: owner.Addr.String(), AgentId: 2})
	amino(owner, &types.MsgTransferOwnership{Owner: owner.Addr.String(), AgentId: 1, NewOwner: ta.Accounts[3].Addr.String()})

	// Governance approves an attester (params are set by the gov authority).
	params := types.DefaultParams()
	params.Attesters = []string{attester.Addr.String()}
	if _, err := ta.MsgServiceRouter().Handler(&types.MsgUpdateParams{})(ta.Ctx(), &types.MsgUpdateParams{
		Authority: authtypes.NewModuleAddress(govtypes.ModuleName).String(), Params: params,
	}); err != nil {
		t.Fatal(err)
	}
	amino(attester, &types.MsgAttest{Attester: attester.Addr.String(), AgentId: 1, ClaimType: "owner-kyc", Uri: "https://kyc.example/1", Hash: bytes.Repeat([]byte{1}, 32)})
	amino(attester, &types.MsgAttest{Attester: attester.Addr.String(), AgentId: 1, ClaimType: "tmp", Uri: "https://kyc.example/2", Hash: bytes.Repeat([]byte{2}, 32)})
	amino(attester, &types.MsgRevokeAttestation{Attester: attester.Addr.String(), AgentId: 1, ClaimType: "tmp"})
	// Spend some of the cap, so the bucket's level is part of the state.
	apptest.MustOK(t, ta.Deliver(owner, banktypes.NewMsgSend(owner.Addr, rotated.Addr, coins(1000))))
	ta.Register(rotated)
	apptest.MustOK(t, ta.DeliverTx(rotated, apptest.Tx{Msgs: []sdk.Msg{banktypes.NewMsgSend(rotated.Addr, ta.Accounts[2].Addr, coins(3))}, Fee: sdk.NewCoins()}))
}

// Export, import into a new chain, export again: the agentid state is the same.
func TestGenesisRoundTrip(t *testing.T) {
	ta := apptest.New(t, apptest.Options{Accounts: 4})
	populate(t, ta)

	exported, err := ta.ExportAppStateAndValidators(false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]json.RawMessage
	if err := json.Unmarshal(exported.AppState, &state); err != nil {
		t.Fatal(err)
	}
	var gs types.GenesisState
	ta.AppCodec().MustUnmarshalJSON(state[types.ModuleName], &gs)
	if len(gs.Agents) != 2 || len(gs.Attestations) != 1 || len(gs.SpendLimits) != 1 || len(gs.BindingNonces) != 2 || gs.NextAgentId != 3 {
		t.Fatalf("exported %d agents, %d attestations, %d limits, %d nonces, next %d",
			len(gs.Agents), len(gs.Attestations), len(gs.SpendLimits), len(gs.BindingNonces), gs.NextAgentId)
	}
	// 3 of a 5 cap drawn, in hundredths (the window is 100 blocks).
	if l := gs.SpendLimits[0]; !l.Used.Equal(sdkmath.NewInt(300)) || l.UsedHeight == 0 || l.Spent != nil {
		t.Fatalf("the bucket's level is not exported: %+v", l)
	}
	if err := gs.Validate(); err != nil {
		t.Fatal(err)
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
		t.Fatalf("agentid state changed across export/import:\n%s\n%s", state[types.ModuleName], state2[types.ModuleName])
	}
	// The imported chain enforces what it imported: the index still finds
	// the agent by address, and the deposits balance.
	if err := ta2.AgentIDKeeper.CheckDepositConservation(ta2.Ctx()); err != nil {
		t.Fatal(err)
	}
	a, err := ta2.AgentIDKeeper.GetAgentByName(ta2.Ctx(), "genesis-agent")
	if err != nil || a.Id != 1 {
		t.Fatalf("imported agent %+v", a)
	}
}
