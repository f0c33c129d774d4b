// Package agentkit is the Go client for agent programs on agentchain: load a
// key, connect over gRPC, register or load the agent's identity, publish
// listings, find providers, hire, bid, deliver, complete, dispute and rate,
// and subscribe to the events that concern the agent over the CometBFT
// websocket, with reconnection and backfill.
//
// Transactions are signed locally, priced, broadcast and waited for until
// included. A Client simulates the first tx of each kind (its messages'
// types) and prices later ones from the gas such txs used (Config.GasLimit
// fixes it instead); it learns of inclusion at each new block, from one
// lookup of all its waiting txs in the node's tx index, not by polling
// each tx; and it keeps its own next sequence, so an agent may send
// many transactions per block from one key (concurrent calls are safe) and
// a busy mempool does not make it trip over its own sequence. Refusals come back as errors that match the chain's
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
	"sync/atomic"
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
	// GasAdjustmentPercent multiplies the simulated or learned gas, in
	// percent (default 150); 10,000 gas is added over it.
	GasAdjustmentPercent uint64
	// GasLimit, when set, is the gas limit of every tx: nothing is
	// simulated or learned.
	GasLimit uint64
	// SimulateEveryTx simulates every tx for its gas. By default only the
	// first tx of a kind (its messages' types) is simulated; later ones pay
	// the largest of the last 8 figures of their kind (simulated or used in
	// a block) times the adjustment, and a tx that runs out of gas on that
	// estimate is sent again once, simulated.
	SimulateEveryTx bool
	// NoEventStream learns of inclusion by asking the node for each tx
	// (gRPC GetTx, backing off from 250ms to 2s) instead of at new blocks
	// from its websocket stream. For nodes whose RPC is not reachable; the
	// stream costs the node far less.
	NoEventStream bool
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

	// pending are the txs the node accepted that are not known to be in a
	// block, by sequence, under mu: what repair sends again.
	pending    map[uint64]pendingTx
	lastRepair time.Time

	gas  *gasBook
	incl *inclusion
	// noTxResults: the node has no TxResults gRPC service (not an
	// agentchain node); lookups go to CometBFT's RPC.
	noTxResults atomic.Bool
	stats       clientStats
}

// pendingTx is an accepted tx's exact bytes: sent again, they are the same
// tx (same hash, same sequence), so sending them twice can never do
// anything twice.
type pendingTx struct {
	bytes []byte
	hash  string
}

// streamStartWait bounds the wait for the inclusion stream before the
// first tx (once: later txs do not wait).
const streamStartWait = 5 * time.Second

// pendingCheck is how long a tx may be in no block before the client
// suspects the node dropped it.
const pendingCheck = 15 * time.Second

// maxPending bounds the remembered pending txs (an agent that Submits and
// never waits leaves them behind); the oldest go first.
const maxPending = 4096

// Dial connects to a node and returns a client signing with signer. A nil
// signer makes a client that reads, simulates and relays txs others
// signed (an x402 facilitator, say) and refuses to sign (ErrNoSigner).
func Dial(ctx context.Context, cfg Config, signer Signer) (*Client, error) {
	cfg.defaults()
	gasPrice, err := sdk.ParseDecCoin(cfg.GasPrice)
	if err != nil {
		return nil, fmt.Errorf("gas price %q: %w", cfg.GasPrice, err)
	}
	addrs := AddressCodec(cfg.Bech32Prefix)
	me := ""
	if signer != nil {
		if me, err = addrs.BytesToString(signer.Address()); err != nil {
			return nil, fmt.Errorf("signer address: %w", err)
		}
	}
	conn, err := grpc.NewClient(cfg.GRPC,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(grpcCodec{})))
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", cfg.GRPC, err)
	}
	c := &Client{cfg: cfg, conn: conn, addrs: addrs, signer: signer, me: me, chainID: cfg.ChainID, gasPrice: gasPrice, gas: newGasBook(), pending: map[uint64]pendingTx{}}
	c.incl = newInclusion(cfg.RPC, me, &c.stats, c.lookup)
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

// Close ends the event stream and closes the connection.
func (c *Client) Close() error {
	c.incl.stop()
	return c.conn.Close()
}

// Conn is the gRPC connection, for any query client: types.NewQueryClient(c.Conn()).
func (c *Client) Conn() *grpc.ClientConn { return c.conn }

