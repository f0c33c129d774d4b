package agentkit

import (
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	markettypes "github.com/agentchain/agentchain/x/market/types"
)

func TestGasBookLearnsTheLargestRecentFigure(t *testing.T) {
	b := newGasBook()
	kind := txKind([]sdk.Msg{&banktypes.MsgSend{}})
	if _, ok := b.largest(kind); ok {
		t.Fatal("a kind never seen has an estimate")
	}
	for _, g := range []uint64{70_000, 90_000, 60_000} {
		b.observe(kind, g)
	}
	if g, _ := b.largest(kind); g != 90_000 {
		t.Fatalf("largest %d, want 90000", g)
	}
	// After gasWindow smaller figures, the old peak is forgotten.
	for i := 0; i < gasWindow; i++ {
		b.observe(kind, 50_000)
	}
	if g, _ := b.largest(kind); g != 50_000 {
		t.Fatalf("largest %d after %d figures of 50000, want 50000", g, gasWindow)
	}
	b.observe(kind, 0) // no figure
	if g, _ := b.largest(kind); g != 50_000 {
		t.Fatalf("a zero figure changed the estimate to %d", g)
	}
	other := txKind([]sdk.Msg{&markettypes.MsgHire{}, &banktypes.MsgSend{}})
	if _, ok := b.largest(other); ok || other == kind {
		t.Fatal("kinds are told apart by their messages' types, in order")
	}
	b.forget(kind)
	if _, ok := b.largest(kind); ok {
		t.Fatal("a forgotten kind kept its estimate")
	}
}

func TestParseExpectedSequence(t *testing.T) {
	for log, want := range map[string]uint64{
		"account sequence mismatch, expected 17, got 15: incorrect account sequence":                                                                                                                17,
		"rpc error: code = Unknown desc = account sequence mismatch, expected 3, got 9: incorrect account sequence [cosmos/cosmos-sdk@v0.53.4/x/auth/ante/sigverify.go:290] with gas used: '35121'": 3,
	} {
		if got, ok := parseExpectedSequence(log); !ok || got != want {
			t.Errorf("%q: %d %v, want %d", log, got, ok, want)
		}
	}
	if _, ok := parseExpectedSequence("insufficient funds"); ok {
		t.Error("a sequence read from a refusal that names none")
	}
}
