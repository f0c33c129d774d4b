// Package agentkit is the Go client for agent programs on agentchain: load a
// key, connect over gRPC, register or load the agent's identity, publish
// listings, find providers, hire, bid, deliver, complete, dispute and rate,
// and subscribe to the events that concern the agent over the CometBFT
// websocket, with reconnection and backfill.
//
// Transactions are signed locally, their gas simulated, broadcast, and
// waited for until included; a Client tracks its account's sequence, so an
// agent may send several transactions per block from one key (concurrent
// calls are safe). Refusals come back as errors that match the chain's
// registered errors with errors.Is, e.g. errors.Is(err,
// markettypes.ErrWrongStatus) or errors.Is(err,
// agentidtypes.ErrSpendCapExceeded), without parsing strings.
package agentkit

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/gogoproto/proto"

	"github.com/cosmos/cosmos-sdk/client/grpc/cmtservice"
	"github.com/cosmos/cosmos-sdk/codec"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/agentchain/agentchain/app"
)

// Config says where the chain is and how to pay for transactions.
type Config struct {
	// GRPC is the node's gRPC address (default 127.0.0.1:9090).
	GRPC string
	// RPC is the node's CometBFT RPC address, for events (default
	// http://127.0.0.1:26657).
	RPC string
	// ChainID is read from the node when empty.
	ChainID string
	// GasPrice pays gas (default 0.0025uagnt, the devnet's minimum).
	GasPrice string
	// GasAdjustment multiplies the simulated gas, in percent (default 150).
	GasAdjustmentPercent uint64
	// InclusionTimeout bounds the wait for a tx to be included (default 60s).
	InclusionTimeout time.Duration
	// FeeGranter, when set, pays this client's fees from its x/feegrant
	// allowance (an owner keeping a spend-capped agent in gas).
	FeeGranter sdk.AccAddress
}

func (c *Config) defaults() {
	if c.GRPC == "" {
		c.GRPC = "127.0.0.1:9090"
	}
	if c.RPC == "" {
		c.RPC = "http://127.0.0.1:26657"
	}
	if c.GasPrice == "" {
		c.GasPrice = app.DefaultMinGasPrices
	}
	if c.GasAdjustmentPercent == 0 {
		c.GasAdjustmentPercent = 150
	}
	if c.InclusionTimeout == 0 {
		c.InclusionTimeout = 60 * time.Second
	}
}

// Client is an agent program's connection to agentchain, signing with one key.
type Client struct {
	cfg      Config
	conn     *grpc.ClientConn
	enc      app.EncodingConfig
	signer   Signer
	chainID  string
	gasPrice sdk.DecCoin

	mu        sync.Mutex // serialises sequence use
	accNum    uint64
	seq       uint64
	seqLoaded bool
}

var (
	encOnce sync.Once
	encCfg  app.EncodingConfig
)

// Encoding returns the chain's codecs (built once per process).
func Encoding() app.EncodingConfig {
	encOnce.Do(func() { encCfg = app.MakeEncodingConfig() })
	return encCfg
}

// Dial connects to a node and returns a client signing with signer.
func Dial(ctx context.Context, cfg Config, signer Signer) (*Client, error) {
	cfg.defaults()
	gasPrice, err := sdk.ParseDecCoin(cfg.GasPrice)
	if err != nil {
		return nil, fmt.Errorf("gas price %q: %w", cfg.GasPrice, err)
	}
	enc := Encoding()
	conn, err := grpc.NewClient(cfg.GRPC,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(codec.NewProtoCodec(enc.InterfaceRegistry).GRPCCodec())))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", cfg.GRPC, err)
	}
	c := &Client{cfg: cfg, conn: conn, enc: enc, signer: signer, chainID: cfg.ChainID, gasPrice: gasPrice}
	if c.chainID == "" {
		info, err := cmtservice.NewServiceClient(conn).GetNodeInfo(ctx, &cmtservice.GetNodeInfoRequest{})
		if err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("read the chain id from %s: %w", cfg.GRPC, err)
		}
		c.chainID = info.DefaultNodeInfo.Network
	}
	return c, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Conn is the gRPC connection, for any query client: types.NewQueryClient(c.Conn()).
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Address is the signing key's address.
func (c *Client) Address() sdk.AccAddress { return c.signer.Address() }

// ChainID is the chain's id.
func (c *Client) ChainID() string { return c.chainID }

