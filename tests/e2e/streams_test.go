package e2e

import (
	"context"
	"fmt"
	"strconv"
	"testing"
	"time"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/agentkit"
	markettypes "github.com/agentchain/agentchain/x/market/types"
	reputationtypes "github.com/agentchain/agentchain/x/reputation/types"
)

func stable(n int64) sdk.Coin { return sdk.NewCoin("ustable", sdkmath.NewInt(n)) }

// takeOf is the market's take on an amount: 2% (the default take rate),
// rounded up.
func takeOf(amount int64) int64 {
	return (amount*int64(markettypes.DefaultTakeRateBps) + markettypes.BasisPoints - 1) / markettypes.BasisPoints
}

// TestSubscriptionsDisputesAndSecondDenom runs on a live devnet:
//
//   - a subscription to a per-block listing (bob subscribes through the
//     CLI) runs for some blocks; the provider withdraws twice, bob cancels;
//     every amount matches the rate times the blocks, to the unit;
//   - a provider that lost a dispute ranks below an otherwise equal clean
//     one, in TopAgents and in ListingsByCapability with a minimum score;
//   - a whole job in ustable, the devnet's second denom, with the take and
//     the reputation weight in that denom.
func TestSubscriptionsDisputesAndSecondDenom(t *testing.T) {
	n := StartNetwork(t, NetworkOptions{})
	node := n.Nodes[0]
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	alice := dial(t, ctx, node, devnetSigner(t, "alice"))
	keys := fundedKeys(t, ctx, alice, "streams", 4, 50_000_000)
	monitorKey, cleanKey, faultyKey, clientKey := keys[0], keys[1], keys[2], keys[3]

	// --- A subscription. ---
	_, err := alice.RegisterAgent(ctx, agentkit.AgentSpec{Name: "uptime-monitor", Capabilities: []string{"monitor"}}, monitorKey)
	if err != nil {
		t.Fatal(err)
	}
	monitor := dial(t, ctx, node, monitorKey)
	const rate = 1_000
	listing, err := monitor.CreateListing(ctx, agentkit.ListingSpec{
		Capability: "monitor", Title: "Uptime checks every block", TermsURI: "https://monitor.example/terms", Terms: []byte("terms"),
		Price: agnt(rate), MaxDurationBlocks: 500, PerBlock: true, MinTermBlocks: 5,
	})
	if err != nil {
		t.Fatal(err)
	}
	if listing.Billing != markettypes.LISTING_BILLING_PER_BLOCK || listing.MinTermBlocks != 5 {
		t.Fatalf("listing %+v", listing)
	}
	bob := n.Accounts["bob"]
	f := fee(t)
	bob0 := n.Balance(bob, "uagnt")
	sub := n.MustSucceed(n.Tx("bob", "market", "subscribe", strconv.FormatUint(listing.Id, 10), fmt.Sprintf("%duagnt", rate), "200"))
	jobID, _ := strconv.ParseUint(attr(t, sub, "agentchain.market.v1.EventSubscribed", "job_id"), 10, 64)
	streamID, _ := strconv.ParseUint(attr(t, sub, "agentchain.market.v1.EventSubscribed", "stream_id"), 10, 64)
	h0 := sub.Height
	if got := bob0 - n.Balance(bob, "uagnt"); got != 200*rate+f {
		t.Fatalf("bob paid %d to subscribe, want the deposit %d and the fee %d", got, 200*rate, f)
	}
	payout := monitorKey.Address()
	payout0 := balance(t, ctx, alice, payout)
	var paid, fees int64
	withdraw := func() int64 {
		t.Helper()
		res, err := monitor.Broadcast(ctx, &markettypes.MsgWithdrawSubscription{Signer: monitor.AddressString(), JobId: jobID})
		if err != nil {
			t.Fatal(err)
		}
		var out markettypes.MsgWithdrawSubscriptionResponse
		if err := monitor.Response(res, 0, &out); err != nil {
			t.Fatal(err)
		}
		fees += txFee(t, res)
		total := out.ProviderAmount.Amount.Int64() + out.Take.Amount.Int64()
		if out.Take.Amount.Int64() != takeOf(total) {
			t.Fatalf("take %s on %d", out.Take, total)
		}
		paid += out.ProviderAmount.Amount.Int64()
		return res.Height
	}
	n.WaitBlocks(3)
	h1 := withdraw()
	if want := rate * (h1 - h0); paid+takeOf(want) != want {
		t.Fatalf("first withdrawal at %d paid %d of %d", h1, paid, want)
	}
	// The stream as the CLI shows it between withdrawals.
	var view struct {
		Stream struct {
			Stream struct {
				Status    string `json:"status"`
				Withdrawn struct {
					Amount string `json:"amount"`
				} `json:"withdrawn"`
				EndHeight string `json:"end_height"`
			} `json:"stream"`
			Accrued struct {
				Amount string `json:"amount"`
			} `json:"accrued"`
		} `json:"stream"`
	}
	n.QueryJSON(&view, "escrow", "stream", strconv.FormatUint(streamID, 10))
	if view.Stream.Stream.Withdrawn.Amount != strconv.FormatInt(rate*(h1-h0), 10) || view.Stream.Stream.EndHeight != strconv.FormatInt(h0+200, 10) {
		t.Fatalf("stream %d after the first withdrawal: %+v", streamID, view)
	}
	n.WaitBlocks(2)
	firstPaid := paid
	h2 := withdraw()
	if want := rate * (h2 - h1); paid-firstPaid+takeOf(want) != want {
		t.Fatalf("second withdrawal at %d paid %d of %d", h2, paid-firstPaid, want)
	}
	n.WaitBlocks(2)
	bob1 := n.Balance(bob, "uagnt")
	cancelTx := n.MustSucceed(n.Tx("bob", "market", "cancel-subscription", strconv.FormatUint(jobID, 10)))
	h3 := cancelTx.Height
	accrued := rate * (h3 - h0)
	if got := n.Balance(bob, "uagnt") - bob1; got != 200*rate-accrued-f {
		t.Fatalf("bob got back %d at %d, want %d (the %d blocks not accrued) less the fee", got, h3, 200*rate-accrued, 200-(h3-h0))
	}
	lastShare := accrued - rate*(h2-h0)
	paid += lastShare - takeOf(lastShare)
	if got := balance(t, ctx, alice, payout) - payout0; got != paid-fees {
		t.Fatalf("the provider's payout received %d (net of %d fees), want %d", got, fees, paid-fees)
	}
	if got := bob0 - n.Balance(bob, "uagnt"); got != accrued+2*f {
		t.Fatalf("bob paid %d in all, want %d for %d blocks and two fees", got, accrued, h3-h0)
	}
	sj, err := alice.SubscriptionOf(ctx, jobID)
	if err != nil {
		t.Fatal(err)
	}
	if sj.Job.Status != markettypes.JOB_STATUS_COMPLETED || sj.Stream.Stream.Withdrawn.Amount.Int64() != accrued || sj.Stream.Stream.Refunded.Amount.Int64() != 200*rate-accrued {
		t.Fatalf("after the cancel: %+v", sj)
	}
	streams, err := alice.StreamsTo(ctx, payout)
	if err != nil || len(streams) != 1 || streams[0].Stream.Id != streamID {
		t.Fatalf("streams to the provider: %v %+v", err, streams)
	}
	t.Logf("subscription %d: %d blocks at %duagnt, withdrawn at %d and %d, cancelled at %d; provider paid %d", jobID, h3-h0, rate, h1, h2, h3, paid)

	// --- A lost dispute ranks a provider below a clean one. ---
	carol := dial(t, ctx, node, devnetSigner(t, "carol"))
	client := dial(t, ctx, node, clientKey)
	providers := map[string]uint64{}
	listings := map[string]uint64{}
	for name, key := range map[string]agentkit.Signer{"clean-auditor": cleanKey, "faulty-auditor": faultyKey} {
		a, err := alice.RegisterAgent(ctx, agentkit.AgentSpec{Name: name, Capabilities: []string{"audit"}}, key)
		if err != nil {
			t.Fatal(err)
		}
		l, err := dial(t, ctx, node, key).CreateListing(ctx, agentkit.ListingSpec{
			Capability: "audit", Title: "Audits", TermsURI: "https://audit.example/terms", Terms: []byte("terms"),
			Price: agnt(2_000_000), MaxDurationBlocks: 200, ReviewWindowBlocks: 20,
		})
		if err != nil {
			t.Fatal(err)
		}
		providers[name], listings[name] = a.Id, l.Id
	}
	job := func(name string, key agentkit.Signer, dispute bool) {
		t.Helper()
		p := dial(t, ctx, node, key)
		j, err := client.Hire(ctx, agentkit.HireSpec{ListingID: listings[name], SpecURI: "https://client.example/spec", Spec: []byte("spec")})
		if err != nil {
			t.Fatal(err)
		}
		for _, step := range []func() (*agentkit.TxResult, error){
			func() (*agentkit.TxResult, error) { return p.AcceptJob(ctx, j.Id) },
			func() (*agentkit.TxResult, error) {
				return p.Deliver(ctx, j.Id, 0, "https://audit.example/r", []byte("report"))
			},
		} {
			if _, err := step(); err != nil {
				t.Fatal(err)
			}
		}
		if !dispute {
			if _, err := client.Complete(ctx, j.Id, 0); err != nil {
				t.Fatal(err)
			}
			if _, err := client.Rate(ctx, j.Id, 90); err != nil {
				t.Fatal(err)
			}
			return
		}
		if _, err := client.Dispute(ctx, j.Id, 0, markettypes.REJECT_REASON_LOW_QUALITY, []byte("evidence")); err != nil {
			t.Fatal(err)
		}
		if _, err := carol.Resolve(ctx, j.Id, 0); err != nil {
			t.Fatal(err)
		}
	}
	job("clean-auditor", cleanKey, false)
	job("faulty-auditor", faultyKey, false)
	job("faulty-auditor", faultyKey, true)
	rep := func(id uint64) *reputationtypes.QueryReputationResponse {
		r, err := alice.Reputation(ctx, id, "")
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	clean, faulty := rep(providers["clean-auditor"]), rep(providers["faulty-auditor"])
	if !faulty.Score.LT(clean.Score) || faulty.Signals.DisputesLost != 1 {
		t.Fatalf("after a lost dispute: faulty %s (%d lost), clean %s", faulty.Score, faulty.Signals.DisputesLost, clean.Score)
	}
	top, err := reputationtypes.NewQueryClient(alice.Conn()).TopAgents(ctx, &reputationtypes.QueryTopAgentsRequest{Capability: "audit", Limit: 10})
	if err != nil || len(top.Agents) != 2 || top.Agents[0].AgentId != providers["clean-auditor"] || top.Agents[1].AgentId != providers["faulty-auditor"] {
		t.Fatalf("top auditors: %v %+v", err, top)
	}
	minScore := uint32(faulty.Score.TruncateInt64()) + 1
	var byScore struct {
		Listings []struct {
			ID string `json:"id"`
		} `json:"listings"`
	}
	n.QueryJSON(&byScore, "market", "listings-by-capability", "audit", "--min-provider-score", strconv.FormatUint(uint64(minScore), 10))
	if len(byScore.Listings) != 1 || byScore.Listings[0].ID != strconv.FormatUint(listings["clean-auditor"], 10) {
		t.Fatalf("audit listings scoring at least %d: %+v (clean %s, faulty %s)", minScore, byScore, clean.Score, faulty.Score)
	}
	t.Logf("clean auditor %s, faulty auditor %s after one lost dispute", clean.Score, faulty.Score)

	// --- A whole job in the second denom. ---
	if _, err := alice.Send(ctx, clientKey.Address(), sdk.NewCoins(stable(10_000_000))); err != nil {
		t.Fatal(err)
	}
	clean2 := dial(t, ctx, node, cleanKey)
	sl, err := clean2.CreateListing(ctx, agentkit.ListingSpec{
		Capability: "audit", Title: "Audits, stable price", TermsURI: "https://audit.example/terms", Terms: []byte("terms"),
		Price: stable(500_000), MaxDurationBlocks: 200, ReviewWindowBlocks: 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	offers, err := client.FindProviders(ctx, agentkit.Criteria{Capability: "audit", MaxPrice: stable(500_000)})
	if err != nil || len(offers) != 1 || offers[0].Listing.Id != sl.Id {
		t.Fatalf("ustable offers up to 500000: %v %+v", err, offers)
	}
	stableBal := func(a sdk.AccAddress) int64 {
		b, err := alice.Balance(ctx, a, "ustable")
		if err != nil {
			t.Fatal(err)
		}
		return b.Int64()
	}
	client0, provider0 := stableBal(clientKey.Address()), stableBal(cleanKey.Address())
	sj2, err := client.Hire(ctx, agentkit.HireSpec{ListingID: sl.Id, SpecURI: "https://client.example/spec2", Spec: []byte("spec2")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := clean2.AcceptJob(ctx, sj2.Id); err != nil {
		t.Fatal(err)
	}
	if _, err := clean2.Deliver(ctx, sj2.Id, 0, "https://audit.example/r2", []byte("report 2")); err != nil {
		t.Fatal(err)
	}
	if _, err := client.Complete(ctx, sj2.Id, 0); err != nil {
		t.Fatal(err)
	}
	fbRes, err := client.Rate(ctx, sj2.Id, 95)
	if err != nil {
		t.Fatal(err)
	}
	var fb reputationtypes.MsgSubmitFeedbackResponse
	if err := client.Response(fbRes, 0, &fb); err != nil {
		t.Fatal(err)
	}
	if got, want := client0-stableBal(clientKey.Address()), int64(500_000); got != want {
		t.Fatalf("client paid %d ustable, want %d", got, want)
	}
	if got, want := stableBal(cleanKey.Address())-provider0, 500_000-takeOf(500_000); got != want {
		t.Fatalf("provider received %d ustable, want %d", got, want)
	}
	done, err := client.Job(ctx, sj2.Id)
	if err != nil || done.Status != markettypes.JOB_STATUS_COMPLETED || done.TakePaid.AmountOf("ustable").Int64() != takeOf(500_000) {
		t.Fatalf("ustable job: %v %+v", err, done)
	}
	// ustable weighs 0.000001 AGNT a unit on the devnet: 0.5 for 500,000.
	if !fb.Weight.Equal(sdkmath.LegacyNewDecWithPrec(5, 1)) {
		t.Fatalf("feedback weight %s, want 0.5", fb.Weight)
	}
	if earned := rep(providers["clean-auditor"]).Signals.Earned; earned.AmountOf("ustable").Int64() != 500_000-takeOf(500_000) {
		t.Fatalf("earned %s", earned)
	}
	var inv struct {
		Broken []string `json:"broken"`
	}
	for _, module := range []string{"escrow", "market", "reputation"} {
		n.QueryJSON(&inv, module, "invariants")
		if len(inv.Broken) != 0 {
			t.Fatalf("%s invariants: %v", module, inv.Broken)
		}
	}
}
