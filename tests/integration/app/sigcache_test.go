package app_test

import (
	"bytes"
	"fmt"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	"github.com/cosmos/cosmos-sdk/testutil/sims"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
	"github.com/agentchain/agentchain/testutil/txmut"
)

// withSignature returns tx with its signature replaced (txmut.Resign).
func withSignature(t *testing.T, tx []byte, sig func([]byte) []byte, memo string) []byte {
	t.Helper()
	out, err := txmut.Resign(tx, sig, memo)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestVerifiedSignatureCache runs the same blocks on a node that
// remembers the signatures CheckTx verified and on one that does not:
// every tx (good ones in both sign modes, and a high-S, a malformed, a
// wrong-key signature and a good signature moved onto other bytes) gets
// the same CheckTx answer, the same block result (code, log, gas, events)
// and the same app hash; the cache holds only verified signatures and
// spares FinalizeBlock exactly the good txs.
func TestVerifiedSignatureCache(t *testing.T) {
	cached := apptest.New(t, apptest.Options{})
	plain := apptest.New(t, apptest.Options{AppOptions: sims.AppOptionsMap{app.FlagVerifiedSignatureCache: 0}})
	if cached.SigCache() == nil || plain.SigCache() != nil {
		t.Fatal("the default node should keep a cache and the one with size 0 none")
	}
	apps := []*apptest.TestApp{cached, plain}
	sink := apptest.NewAccount("sigcache-sink").Addr
	send := func(acc *apptest.Account, mode signing.SignMode) []byte {
		// Both apps sign with the same keys and sequences: sign once, on
		// the cached app's accounts, and keep the plain app's in step.
		return cached.Sign(acc, apptest.Tx{Msgs: []sdk.Msg{banktypes.NewMsgSend(acc.Addr, sink, coins(7))}, SignMode: mode})
	}
	stranger := secp256k1.GenPrivKeyFromSecret([]byte("sigcache-stranger"))

	type row struct {
		name string
		tx   []byte
		ok   bool
	}
	for round := 0; round < 2; round++ {
		acc := cached.Accounts
		var rows []row
		rows = append(rows,
			row{"direct", send(acc[0], signing.SignMode_SIGN_MODE_DIRECT), true},
			row{"amino-json", send(acc[1], signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON), true},
		)
		good := send(acc[2], signing.SignMode_SIGN_MODE_DIRECT)
		rows = append(rows, row{"high-S", withSignature(t, good, txmut.HighS, ""), false})
		acc[2].Seq--
		good = send(acc[3], signing.SignMode_SIGN_MODE_DIRECT)
		rows = append(rows, row{"malformed", withSignature(t, good, func(s []byte) []byte { return s[:63] }, ""), false})
		acc[3].Seq--
		good = send(acc[4], signing.SignMode_SIGN_MODE_DIRECT)
		rows = append(rows, row{"wrong key", withSignature(t, good, func([]byte) []byte {
			sig, err := stranger.Sign([]byte("not these bytes"))
			if err != nil {
				t.Fatal(err)
			}
			return sig
		}, ""), false})
		acc[4].Seq--
		// A good signature, checked (and cached) with its own tx, then
		// carried by a tx with other bytes: never accepted.
		good = send(acc[5], signing.SignMode_SIGN_MODE_DIRECT)
		moved := withSignature(t, good, func(s []byte) []byte { return s }, "other bytes")
		acc[5].Seq--
		rows = append(rows, row{"signature on other bytes", moved, false})

		// CheckTx on both nodes (as each node's mempool would), then the
		// same block; the good tx of account 5 is checked but not proposed.
		checkTxs := [][]byte{good}
		var block [][]byte
		for _, r := range rows {
			checkTxs = append(checkTxs, r.tx)
			block = append(block, r.tx)
		}
		for _, tx := range checkTxs {
			var codes []uint32
			var logs []string
			for _, a := range apps {
				res, err := a.CheckTx(&abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New})
				if err != nil {
					t.Fatal(err)
				}
				codes, logs = append(codes, res.Code), append(logs, res.Log)
			}
			if codes[0] != codes[1] || logs[0] != logs[1] {
				t.Fatalf("round %d: CheckTx differs: cached %d %q, plain %d %q", round, codes[0], logs[0], codes[1], logs[1])
			}
		}
		hits0, _ := cached.SigCache().Stats()
		results := make([]*abci.ResponseFinalizeBlock, len(apps))
		for i, a := range apps {
			results[i] = a.NextBlock(block)
		}
		hits1, _ := cached.SigCache().Stats()
		if got := hits1 - hits0; got != 2 {
			t.Errorf("round %d: %d txs of the block found their signatures in the cache, want the 2 good ones", round, got)
		}
		for i, r := range rows {
			c, p := results[0].TxResults[i], results[1].TxResults[i]
			if (c.Code == 0) != r.ok {
				t.Errorf("round %d, %s: code %d (%s)", round, r.name, c.Code, c.Log)
			}
			if !r.ok && c.Code != 4 { // sdkerrors.ErrUnauthorized
				t.Errorf("round %d, %s: refused with code %d, want 4 (unauthorized): %s", round, r.name, c.Code, c.Log)
			}
			if c.Code != p.Code || c.Log != p.Log || c.GasUsed != p.GasUsed || c.GasWanted != p.GasWanted || fmt.Sprint(c.Events) != fmt.Sprint(p.Events) {
				t.Errorf("round %d, %s: cached node %d/%d gas %q, plain node %d/%d gas %q", round, r.name, c.Code, c.GasUsed, c.Log, p.Code, p.GasUsed, p.Log)
			}
		}
		if !bytes.Equal(results[0].AppHash, results[1].AppHash) {
			t.Fatalf("round %d: app hashes differ", round)
		}
		// The plain app's accounts are the same keys: keep their
		// sequences in step with what the block did.
		for i := range plain.Accounts {
			plain.Accounts[i].Seq = cached.Accounts[i].Seq
		}
	}
	// Only signatures that verified were remembered: the two good ones of
	// each round's block, and account 5's tx that was checked but never in
	// a block (the same tx both rounds: its sequence was never spent).
	if got := cached.SigCache().Len(); got != 2*2+1 {
		t.Errorf("the cache holds %d signatures, want 5", got)
	}
}