// Address is the signing key's address.
func (c *Client) Address() sdk.AccAddress {
	if c.signer == nil {
		return nil
	}
	return c.signer.Address()
}

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

// ErrNoSigner is returned by a client dialled without a signer when asked
// to sign.
var ErrNoSigner = errors.New("agentkit: this client has no signer")

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

// Broadcast signs msgs, prices their gas, broadcasts them and waits until
// they are included in a block. Several Broadcasts may run at once: each
// takes the next sequence number, so all can land in the same block.
//
// A tx priced from learned gas that runs out of gas in its block paid its
// fee and changed nothing else; Broadcast forgets what it learned of that
// kind and sends the messages once more, simulated (Stats.OutOfGasRetries).
func (c *Client) Broadcast(ctx context.Context, msgs ...sdk.Msg) (*TxResult, error) {
	kind := txKind(msgs)
	out, err := c.send(ctx, msgs, false)
	if err != nil {
		return nil, err
	}
	res, err := c.waitPending(ctx, out)
	if err != nil && out.learned && isOutOfGas(res) {
		c.gas.forget(kind)
		c.stats.outOfGasRetries.Add(1)
		if out, err = c.send(ctx, msgs, true); err != nil {
			return nil, err
		}
		res, err = c.waitPending(ctx, out)
	}
	if err == nil && c.cfg.GasLimit == 0 && res.GasUsed > 0 {
		c.gas.observe(kind, uint64(res.GasUsed))
	}
	return res, err
}

// Submit signs, prices and broadcasts msgs and returns the tx's hash once
// the node's mempool accepted it, without waiting for a block: WaitForTx
// waits. For agents that pipeline many txs.
func (c *Client) Submit(ctx context.Context, msgs ...sdk.Msg) (string, error) {
	out, err := c.send(ctx, msgs, false)
	return out.hash, err
}

// waitPending waits for an accepted tx. A block that included it with a
// wrong sequence means the node had dropped a tx of this client before it
// (see repair): the client's pending txs are sent again, in order, and the
// wait goes on for the same tx, unless the chain proves its sequence spent.
//
// A tx in no block after pendingCheck may have been dropped with nothing
// after it to reveal the gap (the client's last tx, say): the pending txs
// are sent again then too (those still in the mempool are recognised as
// such). Repairs are at most one per pendingCheck per client.
func (c *Client) waitPending(ctx context.Context, out sent) (*TxResult, error) {
	deadline := time.Now().Add(c.cfg.InclusionTimeout)
	for {
		round := time.Now().Add(pendingCheck)
		if round.After(deadline) {
			round = deadline
		}
		res, err := c.waitUntil(ctx, out.hash, round)
		lost := errors.Is(err, ErrNotIncluded)
		if err == nil || !lost && !isWrongSequence(res) || !time.Now().Before(deadline) {
			c.forgetPending(out.seq, out.hash)
			return res, err
		}
		c.mu.Lock()
		alive, rerr := true, error(nil)
		if time.Since(c.lastRepair) >= pendingCheck || !lost {
			alive, rerr = c.repair(ctx, out.seq)
		}
		c.mu.Unlock()
		if rerr != nil || !alive {
			// Its sequence is spent: by this very tx, sent again and
			// included since, or by another.
			if r, qerr := c.queryTx(ctx, out.hash); qerr == nil && r != nil && r.Code == 0 {
				c.forgetPending(out.seq, out.hash)
				return r, nil
			}
			c.forgetPending(out.seq, out.hash)
			return res, err
		}
	}
}

func (c *Client) forgetPending(seq uint64, hash string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if p, ok := c.pending[seq]; ok && p.hash == hash {
		delete(c.pending, seq)
	}
}

