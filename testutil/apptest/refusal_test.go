package apptest_test

import (
	"strings"
	"testing"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
)

// TestSnapshotSeesEveryWrite: the refusal check is only as good as its
// snapshot, so a write to any store through the committed context must
// show in the diff.
func TestSnapshotSeesEveryWrite(t *testing.T) {
	ta := apptest.New(t, apptest.Options{Accounts: 2})
	before := ta.Snapshot(ta.Ctx())
	if d := before.Diff(ta.Snapshot(ta.Ctx())); d != nil {
		t.Fatalf("two snapshots of the same state differ: %v", d)
	}
	coins := sdk.NewCoins(sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(1)))
	if err := ta.BankKeeper.SendCoins(ta.Ctx(), ta.Accounts[0].Addr, ta.Accounts[1].Addr, coins); err != nil {
		t.Fatal(err)
	}
	d := before.Diff(ta.Snapshot(ta.Ctx()))
	if len(d) == 0 || !strings.Contains(strings.Join(d, " "), "bank/") {
		t.Fatalf("a bank send did not show in the diff: %v", d)
	}
}
