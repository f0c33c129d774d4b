package e2e

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/agentchain/agentchain/agentkit"
	"github.com/agentchain/agentchain/types/nodeservice"
)

// dialWith connects a client with a config of the test's own.
func dialWith(t *testing.T, ctx context.Context, cfg agentkit.Config, s agentkit.Signer) *agentkit.Client {
	t.Helper()
	if cfg.InclusionTimeout == 0 {
		cfg.InclusionTimeout = txTimeout
	}
	c, err := agentkit.Dial(ctx, cfg, s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// fundedKeys makes n fresh keys, each funded with amount by one multi-send
// from c.
func fundedKeys(t *testing.T, ctx context.Context, c *agentkit.Client, prefix string, n int, amount int64) []agentkit.Signer {
	t.Helper()
	keys := make([]agentkit.Signer, n)
	msg := &banktypes.MsgMultiSend{Inputs: []banktypes.Input{{Address: c.AddressString(), Coins: sdk.NewCoins(agnt(amount * int64(n)))}}}
	for i := range keys {
		keys[i] = agentkit.FromSecret(fmt.Sprintf("%s-%d-%d", prefix, i, time.Now().UnixNano()))
		msg.Outputs = append(msg.Outputs, banktypes.Output{Address: c.Bech32(keys[i].Address()), Coins: sdk.NewCoins(agnt(amount))})
	}
	if _, err := c.Broadcast(ctx, msg); err != nil {
		t.Fatalf("fund %d keys: %v", n, err)
	}
	return keys
}

// tcpProxy forwards loopback connections to a target until cut.
type tcpProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	open   bool
	conns  []net.Conn
}

func newProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &tcpProxy{ln: ln, target: target, open: true}
	go func() {
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if !p.open {
				p.mu.Unlock()
				_ = in.Close()
				continue
			}
			out, err := net.Dial("tcp", target)
			if err != nil {
				p.mu.Unlock()
				_ = in.Close()
				continue
			}
			p.conns = append(p.conns, in, out)
			p.mu.Unlock()
			go func() { _, _ = io.Copy(out, in); _ = out.Close() }()
			go func() { _, _ = io.Copy(in, out); _ = in.Close() }()
		}
	}()
	t.Cleanup(func() { _ = ln.Close(); p.cut() })
	return p
}

func (p *tcpProxy) addr() string { return "http://" + p.ln.Addr().String() }

// cut closes every connection and refuses new ones.
func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.open = false
	for _, c := range p.conns {
		_ = c.Close()
	}
	p.conns = nil
}

func (p *tcpProxy) restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.open = true
}

