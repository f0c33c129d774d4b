package integrity_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	marketkeeper "github.com/agentchain/agentchain/x/market/keeper"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reptypes "github.com/agentchain/agentchain/x/reputation/types"
)

// A signer who sets a tight gas limit must not get the market action
// without the signal its hook writes. Every gas limit from well below to
// just enough is tried on a rejection (whose hook counts a dispute against
// the provider): each attempt either fails whole, or succeeds with the
// signal.
func TestTightGasCannotSilenceSignals(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	owner, client := ta.Accounts[0], ta.Accounts[1]
	provider := w.newAgent(owner)
	listing := w.listing(provider, "summarize", 1_000_000, 1_000)
	job := w.hire(client, listing, 500)
	w.accept(provider, job)
	w.deliver(provider, job)

	reject := &markettypes.MsgReject{Client: client.Addr.String(), JobId: job, Reason: markettypes.REJECT_REASON_INCOMPLETE, EvidenceHash: hash("e")}
	probe := ta.Sign(client, apptest.Tx{Msgs: []sdk.Msg{reject}, Gas: 4_000_000})
	client.Seq-- // the probe is only simulated
	gasInfo, _, err := ta.Simulate(probe)
	if err != nil {
		t.Fatal(err)
	}
	used := int64(gasInfo.GasUsed)
	tried, failed := 0, 0
	for gas := used - 20_000; gas <= used+2_000; gas += 200 {
		tried++
		r := ta.DeliverTx(client, apptest.Tx{Msgs: []sdk.Msg{reject}, Gas: uint64(gas)})
		j, s := w.job(job), w.signals(provider.id)
		if r.Code != 0 {
			failed++
			if j.Status != markettypes.JOB_STATUS_DELIVERED || s.DisputesOpened != 0 {
				t.Fatalf("gas %d: the tx failed (%s) but left the job %s with %d disputes counted", gas, r.Log, j.Status, s.DisputesOpened)
			}
			continue
		}
		if j.Status != markettypes.JOB_STATUS_DISPUTED || s.DisputesOpened != 1 {
			t.Fatalf("gas %d: the rejection went through without its signal: job %s, %d disputes counted", gas, j.Status, s.DisputesOpened)
		}
		t.Logf("gas %d (simulated %d): rejected with the signal, after %d failed attempts of %d", gas, used, failed, tried)
		w.invariants()
		return
	}
	t.Fatalf("no gas limit up to %d let the rejection through", used+2_000)
}

// A client's page key must not take a query outside its range: a key from
// another capability's (or denom's) part of the price index is refused,
// while a next_key the query returned pages on.
func TestPageKeyStaysInItsRange(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	provider := w.newAgent(ta.Accounts[0])
	w.listing(provider, "summarize", 5, 10)
	w.listing(provider, "summarize", 7, 10)
	translate := w.listing(provider, "translate", 1, 10)
	qs := marketkeeper.NewQueryServerImpl(ta.MarketKeeper)

	first, err := qs.ListingsByCapability(ta.Ctx(), &markettypes.QueryListingsByCapabilityRequest{Capability: "summarize", Pagination: &query.PageRequest{Limit: 1}})
	if err != nil || len(first.Listings) != 1 || first.Pagination.NextKey == nil {
		t.Fatalf("first page: %v %v", first, err)
	}
	second, err := qs.ListingsByCapability(ta.Ctx(), &markettypes.QueryListingsByCapabilityRequest{Capability: "summarize", Pagination: &query.PageRequest{Key: first.Pagination.NextKey, Limit: 1}})
	if err != nil || len(second.Listings) != 1 || second.Listings[0].Capability != "summarize" || second.Listings[0].Id == first.Listings[0].Id {
		t.Fatalf("second page: %v %v", second, err)
	}

	kc := ta.MarketKeeper.Listings.Indexes.Price.Keys().KeyCodec()
	forge := func(capability, denom string, price, id uint64) []byte {
		k := collections.Join(collections.Join(capability, collections.Join(denom, price)), id)
		bz := make([]byte, kc.Size(k))
		if _, err := kc.Encode(bz, k); err != nil {
			t.Fatal(err)
		}
		return bz
	}
	for name, key := range map[string][]byte{
		"another capability": forge("translate", app.BaseDenom, 0, translate),
		"an earlier one":     forge("aaa", app.BaseDenom, 0, 0),
		"another denom":      forge("summarize", "zzz", 0, 0),
		"above max_price":    forge("summarize", app.BaseDenom, 6, 0),
		"trailing bytes":     append(forge("summarize", app.BaseDenom, 5, 0), 0),
	} {
		req := &markettypes.QueryListingsByCapabilityRequest{Capability: "summarize", Denom: app.BaseDenom, MaxPrice: "5", Pagination: &query.PageRequest{Key: key}}
		res, err := qs.ListingsByCapability(ta.Ctx(), req)
		if status.Code(err) != codes.InvalidArgument {
			t.Fatalf("%s: a forged page key returned %v (%v)", name, res, err)
		}
	}
}

