// Package agentid_test runs x/agentid on the real application: spend caps
// through every path that moves coins, with full signed transactions.
package agentid_test

import (
	"fmt"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	sdkmath "cosmossdk.io/math"
	"cosmossdk.io/x/feegrant"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	"github.com/cosmos/cosmos-sdk/x/authz"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
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

// The bucket holds capAmount and refills capAmount/window = 1,000 per block.
const (
	capAmount = 1_000_000
	window    = 1_000
	refill    = capAmount / window
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

	apptest.MustOK(t, ta.Deliver(c.owner, &types.MsgSetSpendPolicy{
		Owner: c.owner.Addr.String(), AgentId: c.agentID, Denom: app.BaseDenom,
		Cap: sdkmath.NewInt(capAmount), WindowBlocks: window,
	}))
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

	// Inside the cap: a plain send goes through and is drawn from the bucket.
	apptest.MustOK(t, c.agentTx(banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(600_000))))
	if res := mustSpendPolicy(t, c); !res.Available.Equal(sdkmath.NewInt(400_000)) || res.FullHeight != ta.Height+600 {
		t.Fatalf("after 600,000: available %s, full at %d (height %d)", res.Available, res.FullHeight, ta.Height)
	}

	t.Run("plain send over the cap", func(t *testing.T) {
		before := agentBalance()
		// One block later the bucket holds 400,000 + 1,000.
		res := c.agentTx(banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(400_000+refill+1)))
		expectCode(t, res, types.ErrSpendCapExceeded)
		if !strings.Contains(res.Log, "401000uagnt is available now") || !strings.Contains(res.Log, fmt.Sprintf("available from height %d", ta.Height+1)) {
			t.Fatalf("the refusal does not say what is available and when: %s", res.Log)
		}
		if !agentBalance().Equal(before) {
			t.Fatal("a refused send moved coins")
		}
	})

	// Exactly what the bucket holds is allowed: 400,000 + two blocks' refill.
	apptest.MustOK(t, c.agentTx(banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(400_000+2*refill))))
	if res := mustSpendPolicy(t, c); !res.Available.IsZero() {
		t.Fatalf("the bucket should be empty: %s", res.Available)
	}

	t.Run("multi-send", func(t *testing.T) {
		before := agentBalance()
		// One block's refill covers the first output, not both.
		msg := banktypes.NewMsgMultiSend(
			banktypes.NewInput(c.agent.Addr, coins(2*refill)),
			[]banktypes.Output{banktypes.NewOutput(c.outside.Addr, coins(refill)), banktypes.NewOutput(c.grantee.Addr, coins(refill))},
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
		exec := authz.NewMsgExec(c.grantee.Addr, []sdk.Msg{banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(100*refill))})
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

	t.Run("reward withdraw address", func(t *testing.T) {
		// Rewards withdrawn to another address would never pass the cap:
		// refused, also through MsgExec; to itself is fine.
		away := distrtypes.NewMsgSetWithdrawAddress(c.agent.Addr, c.outside.Addr)
		expectCode(t, c.agentTx(away), types.ErrCappedWithdrawAddress)
		grant, err := authz.NewMsgGrant(c.agent.Addr, c.grantee.Addr, authz.NewGenericAuthorization(sdk.MsgTypeURL(away)), nil)
		if err != nil {
			t.Fatal(err)
		}
		apptest.MustOK(t, c.agentTx(grant))
		exec := authz.NewMsgExec(c.grantee.Addr, []sdk.Msg{away})
		expectCode(t, ta.Deliver(c.grantee, &exec), types.ErrCappedWithdrawAddress)
		if got, err := ta.DistrKeeper.GetDelegatorWithdrawAddr(ta.Ctx(), c.agent.Addr); err != nil || !got.Equals(c.agent.Addr) {
			t.Fatalf("the capped agent's withdraw address is %s (%v), want itself", got, err)
		}
		apptest.MustOK(t, c.agentTx(distrtypes.NewMsgSetWithdrawAddress(c.agent.Addr, c.agent.Addr)))
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

	t.Run("fees paid by the agent itself count too, and say so", func(t *testing.T) {
		before := agentBalance()
		res := ta.DeliverTx(c.agent, apptest.Tx{
			Msgs: []sdk.Msg{banktypes.NewMsgSend(c.agent.Addr, c.owner.Addr, coins(1))},
			Fee:  coins(500_000),
		})
		// Refused with the spend cap's own error, not "insufficient funds".
		expectCode(t, res, types.ErrSpendCapExceeded)
		if !strings.Contains(res.Log, "spend cap exceeded") || !strings.Contains(res.Log, "the fee") {
			t.Fatalf("log: %s", res.Log)
		}
		if !agentBalance().Equal(before) {
			t.Fatal("a refused fee moved coins")
		}
		// A fee the bucket covers is paid and drawn.
		apptest.MustOK(t, ta.DeliverTx(c.agent, apptest.Tx{Msgs: []sdk.Msg{banktypes.NewMsgSend(c.agent.Addr, c.owner.Addr, coins(1))}}))
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
			Msgs:       []sdk.Msg{banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(capAmount/2))},
			FeeGranter: c.owner.Addr,
			SignMode:   signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON,
		})
		expectCode(t, res, types.ErrSpendCapExceeded)
	})

	t.Run("the bucket refills to the cap, no further", func(t *testing.T) {
		full := mustSpendPolicy(t, c).FullHeight
		for ta.Height < full+50 {
			ta.NextBlock(nil)
		}
		if p := mustSpendPolicy(t, c); !p.Available.Equal(sdkmath.NewInt(capAmount)) || p.FullHeight != ta.Height {
			t.Fatalf("refilled: available %s, full at %d (height %d)", p.Available, p.FullHeight, ta.Height)
		}
		apptest.MustOK(t, c.agentTx(banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(700_000))))
		if p := mustSpendPolicy(t, c); !p.Available.Equal(sdkmath.NewInt(300_000)) {
			t.Fatalf("after 700,000: available %s", p.Available)
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

// The burst an owner saw with fixed windows: capped at 5 AGNT per 100
// blocks, an agent sent 5 AGNT in the last block of one window and 5 AGNT
// more in the first block of the next. The bucket allows, over any 13
// blocks, at most 5 × (1 + 13/100) AGNT.
func TestSpendCapHasNoBoundaryBurst(t *testing.T) {
	c := setup(t)
	ta := c.ta
	const capAmt, win = 5_000_000, 100
	apptest.MustOK(t, ta.Deliver(c.owner, &types.MsgSetSpendPolicy{
		Owner: c.owner.Addr.String(), AgentId: c.agentID, Denom: app.BaseDenom, Cap: sdkmath.NewInt(capAmt), WindowBlocks: win,
	}))
	for ta.Height%win != win-2 {
		ta.NextBlock(nil)
	}
	before := ta.Balance(c.outside.Addr)
	apptest.MustOK(t, c.agentTx(banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(capAmt)))) // height ≡ 99
	res := c.agentTx(banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, coins(capAmt)))             // height ≡ 0
	expectCode(t, res, types.ErrSpendCapExceeded)
	if want := fmt.Sprintf("available from height %d", ta.Height-1+win); !strings.Contains(res.Log, want) {
		t.Fatalf("refusal %q does not say %q", res.Log, want)
	}
	// Greedy for 11 more blocks: 13 blocks from the first send.
	for i := 0; i < 11; i++ {
		a := mustSpendPolicy(t, c).Available.AddRaw(capAmt / win) // what the next block holds
		apptest.MustOK(t, c.agentTx(banktypes.NewMsgSend(c.agent.Addr, c.outside.Addr, sdk.NewCoins(sdk.NewCoin(app.BaseDenom, a)))))
	}
	sent := ta.Balance(c.outside.Addr).Sub(before)
	if bound := sdkmath.NewInt(capAmt + capAmt*13/win); sent.GT(bound) {
		t.Fatalf("%s left in 13 blocks; the cap allows %s", sent, bound)
	}
	t.Logf("13 blocks: %s uagnt left (fixed windows let %d through)", sent, 2*capAmt)
}
