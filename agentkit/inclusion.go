package agentkit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// How a Client learns that its transactions are in a block.
//
// One websocket subscription per client streams the node's Tx events of the
// transactions this client's key signed (`tx.acc_seq CONTAINS '<address>/'`,
// an attribute the SDK's ante handler emits for every tx, failed ones
// included), with each tx's result: code, log, gas used, events and message
// responses. A waiter is woken by its tx's event, so a steady stream of
// transactions costs the node no query at all.
//
// The stream can be down (not yet connected, the node restarting, a
// websocket refused). A waiter then asks the node for its tx (GetTx),
// backing off from inclusionPollFirst to inclusionPollMax; when the stream
// (re)connects, every waiter asks once, for a tx included while it was
// down. While the stream is up, a waiter still asks after
// inclusionSafetyCheck and then at doubling intervals, in case an event
// was lost.
const (
	inclusionPollFirst   = 250 * time.Millisecond
	inclusionPollMax     = 2 * time.Second
	inclusionSafetyCheck = 10 * time.Second
	// inclusionUnclaimed bounds the results kept for txs no one waits for
	// (yet): a tx sent with Send and waited for later, say.
	inclusionUnclaimed = 1024
	// inclusionStall ends a stream that brings no new block for this long.
	inclusionStall = 20 * time.Second
)

// inclusion is a Client's watch on its own transactions.
type inclusion struct {
	rpc   string
	query string
	stats *clientStats

	mu        sync.Mutex
	started   bool
	up        bool
	waiters   map[string]chan *TxResult
	unclaimed map[string]*TxResult
	order     []string      // unclaimed hashes, oldest first
	connected chan struct{} // closed (and replaced) each time the stream is up
	cancel    context.CancelFunc
	done      chan struct{}
}

func newInclusion(rpc, signer string, stats *clientStats) *inclusion {
	return &inclusion{
		rpc:       rpc,
		query:     fmt.Sprintf("tm.event='Tx' AND tx.acc_seq CONTAINS '%s/'", signer),
		stats:     stats,
		waiters:   map[string]chan *TxResult{},
		unclaimed: map[string]*TxResult{},
		connected: make(chan struct{}),
	}
}

// start starts the stream once; later calls do nothing.
func (in *inclusion) start() {
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.started {
		return
	}
	in.started = true
	ctx, cancel := context.WithCancel(context.Background())
	in.cancel, in.done = cancel, make(chan struct{})
	go in.run(ctx)
}

// stop ends the stream and waits for it.
func (in *inclusion) stop() {
	in.mu.Lock()
	started, cancel, done := in.started, in.cancel, in.done
	in.mu.Unlock()
	if started {
		cancel()
		<-done
	}
}

// waiter is one WaitForTx's registration.
type waiter struct {
	result    chan *TxResult
	connected <-chan struct{}
	up        bool
}

// register announces a wait for hash (upper-case hex). A result that
// arrived before is handed over at once.
func (in *inclusion) register(hash string) waiter {
	in.mu.Lock()
	defer in.mu.Unlock()
	ch := make(chan *TxResult, 1)
	if r, ok := in.unclaimed[hash]; ok {
		delete(in.unclaimed, hash)
		ch <- r
	} else {
		in.waiters[hash] = ch
	}
	return waiter{result: ch, connected: in.connected, up: in.up}
}

// refresh reports whether the stream is up and the channel closed at its
// next connection.
func (in *inclusion) refresh(w *waiter) {
	in.mu.Lock()
	defer in.mu.Unlock()
	w.connected, w.up = in.connected, in.up
}

func (in *inclusion) unregister(hash string) {
	in.mu.Lock()
	defer in.mu.Unlock()
	delete(in.waiters, hash)
}

// deliver hands a streamed result to its waiter, or keeps it for one.
func (in *inclusion) deliver(r *TxResult) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if ch, ok := in.waiters[r.Hash]; ok {
		delete(in.waiters, r.Hash)
		ch <- r
		return
	}
	if _, ok := in.unclaimed[r.Hash]; ok {
		return
	}
	in.unclaimed[r.Hash] = r
	in.order = append(in.order, r.Hash)
	for len(in.order) > inclusionUnclaimed {
		delete(in.unclaimed, in.order[0])
		in.order = in.order[1:]
	}
}

func (in *inclusion) setUp(up bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.up = up
	if up {
		close(in.connected)
		in.connected = make(chan struct{})
	}
}

func (in *inclusion) run(ctx context.Context) {
	defer close(in.done)
	keepStreaming(ctx, func(ctx context.Context) error {
		defer in.setUp(false)
		return in.session(ctx)
	}, func(error) {})
}

// session streams the client's Tx events until the connection fails.
func (in *inclusion) session(ctx context.Context) error {
	ws, reconnected, err := openWS(in.rpc)
	if err != nil {
		return err
	}
	defer func() { _ = ws.Stop() }()
	in.stats.streamConnections.Add(1)
	// Block headers are the heartbeat: a connection that brings none for a
	// while is stale.
	if err := ws.Subscribe(ctx, "tm.event='NewBlockHeader'"); err != nil {
		return err
	}
	if err := ws.Subscribe(ctx, in.query); err != nil {
		return err
	}
	acks := 0
	stall := time.NewTimer(inclusionStall)
	defer stall.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-reconnected:
			return errReconnected
		case <-ws.Quit():
			return errors.New("connection closed")
		case <-stall.C:
			return fmt.Errorf("no new block for %s", inclusionStall)
		case resp, ok := <-ws.ResponsesCh:
			if !ok {
				return errors.New("connection closed")
			}
			if resp.Error != nil {
				return fmt.Errorf("node: %w", resp.Error)
			}
			var re ctypes.ResultEvent
			if err := cmtjson.Unmarshal(resp.Result, &re); err != nil || re.Data == nil {
				// A subscription's acknowledgement: the stream is up once
				// both are in.
				if acks++; acks == 2 {
					in.setUp(true)
				}
				continue
			}
			switch d := re.Data.(type) {
			case cmttypes.EventDataNewBlockHeader:
				resetTimer(stall, inclusionStall)
			case cmttypes.EventDataTx:
				hash := fmt.Sprintf("%X", cmttypes.Tx(d.Tx).Hash())
				in.deliver(execResult(hash, d.Height, d.Result))
			}
		}
	}
}

// execResult is a TxResult from a block's result for the tx.
func execResult(hash string, height int64, r abci.ExecTxResult) *TxResult {
	out := &TxResult{Hash: hash, Height: height, Code: r.Code, Codespace: r.Codespace, Log: r.Log, GasUsed: r.GasUsed}
	for _, e := range r.Events {
		out.Events = append(out.Events, newEvent(height, hash, e))
	}
	if len(r.Data) > 0 {
		var data sdk.TxMsgData
		if err := data.Unmarshal(r.Data); err == nil {
			out.MsgResponses = data.MsgResponses
		}
	}
	return out
}

// normalizeHash is the form hashes are matched in: upper-case hex.
func normalizeHash(h string) string { return strings.ToUpper(h) }
