package keeper_test

import (
	"encoding/json"
	"math/rand/v2"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"cosmossdk.io/collections"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	distrtypes "github.com/cosmos/cosmos-sdk/x/distribution/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"

	"github.com/agentchain/agentchain/testutil/apptest"

	"github.com/agentchain/agentchain/x/escrow/types"
)

func countEvents(res *abci.ResponseFinalizeBlock, typ string) int {
	n := 0
	for _, e := range res.Events {
		if e.Type == typ {
			n++
		}
	}
	return n
}

func setParams(t *testing.T, s *suite, f func(p *types.Params)) {
	t.Helper()
	p := types.DefaultParams()
	f(&p)
	if _, err := s.ms.UpdateParams(s.ctx(), &types.MsgUpdateParams{
		Authority: authtypes.NewModuleAddress(govtypes.ModuleName).String(), Params: p,
	}); err != nil {
		t.Fatal(err)
	}
}

// 10,000 escrows expiring at one height are all refunded within
// ceil(10,000 / max) blocks, no block doing more than max of them, and a
// poisoned item does not stop the others.
func TestEndBlockFloodIsBoundedAndContained(t *testing.T) {
	s := newSuite(t)
	const n, max = 10_000, 1_000
	setParams(t, s, func(p *types.Params) { p.MaxExpirationsPerBlock = max })
	expiry := s.ctx().BlockHeight() + 3
	ctx := s.ctx()
	ids := make([]uint64, 0, n)
	for i := 0; i < n; i++ {
		res, err := s.ms.CreateEscrow(ctx, &types.MsgCreateEscrow{
			Payer: s.addr(i % 4).String(), Payee: s.addr(4 + i%4).String(), Amount: uagnt(int64(1 + i%97)), ExpiresHeight: expiry,
		})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, res.Id)
	}
	s.audit()

	// Poison one: its payer is now an address that may not receive coins,
	// so its refund fails.
	poisoned := ids[n/2]
	e := s.escrow(poisoned)
	e.Payer = authtypes.NewModuleAddress(authtypes.FeeCollectorName).String()
	if err := s.k.Escrows.Set(s.ctx(), poisoned, e); err != nil {
		t.Fatal(err)
	}
	s.audit()

	for s.ta.Height < expiry-1 {
		s.ta.NextBlock(nil)
	}
	blocks := 0
	totalClosed, failed := 0, 0
	for totalClosed+failed < n {
		res := s.ta.NextBlock(nil)
		blocks++
		closed := countEvents(res, "agentchain.escrow.v1.EventEscrowClosed")
		bad := countEvents(res, "agentchain.escrow.v1.EventQueueItemFailed")
		if closed+bad > max {
			t.Fatalf("block %d settled %d escrows, more than %d", s.ta.Height, closed+bad, max)
		}
		totalClosed += closed
		failed += bad
		s.audit()
		if blocks > n/max+1 {
			t.Fatalf("still %d escrows unsettled after %d blocks", n-totalClosed-failed, blocks)
		}
	}
	if want := (n + max - 1) / max; blocks != want {
		t.Fatalf("took %d blocks, want %d", blocks, want)
	}
	if failed != 1 || totalClosed != n-1 {
		t.Fatalf("%d closed, %d failed", totalClosed, failed)
	}
	if got := s.escrow(poisoned); got.Status != types.ESCROW_STATUS_LOCKED {
		t.Fatalf("the poisoned escrow is %s; it must be left as it was", got.Status)
	}
	if has, _ := s.k.ExpiryQueue.Has(s.ctx(), collections.Join(expiry, poisoned)); has {
		t.Fatal("the poisoned escrow is still queued")
	}
	for _, id := range []uint64{ids[0], ids[n-1]} {
		if got := s.escrow(id); got.Status != types.ESCROW_STATUS_CLOSED || !got.Refunded.Equal(got.Amount) {
			t.Fatalf("escrow %d: %+v", id, got)
		}
	}
}

