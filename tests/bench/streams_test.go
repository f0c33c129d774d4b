package bench

import (
	"testing"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
	escrowkeeper "github.com/agentchain/agentchain/x/escrow/keeper"
	"github.com/agentchain/agentchain/x/escrow/types"
)

func init() {
	rows = append(rows,
		TxRow{Name: "escrow OpenStream", Target: "≥ 0.8", Work: &openStream{}},
		TxRow{Name: "escrow WithdrawStream", Target: "≥ 0.8", Work: &withdrawStream{}},
	)
	compareRows = append(compareRows, CompareRow{
		Name:   "escrow WithdrawStream (100 a block), by open streams",
		Target: "≈ 1",
		SizeA:  100, SizeB: 100_000,
		SmokeA: 100, SmokeB: 1_000,
		Setup: setupOpenStreams,
		Step:  stepWithdrawStreams,
	})
}

func coin1(n int64) sdk.Coin { return sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(n)) }

// openStream opens a stream per tx: 1 uagnt a block out of 1,000, with an
// end height (the deposit moves, the record and both indexes are written).
type openStream struct {
	pool []*apptest.Account
	i    int
}

func (w *openStream) Setup(e *Env, _, _ int) { w.pool = e.Pool(100) }

func (w *openStream) Block(e *Env, n int) [][]byte {
	txs := make([][]byte, n)
	for k := range txs {
		payer, payee := w.pool[w.i%len(w.pool)], w.pool[(w.i+1)%len(w.pool)]
		w.i++
		txs[k] = e.Sign(payer, apptest.Tx{Msgs: []sdk.Msg{&types.MsgOpenStream{
			Payer: payer.Addr.String(), Payee: payee.Addr.String(), Rate: coin1(1), Deposit: coin1(1000), EndHeight: e.Height + 10_000,
		}}})
	}
	return txs
}

// withdrawStream withdraws what accrued from a stream (opened in setup)
// per tx: the transfer to the payee and the record's update.
type withdrawStream struct {
	pool  []*apptest.Account
	next  uint64
	payee map[uint64]*apptest.Account
}

func (w *withdrawStream) Setup(e *Env, n, blocks int) {
	w.pool = e.Pool(100)
	w.payee = map[uint64]*apptest.Account{}
	first, err := e.EscrowKeeper.StreamSeq.Peek(e.Ctx())
	if err != nil {
		e.TB.Fatal(err)
	}
	w.next = max(first, 1)
	id := w.next
	for b := 0; b < blocks; b++ {
		txs := make([][]byte, n)
		for k := range txs {
			payer, payee := w.pool[k%len(w.pool)], w.pool[(k+1)%len(w.pool)]
			txs[k] = e.Sign(payer, apptest.Tx{Msgs: []sdk.Msg{&types.MsgOpenStream{
				Payer: payer.Addr.String(), Payee: payee.Addr.String(), Rate: coin1(1), Deposit: coin1(1_000_000),
			}}})
			w.payee[id] = payee
			id++
		}
		e.SetupBlock(txs)
	}
}

func (w *withdrawStream) Block(e *Env, n int) [][]byte {
	txs := make([][]byte, n)
	for k := range txs {
		payee := w.payee[w.next]
		txs[k] = e.Sign(payee, apptest.Tx{Msgs: []sdk.Msg{&types.MsgWithdrawStream{Payee: payee.Addr.String(), StreamId: w.next}}})
		w.next++
	}
	return txs
}

const withdrawsPerBlock = 100

// setupOpenStreams builds a chain holding size open streams, plus the
// withdrawsPerBlock streams the measured blocks withdraw from (the first
// ones opened, so the big chain's streams all come after them).
func setupOpenStreams(tb testing.TB, size, _ int) *Env {
	e := newEnv(tb, 50)
	ms := escrowkeeper.NewMsgServerImpl(e.EscrowKeeper)
	ctx := e.Ctx()
	for i := 0; i < withdrawsPerBlock+size; i++ {
		payer, payee := e.Accounts[i%25], e.Accounts[25+i%25]
		if _, err := ms.OpenStream(ctx, &types.MsgOpenStream{
			Payer: payer.Addr.String(), Payee: payee.Addr.String(), Rate: coin1(1 + int64(i%7)), Deposit: coin1(1_000_000),
		}); err != nil {
			tb.Fatal(err)
		}
	}
	e.NextBlock(nil) // commit the setup
	return e
}

// stepWithdrawStreams executes a block in which the payees of the first
// withdrawsPerBlock streams withdraw what accrued since the last step.
func stepWithdrawStreams(tb testing.TB, e *Env, measure func(func())) int {
	e.NextBlock(nil) // something accrues
	txs := make([][]byte, withdrawsPerBlock)
	for i := range txs {
		payee := e.Accounts[25+i%25]
		txs[i] = e.Sign(payee, apptest.Tx{Msgs: []sdk.Msg{&types.MsgWithdrawStream{Payee: payee.Addr.String(), StreamId: uint64(i + 1)}}})
	}
	var done int
	measure(func() {
		res, err := e.FinalizeAndCommit(txs)
		if err != nil {
			tb.Fatal(err)
		}
		for _, r := range res.TxResults {
			if r.Code == 0 {
				done++
			}
		}
	})
	if done != withdrawsPerBlock {
		tb.Fatalf("block %d: %d of %d withdrawals succeeded", e.Height, done, withdrawsPerBlock)
	}
	return done
}