// Signer is the client's key.
func (c *Client) Signer() Signer { return c.signer }

// TxResult is a transaction as the block included it.
type TxResult struct {
	Hash      string
	Height    int64
	Code      uint32
	Codespace string
	Log       string
	GasUsed   int64
	Events    []Event
	// MsgResponses are the messages' responses, in order.
	MsgResponses []*codectypes.Any
}

// TxError is a transaction the chain refused. It unwraps to the chain's
// registered error, so errors.Is(err, markettypes.ErrWrongStatus) works.
type TxError struct {
	// Result is set when the refusal happened in a block (the message
	// failed); it is nil when CheckTx refused the tx before any block.
	Result *TxResult
	// Stage is "simulate", "checktx" or "block".
	Stage string
	err   error
}

// Error is the chain's text. (Not %v of the wrapped error: cosmossdk.io/errors
// prints the Go file and line where it was wrapped there.)
func (e *TxError) Error() string { return fmt.Sprintf("tx refused at %s: %s", e.Stage, e.err.Error()) }

// Unwrap returns the chain's registered error.
func (e *TxError) Unwrap() error { return e.err }

// chainError turns a codespace and code into the registered error. A
// module reports a refusal that another module's rule caused (a market
// payment refused by the client's spend cap, say) with its own error and
// the cause's text; the error returned matches the causes it names too, so
// errors.Is(err, agentidtypes.ErrSpendCapExceeded) holds for that hire.
func chainError(codespace string, code uint32, log string) error {
	return withCauses(errorsmod.ABCIError(codespace, code, log), log)
}

// refreshAccount reads the account's number and sequence from the chain.
func (c *Client) refreshAccount(ctx context.Context) error {
	res, err := authtypes.NewQueryClient(c.conn).AccountInfo(ctx, &authtypes.QueryAccountInfoRequest{Address: c.Address().String()})
	if err != nil {
		if status.Code(err) == codes.NotFound {
			return fmt.Errorf("account %s does not exist on chain yet: fund it first", c.Address())
		}
		return err
	}
	c.accNum, c.seq, c.seqLoaded = res.Info.AccountNumber, res.Info.Sequence, true
	return nil
}

// build signs msgs with the given gas and sequence.
func (c *Client) build(ctx context.Context, msgs []sdk.Msg, gas, seq uint64, memo string) ([]byte, error) {
	txb := c.enc.TxConfig.NewTxBuilder()
	if err := txb.SetMsgs(msgs...); err != nil {
		return nil, err
	}
	txb.SetGasLimit(gas)
	fee := c.gasPrice.Amount.MulInt64(int64(gas)).Ceil().TruncateInt()
	txb.SetFeeAmount(sdk.NewCoins(sdk.NewCoin(c.gasPrice.Denom, fee)))
	txb.SetMemo(memo)
	if c.cfg.FeeGranter != nil {
		txb.SetFeeGranter(c.cfg.FeeGranter)
	}
	pub := c.signer.PubKey()
	mode := signing.SignMode_SIGN_MODE_DIRECT
	if err := txb.SetSignatures(signing.SignatureV2{PubKey: pub, Data: &signing.SingleSignatureData{SignMode: mode}, Sequence: seq}); err != nil {
		return nil, err
	}
	bz, err := authsigning.GetSignBytesAdapter(ctx, c.enc.TxConfig.SignModeHandler(), mode, authsigning.SignerData{
		ChainID: c.chainID, AccountNumber: c.accNum, Sequence: seq, PubKey: pub, Address: c.Address().String(),
	}, txb.GetTx())
	if err != nil {
		return nil, err
	}
	sig, err := c.signer.Sign(bz)
	if err != nil {
		return nil, err
	}
	if err := txb.SetSignatures(signing.SignatureV2{PubKey: pub, Data: &signing.SingleSignatureData{SignMode: mode, Signature: sig}, Sequence: seq}); err != nil {
		return nil, err
	}
	return c.enc.TxConfig.TxEncoder()(txb.GetTx())
}

// Broadcast signs msgs, simulates their gas, broadcasts them and waits until
// they are included in a block. Several Broadcasts may run at once: each
// takes the next sequence number, so all can land in the same block.
func (c *Client) Broadcast(ctx context.Context, msgs ...sdk.Msg) (*TxResult, error) {
	hash, err := c.send(ctx, msgs)
	if err != nil {
		return nil, err
	}
	return c.WaitForTx(ctx, hash)
}

