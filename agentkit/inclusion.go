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
// The client subscribes to the node's new block headers over a websocket,
// a query every client asks in the same words, so the node matches each
// header once whatever the number of clients. At each new block the
// client looks up the txs it waits for in the node's tx index, all in one
// request (Client.lookup: an index read per tx, no proof, no block loaded),
// and takes each found tx's result: code, log, gas used, events and
// message responses. A tx is usually found at the first block after it was
// sent (the lookup waits inclusionIndexDelay after the header, for the
// node's indexer); the node's cost per tx does not grow with the number of
// clients.
//
// A node that keeps no tx index (a validator configured as advised) cannot
// answer lookups; the client then subscribes instead to the Tx events of
// its own key's txs (`tx.acc_seq CONTAINS '<address>/'`, an attribute the
// SDK's ante handler emits for every tx, failed ones included), which costs
// the node a match per tx and per subscribed client.
//
// The stream can be down (not yet connected, the node restarting, a
// websocket refused). A waiter then asks the node for its tx itself,
// backing off from inclusionPollFirst to inclusionPollMax; when the stream
// (re)connects, every waiter asks once, for a tx included while it was
// down. While the stream is up, a waiter still asks after
// inclusionSafetyCheck and then at doubling intervals, in case a block or
// an event was missed.
const (
	inclusionPollFirst   = 250 * time.Millisecond
	inclusionPollMax     = 2 * time.Second
	inclusionSafetyCheck = 10 * time.Second
	// inclusionUnclaimed bounds the results kept for txs no one waits for
	// (yet): a tx sent with Send and waited for later, say.
	inclusionUnclaimed = 1024
	// inclusionStall ends a stream that brings no new block for this long.
	inclusionStall = 20 * time.Second
	// inclusionIndexDelay is how long after a new block header the txs
	// waited for are looked up. CometBFT announces a block and then
	// indexes its txs in another goroutine: a lookup at once finds some of
	// the block's txs not yet indexed, and they wait a whole block more
	// (in make loadtest, 1.8 lookups per tx and a third fewer txs/s).
	inclusionIndexDelay = 150 * time.Millisecond
)

// inclusion is a Client's watch on its own transactions.
type inclusion struct {
	rpc    string
	query  string
	stats  *clientStats
	lookup func(context.Context, []string) (map[string]*TxResult, error)

	mu        sync.Mutex
	started   bool
	up        bool
	byEvents  bool // the node keeps no tx index: stream the key's Tx events
	waiters   map[string]chan delivery
	unclaimed map[string]*TxResult
	order     []string      // unclaimed hashes, oldest first
	connected chan struct{} // closed (and replaced) each time the stream is up
	tried     chan struct{} // closed when the first session is up or has failed
	triedOnce sync.Once
	cancel    context.CancelFunc
	done      chan struct{}
}

func newInclusion(rpc, signer string, stats *clientStats, lookup func(context.Context, []string) (map[string]*TxResult, error)) *inclusion {
	return &inclusion{
		rpc:       rpc,
		lookup:    lookup,
		query:     fmt.Sprintf("tm.event='Tx' AND tx.acc_seq CONTAINS '%s/'", signer),
		stats:     stats,
		waiters:   map[string]chan delivery{},
		unclaimed: map[string]*TxResult{},
		connected: make(chan struct{}),
		tried:     make(chan struct{}),
	}
}

// awaitFirst waits, at most for timeout, until the first stream session
// is up or has failed: a tx sent before would be missed by a Tx
// subscription that is not yet in place.
func (in *inclusion) awaitFirst(ctx context.Context, timeout time.Duration) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-in.tried:
	case <-ctx.Done():
	case <-t.C:
	}
}

func (in *inclusion) triedFirst() { in.triedOnce.Do(func() { close(in.tried) }) }

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

// delivery is a tx's result and how it was learned.
type delivery struct {
	r        *TxResult
	byLookup bool
}