// repair sends the client's pending txs again, in order from the chain's
// committed sequence, exactly as they were signed. CometBFT can answer a
// broadcast with the app's acceptance and yet not keep the tx (its mempool
// filled up in between); the client's next txs then have a gap before
// them and are dropped or fail in a block for their sequence. Sent again,
// a tx still in the mempool is recognised as such, a dropped one takes its
// place again. It reports whether the tx of sequence seq is still to come
// (false once the chain's sequence is past it). Called with mu held.
func (c *Client) repair(ctx context.Context, seq uint64) (bool, error) {
	c.lastRepair = time.Now()
	res, err := authv1beta1.NewQueryClient(c.conn).AccountInfo(ctx, &authv1beta1.QueryAccountInfoRequest{Address: c.me})
	if err != nil {
		return false, err
	}
	committed := res.GetInfo().GetSequence()
	for s := range c.pending {
		if s < committed {
			delete(c.pending, s)
		}
	}
	if committed > c.seq {
		// Another program used the key.
		c.seq = committed
	}
	svc := txtypes.NewServiceClient(c.conn)
	backoff := 100 * time.Millisecond
	for s := committed; s < c.seq; {
		p, ok := c.pending[s]
		if !ok {
			// A tx of ours we no longer hold: continue from here.
			c.seq = s
			break
		}
		r, err := svc.BroadcastTx(ctx, &txtypes.BroadcastTxRequest{TxBytes: p.bytes, Mode: txtypes.BroadcastMode_BROADCAST_MODE_SYNC})
		if err != nil {
			return false, fmt.Errorf("broadcast: %w", err)
		}
		code, space := r.TxResponse.Code, r.TxResponse.Codespace
		switch {
		case code == 0 || space == sdkerrors.RootCodespace && code == sdkerrors.ErrTxInMempoolCache.ABCICode():
			if code == 0 {
				c.stats.rebroadcasts.Add(1)
			}
			s++
			backoff = 100 * time.Millisecond
		case space == sdkerrors.RootCodespace && code == sdkerrors.ErrMempoolIsFull.ABCICode():
			select {
			case <-ctx.Done():
				return false, ctx.Err()
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 2*time.Second)
		default:
			// It no longer passes (its sequence was spent, say): the
			// sequence continues from it.
			c.seq = s
			delete(c.pending, s)
			return seq > s, nil
		}
	}
	_, alive := c.pending[seq]
	return alive && seq >= committed, nil
}

func isWrongSequence(r *TxResult) bool {
	return r != nil && r.Codespace == sdkerrors.RootCodespace && r.Code == sdkerrors.ErrWrongSequence.ABCICode()
}

func isOutOfGas(r *TxResult) bool {
	return r != nil && r.Codespace == sdkerrors.RootCodespace && r.Code == sdkerrors.ErrOutOfGas.ABCICode()
}

// sent is a tx the mempool accepted.
type sent struct {
	hash string
	seq  uint64
	// learned is set when its gas came from earlier txs, not a simulation.
	learned bool
}

// maxSequenceCorrections bounds how often one send follows the node's
// word on the sequence.
const maxSequenceCorrections = 3

