package app_test

import (
	"testing"

	"cosmossdk.io/collections"
	upgradetypes "cosmossdk.io/x/upgrade/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/agentchain/agentchain/app"
	v2 "github.com/agentchain/agentchain/app/upgrades/v2"
	"github.com/agentchain/agentchain/testutil/apptest"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	"github.com/agentchain/agentchain/x/market"
	marketkeeper "github.com/agentchain/agentchain/x/market/keeper"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// The v2 upgrade's handler runs x/market's 1 → 2 migration, which indexes
// every job made before it by its client agent. Here the state is put back
// as the release before v2 left it (market at version 1, no index), the
// plan is applied as x/upgrade applies it at the upgrade height, and the
// index, the module version and every invariant come out right.
func TestUpgradeV2IndexesJobsByClientAgent(t *testing.T) {
	ta := apptest.New(t, apptest.Options{Accounts: 3})
	owner, buyer := ta.Accounts[0], ta.Accounts[1]
	must := func(msg sdk.Msg) {
		t.Helper()
		if _, err := ta.MsgServiceRouter().Handler(msg)(ta.Ctx(), msg); err != nil {
			t.Fatalf("%T: %v", msg, err)
		}
	}
	must(&agentidtypes.MsgRegisterAgent{Owner: owner.Addr.String(), Name: "seller", AgentAddress: owner.Addr.String()})
	must(&agentidtypes.MsgRegisterAgent{Owner: buyer.Addr.String(), Name: "buyer", AgentAddress: buyer.Addr.String()})
	must(&markettypes.MsgCreateListing{
		Signer: owner.Addr.String(), Provider: 1, Capability: "summarize", Title: "t", TermsUri: "https://t.example",
		TermsHash: make([]byte, 32), Price: coins(1_000)[0], MaxDurationBlocks: 100, ReviewWindowBlocks: 20,
	})
	plain := apptest.NewAccount("upgrade-plain-client")
	must(banktypes.NewMsgSend(owner.Addr, plain.Addr, coins(1_000_000)))
	for _, client := range []sdk.AccAddress{buyer.Addr, buyer.Addr, plain.Addr, buyer.Addr} {
		must(&markettypes.MsgHire{Client: client.String(), ListingId: 1, SpecUri: "https://s.example", SpecHash: make([]byte, 32), DeliverBy: ta.Height + 50})
	}
	idx := ta.MarketKeeper.Jobs.Indexes.ClientAgent
	indexed := func() []uint64 {
		var ids []uint64
		if err := idx.Keys().Walk(ta.Ctx(), collections.NewPrefixedPairRange[uint64, uint64](2), func(k collections.Pair[uint64, uint64]) (bool, error) {
			ids = append(ids, k.K2())
			return false, nil
		}); err != nil {
			t.Fatal(err)
		}
		return ids
	}
	if got := indexed(); len(got) != 3 {
		t.Fatalf("a v2 chain indexes as it goes: %v", got)
	}

	// The state the release before v2 leaves: no index, market at 1.
	ctx := ta.Ctx()
	if err := idx.Keys().Clear(ctx, nil); err != nil {
		t.Fatal(err)
	}
	vm, err := ta.UpgradeKeeper.GetModuleVersionMap(ctx)
	if err != nil {
		t.Fatal(err)
	}
	vm[markettypes.ModuleName] = 1
	if err := ta.UpgradeKeeper.SetModuleVersionMap(ctx, vm); err != nil {
		t.Fatal(err)
	}
	if _, err := ta.CheckInvariants(ctx); err == nil {
		t.Fatal("the invariants do not see a missing index")
	}

	// x/upgrade applies the plan at its height.
	if err := ta.UpgradeKeeper.ApplyUpgrade(ctx, upgradetypes.Plan{Name: v2.Name, Height: ta.Height}); err != nil {
		t.Fatal(err)
	}
	if got := indexed(); len(got) != 3 || got[0] != 1 || got[1] != 2 || got[2] != 4 {
		t.Fatalf("after the upgrade the client agent's jobs are %v, want [1 2 4]", got)
	}
	vm, _ = ta.UpgradeKeeper.GetModuleVersionMap(ctx)
	if vm[markettypes.ModuleName] != market.ConsensusVersion || market.ConsensusVersion != 2 {
		t.Fatalf("market at version %d after the upgrade (binary %d)", vm[markettypes.ModuleName], market.ConsensusVersion)
	}
	if _, err := ta.CheckInvariants(ctx); err != nil {
		t.Fatal(err)
	}
	res, err := marketkeeper.NewQueryServerImpl(ta.MarketKeeper).JobsByClientAgent(ctx, &markettypes.QueryJobsByClientAgentRequest{ClientAgent: 2})
	if err != nil || len(res.Jobs) != 3 {
		t.Fatalf("jobs-by-client-agent: %v %v", res, err)
	}
	if len(app.Upgrades) == 0 || app.Upgrades[len(app.Upgrades)-1].Name != v2.Name {
		t.Fatalf("this release's upgrades: %v", app.Upgrades)
	}
}
