package bench

import (
	"crypto/sha256"
	"fmt"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/testutil/apptest"
	"github.com/agentchain/agentchain/x/agentid/types"
)

func init() {
	rows = append(rows,
		TxRow{Name: "agentid RegisterAgent", Target: "≥ 0.6", Work: &registerAgent{}},
		TxRow{Name: "agentid UpdateAgent", Target: "≥ 0.8", Work: &updateAgent{}},
	)
}

// registerAgent registers a new agent per tx: a fresh agent key bound with a
// key proof, two capabilities, an endpoint and a card, and the 10 AGNT deposit.
type registerAgent struct {
	pool []*apptest.Account
	i    int
}

func (w *registerAgent) Setup(e *Env, _, _ int) { w.pool = e.Pool(100) }

func (w *registerAgent) Block(e *Env, n int) [][]byte {
	txs := make([][]byte, n)
	for k := range txs {
		owner := w.pool[w.i%len(w.pool)]
		name := fmt.Sprintf("bench-agent-%d", w.i)
		w.i++
		priv := secp256k1.GenPrivKeyFromSecret([]byte(name))
		agentAddr := sdk.AccAddress(priv.PubKey().Address())
		sig, err := priv.Sign(types.BindingDigest(apptest.ChainID, owner.Addr, agentAddr, 1))
		if err != nil {
			e.TB.Fatal(err)
		}
		card := sha256.Sum256([]byte(name))
		msg := &types.MsgRegisterAgent{
			Owner: owner.Addr.String(), Name: name, AgentAddress: agentAddr.String(),
			Proof:        &types.KeyProof{PubKey: priv.PubKey().Bytes(), Nonce: 1, Signature: sig},
			CardUri:      "https://agents.example/" + name + "/card.json",
			CardHash:     card[:],
			Capabilities: []string{"summarize", "translate"},
			Endpoints:    []types.Endpoint{{Protocol: "a2a", Url: "https://agents.example/" + name}},
		}
		txs[k] = e.Sign(owner, apptest.Tx{Msgs: []sdk.Msg{msg}})
	}
	return txs
}

// updateAgent replaces the card of an existing agent per tx (a new card
// version: URI and hash), the most common change to an agent.
type updateAgent struct {
	pool []*apptest.Account
	ids  []uint64
	i    int
}

func (w *updateAgent) Setup(e *Env, _, _ int) {
	w.pool = e.Pool(100)
	var txs [][]byte
	for _, owner := range w.pool {
		txs = append(txs, e.Sign(owner, apptest.Tx{Msgs: []sdk.Msg{&types.MsgRegisterAgent{
			Owner: owner.Addr.String(), Name: "upd-" + owner.Addr.String()[6:20], AgentAddress: owner.Addr.String(),
			Capabilities: []string{"summarize"},
		}}}))
	}
	e.SetupBlock(txs)
	for _, owner := range w.pool {
		a, found, err := e.AgentIDKeeper.GetAgentByAddress(e.Ctx(), owner.Addr)
		if err != nil || !found {
			e.TB.Fatalf("setup agent of %s: %v", owner.Addr, err)
		}
		w.ids = append(w.ids, a.Id)
	}
}

func (w *updateAgent) Block(e *Env, n int) [][]byte {
	txs := make([][]byte, n)
	for k := range txs {
		j := w.i % len(w.pool)
		w.i++
		card := sha256.Sum256([]byte(fmt.Sprint(w.i)))
		msg := &types.MsgUpdateAgent{
			Owner: w.pool[j].Addr.String(), AgentId: w.ids[j],
			CardUri: fmt.Sprintf("https://agents.example/%d/card-v%d.json", j, w.i), CardHash: card[:],
		}
		txs[k] = e.Sign(w.pool[j], apptest.Tx{Msgs: []sdk.Msg{msg}})
	}
	return txs
}