// Every registered error of agentchain's modules has a message no other
// registered error (ours or the SDK's) has, so a refusal names its rule.
func TestErrorMessagesAreUnique(t *testing.T) {
	ours := []string{agentidtypes.ModuleName, escrowtypes.ModuleName, markettypes.ModuleName, reptypes.ModuleName}
	sdkSpaces := []string{"sdk", "bank", "staking", "distribution", "slashing", "gov", "mint", "upgrade", "evidence", "feegrant", "authz", "consensus", "auth", "tx"}
	owner := map[string]string{}
	count := 0
	for _, cs := range append(append([]string{}, ours...), sdkSpaces...) {
		for code := uint32(1); code < 300; code++ {
			var e *errorsmod.Error
			if !errors.As(errorsmod.ABCIError(cs, code, ""), &e) || e.Codespace() != cs || e.ABCICode() != code || e.Error() == "unknown" {
				continue // not registered
			}
			where := fmt.Sprintf("%s/%d", cs, code)
			if prev, dup := owner[e.Error()]; dup && (isOurs(ours, cs) || isOurs(ours, strings.Split(prev, "/")[0])) {
				t.Errorf("%s and %s share the message %q", prev, where, e.Error())
			}
			if _, dup := owner[e.Error()]; !dup {
				owner[e.Error()] = where
			}
			if isOurs(ours, cs) {
				count++
			}
		}
	}
	if count < 90 {
		t.Fatalf("found only %d registered errors of ours", count)
	}
}

func isOurs(ours []string, cs string) bool {
	for _, o := range ours {
		if o == cs {
			return true
		}
	}
	return false
}

// A module's messages are refused with its own errors, also when the cause
// is another module's rule (the client's spend cap, its balance, an unknown
// agent or job): the codespace says which module refused, the log says why.
func TestRefusalsComeFromTheMessagesModule(t *testing.T) {
	w := newWorld(t)
	ta := w.ta
	owner, client := ta.Accounts[0], ta.Accounts[1]
	provider := w.newAgent(owner)
	listing := w.listing(provider, "summarize", 50_000_000, 10)
	capped := w.newAgent(client)
	w.ok(client, &agentidtypes.MsgSetSpendPolicy{Owner: client.Addr.String(), AgentId: capped.id, Denom: app.BaseDenom, Cap: sdkmath.NewInt(10_000_000), WindowBlocks: 100})
	poor := apptest.NewAccount("integrity-poor")
	w.ok(owner, banktypes.NewMsgSend(owner.Addr, poor.Addr, sdk.NewCoins(coin(200_000))))
	ta.Register(poor)

	cases := []struct {
		name  string
		acc   *apptest.Account
		msg   sdk.Msg
		want  *errorsmod.Error
		cause string
	}{
		{"a hire over the client's spend cap", capped.key, w.hireMsg(capped.key, listing, 100), markettypes.ErrEscrowRefused, agentidtypes.ErrSpendCapExceeded.Error()},
		{"a hire the client cannot pay", poor, w.hireMsg(poor, listing, 100), markettypes.ErrEscrowRefused, "insufficient funds"},
		{"a listing of an unknown agent", owner, &markettypes.MsgCreateListing{
			Signer: owner.Addr.String(), Provider: 99, Capability: "summarize", Title: "t", TermsUri: "https://t.example", TermsHash: hash("t"),
			Price: coin(1), MaxDurationBlocks: 10, ReviewWindowBlocks: 10,
		}, markettypes.ErrAgentNotFound, ""},
		{"feedback on an unknown job", client, &reptypes.MsgSubmitFeedback{Rater: client.Addr.String(), JobId: 999, Score: 50}, reptypes.ErrJobNotFound, ""},
		{"an escrow the payer cannot pay", poor, &escrowtypes.MsgCreateEscrow{Payer: poor.Addr.String(), Payee: owner.Addr.String(), Amount: sdk.NewCoins(coin(5_000_000))}, escrowtypes.ErrLockRefused, "insufficient funds"},
		{"a registration the owner cannot pay", poor, &agentidtypes.MsgRegisterAgent{Owner: poor.Addr.String(), Name: "poor-agent", AgentAddress: poor.Addr.String()}, agentidtypes.ErrDepositFailed, "insufficient funds"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w.t = t
			r := w.refused(tc.want, tc.acc, tc.msg)
			if tc.cause != "" && !strings.Contains(r.Log, tc.cause) {
				t.Fatalf("the log does not say why: %s", r.Log)
			}
		})
	}
}
