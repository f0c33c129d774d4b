// Package escrow_test runs x/escrow on the real application with signed
// transactions: amino JSON signing and genesis export/import.
package escrow_test

import (
	"bytes"
	"encoding/json"
	"testing"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
	"github.com/agentchain/agentchain/x/escrow/types"
)

func coins(n int64) sdk.Coins { return sdk.NewCoins(sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(n))) }

// Every escrow message signs and executes with amino JSON; the resulting
// state exports, imports into a new chain and exports again unchanged.
func TestAminoSigningAndGenesisRoundTrip(t *testing.T) {
	ta := apptest.New(t, apptest.Options{Accounts: 4})
	payer, payee, arbiter := ta.Accounts[0], ta.Accounts[1], ta.Accounts[2]
	amino := func(acc *apptest.Account, msg sdk.Msg) {
		t.Helper()
		apptest.MustOK(t, ta.DeliverTx(acc, apptest.Tx{Msgs: []sdk.Msg{msg}, SignMode: signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON}))
	}
	amino(payer, &types.MsgCreateEscrow{Payer: payer.Addr.String(), Payee: payee.Addr.String(), Amount: coins(1000), Arbiter: arbiter.Addr.String(), ExpiresHeight: ta.Height + 1000, Reference: "r1"})
	amino(payer, &types.MsgCreateEscrow{Payer: payer.Addr.String(), Payee: payee.Addr.String(), Amount: coins(500)})
	amino(payer, &types.MsgCreateEscrow{Payer: payer.Addr.String(), Payee: payee.Addr.String(), Amount: coins(300), Arbiter: arbiter.Addr.String()})
	amino(payer, &types.MsgRelease{Payer: payer.Addr.String(), EscrowId: 1, Amount: coins(100)})
	amino(payee, &types.MsgRefund{Signer: payee.Addr.String(), EscrowId: 2})
	amino(payee, &types.MsgOpenDispute{Signer: payee.Addr.String(), EscrowId: 3, Reason: types.DISPUTE_REASON_PAYMENT_WITHHELD, EvidenceHash: bytes.Repeat([]byte{3}, 32)})
	amino(payer, &types.MsgCreateEscrow{Payer: payer.Addr.String(), Payee: payee.Addr.String(), Amount: coins(40), Arbiter: arbiter.Addr.String()})
	amino(payer, &types.MsgOpenDispute{Signer: payer.Addr.String(), EscrowId: 4, Reason: types.DISPUTE_REASON_NOT_DELIVERED, EvidenceHash: bytes.Repeat([]byte{4}, 32)})
	amino(arbiter, &types.MsgResolveDispute{Signer: arbiter.Addr.String(), EscrowId: 4, PayeeShareBps: 2500})
	if _, err := ta.EscrowKeeper.Lock(ta.Ctx(), "market", payer.Addr, nil, coins(77), "market/request/9"); err != nil {
		t.Fatal(err)
	}
	if err := ta.EscrowKeeper.AuditConservation(ta.Ctx()); err != nil {
		t.Fatal(err)
	}

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
	if len(gs.Escrows) != 5 || len(gs.ExpiryQueue) != 1 || len(gs.DisputeQueue) != 1 || gs.NextEscrowId != 6 {
		t.Fatalf("exported %d escrows, %d expiring, %d disputed, next %d", len(gs.Escrows), len(gs.ExpiryQueue), len(gs.DisputeQueue), gs.NextEscrowId)
	}
	if err := gs.Validate(); err != nil {
		t.Fatal(err)
	}

	ta2 := apptest.New(t, apptest.Options{AppState: exported.AppState})
	if err := ta2.EscrowKeeper.AuditConservation(ta2.Ctx()); err != nil {
		t.Fatal(err)
	}
	exported2, err := ta2.ExportAppStateAndValidators(false, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var state2 map[string]json.RawMessage
	if err := json.Unmarshal(exported2.AppState, &state2); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(state[types.ModuleName], state2[types.ModuleName]) {
		t.Fatalf("escrow state changed across export/import:\n%s\n%s", state[types.ModuleName], state2[types.ModuleName])
	}
	held, err := ta2.EscrowKeeper.Held(ta2.Ctx())
	if err != nil || !held.Equal(coins(900+300+77)) {
		t.Fatalf("imported books hold %s (%v)", held, err)
	}
}
