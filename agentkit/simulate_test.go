package agentkit

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
)

// scriptedNode answers simulations as a node whose expected sequence for
// the signer is expect(n) at its n-th simulation.
type scriptedNode struct {
	txtypes.UnimplementedServiceServer
	expect func(n int) uint64
	mu     sync.Mutex
	asked  []uint64
}

func (s *scriptedNode) Simulate(_ context.Context, req *txtypes.SimulateRequest) (*txtypes.SimulateResponse, error) {
	var tx txtypes.Tx
	if err := tx.Unmarshal(req.TxBytes); err != nil {
		return nil, status.Error(codes.InvalidArgument, err.Error())
	}
	seq := tx.AuthInfo.SignerInfos[0].Sequence
	s.mu.Lock()
	n := len(s.asked)
	s.asked = append(s.asked, seq)
	s.mu.Unlock()
	if want := s.expect(n); want != seq {
		return nil, status.Errorf(codes.Unknown, "account sequence mismatch, expected %d, got %d: incorrect account sequence", want, seq)
	}
	return &txtypes.SimulateResponse{GasInfo: &sdk.GasInfo{GasUsed: 77_000}}, nil
}

// simulatingClient is a client at sequence seq whose node is node, served
// on loopback.
func simulatingClient(t *testing.T, node *scriptedNode, seq uint64) *Client {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.ForceServerCodec(grpcCodec{}))
	txtypes.RegisterServiceServer(srv, node)
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(grpcCodec{})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	cfg := Config{}
	cfg.defaults()
	gasPrice, err := sdk.ParseDecCoin(cfg.GasPrice)
	if err != nil {
		t.Fatal(err)
	}
	return &Client{
		cfg: cfg, conn: conn, addrs: AddressCodec(cfg.Bech32Prefix), signer: FromSecret("simulate-test"),
		gasPrice: gasPrice, gas: newGasBook(), pending: map[uint64]pendingTx{}, seq: seq, seqLoaded: true,
	}
}

// A node re-checking its mempool after a block expects a climbing sequence
// for a while: the simulation follows it until the node settles, instead
// of failing the tx (it failed after three attempts, under load).
func TestSimulationFollowsAMovingExpectedSequence(t *testing.T) {
	defer func(step time.Duration) { simulateRetryStep = step }(simulateRetryStep)
	simulateRetryStep = time.Millisecond
	msgs := []sdk.Msg{&banktypes.MsgSend{FromAddress: "a", ToAddress: "b"}}

	// Re-checking: 15, 16, ... 19, then the mempool's 21 for good.
	node := &scriptedNode{expect: func(n int) uint64 {
		if n < 5 {
			return 15 + uint64(n)
		}
		return 21
	}}
	c := simulatingClient(t, node, 21)
	gas, err := c.simulate(context.Background(), msgs)
	if err != nil || gas != 77_000 {
		t.Fatalf("simulation while the node re-checks: gas %d, %v", gas, err)
	}
	if want := []uint64{21, 15, 16, 17, 18, 19, 21}; !slices.Equal(node.asked, want) {
		t.Fatalf("sequences simulated %v, want %v", node.asked, want)
	}
	if c.seq != 21 {
		t.Fatalf("the simulation moved the client's sequence to %d", c.seq)
	}

	// A node that never settles: refused after maxSimulateAttempts, with
	// the node's word.
	node = &scriptedNode{expect: func(n int) uint64 { return 30 + uint64(n%2) }}
	c = simulatingClient(t, node, 21)
	_, err = c.simulate(context.Background(), msgs)
	var txErr *TxError
	if !errors.As(err, &txErr) || txErr.Stage != StageSimulate || !strings.Contains(err.Error(), "account sequence mismatch") {
		t.Fatalf("a node that never settles: %v", err)
	}
	if len(node.asked) != maxSimulateAttempts {
		t.Fatalf("%d simulations, want %d", len(node.asked), maxSimulateAttempts)
	}

	// A cancelled context stops the waiting.
	node = &scriptedNode{expect: func(n int) uint64 { return 40 + uint64(n) }}
	c = simulatingClient(t, node, 21)
	simulateRetryStep = time.Hour
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.simulate(ctx, msgs); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled while waiting: %v", err)
	}
}