// waiter is one WaitForTx's registration.
type waiter struct {
	result    chan delivery
	connected <-chan struct{}
	up        bool
}

// register announces a wait for hash (upper-case hex). A result that
// arrived before is handed over at once.
func (in *inclusion) register(hash string) waiter {
	in.mu.Lock()
	defer in.mu.Unlock()
	ch := make(chan delivery, 1)
	if r, ok := in.unclaimed[hash]; ok {
		delete(in.unclaimed, hash)
		ch <- delivery{r: r}
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

// deliver hands a result to its waiter, or keeps it for one.
func (in *inclusion) deliver(r *TxResult, byLookup bool) {
	in.mu.Lock()
	defer in.mu.Unlock()
	if ch, ok := in.waiters[r.Hash]; ok {
		delete(in.waiters, r.Hash)
		ch <- delivery{r: r, byLookup: byLookup}
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
		in.triedOnce.Do(func() { close(in.tried) })
	}
}

func (in *inclusion) run(ctx context.Context) {
	defer close(in.done)
	keepStreaming(ctx, func(ctx context.Context) error {
		defer in.setUp(false)
		return in.session(ctx)
	}, func(error) { in.triedFirst() })
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
	in.mu.Lock()
	byEvents := in.byEvents
	in.mu.Unlock()
	if !byEvents {
		// A node without a tx index is known before any tx is waited for.
		if _, err := in.lookup(ctx, []string{noSuchTx}); errors.Is(err, errNoTxIndex) {
			byEvents = true
			in.mu.Lock()
			in.byEvents = true
			in.mu.Unlock()
		}
	}
	subscriptions := 1
	if byEvents {
		if err := ws.Subscribe(ctx, in.query); err != nil {
			return err
		}
		subscriptions++
	}
	acks := 0
	stall := time.NewTimer(inclusionStall)
	defer stall.Stop()
	// The lookup after a header waits inclusionIndexDelay: the node indexes
	// a block's txs after it announces the block.
	lookup := time.NewTimer(time.Hour)
	lookup.Stop()
	defer lookup.Stop()
	for {
		select {
		case <-lookup.C:
			if err := in.lookupWaiting(ctx); err != nil {
				return err
			}
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
				// all are in.
				if acks++; acks == subscriptions {
					in.setUp(true)
				}
				continue
			}
			switch d := re.Data.(type) {
			case cmttypes.EventDataNewBlockHeader:
				resetTimer(stall, inclusionStall)
				if !byEvents {
					resetTimer(lookup, inclusionIndexDelay)
				}
			case cmttypes.EventDataTx:
				hash := fmt.Sprintf("%X", cmttypes.Tx(d.Tx).Hash())
				in.deliver(execResult(hash, d.Height, d.Result), false)
			}
		}
	}
}

// noSuchTx is the hash a session's first lookup asks for, to learn
// whether the node keeps a tx index.
var noSuchTx = strings.Repeat("0", 64)

// lookupWaiting looks up the txs waited for in the node's tx index and
// hands over those found. A node without a tx index switches the client
// to streaming its key's Tx events (the session ends and is started
// again with that subscription); another failure is left to the next
// block and to the waiters' own queries.
func (in *inclusion) lookupWaiting(ctx context.Context) error {
	in.mu.Lock()
	hashes := make([]string, 0, len(in.waiters))
	for h := range in.waiters {
		hashes = append(hashes, h)
	}
	in.mu.Unlock()
	if len(hashes) == 0 {
		return nil
	}
	in.stats.lookups.Add(int64(len(hashes)))
	in.stats.lookupRequests.Add(int64((len(hashes) + maxLookupBatch - 1) / maxLookupBatch))
	found, err := in.lookup(ctx, hashes)
	for _, r := range found {
		in.deliver(r, true)
	}
	if errors.Is(err, errNoTxIndex) {
		in.mu.Lock()
		in.byEvents = true
		in.mu.Unlock()
		return err
	}
	return nil
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
