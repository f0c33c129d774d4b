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
//
// agentkit links the modules' types packages and the SDK's types, not the
// node: no app, keeper or simulation package, and it sets no SDK global
// (bech32 prefixes, denoms) on import. Addresses are formatted with the
// client's prefix (Client.AddressString, Client.Bech32) or agentchain's
// (Bech32, ParseAddress).
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

	authv1beta1 "cosmossdk.io/api/cosmos/auth/v1beta1"
	bankv1beta1 "cosmossdk.io/api/cosmos/bank/v1beta1"
	cmtv1beta1 "cosmossdk.io/api/cosmos/base/tendermint/v1beta1"
	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	gogoproto "github.com/cosmos/gogoproto/proto"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"

	"github.com/agentchain/agentchain/app/params"
)

// Config says where the chain is and how to pay for transactions. Every
// field has a default that fits a local agentchain node.
type Config struct {
	// GRPC is the node's gRPC address (default 127.0.0.1:9090).
	GRPC string
	// RPC is the node's CometBFT RPC address, for events (default
	// http://127.0.0.1:26657).
	RPC string
	// ChainID is read from the node when empty.
	ChainID string
	// Bech32Prefix is the prefix of account addresses (default "agent").
	Bech32Prefix string
	// GasPrice pays gas (default 0.0025uagnt, the devnet's minimum).
	GasPrice string
	// GasAdjustmentPercent multiplies the simulated gas, in percent
	// (default 150).
	GasAdjustmentPercent uint64
	// InclusionTimeout bounds the wait for a tx to be included (default
	// 60s); past it the wait fails with ErrNotIncluded.
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
	if c.Bech32Prefix == "" {
		c.Bech32Prefix = params.Bech32PrefixAccAddr
	}
	if c.GasPrice == "" {
		c.GasPrice = params.DefaultMinGasPrices
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
	addrs    address.Codec
	signer   Signer
	me       string // the signer's bech32 address
	chainID  string
	gasPrice sdk.DecCoin

	mu        sync.Mutex // serialises sequence use
	accNum    uint64
	seq       uint64
	seqLoaded bool
}

// Dial connects to a node and returns a client signing with signer.
func Dial(ctx context.Context, cfg Config, signer Signer) (*Client, error) {
	cfg.defaults()
	gasPrice, err := sdk.ParseDecCoin(cfg.GasPrice)
	if err != nil {
		return nil, fmt.Errorf("gas price %q: %w", cfg.GasPrice, err)
	}
	addrs := AddressCodec(cfg.Bech32Prefix)
	me, err := addrs.BytesToString(signer.Address())
	if err != nil {
		return nil, fmt.Errorf("signer address: %w", err)
	}
	conn, err := grpc.NewClient(cfg.GRPC,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(grpcCodec{})))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", cfg.GRPC, err)
	}
	c := &Client{cfg: cfg, conn: conn, addrs: addrs, signer: signer, me: me, chainID: cfg.ChainID, gasPrice: gasPrice}
	if c.chainID == "" {
		info, err := cmtv1beta1.NewServiceClient(conn).GetNodeInfo(ctx, &cmtv1beta1.GetNodeInfoRequest{})
		if err != nil {
			_ = conn.Close()
			return nil, fmt.Errorf("read the chain id from %s: %w", cfg.GRPC, err)
		}
		c.chainID = info.GetDefaultNodeInfo().GetNetwork()
	}
	return c, nil
}

// Close closes the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Conn is the gRPC connection, for any query client: types.NewQueryClient(c.Conn()).
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Address is the signing key's address.
func (c *Client) Address() sdk.AccAddress { return c.signer.Address() }

// AddressString is the signing key's address in bech32 (agent1...).
func (c *Client) AddressString() string { return c.me }

// Bech32 formats an account address with the client's prefix.
func (c *Client) Bech32(addr sdk.AccAddress) string {
	s, err := c.addrs.BytesToString(addr)
	if err != nil {
		return ""
	}
	return s
}

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

// Stage is where a transaction was refused.
type Stage string

const (
	// StageSimulate means the node's simulation refused it; nothing was broadcast.
	StageSimulate Stage = "simulate"
	// StageCheckTx means the node's mempool refused it; it is in no block.
	StageCheckTx Stage = "checktx"
	// StageBlock means a block included it and its messages failed; it paid its
	// fee and changed nothing else.
	StageBlock Stage = "block"
)

// ErrNotIncluded is returned (wrapped) when a broadcast tx is in no block
// within Config.InclusionTimeout. It may still be included later.
var ErrNotIncluded = errors.New("tx not included in time")

// TxError is a transaction the chain refused. It unwraps to the chain's
// registered error, so errors.Is(err, markettypes.ErrWrongStatus) works.
type TxError struct {
	// Result is set when the refusal happened in a block (the message
	// failed); it is nil when the tx was refused before any block.
	Result *TxResult
	// Stage is where it was refused.
	Stage Stage
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
	res, err := authv1beta1.NewQueryClient(c.conn).AccountInfo(ctx, &authv1beta1.QueryAccountInfoRequest{Address: c.me})
	if err != nil {
		if status.Code(err) == codes.NotFound {
			return fmt.Errorf("account %s does not exist on chain yet: fund it first", c.me)
		}
		return err
	}
	c.accNum, c.seq, c.seqLoaded = res.GetInfo().GetAccountNumber(), res.GetInfo().GetSequence(), true
	return nil
}

