package agentkit

import (
	"errors"
	"strings"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/gogoproto/proto"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"

	"github.com/agentchain/agentchain/internal/typedevent"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// typed encodes a typed event the way the chain emits it.
func typed(t *testing.T, msg proto.Message) abci.Event {
	t.Helper()
	ev, err := typedevent.ToEvent(msg)
	if err != nil {
		t.Fatal(err)
	}
	return abci.Event(ev)
}

func TestEventDecodesTypedEventsAndFilters(t *testing.T) {
	client := sdk.AccAddress([]byte("client-address-20byt"))
	funded := &markettypes.EventJobFunded{
		JobId: 7, Client: Bech32(client), Provider: 5, ListingId: 3,
		Price: sdk.NewInt64Coin("uagnt", 1_000_000), EscrowId: 11, DeliverBy: 120,
	}
	raw := typed(t, funded)
	// The SDK adds msg_index to a tx's events and mode to a block's.
	raw.Attributes = append(raw.Attributes,
		abci.EventAttribute{Key: "msg_index", Value: "0"},
		abci.EventAttribute{Key: "mode", Value: "EndBlock"})
	e := newEvent(42, "ABCD", raw)

	if e.Type != "agentchain.market.v1.EventJobFunded" || e.Height != 42 || e.TxHash != "ABCD" {
		t.Fatalf("event %+v", e)
	}
	if id, ok := e.Uint64("job_id"); !ok || id != 7 {
		t.Fatalf("job_id %d %v", id, ok)
	}
	if got := e.Text("client"); got != Bech32(client) {
		t.Fatalf("client %q", got)
	}
	msg, err := e.Typed()
	if err != nil {
		t.Fatal(err)
	}
	got, ok := msg.(*markettypes.EventJobFunded)
	if !ok || got.JobId != 7 || got.Provider != 5 || !got.Price.Equal(funded.Price) || got.DeliverBy != 120 {
		t.Fatalf("typed %T %+v", msg, msg)
	}

	if !JobsOfProvider(5).Match(e) || JobsOfProvider(6).Match(e) {
		t.Fatal("JobsOfProvider filters on the provider's quoted id")
	}
	if !JobsOfClient(Bech32(client)).Match(e) || JobsOfClient(Bech32(sdk.AccAddress([]byte("someone-else-20bytes")))).Match(e) {
		t.Fatal("JobsOfClient filters on the client's quoted address")
	}
	if (Filter{Types: []string{"agentchain.market.v1.EventJobAccepted"}}).Match(e) {
		t.Fatal("a filter on another type matched")
	}
	if !(Filter{}).Match(e) {
		t.Fatal("an empty filter matches everything")
	}
}

func TestQuoteMatchesTypedEventEncoding(t *testing.T) {
	addr := sdk.AccAddress([]byte("client-address-20byt"))
	e := newEvent(1, "", typed(t, &markettypes.EventJobAccepted{JobId: 18446744073709551615, Client: Bech32(addr), Provider: 2}))
	if e.Attributes["job_id"] != Quote(uint64(18446744073709551615)) {
		t.Fatalf("uint64 %s vs %s", e.Attributes["job_id"], Quote(uint64(18446744073709551615)))
	}
	if e.Attributes["client"] != Quote(addr) || e.Attributes["client"] != Quote(Bech32(addr)) {
		t.Fatalf("address %s vs %s", e.Attributes["client"], Quote(addr))
	}
	d := newEvent(1, "", typed(t, &markettypes.EventJobDelivered{JobId: 1, Milestone: 3}))
	if d.Attributes["milestone"] != Quote(uint32(3)) {
		t.Fatalf("uint32 %s vs %s", d.Attributes["milestone"], Quote(uint32(3)))
	}
}

func TestTxQueryNarrowsSingleTypeFilters(t *testing.T) {
	s := &Subscription{filter: Filter{Types: []string{"agentchain.market.v1.EventJobFunded"}, Attrs: map[string]string{"provider": Quote(uint64(5))}}}
	if got, want := s.txQuery(), `tm.event='Tx' AND agentchain.market.v1.EventJobFunded.provider='"5"'`; got != want {
		t.Fatalf("query %s, want %s", got, want)
	}
	s.filter = JobsOfProvider(5)
	if got := s.txQuery(); got != "tm.event='Tx'" {
		t.Fatalf("several types cannot be one query: %s", got)
	}
	s.filter = Filter{Types: []string{"x"}, Attrs: map[string]string{"k": "it's"}}
	if got := s.txQuery(); got != "tm.event='Tx'" {
		t.Fatalf("a quote in a value is filtered client-side: %s", got)
	}
}

func TestErrorsMapToRegisteredErrors(t *testing.T) {
	msgs := []sdk.Msg{&markettypes.MsgHire{}}
	// A simulation reports only the error's text.
	simErr := status.Error(codes.Unknown, "job 4 is DELIVERED, not IN_PROGRESS: "+markettypes.ErrWrongStatus.Error()+" With gas wanted: '0' and gas used: '1234' : unknown request")
	err := simulationError(simErr, msgs)
	if !errors.Is(err, markettypes.ErrWrongStatus) {
		t.Fatalf("%v does not match ErrWrongStatus", err)
	}
	// As a v0.53 node words it.
	err = simulationError(status.Error(codes.Unknown, "failed to execute message; message index: 0: terms_uri is required: "+markettypes.ErrInvalidURI.Error()+" [/src/x/market/types/validation.go:21] with gas used: '29028'"), msgs)
	if !errors.Is(err, markettypes.ErrInvalidURI) || errors.Is(err, agentidtypes.ErrInvalidURI) {
		t.Fatalf("%v does not match the market's ErrInvalidURI", err)
	}
	err = simulationError(status.Error(codes.Unknown, "spent 10uagnt of 5uagnt: agent spend cap exceeded"), msgs)
	if !errors.Is(err, agentidtypes.ErrSpendCapExceeded) {
		t.Fatalf("%v does not match ErrSpendCapExceeded", err)
	}
	// A hire refused by the client's spend cap is the market's refusal, and
	// still names its cause.
	capped := "failed to execute message; message index: 0: lock 5uagnt from agent1x: agent 3 (a) may send at most 1uagnt at once: " +
		agentidtypes.ErrSpendCapExceeded.Error() + ": " + escrowtypes.ErrLockRefused.Error() + ": " + markettypes.ErrEscrowRefused.Error()
	err = simulationError(status.Error(codes.Unknown, capped+" with gas used: '1'"), msgs)
	if !errors.Is(err, markettypes.ErrEscrowRefused) || !errors.Is(err, agentidtypes.ErrSpendCapExceeded) || !errors.Is(err, escrowtypes.ErrLockRefused) {
		t.Fatalf("%v does not match the refusal and its causes", err)
	}
	if err := chainError(markettypes.ModuleName, markettypes.ErrEscrowRefused.ABCICode(), capped); !errors.Is(err, agentidtypes.ErrSpendCapExceeded) {
		t.Fatalf("%v from a block does not name its cause", err)
	}
	err = simulationError(status.Error(codes.Unknown, "spendable balance 1uagnt is smaller than 5uagnt: insufficient funds"), msgs)
	if !errors.Is(err, sdkerrors.ErrInsufficientFunds) {
		t.Fatalf("%v does not match ErrInsufficientFunds", err)
	}
	if err := simulationError(status.Error(codes.Unknown, "something else"), msgs); errors.Is(err, sdkerrors.ErrInsufficientFunds) {
		t.Fatal("unrelated text matched")
	}
	// A code from CheckTx or a block maps directly.
	if !errors.Is(chainError(markettypes.ModuleName, markettypes.ErrWrongStatus.ABCICode(), "x"), markettypes.ErrWrongStatus) {
		t.Fatal("code did not map")
	}
	// What a caller prints is the chain's text, without Go source paths.
	txErr := &TxError{Stage: StageSimulate, err: simulationError(simErr, msgs)}
	if got := txErr.Error(); strings.Contains(got, ".go:") || !strings.HasSuffix(got, markettypes.ErrWrongStatus.Error()) {
		t.Fatalf("tx error text %q", got)
	}
	q := queryError(status.Error(codes.NotFound, "no agent has address agent1x: agent not found"), agentidtypes.ModuleName)
	if !errors.Is(q, agentidtypes.ErrAgentNotFound) || !IsNotFound(q) || status.Code(q) != codes.NotFound {
		t.Fatalf("query error %v", q)
	}
}

func TestSignersDeriveStandardKeys(t *testing.T) {
	// The devnet's alice (config.yml) at m/44'/118'/0'/0/0.
	s, err := FromMnemonic("abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about")
	if err != nil {
		t.Fatal(err)
	}
	if got := Bech32(s.Address()); got != "agent19rl4cm2hmr8afy4kldpxz3fka4jguq0al9elqr" {
		t.Fatalf("alice is %s", got)
	}
	if _, err := FromMnemonic("not a mnemonic"); err == nil {
		t.Fatal("invalid mnemonic accepted")
	}
	m, err := NewMnemonic()
	if err != nil {
		t.Fatal(err)
	}
	k, err := FromMnemonic(m)
	if err != nil {
		t.Fatal(err)
	}
	// A key proof made by the agent key verifies for its owner.
	owner := FromSecret("owner")
	nonce := uint64(1)
	sig, err := k.Sign(agentidtypes.BindingDigest("chain-1", owner.Address(), k.Address(), nonce))
	if err != nil {
		t.Fatal(err)
	}
	proof := &agentidtypes.KeyProof{PubKey: k.PubKey().Bytes(), Nonce: nonce, Signature: sig}
	if err := agentidtypes.VerifyKeyProof("chain-1", owner.Address(), k.Address(), proof); err != nil {
		t.Fatal(err)
	}
}
