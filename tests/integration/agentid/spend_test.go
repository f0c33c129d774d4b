// Package agentid_test runs x/agentid on the real application: spend caps
// through every path that moves coins, with full signed transactions.
package agentid_test

import (
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	sdkmath "cosmossdk.io/math"
	"cosmossdk.io/x/feegrant"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	"github.com/cosmos/cosmos-sdk/x/authz"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
	"github.com/agentchain/agentchain/x/agentid/keeper"
	"github.com/agentchain/agentchain/x/agentid/types"
)

func coins(n int64) sdk.Coins { return sdk.NewCoins(sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(n))) }

func proofFor(t *testing.T, agent *apptest.Account, owner sdk.AccAddress, nonce uint64) *types.KeyProof {
	t.Helper()
	sig, err := agent.Priv.Sign(types.BindingDigest(apptest.ChainID, owner, agent.Addr, nonce))
	if err != nil {
		t.Fatal(err)
	}
	return &types.KeyProof{PubKey: agent.Priv.PubKey().Bytes(), Nonce: nonce, Signature: sig}
}

func expectCode(t *testing.T, res *abci.ExecTxResult, want interface {
	ABCICode() uint32
	Codespace() string
},
) {
	t.Helper()
	if res.Code != want.ABCICode() || res.Codespace != want.Codespace() {
		t.Fatalf("code %d (%s): %s; want code %d (%s)", res.Code, res.Codespace, res.Log, want.ABCICode(), want.Codespace())
	}
}

// capped is a chain with one agent whose uagnt spending is capped, and
// whose fees its owner pays through a fee allowance.
type capped struct {
	ta               *apptest.TestApp
	owner, agent     *apptest.Account
	grantee, outside *apptest.Account
	agentID          uint64
}

const (
	capAmount = 1_000_000
	window    = 1_000
)

func setup(t *testing.T) *capped {
	t.Helper()
	ta := apptest.New(t, apptest.Options{Accounts: 4})
	c := &capped{ta: ta, owner: ta.Accounts[0], grantee: ta.Accounts[1], outside: ta.Accounts[2]}
	c.agent = apptest.NewAccount("capped-agent-key")
	apptest.MustOK(t, ta.Deliver(c.owner, banktypes.NewMsgSend(c.owner.Addr, c.agent.Addr, coins(50_000_000))))
	ta.Register(c.agent)

	res := ta.Deliver(c.owner, &types.MsgRegisterAgent{
		Owner: c.owner.Addr.String(), Name: "capped-agent", AgentAddress: c.agent.Addr.String(),
		Proof: proofFor(t, c.agent, c.owner.Addr, 1),
	})
	apptest.MustOK(t, res)
	a, found, err := ta.AgentIDKeeper.GetAgentByAddress(ta.Ctx(), c.agent.Addr)
	if err != nil || !found {
		t.Fatalf("agent not registered: %v", err)
	}
	c.agentID = a.Id

	// The owner pays the agent's fees through x/feegrant.
	grant, err := feegrant.NewMsgGrantAllowance(&feegrant.BasicAllowance{SpendLimit: coins(100_000_000)}, c.owner.Addr, c.agent.Addr)
	if err != nil {
		t.Fatal(err)
	}
	apptest.MustOK(t, ta.Deliver(c.owner, grant))

	// Align to the start of a window so that the whole test runs inside it.
	for ta.Height%window != window-2 {
		ta.NextBlock(nil)
	}
	apptest.MustOK(t, ta.Deliver(c.owner, &types.MsgSetSpendPolicy{
		Owner: c.owner.Addr.String(), AgentId: c.agentID, Denom: app.BaseDenom,
		Cap: sdkmath.NewInt(capAmount), WindowBlocks: window,
	}))
	if ta.Height%window != window-1 {
		t.Fatalf("height %d", ta.Height)
	}
	return c
}