// An unresolved dispute settles by the default split once its deadline
// passes.
func TestDisputeTimeoutDefaultSplit(t *testing.T) {
	s := newSuite(t)
	setParams(t, s, func(p *types.Params) { p.DisputeTimeoutBlocks = 4; p.DefaultPayeeShareBps = 2500 })
	payer, payee := s.addr(0), s.addr(1)
	id := s.create(payer, payee, 1003, s.addr(2), s.ctx().BlockHeight()+2)
	if _, err := s.ms.OpenDispute(s.ctx(), &types.MsgOpenDispute{Signer: payer.String(), EscrowId: id, Reason: types.DISPUTE_REASON_NOT_AS_AGREED, EvidenceHash: hash("x")}); err != nil {
		t.Fatal(err)
	}
	payerBefore, payeeBefore := s.balance(payer), s.balance(payee)
	// The expiry no longer applies: the dispute holds it until its deadline.
	for i := 0; i < 3; i++ {
		s.ta.NextBlock(nil)
		if e := s.escrow(id); e.Status != types.ESCROW_STATUS_DISPUTED {
			t.Fatalf("settled early at height %d", s.ta.Height)
		}
	}
	res := s.ta.NextBlock(nil)
	if countEvents(res, "agentchain.escrow.v1.EventEscrowResolved") != 1 {
		t.Fatal("no resolution event")
	}
	s.audit()
	// No arbiter fee on a timeout: 25% of 1003 = 250 (250.75 rounded down), payer 753.
	if p, r := s.balance(payee).Sub(payeeBefore), s.balance(payer).Sub(payerBefore); p.Int64() != 250 || r.Int64() != 753 {
		t.Fatalf("timeout split payee %s payer %s", p, r)
	}
	if e := s.escrow(id); e.Status != types.ESCROW_STATUS_CLOSED || e.Dispute.ResolvedBy != "timeout" {
		t.Fatalf("after timeout %+v", e)
	}
}

