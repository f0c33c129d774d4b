package keeper_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"testing"

	errorsmod "cosmossdk.io/errors"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

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

type snapshot map[string]string

func (s *suite) snapshot() snapshot {
	out := snapshot{}
	ctx := s.ctx()
	for _, name := range []string{types.StoreKey, banktypes.StoreKey} {
		it := ctx.KVStore(s.ta.GetKey(name)).Iterator(nil, nil)
		for ; it.Valid(); it.Next() {
			out[name+"/"+string(it.Key())] = string(it.Value())
		}
		_ = it.Close()
	}
	return out
}

func (a snapshot) diff(b snapshot) []string {
	var d []string
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			d = append(d, fmt.Sprintf("changed %q", k))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, fmt.Sprintf("added %q", k))
		}
	}
	sort.Strings(d)
	return d
}

// expectRefused runs f as the SDK runs a message (in a branch of the
// committed state, written only if it succeeds) and checks that it fails
// with want, from this module's codespace, and that the committed escrow
// and bank stores are unchanged.
func (s *suite) expectRefused(want error, f func(ctx sdk.Context) error) {
	s.t.Helper()
	before := s.snapshot()
	branch, _ := s.ctx().CacheContext()
	err := f(branch)
	if err == nil {
		s.t.Fatalf("accepted; want %v", want)
	}
	if !errors.Is(err, want) {
		s.t.Fatalf("error %q; want %v", err, want)
	}
	if codespace, _, _ := errorsmod.ABCIInfo(err, false); codespace != types.ModuleName {
		s.t.Fatalf("refused from codespace %q, not %q: %v", codespace, types.ModuleName, err)
	}
	if d := before.diff(s.snapshot()); len(d) > 0 {
		s.t.Fatalf("refusal changed state: %v", d)
	}
	s.audit()
}

func keeperPayment(module string, n int64) keeper.Payment {
	return keeper.Payment{Module: module, Amount: uagnt(n)}
}

func keeperAccountPayment(a sdk.AccAddress, n int64) keeper.Payment {
	return keeper.Payment{Recipient: a, Amount: uagnt(n)}
}
