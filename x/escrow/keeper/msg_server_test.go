package keeper_test

import (
	"slices"
	"strings"
	"testing"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/agentchain/agentchain/x/escrow/types"
)

func eventTypes(ctx sdk.Context) []string {
	var out []string
	for _, e := range ctx.EventManager().Events() {
		out = append(out, e.Type)
	}
	return out
}

func TestCreateAndRelease(t *testing.T) {
	s := newSuite(t)
	payer, payee := s.addr(0), s.addr(1)
	payerBefore, payeeBefore := s.balance(payer), s.balance(payee)

	ctx := s.ctx().WithEventManager(sdk.NewEventManager())
	res, err := s.ms.CreateEscrow(ctx, &types.MsgCreateEscrow{Payer: payer.String(), Payee: payee.String(), Amount: uagnt(1_000_000), Reference: "order 1"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(eventTypes(ctx), "agentchain.escrow.v1.EventEscrowCreated") {
		t.Fatalf("events %v", eventTypes(ctx))
	}
	s.audit()
	if got := payerBefore.Sub(s.balance(payer)); !got.Equal(sdkmath.NewInt(1_000_000)) {
		t.Fatalf("payer paid %s", got)
	}

	// Part, then the rest.
	if _, err := s.ms.Release(s.ctx(), &types.MsgRelease{Payer: payer.String(), EscrowId: res.Id, Amount: uagnt(400_000)}); err != nil {
		t.Fatal(err)
	}
	s.audit()
	if e := s.escrow(res.Id); e.Status != types.ESCROW_STATUS_LOCKED || !e.Remaining().Equal(uagnt(600_000)) {
		t.Fatalf("after partial release %+v", e)
	}
	ctx = s.ctx().WithEventManager(sdk.NewEventManager())
	if _, err := s.ms.Release(ctx, &types.MsgRelease{Payer: payer.String(), EscrowId: res.Id}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(eventTypes(ctx), "agentchain.escrow.v1.EventEscrowClosed") {
		t.Fatalf("events %v", eventTypes(ctx))
	}
	s.audit()
	if e := s.escrow(res.Id); e.Status != types.ESCROW_STATUS_CLOSED || !e.Released.Equal(uagnt(1_000_000)) {
		t.Fatalf("after full release %+v", e)
	}
	if got := s.balance(payee).Sub(payeeBefore); !got.Equal(sdkmath.NewInt(1_000_000)) {
		t.Fatalf("payee got %s", got)
	}

	// Nothing more can move.
	s.expectRefused(types.ErrWrongStatus, func(ctx sdk.Context) error {
		_, err := s.ms.Release(ctx, &types.MsgRelease{Payer: payer.String(), EscrowId: res.Id, Amount: uagnt(1)})
		return err
	})
	s.expectRefused(types.ErrWrongStatus, func(ctx sdk.Context) error {
		_, err := s.ms.Refund(ctx, &types.MsgRefund{Signer: payee.String(), EscrowId: res.Id})
		return err
	})
	s.expectRefused(types.ErrWrongStatus, func(ctx sdk.Context) error {
		_, err := s.ms.OpenDispute(ctx, &types.MsgOpenDispute{Signer: payer.String(), EscrowId: res.Id, Reason: types.DISPUTE_REASON_OTHER, EvidenceHash: hash("e")})
		return err
	})
}

func TestCreateRefusals(t *testing.T) {
	s := newSuite(t)
	payer, payee, arbiter := s.addr(0), s.addr(1), s.addr(2)
	height := s.ctx().BlockHeight()
	feeCollector := authtypes.NewModuleAddress(authtypes.FeeCollectorName)
	good := func() *types.MsgCreateEscrow {
		return &types.MsgCreateEscrow{Payer: payer.String(), Payee: payee.String(), Amount: uagnt(100), Arbiter: arbiter.String(), ExpiresHeight: height + 50}
	}
	cases := []struct {
		name   string
		mutate func(m *types.MsgCreateEscrow)
		err    error
	}{
		{"zero amount", func(m *types.MsgCreateEscrow) { m.Amount = sdk.Coins{sdk.NewInt64Coin("uagnt", 0)} }, types.ErrInvalidAmount},
		{"empty amount", func(m *types.MsgCreateEscrow) { m.Amount = nil }, types.ErrInvalidAmount},
		{"negative amount", func(m *types.MsgCreateEscrow) {
			m.Amount = sdk.Coins{sdk.Coin{Denom: "uagnt", Amount: sdkmath.NewInt(-5)}}
		}, types.ErrInvalidAmount},
		{"duplicate denoms", func(m *types.MsgCreateEscrow) {
			m.Amount = sdk.Coins{sdk.NewInt64Coin("uagnt", 1), sdk.NewInt64Coin("uagnt", 2)}
		}, types.ErrInvalidAmount},
		{"unsorted denoms", func(m *types.MsgCreateEscrow) {
			m.Amount = sdk.Coins{sdk.NewInt64Coin("uagnt", 1), sdk.NewInt64Coin("stake", 2)}
		}, types.ErrInvalidAmount},
		{"disallowed denom", func(m *types.MsgCreateEscrow) { m.Amount = sdk.NewCoins(sdk.NewInt64Coin("stake", 5)) }, types.ErrDenomNotAllowed},
		{"self escrow", func(m *types.MsgCreateEscrow) { m.Payee = payer.String() }, types.ErrSelfEscrow},
		{"blocked payee", func(m *types.MsgCreateEscrow) { m.Payee = feeCollector.String() }, types.ErrInvalidPayee},
		{"escrow module as payee", func(m *types.MsgCreateEscrow) { m.Payee = s.k.ModuleAddress().String() }, types.ErrInvalidPayee},
		{"bad payee", func(m *types.MsgCreateEscrow) { m.Payee = "agent1xyz" }, types.ErrInvalidAddress},
		{"bad payer", func(m *types.MsgCreateEscrow) { m.Payer = "" }, types.ErrInvalidAddress},
		{"arbiter is payer", func(m *types.MsgCreateEscrow) { m.Arbiter = payer.String() }, types.ErrInvalidArbiter},
		{"arbiter is payee", func(m *types.MsgCreateEscrow) { m.Arbiter = payee.String() }, types.ErrInvalidArbiter},
		{"expiry in the past", func(m *types.MsgCreateEscrow) { m.ExpiresHeight = height }, types.ErrInvalidExpiry},
		{"negative expiry", func(m *types.MsgCreateEscrow) { m.ExpiresHeight = -1 }, types.ErrInvalidExpiry},
		{"expiry too far", func(m *types.MsgCreateEscrow) { m.ExpiresHeight = height + types.DefaultMaxEscrowBlocks + 1 }, types.ErrInvalidExpiry},
		{"reference too long", func(m *types.MsgCreateEscrow) { m.Reference = strings.Repeat("r", 129) }, types.ErrFieldTooLong},
		{"more than the payer holds", func(m *types.MsgCreateEscrow) { m.Amount = uagnt(2_000_000_000_000) }, types.ErrLockRefused},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.t = t
			m := good()
			tc.mutate(m)
			s.expectRefused(tc.err, func(ctx sdk.Context) error { _, err := s.ms.CreateEscrow(ctx, m); return err })
		})
	}
}

func TestReleaseAndRefundRefusals(t *testing.T) {
	s := newSuite(t)
	payer, payee, stranger := s.addr(0), s.addr(1), s.addr(3)
	height := s.ctx().BlockHeight()
	id := s.create(payer, payee, 1000, nil, height+10)
	closedID := s.create(payer, payee, 10, nil, 0)
	if _, err := s.ms.Refund(s.ctx(), &types.MsgRefund{Signer: payee.String(), EscrowId: closedID}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		f    func(ctx sdk.Context) error
		err  error
	}{
		{"release by payee", func(ctx sdk.Context) error {
			_, err := s.ms.Release(ctx, &types.MsgRelease{Payer: payee.String(), EscrowId: id})
			return err
		}, types.ErrUnauthorized},
		{"release beyond what remains", func(ctx sdk.Context) error {
			_, err := s.ms.Release(ctx, &types.MsgRelease{Payer: payer.String(), EscrowId: id, Amount: uagnt(1001)})
			return err
		}, types.ErrInsufficientEscrow},
		{"release of another denom", func(ctx sdk.Context) error {
			_, err := s.ms.Release(ctx, &types.MsgRelease{Payer: payer.String(), EscrowId: id, Amount: sdk.NewCoins(sdk.NewInt64Coin("stake", 1))})
			return err
		}, types.ErrInsufficientEscrow},
		{"release after refund", func(ctx sdk.Context) error {
			_, err := s.ms.Release(ctx, &types.MsgRelease{Payer: payer.String(), EscrowId: closedID})
			return err
		}, types.ErrWrongStatus},
		{"release unknown", func(ctx sdk.Context) error {
			_, err := s.ms.Release(ctx, &types.MsgRelease{Payer: payer.String(), EscrowId: 999})
			return err
		}, types.ErrEscrowNotFound},
		{"refund by a stranger before expiry", func(ctx sdk.Context) error {
			_, err := s.ms.Refund(ctx, &types.MsgRefund{Signer: stranger.String(), EscrowId: id})
			return err
		}, types.ErrUnauthorized},
		{"refund by the payer before expiry", func(ctx sdk.Context) error {
			_, err := s.ms.Refund(ctx, &types.MsgRefund{Signer: payer.String(), EscrowId: id})
			return err
		}, types.ErrUnauthorized},
		{"refund beyond what remains", func(ctx sdk.Context) error {
			_, err := s.ms.Refund(ctx, &types.MsgRefund{Signer: payee.String(), EscrowId: id, Amount: uagnt(5000)})
			return err
		}, types.ErrInsufficientEscrow},
		{"refund closed", func(ctx sdk.Context) error {
			_, err := s.ms.Refund(ctx, &types.MsgRefund{Signer: payee.String(), EscrowId: closedID})
			return err
		}, types.ErrWrongStatus},
		{"negative release", func(ctx sdk.Context) error {
			_, err := s.ms.Release(ctx, &types.MsgRelease{Payer: payer.String(), EscrowId: id, Amount: sdk.Coins{sdk.Coin{Denom: "uagnt", Amount: sdkmath.NewInt(-1)}}})
			return err
		}, types.ErrInvalidAmount},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.t = t
			s.expectRefused(tc.err, tc.f)
		})
	}

	// After expiry anyone may refund, but only all of it.
	s.t = t
	for s.ta.Height < height+9 {
		s.ta.NextBlock(nil)
	}
	// EndBlock at height+10 would refund it first; act within that block's
	// state by using a context at the expiry height.
	ctx := s.ctx().WithBlockHeight(height + 10)
	s.expectRefused(types.ErrTimedOut, func(ctx sdk.Context) error {
		_, err := s.ms.Refund(ctx.WithBlockHeight(height+10), &types.MsgRefund{Signer: stranger.String(), EscrowId: id, Amount: uagnt(1)})
		return err
	})
	before := s.balance(payer)
	if _, err := s.ms.Refund(ctx, &types.MsgRefund{Signer: stranger.String(), EscrowId: id}); err != nil {
		t.Fatal(err)
	}
	s.audit()
	if got := s.balance(payer).Sub(before); !got.Equal(sdkmath.NewInt(1000)) {
		t.Fatalf("payer refunded %s", got)
	}
}

