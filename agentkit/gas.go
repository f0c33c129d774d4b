package agentkit

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// gasOverhead is added to every gas estimate, over the adjustment.
const gasOverhead = 10_000

// gasWindow is how many recent gas figures of one kind of tx a Client
// remembers; its estimate covers the largest of them.
const gasWindow = 8

// gasBook learns, per kind of transaction (its messages' types, in order),
// how much gas such transactions use: from simulations and from the
// results of included ones. A Client simulates the first tx of a kind, then
// pays the largest recent figure times the adjustment; an out-of-gas
// failure makes it forget the kind and simulate again.
type gasBook struct {
	mu    sync.Mutex
	kinds map[string]*gasRecord
}

type gasRecord struct {
	recent [gasWindow]uint64
	n      int // figures recorded, up to gasWindow
	next   int
}

func newGasBook() *gasBook { return &gasBook{kinds: map[string]*gasRecord{}} }

// txKind names a kind of transaction: its messages' type URLs, in order.
func txKind(msgs []sdk.Msg) string {
	names := make([]string, len(msgs))
	for i, m := range msgs {
		names[i] = sdk.MsgTypeURL(m)
	}
	return strings.Join(names, ",")
}

// largest is the largest recent figure of a kind; ok is false for a kind
// never seen (or forgotten).
func (b *gasBook) largest(kind string) (uint64, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.kinds[kind]
	if r == nil || r.n == 0 {
		return 0, false
	}
	var m uint64
	for _, g := range r.recent[:r.n] {
		m = max(m, g)
	}
	return m, true
}

func (b *gasBook) observe(kind string, used uint64) {
	if used == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	r := b.kinds[kind]
	if r == nil {
		r = &gasRecord{}
		b.kinds[kind] = r
	}
	r.recent[r.next] = used
	r.next = (r.next + 1) % gasWindow
	r.n = min(r.n+1, gasWindow)
}

func (b *gasBook) forget(kind string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.kinds, kind)
}

// clientStats counts what a Client asked of the node.
type clientStats struct {
	broadcasts          atomic.Int64
	simulations         atomic.Int64
	txQueries           atomic.Int64
	includedByEvent     atomic.Int64
	includedByQuery     atomic.Int64
	includedByLookup    atomic.Int64
	lookups             atomic.Int64
	lookupRequests      atomic.Int64
	streamConnections   atomic.Int64
	sequenceCorrections atomic.Int64
	rebroadcasts        atomic.Int64
	mempoolFullRetries  atomic.Int64
	outOfGasRetries     atomic.Int64
}

// Stats counts what a Client has asked of the node, for an agent's metrics
// and for load tests: how its txs were priced, how their inclusion was
// learned, and what it recovered from.
type Stats struct {
	// Broadcasts is the number of txs the node's mempool accepted.
	Broadcasts int64
	// Simulations is the number of gas simulations asked of the node.
	Simulations int64
	// TxQueries is the number of queries a waiter made for its own tx
	// (while the stream was down, or as a late safety check).
	TxQueries int64
	// Lookups is the number of tx hashes looked up in the node's tx index
	// at new blocks, and LookupRequests the requests they took (one per
	// block with txs waited for, in the steady state).
	Lookups        int64
	LookupRequests int64
	// IncludedByLookup, IncludedByEvent and IncludedByQuery count the
	// waits that ended on a lookup at a new block, on a streamed Tx event
	// (nodes without a tx index) and on a waiter's own query.
	IncludedByLookup int64
	IncludedByEvent  int64
	IncludedByQuery  int64
	// StreamConnections is the number of event stream connections made.
	StreamConnections int64
	// SequenceCorrections counts the node's answers that proved the
	// client's next sequence behind (another program used the key).
	SequenceCorrections int64
	// Rebroadcasts counts accepted txs the node dropped and that were sent
	// again, byte for byte (a full CometBFT mempool can drop a tx after
	// the app accepted it).
	Rebroadcasts int64
	// MempoolFullRetries counts broadcasts retried because the node's
	// mempool was full.
	MempoolFullRetries int64
	// OutOfGasRetries counts txs sent again, simulated, after a learned
	// estimate ran out of gas.
	OutOfGasRetries int64
}

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	s := &c.stats
	return Stats{
		Broadcasts: s.broadcasts.Load(), Simulations: s.simulations.Load(), TxQueries: s.txQueries.Load(),
		Lookups: s.lookups.Load(), LookupRequests: s.lookupRequests.Load(), IncludedByLookup: s.includedByLookup.Load(),
		IncludedByEvent: s.includedByEvent.Load(), IncludedByQuery: s.includedByQuery.Load(),
		StreamConnections: s.streamConnections.Load(), SequenceCorrections: s.sequenceCorrections.Load(),
		Rebroadcasts:       s.rebroadcasts.Load(),
		MempoolFullRetries: s.mempoolFullRetries.Load(), OutOfGasRetries: s.outOfGasRetries.Load(),
	}
}

var expectedSequence = regexp.MustCompile(`account sequence mismatch, expected (\d+), got (\d+)`)

// parseExpectedSequence reads the sequence the node expected from its
// refusal of a wrong one.
func parseExpectedSequence(log string) (uint64, bool) {
	m := expectedSequence.FindStringSubmatch(log)
	if m == nil {
		return 0, false
	}
	n, err := strconv.ParseUint(m[1], 10, 64)
	return n, err == nil
}
