package keeper_test

import (
	"math/big"
	"slices"
	"testing"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/x/escrow/keeper"
	"github.com/agentchain/agentchain/x/escrow/types"
)

func coin(n int64) sdk.Coin { return sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(n)) }

// at returns a context at height h (the tests move heights directly: a
// stream's accrual is a function of the height only).
func (s *suite) at(h int64) sdk.Context {
	return s.ctx().WithBlockHeight(h).WithEventManager(sdk.NewEventManager())
}

func (s *suite) stream(id uint64) types.Stream {
	s.t.Helper()
	st, err := s.k.GetStream(s.ctx(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return st
}

func (s *suite) openStream(h int64, msg *types.MsgOpenStream) uint64 {
	s.t.Helper()
	res, err := s.ms.OpenStream(s.at(h), msg)
	if err != nil {
		s.t.Fatalf("open stream: %v", err)
	}
	s.audit()
	return res.Id
}

func (s *suite) withdraw(h int64, payee sdk.AccAddress, id uint64) sdkmath.Int {
	s.t.Helper()
	res, err := s.ms.WithdrawStream(s.at(h), &types.MsgWithdrawStream{Payee: payee.String(), StreamId: id})
	if err != nil {
		s.t.Fatalf("withdraw at %d: %v", h, err)
	}
	s.audit()
	return res.Amount.Amount
}

// A stream pays whole periods only, to the unit, and its books balance
// after every step.
func TestStreamAccruesWholePeriods(t *testing.T) {
	s := newSuite(t)
	payer, payee := s.addr(0), s.addr(1)
	payerBefore, payeeBefore := s.balance(payer), s.balance(payee)
	// 7 uagnt every 3 blocks from height 100, deposit 100.
	id := s.openStream(100, &types.MsgOpenStream{
		Payer: payer.String(), Payee: payee.String(), Rate: coin(7), PeriodBlocks: 3, Deposit: coin(100), StartHeight: 100,
	})
	if got := payerBefore.Sub(s.balance(payer)); !got.Equal(sdkmath.NewInt(100)) {
		t.Fatalf("payer paid %s, want the deposit 100", got)
	}
	st := s.stream(id)
	for h, want := range map[int64]int64{100: 0, 102: 0, 103: 7, 105: 7, 106: 14, 141: 91, 142: 98, 145: 100, 1000: 100} {
		if got := st.Accrued(h); !got.Equal(sdkmath.NewInt(want)) {
			t.Errorf("accrued at %d = %s, want %d", h, got, want)
		}
	}
	if got := st.RunsOutHeight(); got != 145 {
		t.Errorf("runs out at %d, want 145 (15 periods of 3 from 100)", got)
	}
	// Nothing to withdraw inside the first period.
	s.expectRefused(types.ErrNothingAccrued, func(ctx sdk.Context) error {
		_, err := s.ms.WithdrawStream(ctx.WithBlockHeight(102), &types.MsgWithdrawStream{Payee: payee.String(), StreamId: id})
		return err
	})
	if got := s.withdraw(104, payee, id); !got.Equal(sdkmath.NewInt(7)) {
		t.Fatalf("first withdrawal %s, want 7", got)
	}
	// Withdrawing every block cannot lose the payee a partial period.
	total := sdkmath.NewInt(7)
	for h := int64(105); h <= 112; h++ {
		if s.stream(id).Withdrawable(h).IsPositive() {
			total = total.Add(s.withdraw(h, payee, id))
		}
	}
	if !total.Equal(sdkmath.NewInt(28)) { // 4 whole periods by 112
		t.Fatalf("withdrawn %s by 112, want 28", total)
	}
	// The payer's query view.
	res, err := s.qs.Stream(s.at(120), &types.QueryStreamRequest{Id: id})
	if err != nil {
		t.Fatal(err)
	}
	if v := res.Stream; !v.Accrued.Amount.Equal(sdkmath.NewInt(42)) || !v.Withdrawable.Amount.Equal(sdkmath.NewInt(14)) || !v.Unaccrued.Amount.Equal(sdkmath.NewInt(58)) || v.Exhausted {
		t.Fatalf("view at 120: %+v", v)
	}
	// It runs out at 145: the exhaust event, the rest withdrawn, and then
	// anyone may close it (nothing to refund).
	ctx := s.at(150)
	if _, err := s.ms.WithdrawStream(ctx, &types.MsgWithdrawStream{Payee: payee.String(), StreamId: id}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(eventTypes(ctx), "agentchain.escrow.v1.EventStreamExhausted") {
		t.Fatalf("events %v", eventTypes(ctx))
	}
	if st := s.stream(id); st.ExhaustedHeight != 145 || !st.Withdrawn.Amount.Equal(sdkmath.NewInt(100)) {
		t.Fatalf("after running out: %+v", st)
	}
	if _, err := s.ms.CloseStream(s.at(151), &types.MsgCloseStream{Signer: s.addr(5).String(), StreamId: id}); err != nil {
		t.Fatal(err)
	}
	s.audit()
	if got := s.balance(payee).Sub(payeeBefore); !got.Equal(sdkmath.NewInt(100)) {
		t.Fatalf("payee received %s, want 100", got)
	}
	if st := s.stream(id); st.Status != types.STREAM_STATUS_CLOSED || st.ClosedHeight != 151 {
		t.Fatalf("closed: %+v", st)
	}
}

// A top-up of a stream that ran out starts accruing from the top-up: the
// blocks it stood empty are not charged.
func TestStreamTopUpAfterRunningOut(t *testing.T) {
	s := newSuite(t)
	payer, payee := s.addr(0), s.addr(1)
	id := s.openStream(10, &types.MsgOpenStream{Payer: payer.String(), Payee: payee.String(), Rate: coin(5), Deposit: coin(50)})
	// Runs out at 20; topped up at 40 with 30: accrues 5 a block from 40.
	if !s.stream(id).Exhausted(25) || s.stream(id).Exhausted(19) {
		t.Fatal("exhaustion")
	}
	s.expectRefused(types.ErrStreamUnauthorized, func(ctx sdk.Context) error {
		_, err := s.ms.TopUpStream(ctx.WithBlockHeight(40), &types.MsgTopUpStream{Payer: payee.String(), StreamId: id, Amount: coin(30)})
		return err
	})
	s.expectRefused(types.ErrInvalidAmount, func(ctx sdk.Context) error {
		_, err := s.ms.TopUpStream(ctx.WithBlockHeight(40), &types.MsgTopUpStream{Payer: payer.String(), StreamId: id, Amount: sdk.NewInt64Coin("ustable", 30)})
		return err
	})
	if _, err := s.ms.TopUpStream(s.at(40), &types.MsgTopUpStream{Payer: payer.String(), StreamId: id, Amount: coin(30)}); err != nil {
		t.Fatal(err)
	}
	s.audit()
	st := s.stream(id)
	for h, want := range map[int64]int64{40: 50, 41: 55, 45: 75, 46: 80, 60: 80} {
		if got := st.Accrued(h); !got.Equal(sdkmath.NewInt(want)) {
			t.Errorf("accrued at %d = %s, want %d", h, got, want)
		}
	}
	// Not ran out yet, no end: close is refused; the payer cancels.
	s.expectRefused(types.ErrStreamNotDue, func(ctx sdk.Context) error {
		_, err := s.ms.CloseStream(ctx.WithBlockHeight(43), &types.MsgCloseStream{Signer: payee.String(), StreamId: id})
		return err
	})
	payerBefore, payeeBefore := s.balance(payer), s.balance(payee)
	s.expectRefused(types.ErrStreamUnauthorized, func(ctx sdk.Context) error {
		_, err := s.ms.CancelStream(ctx.WithBlockHeight(43), &types.MsgCancelStream{Signer: s.addr(3).String(), StreamId: id})
		return err
	})
	res, err := s.ms.CancelStream(s.at(43), &types.MsgCancelStream{Signer: payer.String(), StreamId: id})
	if err != nil {
		t.Fatal(err)
	}
	s.audit()
	if !res.Paid.Amount.Equal(sdkmath.NewInt(65)) || !res.Refunded.Amount.Equal(sdkmath.NewInt(15)) {
		t.Fatalf("cancel at 43: paid %s refunded %s, want 65 and 15", res.Paid, res.Refunded)
	}
	if !s.balance(payee).Sub(payeeBefore).Equal(sdkmath.NewInt(65)) || !s.balance(payer).Sub(payerBefore).Equal(sdkmath.NewInt(15)) {
		t.Fatal("balances do not match the cancel")
	}
	// Closed: every action refused.
	s.expectRefused(types.ErrStreamStatus, func(ctx sdk.Context) error {
		_, err := s.ms.TopUpStream(ctx.WithBlockHeight(44), &types.MsgTopUpStream{Payer: payer.String(), StreamId: id, Amount: coin(1)})
		return err
	})
	s.expectRefused(types.ErrStreamStatus, func(ctx sdk.Context) error {
		_, err := s.ms.CancelStream(ctx.WithBlockHeight(44), &types.MsgCancelStream{Signer: payer.String(), StreamId: id})
		return err
	})
	s.expectRefused(types.ErrStreamStatus, func(ctx sdk.Context) error {
		_, err := s.ms.WithdrawStream(ctx.WithBlockHeight(44), &types.MsgWithdrawStream{Payee: payee.String(), StreamId: id})
		return err
	})
}

// A cliff holds everything back until it passes; an end height stops
// accrual, and the withdrawal after it refunds the rest and closes.
func TestStreamCliffAndEnd(t *testing.T) {
	s := newSuite(t)
	payer, payee := s.addr(0), s.addr(1)
	id := s.openStream(10, &types.MsgOpenStream{
		Payer: payer.String(), Payee: payee.String(), Rate: coin(2), Deposit: coin(100),
		StartHeight: 20, CliffHeight: 30, EndHeight: 40,
	})
	s.expectRefused(types.ErrNothingAccrued, func(ctx sdk.Context) error {
		_, err := s.ms.WithdrawStream(ctx.WithBlockHeight(29), &types.MsgWithdrawStream{Payee: payee.String(), StreamId: id})
		return err
	})
	st := s.stream(id)
	if !st.Accrued(29).IsZero() || !st.Accrued(30).Equal(sdkmath.NewInt(20)) || !st.Accrued(100).Equal(sdkmath.NewInt(40)) {
		t.Fatalf("accrual around the cliff and end: %s %s %s", st.Accrued(29), st.Accrued(30), st.Accrued(100))
	}
	if got := s.withdraw(30, payee, id); !got.Equal(sdkmath.NewInt(20)) {
		t.Fatalf("at the cliff %s", got)
	}
	payerBefore := s.balance(payer)
	if got := s.withdraw(55, payee, id); !got.Equal(sdkmath.NewInt(20)) {
		t.Fatalf("after the end %s", got)
	}
	if st := s.stream(id); st.Status != types.STREAM_STATUS_CLOSED || !st.Refunded.Amount.Equal(sdkmath.NewInt(60)) {
		t.Fatalf("after the end: %+v", st)
	}
	if !s.balance(payer).Sub(payerBefore).Equal(sdkmath.NewInt(60)) {
		t.Fatal("the unaccrued 60 went back to the payer")
	}
}

// Bad terms, unknown ids, wrong signers and module streams are refused
// with the module's errors and change nothing.
func TestStreamRefusals(t *testing.T) {
	s := newSuite(t)
	payer, payee := s.addr(0), s.addr(1)
	h := int64(100)
	open := func(m types.MsgOpenStream) func(ctx sdk.Context) error {
		return func(ctx sdk.Context) error {
			ctx = ctx.WithBlockHeight(h)
			if m.Payer == "" {
				m.Payer = payer.String()
			}
			if m.Payee == "" {
				m.Payee = payee.String()
			}
			_, err := s.ms.OpenStream(ctx, &m)
			return err
		}
	}
	for name, c := range map[string]struct {
		msg  types.MsgOpenStream
		want error
	}{
		"zero rate":               {types.MsgOpenStream{Rate: coin(0), Deposit: coin(10)}, types.ErrInvalidStream},
		"deposit below a rate":    {types.MsgOpenStream{Rate: coin(11), Deposit: coin(10)}, types.ErrInvalidStream},
		"denom not allowed":       {types.MsgOpenStream{Rate: sdk.NewInt64Coin("uother", 1), Deposit: sdk.NewInt64Coin("uother", 10)}, types.ErrDenomNotAllowed},
		"mixed denoms":            {types.MsgOpenStream{Rate: sdk.NewInt64Coin("uother", 1), Deposit: coin(10)}, types.ErrInvalidStream},
		"start in the past":       {types.MsgOpenStream{Rate: coin(1), Deposit: coin(10), StartHeight: h - 1}, types.ErrInvalidStream},
		"end before a period":     {types.MsgOpenStream{Rate: coin(1), Deposit: coin(10), PeriodBlocks: 5, StartHeight: h, EndHeight: h + 4}, types.ErrInvalidStream},
		"cliff after the end":     {types.MsgOpenStream{Rate: coin(1), Deposit: coin(10), EndHeight: h + 10, CliffHeight: h + 10}, types.ErrInvalidStream},
		"cliff out of reach":      {types.MsgOpenStream{Rate: coin(1), Deposit: coin(10), CliffHeight: h + 11}, types.ErrInvalidStream},
		"self stream":             {types.MsgOpenStream{Payee: payer.String(), Rate: coin(1), Deposit: coin(10)}, types.ErrSelfEscrow},
		"bad payee":               {types.MsgOpenStream{Payee: "agent1nope", Rate: coin(1), Deposit: coin(10)}, types.ErrInvalidAddress},
		"more than the payer has": {types.MsgOpenStream{Rate: coin(1), Deposit: coin(2_000_000_000_000)}, types.ErrLockRefused},
		"long reference":          {types.MsgOpenStream{Rate: coin(1), Deposit: coin(10), Reference: string(make([]byte, 129))}, types.ErrFieldTooLong},
		"negative deposit":        {types.MsgOpenStream{Rate: coin(1), Deposit: sdk.Coin{Denom: app.BaseDenom, Amount: sdkmath.NewInt(-10)}}, types.ErrInvalidAmount},
		"nil deposit":             {types.MsgOpenStream{Rate: coin(1), Deposit: sdk.Coin{Denom: app.BaseDenom}}, types.ErrInvalidAmount},
		"negative rate":           {types.MsgOpenStream{Rate: sdk.Coin{Denom: app.BaseDenom, Amount: sdkmath.NewInt(-1)}, Deposit: coin(10)}, types.ErrInvalidStream},
		"huge rate and deposit": {types.MsgOpenStream{
			Rate:    sdk.NewCoin(app.BaseDenom, sdkmath.NewIntFromBigInt(new(big.Int).Lsh(big.NewInt(1), 200))),
			Deposit: sdk.NewCoin(app.BaseDenom, sdkmath.NewIntFromBigInt(new(big.Int).Lsh(big.NewInt(1), 200))), CliffHeight: 1 << 40,
		}, types.ErrInvalidStream},
	} {
		t.Run(name, func(t *testing.T) { s.t = t; s.expectRefused(c.want, open(c.msg)) })
	}
	s.t = t
	s.expectRefused(types.ErrStreamNotFound, func(ctx sdk.Context) error {
		_, err := s.ms.WithdrawStream(ctx, &types.MsgWithdrawStream{Payee: payee.String(), StreamId: 99})
		return err
	})
	id := s.openStream(h, &types.MsgOpenStream{Payer: payer.String(), Payee: payee.String(), Rate: coin(1), Deposit: coin(10)})
	s.expectRefused(types.ErrStreamUnauthorized, func(ctx sdk.Context) error {
		_, err := s.ms.WithdrawStream(ctx.WithBlockHeight(h+5), &types.MsgWithdrawStream{Payee: payer.String(), StreamId: id})
		return err
	})
	// A module's stream moves only through its module.
	mid, err := s.k.OpenModuleStream(s.at(h), "market", keeper.StreamSpec{Payer: payer, Payee: payee, Rate: coin(1), Deposit: coin(10)})
	if err != nil {
		t.Fatal(err)
	}
	s.audit()
	s.expectRefused(types.ErrStreamNotDirect, func(ctx sdk.Context) error {
		_, err := s.ms.CancelStream(ctx, &types.MsgCancelStream{Signer: payer.String(), StreamId: mid})
		return err
	})
	s.expectRefused(types.ErrStreamNotDirect, func(ctx sdk.Context) error {
		_, err := s.ms.WithdrawStream(ctx.WithBlockHeight(h+3), &types.MsgWithdrawStream{Payee: payee.String(), StreamId: mid})
		return err
	})
	if _, err := s.k.PauseModuleStream(s.at(h+1), "other", mid); err == nil {
		t.Fatal("another module paused the market's stream")
	}
}

// A module stream pauses (whole periods kept, the partial one the
// payer's), resumes, and pays fees out of each withdrawal.
func TestModuleStreamPauseAndFees(t *testing.T) {
	s := newSuite(t)
	payer, payee := s.addr(0), s.addr(1)
	mid, err := s.k.OpenModuleStream(s.at(10), "market", keeper.StreamSpec{
		Payer: payer, Payee: payee, Rate: coin(10), PeriodBlocks: 2, Deposit: coin(1000), StartHeight: 10, EndHeight: 110,
	})
	if err != nil {
		t.Fatal(err)
	}
	// 3 blocks: one whole period (10); paused at 13 keeps 10.
	if _, err := s.k.PauseModuleStream(s.at(13), "market", mid); err != nil {
		t.Fatal(err)
	}
	if _, err := s.k.PauseModuleStream(s.at(14), "market", mid); err == nil {
		t.Fatal("paused twice")
	}
	if got := s.stream(mid).Accrued(50); !got.Equal(sdkmath.NewInt(10)) {
		t.Fatalf("accrued while paused %s", got)
	}
	if _, err := s.k.ResumeModuleStream(s.at(50), "market", mid); err != nil {
		t.Fatal(err)
	}
	if got := s.stream(mid).Accrued(54); !got.Equal(sdkmath.NewInt(30)) {
		t.Fatalf("accrued after resuming %s", got)
	}
	fees := func(paid sdk.Coin) []keeper.Payment {
		return []keeper.Payment{{Module: "fee_collector", Amount: sdk.NewCoins(sdk.NewCoin(paid.Denom, paid.Amount.QuoRaw(10)))}}
	}
	payeeBefore := s.balance(payee)
	if _, paid, err := s.k.WithdrawModuleStream(s.at(54), "market", mid, fees); err != nil || !paid.Amount.Equal(sdkmath.NewInt(30)) {
		t.Fatalf("withdraw %s %v", paid, err)
	}
	if got := s.balance(payee).Sub(payeeBefore); !got.Equal(sdkmath.NewInt(27)) {
		t.Fatalf("payee got %s, want 27 after a 3 fee", got)
	}
	s.audit()
	_, paid, refunded, err := s.k.CloseModuleStream(s.at(60), "market", mid, "cancel", fees)
	if err != nil {
		t.Fatal(err)
	}
	if !paid.Amount.Equal(sdkmath.NewInt(30)) || !refunded.Amount.Equal(sdkmath.NewInt(940)) {
		t.Fatalf("close: paid %s refunded %s", paid, refunded)
	}
	s.audit()
}

// The escrow/indexes invariant notices a status entry that moved (save
// moves the indexes without reading the escrow back).
func TestEscrowIndexesInvariant(t *testing.T) {
	s := newSuite(t)
	id := s.create(s.addr(0), s.addr(1), 1_000, nil, 0)
	if _, err := s.ms.Release(s.ctx(), &types.MsgRelease{Payer: s.addr(0).String(), EscrowId: id, Amount: uagnt(400)}); err != nil {
		t.Fatal(err)
	}
	check := func() []string {
		for _, inv := range s.k.Invariants() {
			if inv.Name == "escrow/indexes" {
				broken, err := inv.Check(s.ctx())
				if err != nil {
					t.Fatal(err)
				}
				return broken
			}
		}
		t.Fatal("no escrow/indexes invariant")
		return nil
	}
	if got := check(); len(got) != 0 {
		t.Fatalf("a clean state: %v", got)
	}
	if _, err := s.ms.Release(s.ctx(), &types.MsgRelease{Payer: s.addr(0).String(), EscrowId: id}); err != nil {
		t.Fatal(err)
	}
	if got := check(); len(got) != 0 {
		t.Fatalf("after closing: %v", got)
	}
	status := s.k.Escrows.Indexes.Status.Keys()
	if err := status.Remove(s.ctx(), collections.Join(int32(types.ESCROW_STATUS_CLOSED), id)); err != nil {
		t.Fatal(err)
	}
	if err := status.Set(s.ctx(), collections.Join(int32(types.ESCROW_STATUS_LOCKED), id)); err != nil {
		t.Fatal(err)
	}
	if got := check(); len(got) != 2 {
		t.Fatalf("a moved status entry: %v", got)
	}
}
