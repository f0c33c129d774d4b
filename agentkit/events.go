package agentkit

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	cmttypes "github.com/cometbft/cometbft/types"
	"github.com/cosmos/gogoproto/proto"

	sdk "github.com/cosmos/cosmos-sdk/types"

	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// Event is one event of the chain: of a transaction (TxHash set) or of a
// block's BeginBlock/EndBlock (TxHash empty: expiries, timeouts and other
// work the chain does by itself arrive this way, with the block's events).
type Event struct {
	Height int64
	// TxHash is the hex hash of the transaction that emitted it; empty for
	// the block's own events.
	TxHash string
	// Type is the event type; for typed events, the proto message name,
	// e.g. "agentchain.market.v1.EventJobFunded".
	Type string
	// Attributes as emitted. Typed events' values are JSON: a uint64 is
	// `"5"`, an address `"agent1..."`, a uint32 `5`.
	Attributes map[string]string
}

func newEvent(height int64, txHash string, e abci.Event) Event {
	attrs := make(map[string]string, len(e.Attributes))
	for _, a := range e.Attributes {
		attrs[a.Key] = a.Value
	}
	return Event{Height: height, TxHash: txHash, Type: e.Type, Attributes: attrs}
}

// Typed decodes a typed event into its proto message, e.g.
// *markettypes.EventJobFunded.
func (e Event) Typed() (proto.Message, error) {
	ev := abci.Event{Type: e.Type}
	keys := make([]string, 0, len(e.Attributes))
	for k := range e.Attributes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		// The SDK adds "msg_index" to tx events and "mode" to block events;
		// neither belongs to the typed event.
		if k == "msg_index" || k == "mode" {
			continue
		}
		ev.Attributes = append(ev.Attributes, abci.EventAttribute{Key: k, Value: e.Attributes[k]})
	}
	return sdk.ParseTypedEvent(ev)
}

// Uint64 reads a uint64 attribute of a typed event (JSON `"5"`) or of a
// plain event (`5`); ok is false when it is missing or not a number.
func (e Event) Uint64(key string) (uint64, bool) {
	v, found := e.Attributes[key]
	if !found {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.Trim(v, `"`), 10, 64)
	return n, err == nil
}

// Text reads a string attribute, unquoting a typed event's JSON string.
func (e Event) Text(key string) string {
	v := e.Attributes[key]
	if s, err := strconv.Unquote(v); err == nil && strings.HasPrefix(v, `"`) {
		return s
	}
	return v
}

// Filter selects events: an event passes when its type is one of Types
// (any type when Types is empty) and each attribute in Attrs has exactly the
// given value, as emitted (JSON for typed events: use Quote).
type Filter struct {
	Types []string
	Attrs map[string]string
}

