package keeper_test

import (
	"crypto/sha256"
	"testing"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
	"github.com/agentchain/agentchain/x/escrow/keeper"
	"github.com/agentchain/agentchain/x/escrow/types"
)

type suite struct {
	t  *testing.T
	ta *apptest.TestApp
	k  keeper.Keeper
	ms types.MsgServer
	qs types.QueryServer
}

func newSuite(t *testing.T, opts ...func(*apptest.Options)) *suite {
	t.Helper()
	o := apptest.Options{Accounts: 8}
	for _, f := range opts {
		f(&o)
	}
	ta := apptest.New(t, o)
	return &suite{
		t: t, ta: ta, k: ta.EscrowKeeper,
		ms: keeper.NewMsgServerImpl(ta.EscrowKeeper),
		qs: keeper.NewQueryServerImpl(ta.EscrowKeeper),
	}
}

func (s *suite) ctx() sdk.Context { return s.ta.Ctx() }

func (s *suite) addr(i int) sdk.AccAddress { return s.ta.Accounts[i].Addr }

func uagnt(n int64) sdk.Coins { return sdk.NewCoins(sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(n))) }

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// audit checks the conservation invariant against every escrow.
func (s *suite) audit() {
	s.t.Helper()
	if err := s.k.AuditConservation(s.ctx()); err != nil {
		s.t.Fatal(err)
	}
}

func (s *suite) balance(a sdk.AccAddress) sdkmath.Int { return s.ta.Balance(a) }

func (s *suite) escrow(id uint64) types.Escrow {
	s.t.Helper()
	e, err := s.k.GetEscrow(s.ctx(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return e
}

// create makes a direct escrow and returns its id.
func (s *suite) create(payer, payee sdk.AccAddress, amount int64, arbiter sdk.AccAddress, expires int64) uint64 {
	s.t.Helper()
	msg := &types.MsgCreateEscrow{Payer: payer.String(), Payee: payee.String(), Amount: uagnt(amount), ExpiresHeight: expires}
	if arbiter != nil {
		msg.Arbiter = arbiter.String()
	}
	res, err := s.ms.CreateEscrow(s.ctx(), msg)
	if err != nil {
		s.t.Fatalf("create escrow: %v", err)
	}
	s.audit()
	return res.Id
}

// expectRefused runs f as the SDK runs a message and checks that it fails
// with want, from this module's codespace, and changes no state
// (apptest.ExpectRefused), and that the escrow books still balance.
func (s *suite) expectRefused(want error, f func(ctx sdk.Context) error) {
	s.t.Helper()
	s.ta.ExpectRefused(s.t, types.ModuleName, want, f)
	s.audit()
}

func keeperPayment(module string, n int64) keeper.Payment {
	return keeper.Payment{Module: module, Amount: uagnt(n)}
}

func keeperAccountPayment(a sdk.AccAddress, n int64) keeper.Payment {
	return keeper.Payment{Recipient: a, Amount: uagnt(n)}
}
