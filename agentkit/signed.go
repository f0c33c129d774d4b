package agentkit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
)

// TxHash is a tx's hash as CometBFT names it: hex sha256 of its bytes.
func TxHash(txBytes []byte) string {
	h := sha256.Sum256(txBytes)
	return strings.ToUpper(hex.EncodeToString(h[:]))
}

// SignedTx is a tx signed by this client and handed to someone else to
// broadcast (an x402 payment).
type SignedTx struct {
	Bytes    []byte
	Hash     string
	Sequence uint64
	GasLimit uint64
}

// Pay signs msgs as this client's next tx (gas simulated) and hands it to
// deliver (with Config.GasLimit when set, unsimulated), which gets it broadcast elsewhere (an x402 resource server
// settles it). Other txs of this client wait until deliver returns, so the
// sequence stays this tx's: if the tx is then in a block, the client's
// sequence moves past it; if not, the sequence is left for the next tx
// (should the tx land later, the node's refusal of that next tx for its
// sequence corrects the count, as for any other program using the key).
// The tx is never kept for rebroadcast: only deliver's party sends it.
func (c *Client) Pay(ctx context.Context, memo string, msgs []sdk.Msg, deliver func(SignedTx) error) error {
	if c.signer == nil {
		return ErrNoSigner
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// A payment settled after an earlier Pay returned spent a sequence this
	// client did not count: take the chain's when it is ahead.
	local, loaded := c.seq, c.seqLoaded
	if err := c.refreshAccount(ctx); err != nil {
		return err
	}
	if loaded && local > c.seq {
		c.seq = local
	}
	gas := c.cfg.GasLimit
	if gas == 0 {
		used, err := c.simulate(ctx, msgs)
		if err != nil {
			return err
		}
		gas = c.adjustGas(used)
	}
	bz, err := c.build(msgs, gas, c.seq, memo, true)
	if err != nil {
		return err
	}
	tx := SignedTx{Bytes: bz, Hash: TxHash(bz), Sequence: c.seq, GasLimit: gas}
	derr := deliver(tx)
	// Whatever deliver says, the chain decides whether the sequence is
	// spent.
	if r, err := c.queryTx(ctx, tx.Hash); err == nil && r != nil {
		c.seq++
	}
	return derr
}

// FindTx returns an included tx's result, or nil when the node has none
// (yet).
func (c *Client) FindTx(ctx context.Context, hash string) (*TxResult, error) {
	return c.queryTx(ctx, normalizeHash(hash))
}

// SimulateSigned simulates a signed tx exactly as it is (its sequence
// included; signatures are not checked by a simulation) and returns the
// gas it uses, or the chain's refusal as a *TxError.
func (c *Client) SimulateSigned(ctx context.Context, txBytes []byte) (uint64, error) {
	c.stats.simulations.Add(1)
	sim, err := txtypes.NewServiceClient(c.conn).Simulate(ctx, &txtypes.SimulateRequest{TxBytes: txBytes})
	if err != nil {
		return 0, &TxError{Stage: StageSimulate, err: simulationError(err, nil)}
	}
	return sim.GetGasInfo().GetGasUsed(), nil
}

// BroadcastSigned sends a signed tx to the node's mempool and returns its
// hash; a tx the mempool already holds is not an error. A refusal is a
// *TxError at StageCheckTx.
func (c *Client) BroadcastSigned(ctx context.Context, txBytes []byte) (string, error) {
	res, err := txtypes.NewServiceClient(c.conn).BroadcastTx(ctx, &txtypes.BroadcastTxRequest{TxBytes: txBytes, Mode: txtypes.BroadcastMode_BROADCAST_MODE_SYNC})
	if err != nil {
		return "", fmt.Errorf("broadcast: %w", err)
	}
	r := res.TxResponse
	if r.Code != 0 && (r.Codespace != sdkerrors.RootCodespace || r.Code != sdkerrors.ErrTxInMempoolCache.ABCICode()) {
		return r.TxHash, &TxError{Stage: StageCheckTx, err: chainError(r.Codespace, r.Code, r.RawLog)}
	}
	c.stats.broadcasts.Add(1)
	return r.TxHash, nil
}