// send prices, signs and broadcasts under the sequence lock. The client's
// next sequence is its own count of the txs the node accepted; only a node
// refusing a tx for its sequence proves it wrong (another program used the
// key, or the node dropped a tx of ours), and then the sequence the node
// says it expects is taken. A full mempool is waited out, backing off,
// within the inclusion timeout.
func (c *Client) send(ctx context.Context, msgs []sdk.Msg, simulate bool) (sent, error) {
	if c.signer == nil {
		return sent{}, ErrNoSigner
	}
	if !c.cfg.NoEventStream {
		// Started before the first tx, so that it is up when the tx lands.
		c.incl.start()
		c.incl.awaitFirst(ctx, streamStartWait)
	}
	kind := txKind(msgs)
	svc := txtypes.NewServiceClient(c.conn)
	c.mu.Lock()
	defer c.mu.Unlock()
	deadline := time.Now().Add(c.cfg.InclusionTimeout)
	backoff := 100 * time.Millisecond
	corrections := 0
	for {
		if !c.seqLoaded {
			if err := c.refreshAccount(ctx); err != nil {
				return sent{}, err
			}
		}
		gas, learned, err := c.gasFor(ctx, msgs, kind, simulate)
		if err != nil {
			return sent{}, err
		}
		txBytes, err := c.build(msgs, gas, c.seq, "", true)
		if err != nil {
			return sent{}, err
		}
		res, err := svc.BroadcastTx(ctx, &txtypes.BroadcastTxRequest{TxBytes: txBytes, Mode: txtypes.BroadcastMode_BROADCAST_MODE_SYNC})
		if err != nil {
			return sent{}, fmt.Errorf("broadcast: %w", err)
		}
		r := res.TxResponse
		if r.Code == 0 {
			out := sent{hash: r.TxHash, seq: c.seq, learned: learned}
			c.remember(out.seq, pendingTx{bytes: txBytes, hash: out.hash})
			c.seq++
			c.stats.broadcasts.Add(1)
			return out, nil
		}
		refusal := &TxError{Stage: StageCheckTx, err: chainError(r.Codespace, r.Code, r.RawLog)}
		if r.Codespace != sdkerrors.RootCodespace {
			return sent{}, refusal
		}
		switch r.Code {
		case sdkerrors.ErrWrongSequence.ABCICode():
			if corrections == maxSequenceCorrections {
				return sent{}, refusal
			}
			corrections++
			want, ok := parseExpectedSequence(r.RawLog)
			switch {
			case !ok:
				c.stats.sequenceCorrections.Add(1)
				c.seqLoaded = false
			case want > c.seq:
				// Another program used the key.
				c.stats.sequenceCorrections.Add(1)
				c.seq = want
			default:
				// The node lost txs of ours it had accepted.
				if _, err := c.repair(ctx, c.seq); err != nil {
					return sent{}, err
				}
			}
		case sdkerrors.ErrMempoolIsFull.ABCICode():
			if !time.Now().Add(backoff).Before(deadline) {
				return sent{}, refusal
			}
			c.stats.mempoolFullRetries.Add(1)
			select {
			case <-ctx.Done():
				return sent{}, ctx.Err()
			case <-time.After(backoff):
			}
			backoff = min(2*backoff, 2*time.Second)
		case sdkerrors.ErrOutOfGas.ABCICode():
			if !learned {
				return sent{}, refusal
			}
			c.gas.forget(kind)
			c.stats.outOfGasRetries.Add(1)
			simulate = true
		default:
			return sent{}, refusal
		}
	}
}

// remember records an accepted tx (mu held).
func (c *Client) remember(seq uint64, p pendingTx) {
	c.pending[seq] = p
	if len(c.pending) > maxPending {
		oldest := seq
		for s := range c.pending {
			oldest = min(oldest, s)
		}
		delete(c.pending, oldest)
	}
}

// gasFor is the gas limit of a tx of kind: the fixed one, or the largest
// recent figure of its kind, or a simulation's (the first of a kind, or
// when asked), each times the adjustment plus gasOverhead.
func (c *Client) gasFor(ctx context.Context, msgs []sdk.Msg, kind string, simulate bool) (gas uint64, learned bool, err error) {
	if c.cfg.GasLimit > 0 {
		return c.cfg.GasLimit, false, nil
	}
	if !simulate && !c.cfg.SimulateEveryTx {
		if used, ok := c.gas.largest(kind); ok {
			return c.adjustGas(used), true, nil
		}
	}
	used, err := c.simulate(ctx, msgs)
	if err != nil {
		return 0, false, err
	}
	c.gas.observe(kind, used)
	return c.adjustGas(used), false, nil
}

func (c *Client) adjustGas(used uint64) uint64 {
	return used*c.cfg.GasAdjustmentPercent/100 + gasOverhead
}

// EstimateGas simulates msgs as the client's next tx and returns the gas
// they use (before the adjustment); later txs of their kind are priced
// from it.
func (c *Client) EstimateGas(ctx context.Context, msgs ...sdk.Msg) (uint64, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.seqLoaded {
		if err := c.refreshAccount(ctx); err != nil {
			return 0, err
		}
	}
	used, err := c.simulate(ctx, msgs)
	if err != nil {
		return 0, err
	}
	c.gas.observe(txKind(msgs), used)
	return used, nil
}

// maxSimulateAttempts bounds the simulations of one tx that follow the
// node's expected sequence.
const maxSimulateAttempts = 10

// simulateRetryStep is how much longer each further simulation waits.
var simulateRetryStep = 50 * time.Millisecond