func TestDisputeArbiterSplitsExactly(t *testing.T) {
	s := newSuite(t)
	payer, payee, arbiter, stranger := s.addr(0), s.addr(1), s.addr(2), s.addr(3)
	id := s.create(payer, payee, 1001, arbiter, 0)
	lockedID := s.create(payer, payee, 10, arbiter, 0)

	disputeRefusals := []struct {
		name string
		msg  types.MsgOpenDispute
		err  error
	}{
		{"stranger", types.MsgOpenDispute{Signer: stranger.String(), EscrowId: id, Reason: types.DISPUTE_REASON_NOT_DELIVERED, EvidenceHash: hash("x")}, types.ErrUnauthorized},
		{"arbiter", types.MsgOpenDispute{Signer: arbiter.String(), EscrowId: id, Reason: types.DISPUTE_REASON_NOT_DELIVERED, EvidenceHash: hash("x")}, types.ErrUnauthorized},
		{"no reason", types.MsgOpenDispute{Signer: payer.String(), EscrowId: id, EvidenceHash: hash("x")}, types.ErrInvalidReason},
		{"unknown reason", types.MsgOpenDispute{Signer: payer.String(), EscrowId: id, Reason: 99, EvidenceHash: hash("x")}, types.ErrInvalidReason},
		{"no evidence", types.MsgOpenDispute{Signer: payer.String(), EscrowId: id, Reason: types.DISPUTE_REASON_OTHER}, types.ErrInvalidHash},
		{"unknown escrow", types.MsgOpenDispute{Signer: payer.String(), EscrowId: 77, Reason: types.DISPUTE_REASON_OTHER, EvidenceHash: hash("x")}, types.ErrEscrowNotFound},
	}
	for _, tc := range disputeRefusals {
		t.Run("dispute/"+tc.name, func(t *testing.T) {
			s.t = t
			s.expectRefused(tc.err, func(ctx sdk.Context) error { _, err := s.ms.OpenDispute(ctx, &tc.msg); return err })
		})
	}
	s.t = t
	if _, err := s.ms.OpenDispute(s.ctx(), &types.MsgOpenDispute{Signer: payee.String(), EscrowId: id, Reason: types.DISPUTE_REASON_PAYMENT_WITHHELD, EvidenceHash: hash("delivered")}); err != nil {
		t.Fatal(err)
	}
	s.audit()
	e := s.escrow(id)
	if e.Status != types.ESCROW_STATUS_DISPUTED || e.Dispute.DeadlineHeight != s.ctx().BlockHeight()+types.DefaultDisputeTimeoutBlocks {
		t.Fatalf("disputed %+v", e)
	}

	resolveRefusals := []struct {
		name string
		msg  types.MsgResolveDispute
		err  error
	}{
		{"non-arbiter", types.MsgResolveDispute{Signer: stranger.String(), EscrowId: id, PayeeShareBps: 7000}, types.ErrUnauthorized},
		{"payer", types.MsgResolveDispute{Signer: payer.String(), EscrowId: id, PayeeShareBps: 10000}, types.ErrUnauthorized},
		{"share above 100%", types.MsgResolveDispute{Signer: arbiter.String(), EscrowId: id, PayeeShareBps: 10001}, types.ErrInvalidShare},
		{"not disputed", types.MsgResolveDispute{Signer: arbiter.String(), EscrowId: lockedID, PayeeShareBps: 5000}, types.ErrWrongStatus},
	}
	for _, tc := range resolveRefusals {
		t.Run("resolve/"+tc.name, func(t *testing.T) {
			s.t = t
			s.expectRefused(tc.err, func(ctx sdk.Context) error { _, err := s.ms.ResolveDispute(ctx, &tc.msg); return err })
		})
	}
	s.t = t
	// A release is not possible during the dispute.
	s.expectRefused(types.ErrWrongStatus, func(ctx sdk.Context) error {
		_, err := s.ms.Release(ctx, &types.MsgRelease{Payer: payer.String(), EscrowId: id})
		return err
	})

	before := map[string]sdkmath.Int{"payer": s.balance(payer), "payee": s.balance(payee), "arbiter": s.balance(arbiter)}
	if _, err := s.ms.ResolveDispute(s.ctx(), &types.MsgResolveDispute{Signer: arbiter.String(), EscrowId: id, PayeeShareBps: 7000}); err != nil {
		t.Fatal(err)
	}
	s.audit()
	// 1001: arbiter fee 1% = 10 (rounded down), rest 991: payee 70% = 693
	// (693.7 rounded down), payer the remaining 298. 10 + 693 + 298 = 1001.
	got := map[string]int64{
		"arbiter": s.balance(arbiter).Sub(before["arbiter"]).Int64(),
		"payee":   s.balance(payee).Sub(before["payee"]).Int64(),
		"payer":   s.balance(payer).Sub(before["payer"]).Int64(),
	}
	if got["arbiter"] != 10 || got["payee"] != 693 || got["payer"] != 298 {
		t.Fatalf("split %v", got)
	}
	if e := s.escrow(id); e.Status != types.ESCROW_STATUS_CLOSED || e.Dispute.ResolvedBy != arbiter.String() || e.Dispute.PayeeShareBps != 7000 {
		t.Fatalf("after ruling %+v", e)
	}
}

