// Package app_test checks the wiring of agentchain's application on an
// in-process chain: denominations, blocked module accounts, fees and sign modes.
package app_test

import (
	"encoding/json"
	"testing"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
)

func coins(n int64) sdk.Coins { return sdk.NewCoins(sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(n))) }

func TestBankSendWithBothSignModes(t *testing.T) {
	ta := apptest.New(t, apptest.Options{})
	from, to := ta.Accounts[0], ta.Accounts[1]
	for _, mode := range []signing.SignMode{signing.SignMode_SIGN_MODE_DIRECT, signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON} {
		before := ta.Balance(to.Addr)
		res := ta.DeliverTx(from, apptest.Tx{
			Msgs:     []sdk.Msg{banktypes.NewMsgSend(from.Addr, to.Addr, coins(1000))},
			SignMode: mode,
		})
		apptest.MustOK(t, res)
		if got := ta.Balance(to.Addr).Sub(before); !got.Equal(sdkmath.NewInt(1000)) {
			t.Fatalf("%s: recipient gained %s", mode, got)
		}
	}
}

func TestAddressesAndDenoms(t *testing.T) {
	ta := apptest.New(t, apptest.Options{})
	if got := ta.Accounts[0].Addr.String(); got[:6] != "agent1" {
		t.Fatalf("account address %s lacks the agent prefix", got)
	}
	if got := sdk.ValAddress(ta.Accounts[0].Addr).String(); got[:13] != "agentvaloper1" {
		t.Fatalf("validator address %s", got)
	}
	ctx := ta.Ctx()
	sp, err := ta.StakingKeeper.GetParams(ctx)
	if err != nil {
		t.Fatal(err)
	}
	mp, err := ta.MintKeeper.Params.Get(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sp.BondDenom != app.BaseDenom || mp.MintDenom != app.BaseDenom {
		t.Fatalf("bond denom %s, mint denom %s", sp.BondDenom, mp.MintDenom)
	}
}

// Every module account is a blocked address: a bank send to one is refused
// and moves nothing.
func TestModuleAccountsAreBlocked(t *testing.T) {
	ta := apptest.New(t, apptest.Options{})
	from := ta.Accounts[0]
	for _, name := range []string{
		authtypes.FeeCollectorName, distrtypes.ModuleName, stakingtypes.BondedPoolName,
		stakingtypes.NotBondedPoolName, govtypes.ModuleName,
	} {
		modAddr := authtypes.NewModuleAddress(name)
		if !ta.BankKeeper.BlockedAddr(modAddr) {
			t.Fatalf("%s is not blocked", name)
		}
		before := ta.Balance(from.Addr)
		res := ta.Deliver(from, banktypes.NewMsgSend(from.Addr, modAddr, coins(5)))
		if res.Code != sdkerrors.ErrUnauthorized.ABCICode() {
			t.Fatalf("send to %s: code %d (%s)", name, res.Code, res.Log)
		}
		// Only the fee left the sender.
		if spent := before.Sub(ta.Balance(from.Addr)); spent.GT(sdkmath.NewInt(1000)) {
			t.Fatalf("send to %s moved %s", name, spent)
		}
	}
}

// A tx whose fee the sender cannot pay is refused by the ante handler and
// consumes nothing, not even the sequence.
func TestFeeIsDeducted(t *testing.T) {
	ta := apptest.New(t, apptest.Options{})
	from, to := ta.Accounts[0], ta.Accounts[1]
	before := ta.Balance(from.Addr)
	res := ta.DeliverTx(from, apptest.Tx{
		Msgs: []sdk.Msg{banktypes.NewMsgSend(from.Addr, to.Addr, coins(1))},
		Fee:  coins(777),
	})
	apptest.MustOK(t, res)
	if spent := before.Sub(ta.Balance(from.Addr)); !spent.Equal(sdkmath.NewInt(778)) {
		t.Fatalf("spent %s, want 778 (1 sent + 777 fee)", spent)
	}
	poor := apptest.NewAccount("poor")
	apptest.MustOK(t, ta.Deliver(from, banktypes.NewMsgSend(from.Addr, poor.Addr, coins(10))))
	ta.Register(poor)
	res = ta.DeliverTx(poor, apptest.Tx{
		Msgs: []sdk.Msg{banktypes.NewMsgSend(poor.Addr, to.Addr, coins(1))},
		Fee:  coins(11),
	})
	if res.Code != sdkerrors.ErrInsufficientFunds.ABCICode() {
		t.Fatalf("unpayable fee: code %d %s", res.Code, res.Log)
	}
	if got := ta.Balance(poor.Addr); !got.Equal(sdkmath.NewInt(10)) {
		t.Fatalf("poor account holds %s after a refused tx", got)
	}
}

// The state exports at zero height and the export is a valid genesis.
func TestZeroHeightExport(t *testing.T) {
	ta := apptest.New(t, apptest.Options{})
	apptest.MustOK(t, ta.Deliver(ta.Accounts[0], banktypes.NewMsgSend(ta.Accounts[0].Addr, ta.Accounts[1].Addr, coins(5))))
	ta.NextBlock(nil)
	exported, err := ta.ExportAppStateAndValidators(true, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	var state map[string]json.RawMessage
	if err := json.Unmarshal(exported.AppState, &state); err != nil {
		t.Fatal(err)
	}
	if err := ta.BasicModuleManager.ValidateGenesis(ta.AppCodec(), ta.TxConfig(), state); err != nil {
		t.Fatalf("exported genesis invalid: %v", err)
	}
	if exported.Height != 0 || len(exported.Validators) != 1 {
		t.Fatalf("height %d, %d validators", exported.Height, len(exported.Validators))
	}
}
