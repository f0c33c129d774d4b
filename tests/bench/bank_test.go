package bench

import (
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
)

// bankSend is the baseline: a MsgSend of 1 uagnt between existing accounts,
// each sender signing several txs per block with consecutive sequences.
type bankSend struct {
	pool []*apptest.Account
	i    int
}

func (w *bankSend) Setup(e *Env, _, _ int) { w.pool = e.Pool(100) }

func (w *bankSend) Block(e *Env, n int) [][]byte {
	txs := make([][]byte, n)
	amt := sdk.NewCoins(sdk.NewCoin(app.BaseDenom, sdkmath.OneInt()))
	for k := range txs {
		from := w.pool[w.i%len(w.pool)]
		to := w.pool[(w.i+1)%len(w.pool)]
		w.i++
		txs[k] = e.Sign(from, apptest.Tx{Msgs: []sdk.Msg{banktypes.NewMsgSend(from.Addr, to.Addr, amt)}, Gas: 200_000})
	}
	return txs
}

func coins(n int64) sdk.Coins { return sdk.NewCoins(sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(n))) }