// TestSigCacheIsBounded fills a small cache past its size: it keeps the
// newest entries.
func TestSigCacheIsBounded(t *testing.T) {
	ta := apptest.New(t, apptest.Options{AppOptions: sims.AppOptionsMap{app.FlagVerifiedSignatureCache: 3}})
	sink := apptest.NewAccount("sigcache-sink").Addr
	var txs [][]byte
	for i := 0; i < 5; i++ {
		acc := ta.Accounts[i]
		tx := ta.Sign(acc, apptest.Tx{Msgs: []sdk.Msg{banktypes.NewMsgSend(acc.Addr, sink, coins(1))}})
		if res, err := ta.CheckTx(&abci.RequestCheckTx{Tx: tx, Type: abci.CheckTxType_New}); err != nil || res.Code != 0 {
			t.Fatalf("CheckTx: %v %v", err, res)
		}
		txs = append(txs, tx)
	}
	if got := ta.SigCache().Len(); got != 3 {
		t.Fatalf("a cache of 3 holds %d", got)
	}
	h0, m0 := ta.SigCache().Stats()
	for _, r := range ta.NextBlock(txs).TxResults {
		apptest.MustOK(t, r)
	}
	h1, m1 := ta.SigCache().Stats()
	if h1-h0 != 3 || m1-m0 != 2 {
		t.Errorf("hits %d, misses %d: want the 3 newest found, the 2 oldest verified again", h1-h0, m1-m0)
	}
}