// agentTx sends msgs signed by the agent with fees paid by its owner.
func (c *capped) agentTx(msgs ...sdk.Msg) *abci.ExecTxResult {
	return c.ta.DeliverTx(c.agent, apptest.Tx{Msgs: msgs, FeeGranter: c.owner.Addr})
}

func TestSpendCapEveryPath(t *testing.T) {
	c := setup(t)
	ta := c.ta
	agentBalance := func() sdkmath.Int { return ta.Balance(c.agent.Addr) }

	// Inside the cap: a plain send goes through and is counted.
	apptest.MustOK(t, c.agentTx(banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(600_000))))
	if res := mustSpendPolicy(t, c); !res.Spent.Equal(sdkmath.NewInt(600_000)) {
		t.Fatalf("spent %s", res.Spent)
	}

	t.Run("plain send over the cap", func(t *testing.T) {
		before := agentBalance()
		res := c.agentTx(banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(400_001)))
		expectCode(t, res, types.ErrSpendCapExceeded)
		if !agentBalance().Equal(before) {
			t.Fatal("a refused send moved coins")
		}
	})

	// Exactly up to the cap is allowed: 400,000 more makes 1,000,000.
	apptest.MustOK(t, c.agentTx(banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(400_000))))

	t.Run("multi-send", func(t *testing.T) {
		before := agentBalance()
		msg := banktypes.NewMsgMultiSend(
			banktypes.NewInput(c.agent.Addr, coins(2)),
			[]banktypes.Output{banktypes.NewOutput(c.outside.Addr, coins(1)), banktypes.NewOutput(c.grantee.Addr, coins(1))},
		)
		expectCode(t, c.agentTx(msg), types.ErrSpendCapExceeded)
		if !agentBalance().Equal(before) {
			t.Fatal("a refused multi-send moved coins")
		}
	})

	t.Run("authz-executed send", func(t *testing.T) {
		grant, err := authz.NewMsgGrant(c.agent.Addr, c.grantee.Addr, banktypes.NewSendAuthorization(coins(10_000_000), nil), nil)
		if err != nil {
			t.Fatal(err)
		}
		apptest.MustOK(t, c.agentTx(grant))
		before := agentBalance()
		exec := authz.NewMsgExec(c.grantee.Addr, []sdk.Msg{banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(5))})
		expectCode(t, ta.Deliver(c.grantee, &exec), types.ErrSpendCapExceeded)
		if !agentBalance().Equal(before) {
			t.Fatal("a refused authz send moved coins")
		}
	})

	t.Run("delegation", func(t *testing.T) {
		vals, err := ta.StakingKeeper.GetAllValidators(ta.Ctx())
		if err != nil || len(vals) == 0 {
			t.Fatal("no validator")
		}
		before := agentBalance()
		del := stakingtypes.NewMsgDelegate(c.agent.Addr.String(), vals[0].OperatorAddress, sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(5)))
		expectCode(t, c.agentTx(del), types.ErrCappedDelegation)

		// Wrapped in MsgExec by a grantee, too.
		grant, err := authz.NewMsgGrant(c.agent.Addr, c.grantee.Addr, authz.NewGenericAuthorization(sdk.MsgTypeURL(del)), nil)
		if err != nil {
			t.Fatal(err)
		}
		apptest.MustOK(t, c.agentTx(grant))
		exec := authz.NewMsgExec(c.grantee.Addr, []sdk.Msg{del})
		expectCode(t, ta.Deliver(c.grantee, &exec), types.ErrCappedDelegation)
		// And nested twice.
		inner := authz.NewMsgExec(c.grantee.Addr, []sdk.Msg{del})
		outer := authz.NewMsgExec(c.grantee.Addr, []sdk.Msg{&inner})
		expectCode(t, ta.Deliver(c.grantee, &outer), types.ErrCappedDelegation)
		if !agentBalance().Equal(before) {
			t.Fatal("a refused delegation moved coins")
		}
	})

	t.Run("module deposit", func(t *testing.T) {
		// The agent, as an owner itself, registering an agent would move the
		// 10 AGNT deposit into the agentid module account: refused.
		before := agentBalance()
		other := apptest.NewAccount("sub-agent")
		res := c.agentTx(&types.MsgRegisterAgent{
			Owner: c.agent.Addr.String(), Name: "sub-agent", AgentAddress: other.Addr.String(),
			Proof: proofFor(t, other, c.agent.Addr, 1),
		})
		expectCode(t, res, types.ErrSpendCapExceeded)
		if !agentBalance().Equal(before) {
			t.Fatal("a refused deposit moved coins")
		}
	})

	t.Run("fees paid by the agent itself count too", func(t *testing.T) {
		before := agentBalance()
		res := ta.DeliverTx(c.agent, apptest.Tx{Msgs: []sdk.Msg{banktypes.NewMsgSend(c.agent.Addr, c.owner.Addr, coins(1))}})
		if res.Code == 0 {
			t.Fatal("the agent paid a fee past its cap")
		}
		if !agentBalance().Equal(before) {
			t.Fatal("a refused fee moved coins")
		}
	})

	t.Run("sends back to the owner are exempt", func(t *testing.T) {
		before := ta.Balance(c.owner.Addr)
		apptest.MustOK(t, c.agentTx(banktypes.NewMsgSend(c.agent.Addr, c.owner.Addr, coins(3_000_000))))
		if got := ta.Balance(c.owner.Addr).Sub(before); !got.IsPositive() {
			t.Fatalf("owner gained %s", got)
		}
	})

	t.Run("amino JSON signed txs are capped the same", func(t *testing.T) {
		res := ta.DeliverTx(c.agent, apptest.Tx{
			Msgs:       []sdk.Msg{banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(1))},
			FeeGranter: c.owner.Addr,
			SignMode:   signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON,
		})
		expectCode(t, res, types.ErrSpendCapExceeded)
	})

	t.Run("the next window allows spending again", func(t *testing.T) {
		for ta.Height%window != window-1 {
			ta.NextBlock(nil)
		}
		apptest.MustOK(t, c.agentTx(banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(700_000))))
		if p := mustSpendPolicy(t, c); !p.Spent.Equal(sdkmath.NewInt(700_000)) || !p.Remaining.Equal(sdkmath.NewInt(300_000)) {
			t.Fatalf("new window: spent %s remaining %s", p.Spent, p.Remaining)
		}
	})

	if err := ta.AgentIDKeeper.CheckDepositConservation(ta.Ctx()); err != nil {
		t.Fatal(err)
	}
}

// An agent without a cap, or a capped agent sending another denom, is free.
func TestUncappedDenomsAndAgents(t *testing.T) {
	c := setup(t)
	apptest.MustOK(t, c.ta.Deliver(c.owner, &types.MsgSetSpendPolicy{
		Owner: c.owner.Addr.String(), AgentId: c.agentID, Denom: app.BaseDenom, Remove: true,
	}))
	apptest.MustOK(t, c.agentTx(banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(5_000_000))))
	vals, _ := c.ta.StakingKeeper.GetAllValidators(c.ta.Ctx())
	apptest.MustOK(t, c.agentTx(stakingtypes.NewMsgDelegate(c.agent.Addr.String(), vals[0].OperatorAddress, sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(5)))))
}

func mustSpendPolicy(t *testing.T, c *capped) types.SpendPolicyView {
	t.Helper()
	res, err := keeper.NewQueryServerImpl(c.ta.AgentIDKeeper).SpendPolicies(c.ta.Ctx(), &types.QuerySpendPoliciesRequest{AgentId: c.agentID})
	if err != nil || len(res.Policies) != 1 {
		t.Fatalf("spend policies %v %v", res, err)
	}
	return res.Policies[0]
}