// Match reports whether e passes the filter.
func (f Filter) Match(e Event) bool {
	if len(f.Types) > 0 {
		found := false
		for _, t := range f.Types {
			if t == e.Type {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	for k, v := range f.Attrs {
		if e.Attributes[k] != v {
			return false
		}
	}
	return true
}

// Quote encodes a value as a typed event's attribute: a JSON string for
// strings, addresses (agent1...) and uint64s.
func Quote(v any) string {
	switch x := v.(type) {
	case uint64:
		return strconv.Quote(strconv.FormatUint(x, 10))
	case sdk.AccAddress:
		return strconv.Quote(Bech32(x))
	case fmt.Stringer:
		return strconv.Quote(x.String())
	case string:
		return strconv.Quote(x)
	default:
		return fmt.Sprint(x)
	}
}

// jobEventTypes are the market events about a job.
var jobEventTypes = []string{
	proto.MessageName(&markettypes.EventJobFunded{}),
	proto.MessageName(&markettypes.EventJobAccepted{}),
	proto.MessageName(&markettypes.EventJobDelivered{}),
	proto.MessageName(&markettypes.EventMilestonePaid{}),
	proto.MessageName(&markettypes.EventJobCompleted{}),
	proto.MessageName(&markettypes.EventJobCancelled{}),
	proto.MessageName(&markettypes.EventJobExpired{}),
	proto.MessageName(&markettypes.EventJobDisputed{}),
	proto.MessageName(&markettypes.EventJobResolved{}),
}

// JobsOfProvider selects the events of the jobs of a provider agent: a job
// for it was funded, its delivery was accepted and paid, a job expired...
func JobsOfProvider(agentID uint64) Filter {
	return Filter{Types: jobEventTypes, Attrs: map[string]string{"provider": Quote(agentID)}}
}

// JobsOfClient selects the events of the jobs a client account pays for;
// client is its bech32 address (Client.AddressString).
func JobsOfClient(client string) Filter {
	return Filter{Types: jobEventTypes, Attrs: map[string]string{"client": Quote(client)}}
}

// SubscribeOptions tune a subscription.
type SubscribeOptions struct {
	// FromHeight delivers the matching events of every block from this
	// height on, read back from the node before the live ones. An agent
	// that remembers the last height it handled resumes from there without
	// missing anything. 0 starts after the latest block at the time the
	// connection is made, which is some time after Subscribe returns: to
	// miss nothing from a known point on, read the height first
	// (Client.Height) and pass it.
	FromHeight int64
	// StallTimeout ends a connection that brings no new block for this long
	// and reconnects (default 15s).
	StallTimeout time.Duration
	// Buffer is the capacity of the events channel (default 256). When it
	// is full, reading from the node waits.
	Buffer int
	// OnError, if set, hears about lost connections and failed reads; the
	// subscription keeps going.
	OnError func(error)
}

// Subscription streams the events matching a filter, each exactly once, in
// block order when read back and in arrival order when live. It survives
// lost connections and node restarts: on reconnecting it reads back, from
// the node's block results, every block it may have missed.
type Subscription struct {
	events chan Event
	done   chan struct{}
	cancel context.CancelFunc

	filter Filter
	opts   SubscribeOptions
	rpc    string
	http   *rpchttp.HTTP

	// covered is the height up to which every event was delivered (-1
	// until the first connection when starting from now).
	covered int64
	// maxLive is the highest height of an event received live.
	maxLive int64
	// seenTx and seenBlock remember what was delivered lately.
	seenTx    map[int64]map[string]bool
	seenBlock map[int64]bool

	statsMu sync.Mutex
	st      SubscriptionStats
}

// SubscriptionStats counts what a subscription did.
type SubscriptionStats struct {
	// Connections made (1 + reconnections).
	Connections int
	// BackfilledHeights read back from block results.
	BackfilledHeights int64
	// Delivered events.
	Delivered int64
	// LastHeight is the highest height known to be fully delivered.
	LastHeight int64
}

// Subscribe streams the events matching f until ctx is done or Close is
// called; the events channel is then closed.
func (c *Client) Subscribe(ctx context.Context, f Filter, opts SubscribeOptions) (*Subscription, error) {
	return Subscribe(ctx, c.cfg.RPC, f, opts)
}

// Subscribe streams the events matching f from the node at rpcAddr (e.g.
// http://127.0.0.1:26657) until ctx is done or Close is called.
func Subscribe(ctx context.Context, rpcAddr string, f Filter, opts SubscribeOptions) (*Subscription, error) {
	if opts.StallTimeout <= 0 {
		opts.StallTimeout = 15 * time.Second
	}
	if opts.Buffer <= 0 {
		opts.Buffer = 256
	}
	if opts.FromHeight < 0 {
		return nil, fmt.Errorf("from height %d is negative", opts.FromHeight)
	}
	httpc, err := rpchttp.New(rpcAddr, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("rpc %s: %w", rpcAddr, err)
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Subscription{
		events: make(chan Event, opts.Buffer), done: make(chan struct{}), cancel: cancel,
		filter: f, opts: opts, rpc: rpcAddr, http: httpc,
		covered: opts.FromHeight - 1, // -1 for "from now", set on connecting
		seenTx:  map[int64]map[string]bool{}, seenBlock: map[int64]bool{},
	}
	go s.run(ctx)
	return s, nil
}

// Events is the stream; it is closed when the subscription ends.
func (s *Subscription) Events() <-chan Event { return s.events }

// Close ends the subscription and waits for it to stop.
func (s *Subscription) Close() {
	s.cancel()
	<-s.done
}

// Stats returns the subscription's counters.
func (s *Subscription) Stats() SubscriptionStats {
	s.statsMu.Lock()
	defer s.statsMu.Unlock()
	return s.st
}

func (s *Subscription) publishStats() {
	s.statsMu.Lock()
	s.st.LastHeight = s.covered
	s.statsMu.Unlock()
}

func (s *Subscription) report(err error) {
	if s.opts.OnError != nil && err != nil {
		s.opts.OnError(err)
	}
}

func (s *Subscription) run(ctx context.Context) {
	defer close(s.done)
	defer close(s.events)
	keepStreaming(ctx, s.session, func(err error) {
		s.report(fmt.Errorf("event stream from %s: %w (reconnecting)", s.rpc, err))
	})
}

// session connects, subscribes, reads back what may have been missed and
// streams live events until the connection fails.
func (s *Subscription) session(ctx context.Context) error {
	ws, reconnected, err := openWS(s.rpc)
	if err != nil {
		return err
	}
	defer func() { _ = ws.Stop() }()
	s.statsMu.Lock()
	s.st.Connections++
	s.statsMu.Unlock()

	// Block events come every block and serve as the heartbeat. A Tx query
	// for a single event type is narrowed on the node by its attributes
	// (their JSON values quoted in the query); otherwise every tx comes
	// and the filter applies here.
	if err := ws.Subscribe(ctx, "tm.event='NewBlockEvents'"); err != nil {
		return err
	}
	if err := ws.Subscribe(ctx, s.txQuery()); err != nil {
		return err
	}

	// Read back the heights that may be incomplete, then stream.
	st, err := s.http.Status(ctx)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	latest := st.SyncInfo.LatestBlockHeight
	if s.covered < 0 {
		// The first connection without FromHeight: from now on.
		s.covered = latest
	}
	if err := s.backfill(ctx, s.covered+1, latest); err != nil {
		return err
	}
	s.publishStats()

	stall := time.NewTimer(s.opts.StallTimeout)
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
			return fmt.Errorf("no new block for %s", s.opts.StallTimeout)
		case resp, ok := <-ws.ResponsesCh:
			if !ok {
				return errors.New("connection closed")
			}
			if resp.Error != nil {
				return fmt.Errorf("node: %w", resp.Error)
			}
			var re ctypes.ResultEvent
			if err := cmtjson.Unmarshal(resp.Result, &re); err != nil || re.Data == nil {
				continue // a subscription's acknowledgement
			}
			switch d := re.Data.(type) {
			case cmttypes.EventDataNewBlockEvents:
				resetTimer(stall, s.opts.StallTimeout)
				if err := s.liveBlock(ctx, d.Height, d.Events); err != nil {
					return err
				}
			case cmttypes.EventDataTx:
				hash := fmt.Sprintf("%X", cmttypes.Tx(d.Tx).Hash())
				if err := s.liveTx(ctx, d.Height, hash, d.Result.Events); err != nil {
					return err
				}
			}
		}
	}
}

func (s *Subscription) txQuery() string {
	q := "tm.event='Tx'"
	if len(s.filter.Types) != 1 {
		return q
	}
	keys := make([]string, 0, len(s.filter.Attrs))
	for k := range s.filter.Attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := s.filter.Attrs[k]
		if strings.ContainsAny(v, "'") || strings.ContainsAny(k, "' =<>") {
			continue // not expressible in a query; filtered here
		}
		q += fmt.Sprintf(" AND %s.%s='%s'", s.filter.Types[0], k, v)
	}
	return q
}

// liveBlock handles a block's events streamed live. A height more than one
// past the last one seen means the stream skipped blocks: they are read back.
func (s *Subscription) liveBlock(ctx context.Context, height int64, events []abci.Event) error {
	if s.maxLive > 0 && height > s.maxLive+1 {
		if err := s.backfill(ctx, max(s.covered+1, s.maxLive-liveMargin), height-1); err != nil {
			return err
		}
	}
	s.seeLive(height)
	if err := s.deliverBlock(ctx, height, events); err != nil {
		return err
	}
	s.publishStats()
	return nil
}

func (s *Subscription) liveTx(ctx context.Context, height int64, hash string, events []abci.Event) error {
	s.seeLive(height)
	return s.deliverTx(ctx, height, hash, events)
}

// liveMargin is how many heights below the newest live one are read back
// after a lost connection: a node streams a block's txs and the next
// block's events on separate subscriptions, so the last few heights may
// have been cut short.
const liveMargin = 5

func (s *Subscription) seeLive(height int64) {
	s.maxLive = max(s.maxLive, height)
	s.covered = max(s.covered, s.maxLive-liveMargin-1)
	s.prune()
}

func (s *Subscription) deliverBlock(ctx context.Context, height int64, events []abci.Event) error {
	if s.seenBlock[height] {
		return nil
	}
	s.seenBlock[height] = true
	for _, e := range events {
		if err := s.deliver(ctx, newEvent(height, "", e)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Subscription) deliverTx(ctx context.Context, height int64, hash string, events []abci.Event) error {
	if s.seenTx[height][hash] {
		return nil
	}
	if s.seenTx[height] == nil {
		s.seenTx[height] = map[string]bool{}
	}
	s.seenTx[height][hash] = true
	for _, e := range events {
		if err := s.deliver(ctx, newEvent(height, hash, e)); err != nil {
			return err
		}
	}
	return nil
}

func (s *Subscription) deliver(ctx context.Context, e Event) error {
	if !s.filter.Match(e) {
		return nil
	}
	select {
	case s.events <- e:
		s.statsMu.Lock()
		s.st.Delivered++
		s.statsMu.Unlock()
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// backfill reads back heights [from, to] from the node's block results.
// Heights the node has pruned are reported and skipped.
func (s *Subscription) backfill(ctx context.Context, from, to int64) error {
	if from < 1 {
		from = 1
	}
	for h := from; h <= to; h++ {
		height := h
		block, err := s.http.Block(ctx, &height)
		if err != nil {
			if st, serr := s.http.Status(ctx); serr == nil && h < st.SyncInfo.EarliestBlockHeight {
				s.report(fmt.Errorf("heights %d-%d are pruned on the node; their events are lost", h, st.SyncInfo.EarliestBlockHeight-1))
				h = st.SyncInfo.EarliestBlockHeight - 1
				continue
			}
			return fmt.Errorf("block %d: %w", h, err)
		}
		res, err := s.http.BlockResults(ctx, &height)
		if err != nil {
			return fmt.Errorf("block results %d: %w", h, err)
		}
		for i, tx := range block.Block.Txs {
			if i >= len(res.TxsResults) {
				break
			}
			if err := s.deliverTx(ctx, h, fmt.Sprintf("%X", tx.Hash()), res.TxsResults[i].Events); err != nil {
				return err
			}
		}
		if err := s.deliverBlock(ctx, h, res.FinalizeBlockEvents); err != nil {
			return err
		}
		s.statsMu.Lock()
		s.st.BackfilledHeights++
		s.statsMu.Unlock()
	}
	s.covered = max(s.covered, to)
	s.prune()
	return nil
}

// dedupeWindow is how many heights below the newest one keep their
// record of delivered events; a duplicate can only come from a read-back
// overlapping the live stream, a few heights apart.
const dedupeWindow = 64

// prune forgets what was delivered long enough ago.
func (s *Subscription) prune() {
	floor := max(s.covered, s.maxLive) - dedupeWindow
	for h := range s.seenTx {
		if h < floor {
			delete(s.seenTx, h)
		}
	}
	for h := range s.seenBlock {
		if h < floor {
			delete(s.seenBlock, h)
		}
	}
}
