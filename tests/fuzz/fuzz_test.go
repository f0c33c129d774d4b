// Package fuzz_test fuzzes what reaches agentchain from outside: every
// custom message decoded from transaction bytes and from JSON (amino and
// protobuf JSON), and every message handler run on a live state with
// whatever a fuzzer puts in the message. Nothing may panic; unknown fields
// are refused; a handler refuses only with its own module's registered
// errors. `make test` runs the seed corpus; `make fuzz` runs each target
// for longer.
package fuzz_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	gogoproto "github.com/cosmos/gogoproto/proto"
	"google.golang.org/protobuf/encoding/protowire"

	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reptypes "github.com/agentchain/agentchain/x/reputation/types"
)

// msgURLs lists every agentchain message type, sorted (a fuzz input picks
// one by index).
func msgURLs(reg codectypes.InterfaceRegistry) []string {
	var out []string
	for _, url := range reg.ListImplementations(sdk.MsgInterfaceProtoName) {
		if strings.HasPrefix(url, "/agentchain.") {
			out = append(out, url)
		}
	}
	slices.Sort(out)
	return out
}

func newMsg(t *testing.T, reg codectypes.InterfaceRegistry, url string) sdk.Msg {
	t.Helper()
	m, err := reg.Resolve(url)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// rawTx wraps one message's bytes in an unsigned transaction.
func rawTx(t *testing.T, url string, value []byte) []byte {
	t.Helper()
	body, err := (&txtypes.TxBody{Messages: []*codectypes.Any{{TypeUrl: url, Value: value}}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	auth, err := (&txtypes.AuthInfo{Fee: &txtypes.Fee{GasLimit: 200_000}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	bz, err := (&txtypes.TxRaw{BodyBytes: body, AuthInfoBytes: auth, Signatures: [][]byte{{}}}).Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return bz
}

// unknownField is field 99 (no agentchain message has one), a varint.
var unknownField = protowire.AppendVarint(protowire.AppendTag(nil, 99, protowire.VarintType), 1)

var (
	worldOnce sync.Once
	world     *fuzzWorld
)

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// seedMsgs returns a valid-looking message of every type, referring to what
// the world holds, for the seed corpus.
func seedMsgs(w *fuzzWorld) []sdk.Msg {
	a, b, c := w.ta.Accounts[0].Addr.String(), w.ta.Accounts[1].Addr.String(), w.ta.Accounts[2].Addr.String()
	gov := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	coin := sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(1_000))
	return []sdk.Msg{
		&agentidtypes.MsgRegisterAgent{Owner: a, Name: "fuzz-agent", AgentAddress: a, Capabilities: []string{"summarize"}},
		&agentidtypes.MsgUpdateAgent{Owner: a, AgentId: 1, CardUri: "https://c.example", CardHash: hash("c")},
		&agentidtypes.MsgRotateAgentKey{Owner: a, AgentId: 1, NewAgentAddress: c},
		&agentidtypes.MsgTransferOwnership{Owner: a, AgentId: 1, NewOwner: b},
		&agentidtypes.MsgSetAgentStatus{Owner: a, AgentId: 1, Status: agentidtypes.AGENT_STATUS_SUSPENDED},
		&agentidtypes.MsgDeactivateAgent{Owner: a, AgentId: 1},
		&agentidtypes.MsgSetSpendPolicy{Owner: a, AgentId: 1, Denom: app.BaseDenom, Cap: sdkmath.NewInt(5), WindowBlocks: 10},
		&agentidtypes.MsgAttest{Attester: c, AgentId: 1, ClaimType: "kyc", Uri: "https://k.example", Hash: hash("k")},
		&agentidtypes.MsgRevokeAttestation{Attester: c, AgentId: 1, ClaimType: "kyc"},
		&agentidtypes.MsgUpdateParams{Authority: gov, Params: agentidtypes.DefaultParams()},
		&escrowtypes.MsgCreateEscrow{Payer: a, Payee: b, Amount: sdk.NewCoins(coin), ExpiresHeight: w.ta.Height + 10},
		&escrowtypes.MsgRelease{Payer: a, EscrowId: w.escrow},
		&escrowtypes.MsgRefund{Signer: b, EscrowId: w.escrow},
		&escrowtypes.MsgOpenDispute{Signer: a, EscrowId: w.escrow, Reason: escrowtypes.DISPUTE_REASON_OTHER, EvidenceHash: hash("e")},
		&escrowtypes.MsgResolveDispute{Signer: c, EscrowId: w.escrow + 1, PayeeShareBps: 5_000},
		&escrowtypes.MsgSettleEscrow{Signer: c, EscrowId: w.escrow},
		&escrowtypes.MsgUpdateParams{Authority: gov, Params: escrowtypes.DefaultParams()},
		&escrowtypes.MsgOpenStream{Payer: b, Payee: a, Rate: sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(10)), Deposit: coin, EndHeight: w.ta.Height + 90},
		&escrowtypes.MsgWithdrawStream{Payee: a, StreamId: 1},
		&escrowtypes.MsgTopUpStream{Payer: b, StreamId: 1, Amount: coin},
		&escrowtypes.MsgCancelStream{Signer: b, StreamId: 1},
		&escrowtypes.MsgCloseStream{Signer: c, StreamId: 1},
		&markettypes.MsgSubscribe{Client: b, ListingId: 2, Rate: sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(10)), TermBlocks: 20},
		&markettypes.MsgWithdrawSubscription{Signer: a, JobId: 6},
		&markettypes.MsgTopUpSubscription{Client: b, JobId: 6, ExtraBlocks: 5},
		&markettypes.MsgPauseSubscription{Signer: a, JobId: 6},
		&markettypes.MsgResumeSubscription{Signer: a, JobId: 6},
		&markettypes.MsgCancelSubscription{Signer: b, JobId: 6},
		&markettypes.MsgCreateListing{Signer: a, Provider: 1, Capability: "summarize", Title: "t", TermsUri: "https://t.example", TermsHash: hash("t"), Price: coin, MaxDurationBlocks: 100, ReviewWindowBlocks: 20},
		&markettypes.MsgUpdateListing{Signer: a, ListingId: 1, Title: "u"},
		&markettypes.MsgSetListingStatus{Signer: a, ListingId: 1, Status: markettypes.LISTING_STATUS_PAUSED},
		&markettypes.MsgHire{Client: b, ListingId: 1, SpecUri: "https://s.example", SpecHash: hash("s"), DeliverBy: w.ta.Height + 50},
		&markettypes.MsgPostRequest{Client: b, Capability: "summarize", SpecUri: "https://s.example", SpecHash: hash("s"), Budget: coin, BidDeadline: w.ta.Height + 20},
		&markettypes.MsgCancelRequest{Client: b, RequestId: 1},
		&markettypes.MsgPlaceBid{Signer: a, RequestId: 1, Provider: 1, Price: coin, DeliveryBlocks: 10},
		&markettypes.MsgAcceptBid{Client: b, RequestId: 1, BidId: 1},
		&markettypes.MsgAcceptJob{Signer: a, JobId: 1},
		&markettypes.MsgDeclineJob{Signer: a, JobId: 1},
		&markettypes.MsgCancelJob{Client: b, JobId: 1},
		&markettypes.MsgDeliver{Signer: a, JobId: 2, ResultUri: "https://r.example", ResultHash: hash("r")},
		&markettypes.MsgComplete{Client: b, JobId: 3},
		&markettypes.MsgReject{Client: b, JobId: 3, Reason: markettypes.REJECT_REASON_OTHER, EvidenceHash: hash("e")},
		&markettypes.MsgResolve{Signer: c, JobId: 4, ProviderShareBps: 5_000},
		&markettypes.MsgSettleJob{Signer: c, JobId: 1},
		&markettypes.MsgSettleRequest{Signer: c, RequestId: 1},
		&markettypes.MsgPurchase{Client: b, ListingId: 1, Calls: 1, Amount: coin, RequestId: "fuzz-1", ValidUntilHeight: w.ta.Height + 5},
		&markettypes.MsgUpdateParams{Authority: gov, Params: markettypes.DefaultParams()},
		&reptypes.MsgSubmitFeedback{Rater: b, JobId: 5, Score: 90},
		&reptypes.MsgRespondFeedback{Responder: a, JobId: 5, Role: reptypes.RATER_ROLE_CLIENT, ResponseUri: "https://r.example", ResponseHash: hash("r")},
		&reptypes.MsgRevokeFeedback{Rater: b, JobId: 5, Role: reptypes.RATER_ROLE_CLIENT},
		&reptypes.MsgUpdateParams{Authority: gov, Params: reptypes.DefaultParams()},
	}
}

// addSeeds adds every seed message, and one of every type with random-ish
// bytes, to a fuzz target taking (type index, bytes).
func addSeeds(f *testing.F, w *fuzzWorld) {
	urls := msgURLs(w.ta.InterfaceRegistry())
	covered := map[string]bool{}
	for _, m := range seedMsgs(w) {
		url := sdk.MsgTypeURL(m)
		bz, err := gogoproto.Marshal(m)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(slices.Index(urls, url)), bz)
		covered[url] = true
	}
	for i, url := range urls {
		if !covered[url] {
			f.Fatalf("no seed message of %s: add one to seedMsgs", url)
		}
		f.Add(uint8(i), []byte{0x0a, 0x03, 'a', 'b', 'c'})
	}
}

// FuzzDecodeTx: any bytes offered as a transaction decode or are refused;
// a decoded agentchain message has no unknown fields, re-encodes to what
// decodes the same, and yields amino JSON sign bytes; the same bytes with
// an unknown field are refused.
func FuzzDecodeTx(f *testing.F) {
	w := getWorld(f)
	reg := w.ta.InterfaceRegistry()
	urls := msgURLs(reg)
	decode := w.ta.TxConfig().TxDecoder()
	addSeeds(f, w)
	f.Fuzz(func(t *testing.T, idx uint8, value []byte) {
		url := urls[int(idx)%len(urls)]
		tx, err := decode(rawTx(t, url, value))
		if err != nil {
			return
		}
		msgs := tx.GetMsgs()
		if len(msgs) != 1 || sdk.MsgTypeURL(msgs[0]) != url {
			t.Fatalf("decoded %v from one %s", msgs, url)
		}
		if _, err := decode(rawTx(t, url, append(slices.Clone(value), unknownField...))); err == nil {
			t.Fatalf("%s with an unknown field decoded", url)
		}
		again, err := gogoproto.Marshal(msgs[0])
		if err != nil {
			t.Fatal(err)
		}
		tx2, err := decode(rawTx(t, url, again))
		if err != nil || !sameMsg(tx2.GetMsgs()[0], msgs[0]) {
			t.Fatalf("%s re-encoded does not decode the same: %v", url, err)
		}
		aminoSignBytes(t, w, msgs[0])
	})
}

// sameMsg compares two messages by their protobuf encoding (which is the
// same for equal values: an empty and a nil list both encode to nothing).
func sameMsg(a, b sdk.Msg) bool {
	x, errA := gogoproto.Marshal(a)
	y, errB := gogoproto.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(x, y)
}

// aminoSignBytes builds the amino JSON a Ledger-style wallet signs for msg:
// it must not panic, whatever the message holds.
func aminoSignBytes(t *testing.T, w *fuzzWorld, msg sdk.Msg) {
	txCfg := w.ta.TxConfig()
	txb := txCfg.NewTxBuilder()
	if err := txb.SetMsgs(msg); err != nil {
		return
	}
	pub := secp256k1.GenPrivKeyFromSecret([]byte("fuzz-signer")).PubKey()
	if err := txb.SetSignatures(signing.SignatureV2{PubKey: pub, Data: &signing.SingleSignatureData{SignMode: signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON}}); err != nil {
		t.Fatal(err)
	}
	_, _ = authsigning.GetSignBytesAdapter(context.Background(), txCfg.SignModeHandler(), signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON,
		authsigning.SignerData{ChainID: apptest.ChainID, PubKey: pub, Address: sdk.AccAddress(pub.Address()).String()}, txb.GetTx())
}

// FuzzDecodeJSON: any JSON offered as an agentchain message, in protobuf
// JSON (the CLI, REST and genesis) or legacy amino JSON, decodes or is
// refused without a panic; protobuf JSON refuses unknown fields, and what
// decodes re-encodes to JSON that decodes the same.
func FuzzDecodeJSON(f *testing.F) {
	w := getWorld(f)
	reg := w.ta.InterfaceRegistry()
	urls := msgURLs(reg)
	cdc, amino := w.ta.AppCodec(), w.ta.LegacyAmino()
	for _, m := range seedMsgs(w) {
		idx := uint8(slices.Index(urls, sdk.MsgTypeURL(m)))
		if bz, err := cdc.MarshalJSON(m); err == nil {
			f.Add(idx, bz)
		}
		if bz, err := amino.MarshalJSON(m); err == nil {
			f.Add(idx, bz)
		}
	}
	f.Add(uint8(0), []byte(`{"owner":"x","unknown_field":1}`))
	f.Fuzz(func(t *testing.T, idx uint8, bz []byte) {
		url := urls[int(idx)%len(urls)]
		m := newMsg(t, reg, url)
		if err := cdc.UnmarshalJSON(bz, m); err == nil {
			if bytes.Contains(bz, []byte(`"unknown_field"`)) {
				t.Fatalf("%s accepted an unknown JSON field: %s", url, bz)
			}
			again, err := cdc.MarshalJSON(m)
			if err != nil {
				t.Fatal(err)
			}
			m2 := newMsg(t, reg, url)
			if err := cdc.UnmarshalJSON(again, m2); err != nil || !sameMsg(m, m2) {
				t.Fatalf("%s JSON round trip: %v\n%s", url, err, again)
			}
		}
		_ = amino.UnmarshalJSON(bz, newMsg(t, reg, url))
	})
}

// FuzzMsgHandlers runs every message handler, in a throw-away branch of a
// live state (agents, listings, jobs in every status, escrows, requests,
// feedback), on whatever the fuzzer puts in the message: it never panics,
// and a refusal is one of the message's own module's registered errors.
func FuzzMsgHandlers(f *testing.F) {
	w := getWorld(f)
	reg := w.ta.InterfaceRegistry()
	urls := msgURLs(reg)
	router := w.ta.MsgServiceRouter()
	addSeeds(f, w)
	f.Fuzz(func(t *testing.T, idx uint8, value []byte) {
		url := urls[int(idx)%len(urls)]
		msg := newMsg(t, reg, url)
		if err := gogoproto.Unmarshal(value, msg); err != nil {
			return
		}
		handler := router.Handler(msg)
		if handler == nil {
			t.Fatalf("no handler for %s", url)
		}
		branch, _ := w.ta.Ctx().CacheContext()
		_, err := handler(branch, msg)
		if err == nil {
			return
		}
		module := strings.Split(strings.TrimPrefix(url, "/agentchain."), ".")[0]
		codespace, code, _ := errorsmod.ABCIInfo(err, false)
		if codespace != module || code == 1 {
			t.Fatalf("%s refused from %s/%d, not its own module's errors: %v", url, codespace, code, err)
		}
	})
}

// fuzzWorld is a chain with something of everything, built once per
// process.
type fuzzWorld struct {
	ta *apptest.TestApp
	// escrow is the first direct escrow (locked; the next one is disputed).
	escrow uint64
}

func getWorld(tb testing.TB) *fuzzWorld {
	worldOnce.Do(func() { world = buildWorld(tb) })
	if world == nil {
		tb.Fatal("the fuzz world could not be built")
	}
	return world
}

func buildWorld(tb testing.TB) *fuzzWorld {
	ta := apptest.New(tb, apptest.Options{Accounts: 4})
	w := &fuzzWorld{ta: ta}
	owner, client, arbiter := ta.Accounts[0], ta.Accounts[1], ta.Accounts[2]
	gov := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	run := func(msg sdk.Msg) {
		tb.Helper()
		if _, err := ta.MsgServiceRouter().Handler(msg)(ta.Ctx(), msg); err != nil {
			tb.Fatalf("%T: %v", msg, err)
		}
	}
	mp := markettypes.DefaultParams()
	mp.Arbiters, mp.DefaultArbiter = []string{arbiter.Addr.String()}, arbiter.Addr.String()
	mp.AcceptWindowBlocks, mp.DisputeTimeoutBlocks = 30, 30
	run(&markettypes.MsgUpdateParams{Authority: gov, Params: mp})
	ap := agentidtypes.DefaultParams()
	ap.Attesters = []string{arbiter.Addr.String()}
	run(&agentidtypes.MsgUpdateParams{Authority: gov, Params: ap})
	run(&agentidtypes.MsgRegisterAgent{Owner: owner.Addr.String(), Name: "provider", AgentAddress: owner.Addr.String(), Capabilities: []string{"summarize"}})
	run(&agentidtypes.MsgRegisterAgent{Owner: client.Addr.String(), Name: "client", AgentAddress: client.Addr.String()})
	run(&agentidtypes.MsgAttest{Attester: arbiter.Addr.String(), AgentId: 1, ClaimType: "kyc", Uri: "https://k.example", Hash: hash("k")})
	run(&agentidtypes.MsgSetSpendPolicy{Owner: client.Addr.String(), AgentId: 2, Denom: app.BaseDenom, Cap: sdkmath.NewInt(1_000_000_000), WindowBlocks: 100})
	price := sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(1_000_000))
	run(&markettypes.MsgCreateListing{Signer: owner.Addr.String(), Provider: 1, Capability: "summarize", Title: "t", TermsUri: "https://t.example", TermsHash: hash("t"), Price: price, MaxDurationBlocks: 500, ReviewWindowBlocks: 20})
	hire := func() uint64 {
		id, _ := ta.MarketKeeper.JobSeq.Peek(ta.Ctx())
		run(&markettypes.MsgHire{Client: client.Addr.String(), ListingId: 1, SpecUri: "https://s.example", SpecHash: hash("s"), DeliverBy: ta.Height + 100})
		return max(id, 1)
	}
	provider := owner.Addr.String()
	hire() // 1: funded
	for i := 0; i < 4; i++ {
		id := hire() // 2 in progress, 3 delivered, 4 disputed, 5 completed
		run(&markettypes.MsgAcceptJob{Signer: provider, JobId: id})
		if id == 2 {
			continue
		}
		run(&markettypes.MsgDeliver{Signer: provider, JobId: id, ResultUri: "https://r.example", ResultHash: hash("r")})
		switch id {
		case 4:
			run(&markettypes.MsgReject{Client: client.Addr.String(), JobId: id, Reason: markettypes.REJECT_REASON_OTHER, EvidenceHash: hash("e")})
		case 5:
			run(&markettypes.MsgComplete{Client: client.Addr.String(), JobId: id})
			run(&reptypes.MsgSubmitFeedback{Rater: client.Addr.String(), JobId: id, Score: 80})
		}
	}
	run(&markettypes.MsgPostRequest{Client: client.Addr.String(), Capability: "summarize", SpecUri: "https://s.example", SpecHash: hash("s"), Budget: price, BidDeadline: ta.Height + 50})
	run(&markettypes.MsgPlaceBid{Signer: provider, RequestId: 1, Provider: 1, Price: price, DeliveryBlocks: 10})
	first, _ := ta.EscrowKeeper.EscrowSeq.Peek(ta.Ctx())
	w.escrow = first
	run(&escrowtypes.MsgCreateEscrow{Payer: client.Addr.String(), Payee: owner.Addr.String(), Amount: sdk.NewCoins(price), Arbiter: arbiter.Addr.String(), ExpiresHeight: ta.Height + 40})
	run(&escrowtypes.MsgCreateEscrow{Payer: client.Addr.String(), Payee: owner.Addr.String(), Amount: sdk.NewCoins(price), Arbiter: arbiter.Addr.String()})
	run(&escrowtypes.MsgOpenDispute{Signer: owner.Addr.String(), EscrowId: first + 1, Reason: escrowtypes.DISPUTE_REASON_OTHER, EvidenceHash: hash("d")})
	// Stream 1 (direct), listing 2 per block, subscription job 6 (stream 2).
	perBlock := sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(10))
	run(&escrowtypes.MsgOpenStream{Payer: client.Addr.String(), Payee: owner.Addr.String(), Rate: perBlock, Deposit: price})
	run(&markettypes.MsgCreateListing{
		Signer: owner.Addr.String(), Provider: 1, Capability: "summarize", Title: "m", TermsUri: "https://t.example", TermsHash: hash("t"),
		Price: perBlock, MaxDurationBlocks: 500, Billing: markettypes.LISTING_BILLING_PER_BLOCK, MinTermBlocks: 5,
	})
	run(&markettypes.MsgSubscribe{Client: client.Addr.String(), ListingId: 2, Rate: perBlock, TermBlocks: 100})
	run(banktypes.NewMsgSend(owner.Addr, client.Addr, sdk.NewCoins(price)))
	if _, err := ta.CheckInvariants(ta.Ctx()); err != nil {
		tb.Fatal(fmt.Errorf("the fuzz world is broken: %w", err))
	}
	return w
}