// simulate asks the node how much gas msgs use at the client's sequence.
// The node simulates on its mempool state, which for a moment after each
// block does not yet count this client's txs still in the mempool (it
// re-checks them one by one, so the sequence it expects climbs while it
// does): a sequence mismatch there says nothing about the client's
// sequence, and the simulation is made again at the sequence the node
// expects (gas does not depend on it), after a short wait from the third
// attempt on, at most maxSimulateAttempts times.
func (c *Client) simulate(ctx context.Context, msgs []sdk.Msg) (uint64, error) {
	svc := txtypes.NewServiceClient(c.conn)
	seq := c.seq
	for attempt := 0; ; attempt++ {
		if attempt >= 2 {
			select {
			case <-ctx.Done():
				return 0, ctx.Err()
			case <-time.After(time.Duration(attempt) * simulateRetryStep):
			}
		}
		simBytes, err := c.build(msgs, 0, seq, "", false)
		if err != nil {
			return 0, err
		}
		c.stats.simulations.Add(1)
		sim, err := svc.Simulate(ctx, &txtypes.SimulateRequest{TxBytes: simBytes})
		if err == nil {
			return sim.GetGasInfo().GetGasUsed(), nil
		}
		if status.Code(err) == codes.Unavailable {
			return 0, fmt.Errorf("simulate: %w", err)
		}
		if want, ok := parseExpectedSequence(err.Error()); ok && attempt+1 < maxSimulateAttempts && want != seq {
			seq = want
			continue
		}
		return 0, &TxError{Stage: StageSimulate, err: simulationError(err, msgs)}
	}
}

// WaitForTx waits until a tx is included and returns its result; a tx
// whose messages failed returns its result and a *TxError. It learns of
// the inclusion at the first new block that has it (see inclusion), asking
// the node for this tx alone only when the stream is down or has been
// silent about it for a long while; past Config.InclusionTimeout it fails with ErrNotIncluded.
func (c *Client) WaitForTx(ctx context.Context, hash string) (*TxResult, error) {
	return c.waitUntil(ctx, hash, time.Now().Add(c.cfg.InclusionTimeout))
}

func (c *Client) waitUntil(ctx context.Context, hash string, deadline time.Time) (*TxResult, error) {
	hash = normalizeHash(hash)
	streaming := !c.cfg.NoEventStream
	var w waiter // zero: nil channels, never ready
	if streaming {
		c.incl.start()
		w = c.incl.register(hash)
		defer c.incl.unregister(hash)
	}
	poll, safety := inclusionPollFirst, inclusionSafetyCheck
	for {
		wait := poll
		if w.up {
			wait = safety
		}
		timer := time.NewTimer(max(0, min(wait, time.Until(deadline))))
		select {
		case d := <-w.result:
			timer.Stop()
			if d.byLookup {
				c.stats.includedByLookup.Add(1)
			} else {
				c.stats.includedByEvent.Add(1)
			}
			return c.included(d.r)
		case <-w.connected:
			// The stream is (back) up: the tx may have landed while it was
			// down, so ask once.
			timer.Stop()
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
			if w.up {
				safety *= 2
			} else {
				poll = min(poll*3/2, inclusionPollMax)
			}
		}
		if streaming {
			c.incl.refresh(&w)
		}
		r, err := c.queryTx(ctx, hash)
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if r != nil {
			c.stats.includedByQuery.Add(1)
			return c.included(r)
		}
		if !time.Now().Before(deadline) {
			return nil, fmt.Errorf("tx %s: %w within %s", hash, ErrNotIncluded, c.cfg.InclusionTimeout)
		}
	}
}

// included returns an included tx's result, with a *TxError when its
// messages failed.
func (c *Client) included(r *TxResult) (*TxResult, error) {
	if r.Code != 0 {
		return r, &TxError{Result: r, Stage: StageBlock, err: chainError(r.Codespace, r.Code, r.Log)}
	}
	return r, nil
}

// queryTx asks the node for a tx; nil when it has none (yet). It looks the
// tx up in the node's tx index (see Client.lookup); the SDK's GetTx, which
// also asks for a proof and loads the tx's block twice, is the fallback
// when that fails.
func (c *Client) queryTx(ctx context.Context, hash string) (*TxResult, error) {
	c.stats.txQueries.Add(1)
	if !c.cfg.NoEventStream {
		found, err := c.lookup(ctx, []string{hash})
		if err == nil {
			return found[hash], nil
		}
	}
	res, err := txtypes.NewServiceClient(c.conn).GetTx(ctx, &txtypes.GetTxRequest{Hash: hash})
	if err != nil || res.TxResponse == nil {
		return nil, err
	}
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
	return out, nil
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