// send signs and broadcasts under the sequence lock and returns the tx hash
// once CheckTx accepted it. On a sequence mismatch (another program used the
// key, or a tx was dropped from the mempool) it re-reads the account and
// tries once more.
func (c *Client) send(ctx context.Context, msgs []sdk.Msg) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	var err error
	for attempt := 0; attempt < 2; attempt++ {
		if !c.seqLoaded {
			if err := c.refreshAccount(ctx); err != nil {
				return "", err
			}
		}
		var hash string
		hash, err = c.sendLocked(ctx, msgs)
		if err == nil {
			return hash, nil
		}
		if !errors.Is(err, sdkerrors.ErrWrongSequence) {
			return "", err
		}
		c.seqLoaded = false
	}
	return "", err
}

func (c *Client) sendLocked(ctx context.Context, msgs []sdk.Msg) (string, error) {
	svc := txtypes.NewServiceClient(c.conn)
	simBytes, err := c.build(ctx, msgs, 0, c.seq, "")
	if err != nil {
		return "", err
	}
	sim, err := svc.Simulate(ctx, &txtypes.SimulateRequest{TxBytes: simBytes})
	if err != nil {
		if status.Code(err) == codes.Unavailable {
			return "", fmt.Errorf("simulate: %w", err)
		}
		return "", &TxError{Stage: "simulate", err: simulationError(err, msgs)}
	}
	gas := sim.GasInfo.GasUsed*c.cfg.GasAdjustmentPercent/100 + 10_000
	txBytes, err := c.build(ctx, msgs, gas, c.seq, "")
	if err != nil {
		return "", err
	}
	res, err := svc.BroadcastTx(ctx, &txtypes.BroadcastTxRequest{TxBytes: txBytes, Mode: txtypes.BroadcastMode_BROADCAST_MODE_SYNC})
	if err != nil {
		return "", fmt.Errorf("broadcast: %w", err)
	}
	if r := res.TxResponse; r.Code != 0 {
		return "", &TxError{Stage: "checktx", err: chainError(r.Codespace, r.Code, r.RawLog)}
	}
	c.seq++
	return res.TxResponse.TxHash, nil
}

// WaitForTx waits until a tx is included and returns its result; a tx
// whose messages failed returns its result and a *TxError.
func (c *Client) WaitForTx(ctx context.Context, hash string) (*TxResult, error) {
	svc := txtypes.NewServiceClient(c.conn)
	deadline := time.Now().Add(c.cfg.InclusionTimeout)
	for time.Now().Before(deadline) {
		res, err := svc.GetTx(ctx, &txtypes.GetTxRequest{Hash: hash})
		if err == nil && res.TxResponse != nil {
			r := res.TxResponse
			out := &TxResult{Hash: r.TxHash, Height: r.Height, Code: r.Code, Codespace: r.Codespace, Log: r.RawLog, GasUsed: r.GasUsed}
			for _, e := range r.Events {
				out.Events = append(out.Events, newEvent(r.Height, r.TxHash, e))
			}
			if r.Data != "" {
				if bz, err := hex.DecodeString(r.Data); err == nil {
					var data sdk.TxMsgData
					if err := c.enc.Codec.Unmarshal(bz, &data); err == nil {
						out.MsgResponses = data.MsgResponses
					}
				}
			}
			if r.Code != 0 {
				return out, &TxError{Result: out, Stage: "block", err: chainError(r.Codespace, r.Code, r.RawLog)}
			}
			return out, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("tx %s not included within %s", hash, c.cfg.InclusionTimeout)
}

// Response decodes the i-th message response of a result into out.
func (c *Client) Response(res *TxResult, i int, out proto.Message) error {
	if i >= len(res.MsgResponses) {
		return fmt.Errorf("tx %s has %d message responses", res.Hash, len(res.MsgResponses))
	}
	return c.enc.Codec.Unmarshal(res.MsgResponses[i].Value, out)
}

// Balance returns an address's balance of a denom.
func (c *Client) Balance(ctx context.Context, addr sdk.AccAddress, denom string) (sdkmath.Int, error) {
	res, err := banktypes.NewQueryClient(c.conn).Balance(ctx, &banktypes.QueryBalanceRequest{Address: addr.String(), Denom: denom})
	if err != nil {
		return sdkmath.Int{}, err
	}
	return res.Balance.Amount, nil
}
