package bench

import (
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/testutil/apptest"
	escrowkeeper "github.com/agentchain/agentchain/x/escrow/keeper"
	"github.com/agentchain/agentchain/x/escrow/types"
)

func init() {
	rows = append(rows,
		TxRow{Name: "escrow CreateEscrow", Target: "≥ 0.85", Work: &createEscrow{}},
		TxRow{Name: "escrow Release", Target: "≥ 0.7", Work: &releaseEscrow{}},
	)
	compareRows = append(compareRows, CompareRow{
		Name:   "escrow EndBlock, 100 expiring, by open escrows",
		Target: "≈ 1",
		SizeA:  100, SizeB: 100_000,
		SmokeA: 100, SmokeB: 1_000,
		Setup: setupExpiringEscrows,
		Step:  stepExpiringBlock,
	})
}

// createEscrow locks 1,000 uagnt for a payee per tx, with an arbiter and an
// expiry: every index and the expiry queue are written.
type createEscrow struct {
	pool []*apptest.Account
	i    int
}

func (w *createEscrow) Setup(e *Env, _, _ int) { w.pool = e.Pool(100) }

func (w *createEscrow) Block(e *Env, n int) [][]byte {
	txs := make([][]byte, n)
	for k := range txs {
		payer, payee, arb := w.pool[w.i%len(w.pool)], w.pool[(w.i+1)%len(w.pool)], w.pool[(w.i+2)%len(w.pool)]
		w.i++
		txs[k] = e.Sign(payer, apptest.Tx{Msgs: []sdk.Msg{&types.MsgCreateEscrow{
			Payer: payer.Addr.String(), Payee: payee.Addr.String(), Amount: coins(1000),
			Arbiter: arb.Addr.String(), ExpiresHeight: e.Height + 100_000,
		}}})
	}
	return txs
}

// releaseEscrow releases a whole escrow (created in setup) per tx: the
// transfer out, the status change and the closing.
type releaseEscrow struct {
	pool  []*apptest.Account
	next  uint64
	payer map[uint64]*apptest.Account
}

func (w *releaseEscrow) Setup(e *Env, n, blocks int) {
	w.pool = e.Pool(100)
	w.payer = map[uint64]*apptest.Account{}
	first, err := e.EscrowKeeper.EscrowSeq.Peek(e.Ctx())
	if err != nil {
		e.TB.Fatal(err)
	}
	if first == 0 {
		first = 1
	}
	w.next = first
	id := first
	for b := 0; b < blocks; b++ {
		txs := make([][]byte, n)
		for k := range txs {
			payer, payee := w.pool[k%len(w.pool)], w.pool[(k+1)%len(w.pool)]
			txs[k] = e.Sign(payer, apptest.Tx{Msgs: []sdk.Msg{&types.MsgCreateEscrow{
				Payer: payer.Addr.String(), Payee: payee.Addr.String(), Amount: coins(1000),
			}}})
			w.payer[id] = payer
			id++
		}
		e.SetupBlock(txs)
	}
}

func (w *releaseEscrow) Block(e *Env, n int) [][]byte {
	txs := make([][]byte, n)
	for k := range txs {
		payer := w.payer[w.next]
		txs[k] = e.Sign(payer, apptest.Tx{Msgs: []sdk.Msg{&types.MsgRelease{Payer: payer.Addr.String(), EscrowId: w.next}}})
		w.next++
	}
	return txs
}

const expiringPerBlock = 100

// blocksPerStep is how many blocks one measured step of the expiring
// escrows row runs: a single block's 100 closings take a few tens of
// milliseconds, too short to measure apart from the machine's noise.
const blocksPerStep = 5

// setupExpiringEscrows builds a chain with size open escrows that never
// expire, plus expiringPerBlock escrows expiring at each of the next
// steps*blocksPerStep blocks.
func setupExpiringEscrows(tb testing.TB, size, steps int) *Env {
	e := newEnv(tb, 50)
	ms := escrowkeeper.NewMsgServerImpl(e.EscrowKeeper)
	ctx := e.Ctx()
	create := func(i int, expires int64) {
		payer, payee := e.Accounts[i%25], e.Accounts[25+i%25]
		if _, err := ms.CreateEscrow(ctx, &types.MsgCreateEscrow{
			Payer: payer.Addr.String(), Payee: payee.Addr.String(), Amount: coins(int64(1 + i%1000)), ExpiresHeight: expires,
		}); err != nil {
			tb.Fatal(err)
		}
	}
	for i := 0; i < size; i++ {
		create(i, 0)
	}
	// The measured blocks are the next ones; each has its batch due.
	for s := 0; s < steps*blocksPerStep; s++ {
		for j := 0; j < expiringPerBlock; j++ {
			create(j, e.Height+2+int64(s))
		}
	}
	e.NextBlock(nil) // commit the setup
	return e
}

// stepExpiringBlock executes blocksPerStep empty blocks, in each of which
// expiringPerBlock escrows expire.
func stepExpiringBlock(tb testing.TB, e *Env, measure func(func())) int {
	total := 0
	for b := 0; b < blocksPerStep; b++ {
		var closed int
		measure(func() {
			res, err := e.FinalizeAndCommit(nil)
			if err != nil {
				tb.Fatal(err)
			}
			for _, ev := range res.Events {
				if ev.Type == "agentchain.escrow.v1.EventEscrowClosed" {
					closed++
				}
			}
		})
		if closed != expiringPerBlock {
			tb.Fatalf("block %d closed %d escrows, want %d", e.Height, closed, expiringPerBlock)
		}
		total += closed
	}
	return total
}