// build encodes msgs as a signed tx (SIGN_MODE_DIRECT) with the given gas
// and sequence; unsigned (an empty signature) is for simulation only.
func (c *Client) build(msgs []sdk.Msg, gas, seq uint64, memo string, sign bool) ([]byte, error) {
	anys := make([]*codectypes.Any, len(msgs))
	for i, m := range msgs {
		a, err := packAny(m)
		if err != nil {
			return nil, err
		}
		anys[i] = a
	}
	body, err := (&txtypes.TxBody{Messages: anys, Memo: memo}).Marshal()
	if err != nil {
		return nil, err
	}
	pub, err := packAny(c.signer.PubKey())
	if err != nil {
		return nil, err
	}
	fee := txtypes.Fee{
		Amount:   sdk.NewCoins(sdk.NewCoin(c.gasPrice.Denom, c.gasPrice.Amount.MulInt64(int64(gas)).Ceil().TruncateInt())),
		GasLimit: gas,
	}
	if c.cfg.FeeGranter != nil {
		fee.Granter = c.Bech32(c.cfg.FeeGranter)
	}
	authInfo, err := (&txtypes.AuthInfo{
		SignerInfos: []*txtypes.SignerInfo{{
			PublicKey: pub,
			ModeInfo:  &txtypes.ModeInfo{Sum: &txtypes.ModeInfo_Single_{Single: &txtypes.ModeInfo_Single{Mode: signing.SignMode_SIGN_MODE_DIRECT}}},
			Sequence:  seq,
		}},
		Fee: &fee,
	}).Marshal()
	if err != nil {
		return nil, err
	}
	sig := []byte{}
	if sign {
		doc, err := (&txtypes.SignDoc{BodyBytes: body, AuthInfoBytes: authInfo, ChainId: c.chainID, AccountNumber: c.accNum}).Marshal()
		if err != nil {
			return nil, err
		}
		if sig, err = c.signer.Sign(doc); err != nil {
			return nil, err
		}
	}
	return (&txtypes.TxRaw{BodyBytes: body, AuthInfoBytes: authInfo, Signatures: [][]byte{sig}}).Marshal()
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
	simBytes, err := c.build(msgs, 0, c.seq, "", false)
	if err != nil {
		return "", err
	}
	sim, err := svc.Simulate(ctx, &txtypes.SimulateRequest{TxBytes: simBytes})
	if err != nil {
		if status.Code(err) == codes.Unavailable {
			return "", fmt.Errorf("simulate: %w", err)
		}
		return "", &TxError{Stage: StageSimulate, err: simulationError(err, msgs)}
	}
	gas := sim.GasInfo.GasUsed*c.cfg.GasAdjustmentPercent/100 + 10_000
	txBytes, err := c.build(msgs, gas, c.seq, "", true)
	if err != nil {
		return "", err
	}
	res, err := svc.BroadcastTx(ctx, &txtypes.BroadcastTxRequest{TxBytes: txBytes, Mode: txtypes.BroadcastMode_BROADCAST_MODE_SYNC})
	if err != nil {
		return "", fmt.Errorf("broadcast: %w", err)
	}
	if r := res.TxResponse; r.Code != 0 {
		return "", &TxError{Stage: StageCheckTx, err: chainError(r.Codespace, r.Code, r.RawLog)}
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
					if err := data.Unmarshal(bz); err == nil {
						out.MsgResponses = data.MsgResponses
					}
				}
			}
			if r.Code != 0 {
				return out, &TxError{Result: out, Stage: StageBlock, err: chainError(r.Codespace, r.Code, r.RawLog)}
			}
			return out, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("tx %s: %w within %s", hash, ErrNotIncluded, c.cfg.InclusionTimeout)
}

// Response decodes the i-th message response of a result into out.
func (c *Client) Response(res *TxResult, i int, out gogoproto.Message) error {
	if i >= len(res.MsgResponses) {
		return fmt.Errorf("tx %s has %d message responses", res.Hash, len(res.MsgResponses))
	}
	return gogoproto.Unmarshal(res.MsgResponses[i].Value, out)
}

// Balance returns an address's balance of a denom.
func (c *Client) Balance(ctx context.Context, addr sdk.AccAddress, denom string) (sdkmath.Int, error) {
	res, err := bankv1beta1.NewQueryClient(c.conn).Balance(ctx, &bankv1beta1.QueryBalanceRequest{Address: c.Bech32(addr), Denom: denom})
	if err != nil {
		return sdkmath.Int{}, err
	}
	amount, ok := sdkmath.NewIntFromString(res.GetBalance().GetAmount())
	if !ok {
		return sdkmath.Int{}, fmt.Errorf("balance %q is not an integer", res.GetBalance().GetAmount())
	}
	return amount, nil
}