// TestAgentkitUnderLoad: the efficient paths are agentkit's defaults, and
// they hold up.
//   - inclusion is learned at each new block from one lookup of the txs
//     waited for: no query per tx while the stream is up; with the RPC
//     cut, from bounded GetTx queries; then at new blocks again once it
//     is back; from a node without a tx index, from the key's Tx events;
//   - gas: one simulation per kind of tx, a fixed gas limit simulates
//     nothing, and a learned estimate that runs out of gas is recovered
//     from by one simulated resend;
//   - sequences: hundreds of txs from one key, many at a time, through a
//     node whose mempool is kept full by other senders, with not one
//     refusal of the client's own making.
func TestAgentkitUnderLoad(t *testing.T) {
	nw := StartNetwork(t, NetworkOptions{BeforeStart: func(n *Network) {
		// A small mempool, so that other senders can keep it full.
		SetTOML(t, n.Nodes[0].Home+"/config/config.toml", "mempool", "size", "60")
	}})
	node := nw.Nodes[0]
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	alice := dial(t, ctx, node, devnetSigner(t, "alice"))
	keys := fundedKeys(t, ctx, alice, "load", 12, 5_000_000_000)
	sink := agentkit.FromSecret("load-sink").Address()
	bankSend := func(c *agentkit.Client, to sdk.AccAddress, n int64) sdk.Msg {
		return &banktypes.MsgSend{FromAddress: c.AddressString(), ToAddress: c.Bech32(to), Amount: sdk.NewCoins(agnt(n))}
	}

	t.Run("inclusion at new blocks, and from queries when the stream is cut", func(t *testing.T) {
		proxy := newProxy(t, node.RPC)
		c := dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: proxy.addr()}, keys[0])
		const n = 20
		for i := 0; i < n; i++ {
			if _, err := c.Broadcast(ctx, bankSend(c, sink, 1)); err != nil {
				t.Fatal(err)
			}
		}
		st := c.Stats()
		t.Logf("stream up: %+v", st)
		if st.Simulations != 1 {
			t.Errorf("%d simulations for %d txs of one kind, want 1", st.Simulations, n)
		}
		// None is asked for alone: each is found by the lookup at a new
		// block, one request per block (a tx sent one after the other is
		// at most looked up twice: the block being built may not hold it).
		if st.IncludedByLookup != n || st.TxQueries != 0 || st.Lookups > 2*n || st.LookupRequests != st.Lookups {
			t.Errorf("with the stream up: %d of %d inclusions learned at new blocks, %d lookups in %d requests, %d own queries",
				st.IncludedByLookup, n, st.Lookups, st.LookupRequests, st.TxQueries)
		}

		// With its gRPC endpoint dead, a client still finds an included
		// tx, over CometBFT's RPC (the tx method without a proof).
		last, err := c.Broadcast(ctx, bankSend(c, sink, 1))
		if err != nil {
			t.Fatal(err)
		}
		rpcOnly := dialWith(t, ctx, agentkit.Config{GRPC: "127.0.0.1:1", RPC: "http://" + node.RPC, ChainID: nw.ChainID}, keys[0])
		found, err := rpcOnly.WaitForTx(ctx, last.Hash)
		if err != nil || found.Height != last.Height || found.GasUsed != last.GasUsed {
			t.Fatalf("tx %s looked up over RPC: %+v %v; want height %d", last.Hash, found, err, last.Height)
		}
		st = c.Stats()

		proxy.cut()
		for i := 0; i < 5; i++ {
			if _, err := c.Broadcast(ctx, bankSend(c, sink, 1)); err != nil {
				t.Fatal(err)
			}
		}
		cutSt := c.Stats()
		t.Logf("stream cut: %+v", cutSt)
		if got := cutSt.IncludedByQuery - st.IncludedByQuery; got != 5 {
			t.Errorf("with the websocket cut, %d of 5 inclusions learned from queries", got)
		}
		// Bounded: a tx lands within a few blocks; backing off from 250ms,
		// a wait asks at most about a dozen times.
		if q := cutSt.TxQueries - st.TxQueries; q > 5*12 {
			t.Errorf("%d GetTx queries for 5 txs with the stream down", q)
		}

		proxy.restore()
		waitFor(t, 30*time.Second, "the event stream to reconnect", func() bool { return c.Stats().StreamConnections > st.StreamConnections })
		time.Sleep(time.Second) // its subscriptions acknowledged
		for i := 0; i < 5; i++ {
			if _, err := c.Broadcast(ctx, bankSend(c, sink, 1)); err != nil {
				t.Fatal(err)
			}
		}
		back := c.Stats()
		t.Logf("stream back: %+v", back)
		if got := back.IncludedByLookup - cutSt.IncludedByLookup; got < 4 {
			t.Errorf("after the stream came back, %d of 5 inclusions learned at new blocks", got)
		}
	})

	t.Run("the node's TxResults service", func(t *testing.T) {
		svc := nodeservice.NewTxResultsClient(alice.Conn())
		res, err := alice.Broadcast(ctx, bankSend(alice, sink, 1))
		if err != nil {
			t.Fatal(err)
		}
		hash, _ := hex.DecodeString(res.Hash)
		got, err := svc.Lookup(ctx, &nodeservice.LookupRequest{Hashes: [][]byte{make([]byte, 32), hash}})
		if err != nil || len(got.Results) != 1 || !bytes.Equal(got.Results[0].Hash, hash) || got.Results[0].Height != res.Height {
			t.Fatalf("lookup of an unknown and an included tx: %+v %v", got, err)
		}
		var result abci.ExecTxResult
		if err := result.Unmarshal(got.Results[0].Result); err != nil || result.GasUsed != res.GasUsed || result.Code != 0 {
			t.Errorf("the result: %+v %v; want gas used %d", result, err, res.GasUsed)
		}
		// Bad input: refused, saying why.
		if _, err := svc.Lookup(ctx, &nodeservice.LookupRequest{Hashes: [][]byte{hash[:31]}}); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "32-byte") {
			t.Errorf("a 31-byte hash: %v", err)
		}
		many := make([][]byte, 101)
		for i := range many {
			many[i] = hash
		}
		if _, err := svc.Lookup(ctx, &nodeservice.LookupRequest{Hashes: many}); status.Code(err) != codes.InvalidArgument || !strings.Contains(err.Error(), "at most 100") {
			t.Errorf("101 hashes: %v", err)
		}
	})

	t.Run("fixed gas", func(t *testing.T) {
		c := dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC, GasLimit: 150_000}, keys[1])
		res, err := c.Broadcast(ctx, bankSend(c, sink, 1))
		if err != nil {
			t.Fatal(err)
		}
		if st := c.Stats(); st.Simulations != 0 {
			t.Errorf("a fixed gas limit simulated %d times", st.Simulations)
		}
		if res.GasUsed <= 0 || res.GasUsed > 150_000 {
			t.Errorf("gas used %d under a limit of 150000", res.GasUsed)
		}
		low := dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC, GasLimit: 20_000}, keys[1])
		_, err = low.Broadcast(ctx, bankSend(low, sink, 1))
		var txErr *agentkit.TxError
		if !errors.Is(err, sdkerrors.ErrOutOfGas) || !errors.As(err, &txErr) {
			t.Fatalf("a fixed gas limit too low: %v; want out of gas", err)
		}
		if st := low.Stats(); st.OutOfGasRetries != 0 || st.Simulations != 0 {
			t.Errorf("a fixed gas limit was second-guessed: %+v", st)
		}
	})

	t.Run("learned gas recovers from out of gas", func(t *testing.T) {
		c := dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC}, keys[2])
		multi := func(outputs int) sdk.Msg {
			m := &banktypes.MsgMultiSend{Inputs: []banktypes.Input{{Address: c.AddressString(), Coins: sdk.NewCoins(agnt(int64(outputs)))}}}
			for i := 0; i < outputs; i++ {
				to := agentkit.FromSecret(fmt.Sprintf("multi-out-%d", i)).Address()
				m.Outputs = append(m.Outputs, banktypes.Output{Address: c.Bech32(to), Coins: sdk.NewCoins(agnt(1))})
			}
			return m
		}
		// One output: the estimate of this kind is learned small.
		if _, err := c.Broadcast(ctx, multi(1)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.Broadcast(ctx, multi(1)); err != nil {
			t.Fatal(err)
		}
		before := c.Stats()
		// Forty outputs need many times that gas.
		res, err := c.Broadcast(ctx, multi(40))
		if err != nil {
			t.Fatalf("a tx whose learned gas fell short was not recovered: %v", err)
		}
		after := c.Stats()
		t.Logf("out-of-gas recovery: %+v, gas used %d", after, res.GasUsed)
		if after.OutOfGasRetries-before.OutOfGasRetries != 1 || after.Simulations-before.Simulations != 1 {
			t.Errorf("want one out-of-gas retry with one simulation: before %+v after %+v", before, after)
		}
		want := agentkit.FromSecret("multi-out-39").Address()
		if b, err := c.Balance(ctx, want, "uagnt"); err != nil || b.Int64() < 1 {
			t.Errorf("the last output of the resent tx: %v %v", b, err)
		}
	})

	t.Run("sequences hold through a full mempool", func(t *testing.T) {
		// Eight other senders keep the mempool full.
		floodCtx, stopFlood := context.WithCancel(ctx)
		var flooders sync.WaitGroup
		var flooded atomic.Int64
		for i := 4; i < 12; i++ {
			f := dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC, InclusionTimeout: 5 * time.Second}, keys[i])
			flooders.Add(1)
			go func() {
				defer flooders.Done()
				for floodCtx.Err() == nil {
					if _, err := f.Submit(floodCtx, bankSend(f, sink, 1)); err == nil {
						flooded.Add(1)
					}
				}
			}()
		}
		defer func() { stopFlood(); flooders.Wait() }()
		waitFor(t, 30*time.Second, "the flood to start", func() bool { return flooded.Load() > 200 })

		// One client with learned gas, one simulating every tx (the node's
		// simulations lag its mempool after each block).
		clients := []*agentkit.Client{
			dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC, InclusionTimeout: 2 * time.Minute}, keys[3]),
			dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC, InclusionTimeout: 2 * time.Minute, SimulateEveryTx: true}, keys[2]),
		}
		const perClient, workers = 150, 10
		var wg sync.WaitGroup
		var included atomic.Int64
		errs := make(chan error, 2*perClient)
		for _, c := range clients {
			jobs := make(chan int, perClient)
			for i := 0; i < perClient; i++ {
				jobs <- i
			}
			close(jobs)
			for w := 0; w < workers; w++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range jobs {
						if _, err := c.Broadcast(ctx, bankSend(c, sink, 1)); err != nil {
							errs <- err
							continue
						}
						included.Add(1)
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("refused: %v", err)
		}
		var full int64
		for i, c := range clients {
			st := c.Stats()
			t.Logf("client %d: %+v", i, st)
			// No one else uses these keys: the client's own count of its
			// sequence is never behind. (Rebroadcasts are txs the node
			// dropped after accepting them, sent again.)
			if st.SequenceCorrections != 0 {
				t.Errorf("client %d: its sequence was behind %d times", i, st.SequenceCorrections)
			}
			full += st.MempoolFullRetries
		}
		t.Logf("%d txs included, %d flood txs accepted", included.Load(), flooded.Load())
		if included.Load() != 2*perClient {
			t.Errorf("%d of %d txs included", included.Load(), 2*perClient)
		}
		if full == 0 {
			t.Error("the mempool was never full: the test proved nothing")
		}
	})

	t.Run("a node without a tx index: inclusion from the key's Tx events", func(t *testing.T) {
		nw := nw.In(t)
		h, err := alice.Height(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !nw.StopNode(node) {
			t.Fatal("the node did not stop")
		}
		SetTOML(t, node.Home+"/config/config.toml", "tx_index", "indexer", `"null"`)
		nw.StartNode(node)
		nw.WaitForHeight(node, h+2, startTimeout)
		c := dialWith(t, ctx, agentkit.Config{GRPC: node.GRPC, RPC: "http://" + node.RPC}, keys[0])
		const n = 10
		for i := 0; i < n; i++ {
			if _, err := c.Broadcast(ctx, bankSend(c, sink, 1)); err != nil {
				t.Fatal(err)
			}
		}
		st := c.Stats()
		t.Logf("no tx index: %+v", st)
		// The node says so.
		if _, err := nodeservice.NewTxResultsClient(c.Conn()).Lookup(ctx, &nodeservice.LookupRequest{Hashes: [][]byte{make([]byte, 32)}}); status.Code(err) != codes.FailedPrecondition {
			t.Errorf("TxResults on a node without a tx index: %v", err)
		}
		// The stream's first lookup finds out before any tx is sent, and
		// the stream subscribes to the key's Tx events instead.
		if st.IncludedByEvent != n || st.LookupRequests != 0 || st.TxQueries != 0 {
			t.Errorf("without a tx index: %d of %d inclusions from Tx events, %d lookup requests, %d own queries",
				st.IncludedByEvent, n, st.LookupRequests, st.TxQueries)
		}
	})
}
