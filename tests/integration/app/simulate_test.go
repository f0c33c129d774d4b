package app_test

import (
	"testing"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
)

// TestSimulationWithoutFeeCountsTheFeeDeduction: a wallet simulates a tx
// before it knows the fee (CosmJS sends none), then pays for the gas the
// simulation reported times a margin. The simulation must therefore include
// the gas of taking the fee, which the SDK skips for a zero fee: without it
// a simulation came out ~18,000 gas short, and a small tx at 1.4× the
// simulated gas ran out of gas. Simulated with and without a fee, in both
// sign modes, the gas stays within 500 of what the delivered tx uses
// (the fee's own bytes and a balance's length account for the rest), and
// the simulation changes nothing.
func TestSimulationWithoutFeeCountsTheFeeDeduction(t *testing.T) {
	ta := apptest.New(t, apptest.Options{})
	from, to := ta.Accounts[0], ta.Accounts[1]
	msgs := map[string]sdk.Msg{
		"bank send": &banktypes.MsgSend{FromAddress: from.Addr.String(), ToAddress: to.Addr.String(), Amount: sdk.NewCoins(sdk.NewInt64Coin(app.BaseDenom, 7))},
		"create escrow": &escrowtypes.MsgCreateEscrow{
			Payer: from.Addr.String(), Payee: to.Addr.String(),
			Amount: sdk.NewCoins(sdk.NewInt64Coin(app.BaseDenom, 1_000)), ExpiresHeight: 1_000,
		},
	}
	for name, msg := range msgs {
		for _, mode := range []signing.SignMode{signing.SignMode_SIGN_MODE_DIRECT, signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON} {
			simulate := func(fee sdk.Coins) int64 {
				t.Helper()
				probe := ta.Sign(from, apptest.Tx{Msgs: []sdk.Msg{msg}, Fee: fee, SignMode: mode})
				from.Seq-- // only simulated
				before := ta.Balance(from.Addr)
				gas, _, err := ta.Simulate(probe)
				if err != nil {
					t.Fatalf("%s (%s): simulate: %v", name, mode, err)
				}
				if after := ta.Balance(from.Addr); !after.Equal(before) {
					t.Fatalf("%s (%s): the simulation moved the payer's balance %s -> %s", name, mode, before, after)
				}
				return int64(gas.GasUsed)
			}
			noFee := simulate(sdk.Coins{})
			withFee := simulate(nil)
			r := ta.DeliverTx(from, apptest.Tx{Msgs: []sdk.Msg{msg}, SignMode: mode})
			apptest.MustOK(t, r)
			used := r.GasUsed
			t.Logf("%s (%s): simulated %d without a fee, %d with one; delivered %d", name, mode, noFee, withFee, used)
			for label, sim := range map[string]int64{"without a fee": noFee, "with a fee": withFee} {
				if d := sim - used; d < -500 || d > 500 {
					t.Errorf("%s (%s): simulated %s %d gas, delivered %d: off by %d", name, mode, label, sim, used, d)
				}
			}
			// A tx that pays for the simulated gas times 1.2 goes through.
			gas := uint64(noFee) * 12 / 10
			r = ta.DeliverTx(from, apptest.Tx{
				Msgs: []sdk.Msg{msg}, SignMode: mode, Gas: gas,
				Fee: sdk.NewCoins(sdk.NewCoin(app.BaseDenom, sdkmath.NewIntFromUint64((gas*25+9_999)/10_000))),
			})
			apptest.MustOK(t, r)
		}
	}
}