// A long random sequence of valid and invalid operations, direct and
// module-owned, with blocks in between: after every step the module account
// holds exactly what open escrows hold and no coin appears or vanishes;
// at the end every escrow is closed.
func TestRandomizedConservation(t *testing.T) {
	// No inflation: blocks then move coins (fees swept from the fee
	// collector to distribution) but never create them.
	s := newSuite(t, func(o *apptest.Options) {
		o.ModifyGenesis = func(cdc codec.Codec, state map[string]json.RawMessage) {
			var mg minttypes.GenesisState
			cdc.MustUnmarshalJSON(state[minttypes.ModuleName], &mg)
			mg.Minter.Inflation = sdkmath.LegacyZeroDec()
			mg.Params.InflationMin = sdkmath.LegacyZeroDec()
			mg.Params.InflationMax = sdkmath.LegacyZeroDec()
			mg.Params.InflationRateChange = sdkmath.LegacyZeroDec()
			state[minttypes.ModuleName] = cdc.MustMarshalJSON(&mg)
		}
	})
	setParams(t, s, func(p *types.Params) {
		p.DisputeTimeoutBlocks = 5
		p.MaxExpirationsPerBlock = 3
		p.ArbiterFeeBps = 250
	})
	rng := rand.New(rand.NewPCG(42, 7))
	authority := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	feeCollector := authtypes.NewModuleAddress(authtypes.FeeCollectorName)
	const mod = "market"
	var all []uint64

	// Every coin is in an account, the escrow module, the fee collector or
	// distribution (which sweeps the fee collector every block).
	distribution := authtypes.NewModuleAddress(distrtypes.ModuleName)
	total := func() sdkmath.Int {
		sum := s.ta.BankKeeper.GetBalance(s.ctx(), s.k.ModuleAddress(), "uagnt").Amount
		sum = sum.Add(s.ta.BankKeeper.GetBalance(s.ctx(), feeCollector, "uagnt").Amount)
		sum = sum.Add(s.ta.BankKeeper.GetBalance(s.ctx(), distribution, "uagnt").Amount)
		for _, a := range s.ta.Accounts {
			sum = sum.Add(s.balance(a.Addr))
		}
		return sum
	}
	start := total()
	acct := func() sdk.AccAddress { return s.addr(rng.IntN(len(s.ta.Accounts))) }
	pick := func() (types.Escrow, bool) {
		if len(all) == 0 {
			return types.Escrow{}, false
		}
		return s.escrow(all[rng.IntN(len(all))]), true
	}
	part := func(e types.Escrow) sdk.Coins {
		rem := e.Remaining()
		if rem.IsZero() || rng.IntN(3) == 0 {
			return nil // all
		}
		return sdk.NewCoins(sdk.NewCoin("uagnt", sdkmath.NewInt(1+rng.Int64N(rem.AmountOf("uagnt").Int64()+3))))
	}
	ops, ok, refused := 0, 0, 0
	for ops < 1500 {
		ops++
		ctx := s.ctx()
		var err error
		switch rng.IntN(12) {
		case 0, 1:
			payer, payee := acct(), acct()
			var arb string
			if rng.IntN(2) == 0 {
				arb = acct().String()
			}
			var exp int64
			if rng.IntN(2) == 0 {
				exp = ctx.BlockHeight() + 1 + rng.Int64N(8)
			}
			var res *types.MsgCreateEscrowResponse
			res, err = s.ms.CreateEscrow(ctx, &types.MsgCreateEscrow{Payer: payer.String(), Payee: payee.String(), Amount: uagnt(1 + rng.Int64N(10_000)), Arbiter: arb, ExpiresHeight: exp})
			if err == nil {
				all = append(all, res.Id)
			}
		case 2:
			var payee sdk.AccAddress
			if rng.IntN(2) == 0 {
				payee = acct()
			}
			var id uint64
			id, err = s.k.Lock(ctx, mod, acct(), payee, uagnt(1+rng.Int64N(10_000)), "random")
			if err == nil {
				all = append(all, id)
			}
		case 3:
			if e, has := pick(); has {
				_, err = s.ms.Release(ctx, &types.MsgRelease{Payer: e.Payer, EscrowId: e.Id, Amount: part(e)})
			}
		case 4:
			if e, has := pick(); has {
				signer := e.Payee
				if rng.IntN(4) == 0 {
					signer = acct().String()
				}
				_, err = s.ms.Refund(ctx, &types.MsgRefund{Signer: signer, EscrowId: e.Id, Amount: part(e)})
			}
		case 5:
			if e, has := pick(); has {
				signer := e.Payer
				if rng.IntN(2) == 0 {
					signer = e.Payee
				}
				_, err = s.ms.OpenDispute(ctx, &types.MsgOpenDispute{Signer: signer, EscrowId: e.Id, Reason: types.DisputeReason(1 + rng.IntN(4)), EvidenceHash: hash("r")})
			}
		case 6:
			if e, has := pick(); has {
				signer := e.Arbiter
				if signer == "" || rng.IntN(3) == 0 {
					signer = authority
				}
				_, err = s.ms.ResolveDispute(ctx, &types.MsgResolveDispute{Signer: signer, EscrowId: e.Id, PayeeShareBps: uint32(rng.IntN(10_001))})
			}
		case 7:
			if e, has := pick(); has {
				err = s.k.SetPayee(ctx, mod, e.Id, acct())
			}
		case 8:
			if e, has := pick(); has {
				rem := e.Remaining().AmountOf("uagnt").Int64()
				fee := rng.Int64N(rem/10 + 1)
				pay := rng.Int64N(rem + 2)
				err = s.k.Release(ctx, mod, e.Id, uagnt(pay), keeperPayment(authtypes.FeeCollectorName, fee))
			}
		case 9:
			if e, has := pick(); has {
				err = s.k.Refund(ctx, mod, e.Id, part(e))
			}
		case 10:
			if e, has := pick(); has {
				err = s.k.Resolve(ctx, mod, e.Id, uint32(rng.IntN(10_001)), keeperAccountPayment(acct(), rng.Int64N(50)))
			}
		case 11:
			s.ta.NextBlock(nil)
		}
		if err != nil {
			refused++
		} else {
			ok++
		}
		s.audit()
		if got := total(); !got.Equal(start) {
			t.Fatalf("op %d: coins in play %s, started with %s", ops, got, start)
		}
	}
	if ok < 500 || refused < 100 {
		t.Fatalf("the sequence should mix outcomes: %d applied, %d refused", ok, refused)
	}

	// Wind down: give every module escrow a payee and release it, let the
	// payee refund every direct one, and let disputes settle.
	for _, id := range all {
		e := s.escrow(id)
		if e.Status == types.ESCROW_STATUS_CLOSED {
			continue
		}
		if !e.IsDirect() {
			if e.Payee == "" {
				if err := s.k.SetPayee(s.ctx(), mod, id, s.addr(7)); err != nil {
					if err := s.k.SetPayee(s.ctx(), mod, id, s.addr(6)); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := s.k.Release(s.ctx(), mod, id, s.escrow(id).Remaining()); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if _, err := s.ms.Refund(s.ctx(), &types.MsgRefund{Signer: e.Payee, EscrowId: id}); err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < 10; i++ {
		s.ta.NextBlock(nil)
	}
	s.audit()
	for _, id := range all {
		if e := s.escrow(id); e.Status != types.ESCROW_STATUS_CLOSED {
			t.Fatalf("escrow %d still %s", id, e.Status)
		}
	}
	if held, _ := s.k.Held(s.ctx()); !held.IsZero() {
		t.Fatalf("books still hold %s", held)
	}
	if bal := s.ta.BankKeeper.GetAllBalances(s.ctx(), s.k.ModuleAddress()); !bal.IsZero() {
		t.Fatalf("module account still holds %s", bal)
	}
	if got := total(); !got.Equal(start) {
		t.Fatalf("coins in play %s, started with %s", got, start)
	}
	t.Logf("%d operations: %d applied, %d refused, %d escrows", ops, ok, refused, len(all))
}