func TestGovAuthorityResolvesWithoutFee(t *testing.T) {
	s := newSuite(t)
	payer, payee := s.addr(0), s.addr(1)
	authority := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	id := s.create(payer, payee, 100, nil, 0)
	if _, err := s.ms.OpenDispute(s.ctx(), &types.MsgOpenDispute{Signer: payer.String(), EscrowId: id, Reason: types.DISPUTE_REASON_NOT_DELIVERED, EvidenceHash: hash("x")}); err != nil {
		t.Fatal(err)
	}
	before := s.balance(payer)
	if _, err := s.ms.ResolveDispute(s.ctx(), &types.MsgResolveDispute{Signer: authority, EscrowId: id, PayeeShareBps: 0}); err != nil {
		t.Fatal(err)
	}
	s.audit()
	if got := s.balance(payer).Sub(before); !got.Equal(sdkmath.NewInt(100)) {
		t.Fatalf("payer got %s back", got)
	}
}

func TestModuleOwnedEscrows(t *testing.T) {
	s := newSuite(t)
	payer, payee, other := s.addr(0), s.addr(1), s.addr(2)
	const mod = "market"
	const otherMod = "auction"
	feeCollector := authtypes.FeeCollectorName

	id, err := s.k.Lock(s.ctx(), mod, payer, nil, uagnt(10_000), "market/request/1")
	if err != nil {
		t.Fatal(err)
	}
	s.audit()
	direct := s.create(payer, payee, 50, nil, 0)

	// Nobody but the owning module moves it.
	directRefusals := map[string]func(ctx sdk.Context) error{
		"release": func(ctx sdk.Context) error {
			_, err := s.ms.Release(ctx, &types.MsgRelease{Payer: payer.String(), EscrowId: id})
			return err
		},
		"refund": func(ctx sdk.Context) error {
			_, err := s.ms.Refund(ctx, &types.MsgRefund{Signer: payee.String(), EscrowId: id})
			return err
		},
		"dispute": func(ctx sdk.Context) error {
			_, err := s.ms.OpenDispute(ctx, &types.MsgOpenDispute{Signer: payer.String(), EscrowId: id, Reason: types.DISPUTE_REASON_OTHER, EvidenceHash: hash("x")})
			return err
		},
		"resolve": func(ctx sdk.Context) error {
			_, err := s.ms.ResolveDispute(ctx, &types.MsgResolveDispute{Signer: authtypes.NewModuleAddress(govtypes.ModuleName).String(), EscrowId: id})
			return err
		},
	}
	for name, f := range directRefusals {
		t.Run("direct message/"+name, func(t *testing.T) { s.t = t; s.expectRefused(types.ErrNotDirect, f) })
	}
	moduleRefusals := []struct {
		name string
		f    func(ctx sdk.Context) error
		err  error
	}{
		{"another module sets the payee", func(ctx sdk.Context) error { return s.k.SetPayee(ctx, otherMod, id, payee) }, types.ErrWrongOwner},
		{"another module refunds", func(ctx sdk.Context) error { return s.k.Refund(ctx, otherMod, id, nil) }, types.ErrWrongOwner},
		{"another module releases", func(ctx sdk.Context) error { return s.k.Release(ctx, otherMod, id, nil) }, types.ErrWrongOwner},
		{"a module on a direct escrow", func(ctx sdk.Context) error { return s.k.Refund(ctx, mod, direct, nil) }, types.ErrWrongOwner},
		{"release without a payee", func(ctx sdk.Context) error { return s.k.Release(ctx, mod, id, uagnt(1)) }, types.ErrNoPayee},
		{"resolve without a payee", func(ctx sdk.Context) error { return s.k.Resolve(ctx, mod, id, 5000) }, types.ErrNoPayee},
		{"payee is the payer", func(ctx sdk.Context) error { return s.k.SetPayee(ctx, mod, id, payer) }, types.ErrSelfEscrow},
		{"payee is blocked", func(ctx sdk.Context) error {
			return s.k.SetPayee(ctx, mod, id, authtypes.NewModuleAddress(feeCollector))
		}, types.ErrInvalidPayee},
		{"lock a disallowed denom", func(ctx sdk.Context) error {
			_, err := s.k.Lock(ctx, mod, payer, payee, sdk.NewCoins(sdk.NewInt64Coin("stake", 1)), "")
			return err
		}, types.ErrDenomNotAllowed},
		{"lock zero", func(ctx sdk.Context) error {
			_, err := s.k.Lock(ctx, mod, payer, payee, sdk.Coins{sdk.NewInt64Coin("uagnt", 0)}, "")
			return err
		}, types.ErrInvalidAmount},
		{"refund beyond what remains", func(ctx sdk.Context) error { return s.k.Refund(ctx, mod, id, uagnt(10_001)) }, types.ErrInsufficientEscrow},
	}
	for _, tc := range moduleRefusals {
		t.Run(tc.name, func(t *testing.T) { s.t = t; s.expectRefused(tc.err, tc.f) })
	}
	s.t = t

	// The owner sets the payee once, refunds the unneeded budget, and
	// releases the price with the take to the fee collector.
	if err := s.k.SetPayee(s.ctx(), mod, id, payee); err != nil {
		t.Fatal(err)
	}
	s.expectRefused(types.ErrPayeeAlreadySet, func(ctx sdk.Context) error { return s.k.SetPayee(ctx, mod, id, other) })
	payerBefore, payeeBefore := s.balance(payer), s.balance(payee)
	if err := s.k.Refund(s.ctx(), mod, id, uagnt(4_000)); err != nil {
		t.Fatal(err)
	}
	s.audit()
	ctx := s.ctx().WithEventManager(sdk.NewEventManager())
	if err := s.k.Release(ctx, mod, id, uagnt(5_900), keeperPayment(feeCollector, 100)); err != nil {
		t.Fatal(err)
	}
	s.audit()
	if !slices.Contains(eventTypes(ctx), "agentchain.escrow.v1.EventEscrowReleased") {
		t.Fatalf("events %v", eventTypes(ctx))
	}
	if got := s.balance(payer).Sub(payerBefore); !got.Equal(sdkmath.NewInt(4_000)) {
		t.Fatalf("payer refunded %s", got)
	}
	if got := s.balance(payee).Sub(payeeBefore); !got.Equal(sdkmath.NewInt(5_900)) {
		t.Fatalf("payee got %s", got)
	}
	e := s.escrow(id)
	if e.Status != types.ESCROW_STATUS_CLOSED || !e.Released.Equal(uagnt(6_000)) || !e.Refunded.Equal(uagnt(4_000)) {
		t.Fatalf("after settlement %+v", e)
	}
	s.expectRefused(types.ErrWrongStatus, func(ctx sdk.Context) error { return s.k.Refund(ctx, mod, id, nil) })

	// Resolve: fee first, payee's share rounded down, remainder to the payer.
	id2, err := s.k.Lock(s.ctx(), mod, payer, payee, uagnt(999), "market/job/2")
	if err != nil {
		t.Fatal(err)
	}
	arb := s.addr(4)
	payerBefore, payeeBefore = s.balance(payer), s.balance(payee)
	arbBefore := s.balance(arb)
	if err := s.k.Resolve(s.ctx(), mod, id2, 3333, keeperAccountPayment(arb, 9)); err != nil {
		t.Fatal(err)
	}
	s.audit()
	// 999 - 9 = 990; payee 33.33% = 329.967 → 329; payer 661.
	if a, p, r := s.balance(arb).Sub(arbBefore), s.balance(payee).Sub(payeeBefore), s.balance(payer).Sub(payerBefore); a.Int64() != 9 || p.Int64() != 329 || r.Int64() != 661 {
		t.Fatalf("resolve split arbiter %s payee %s payer %s", a, p, r)
	}
}

func TestUpdateParams(t *testing.T) {
	s := newSuite(t)
	authority := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	bad := types.DefaultParams()
	bad.MaxExpirationsPerBlock = 0
	dup := types.DefaultParams()
	dup.AllowedDenoms = []string{"uagnt", "uagnt"}
	s.expectRefused(types.ErrInvalidAuthority, func(ctx sdk.Context) error {
		_, err := s.ms.UpdateParams(ctx, &types.MsgUpdateParams{Authority: s.addr(0).String(), Params: types.DefaultParams()})
		return err
	})
	for _, p := range []types.Params{bad, dup} {
		s.expectRefused(types.ErrInvalidParams, func(ctx sdk.Context) error {
			_, err := s.ms.UpdateParams(ctx, &types.MsgUpdateParams{Authority: authority, Params: p})
			return err
		})
	}
	good := types.DefaultParams()
	good.AllowedDenoms = []string{"stake", "uagnt"}
	if _, err := s.ms.UpdateParams(s.ctx(), &types.MsgUpdateParams{Authority: authority, Params: good}); err != nil {
		t.Fatal(err)
	}
}
