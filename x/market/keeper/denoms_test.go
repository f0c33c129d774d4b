package keeper_test

import (
	"context"
	"testing"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"

	"github.com/agentchain/agentchain/x/market/types"
)

// allowStable lets escrows hold a second denom, as governance would, and
// mints some of it to the client.
func (s *suite) allowStable() {
	s.t.Helper()
	p, err := s.ta.EscrowKeeper.Params.Get(s.ctx())
	if err != nil {
		s.t.Fatal(err)
	}
	p.AllowedDenoms = append(p.AllowedDenoms, "ustable")
	if err := s.ta.EscrowKeeper.Params.Set(s.ctx(), p); err != nil {
		s.t.Fatal(err)
	}
	coins := sdk.NewCoins(sdk.NewInt64Coin("ustable", 1_000_000_000))
	if err := s.ta.BankKeeper.MintCoins(s.ctx(), minttypes.ModuleName, coins); err != nil {
		s.t.Fatal(err)
	}
	if err := s.ta.BankKeeper.SendCoinsFromModuleToAccount(s.ctx(), minttypes.ModuleName, s.client, coins); err != nil {
		s.t.Fatal(err)
	}
}

func stable(n int64) sdk.Coin { return sdk.NewInt64Coin("ustable", n) }

// A denom governance allows works like the native one: listed, found by
// its own max price, hired, completed with the take in that denom; no
// denom is assumed by discovery.
func TestSecondDenomJob(t *testing.T) {
	s := newSuite(t)
	// Before governance allows it, a listing in it is refused.
	s.refused(types.ErrInvalidPrice, func(ctx context.Context) error {
		_, err := s.ms.CreateListing(ctx, &types.MsgCreateListing{
			Signer: s.providerKey.String(), Provider: s.provider, Capability: "summarize", Title: "Stable summaries",
			TermsUri: "https://terms.example/s", TermsHash: hash("s"), Price: stable(500), MaxDurationBlocks: 1000, ReviewWindowBlocks: 20,
		})
		return err
	})
	s.allowStable()
	res, err := s.ms.CreateListing(s.ctx(), &types.MsgCreateListing{
		Signer: s.providerKey.String(), Provider: s.provider, Capability: "summarize", Title: "Stable summaries",
		TermsUri: "https://terms.example/s", TermsHash: hash("s"), Price: stable(500), MaxDurationBlocks: 1000, ReviewWindowBlocks: 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	stableListing := res.Id
	list := func(req *types.QueryListingsByCapabilityRequest) []uint64 {
		t.Helper()
		req.Capability = "summarize"
		out, err := s.qs.ListingsByCapability(s.ctx(), req)
		if err != nil {
			t.Fatal(err)
		}
		var ids []uint64
		for _, l := range out.Listings {
			ids = append(ids, l.Id)
		}
		return ids
	}
	if got := list(&types.QueryListingsByCapabilityRequest{}); len(got) != 2 || got[0] != s.listing || got[1] != stableListing {
		t.Fatalf("every denom, by denom then price: %v, want [%d %d]", got, s.listing, stableListing)
	}
	if got := list(&types.QueryListingsByCapabilityRequest{Denom: "ustable", MaxPrice: "500"}); len(got) != 1 || got[0] != stableListing {
		t.Fatalf("ustable up to 500: %v", got)
	}
	if got := list(&types.QueryListingsByCapabilityRequest{Denom: "ustable", MaxPrice: "499"}); len(got) != 0 {
		t.Fatalf("ustable up to 499: %v", got)
	}
	if got := list(&types.QueryListingsByCapabilityRequest{Denom: "uagnt"}); len(got) != 1 || got[0] != s.listing {
		t.Fatalf("uagnt: %v", got)
	}
	if _, err := s.qs.ListingsByCapability(s.ctx(), &types.QueryListingsByCapabilityRequest{Capability: "summarize", MaxPrice: "5"}); err == nil {
		t.Fatal("a max price without a denom was accepted")
	}

	// Hire, accept, deliver, complete in ustable.
	feeCollector := authtypes.NewModuleAddress(authtypes.FeeCollectorName)
	bal := func(a sdk.AccAddress) int64 { return s.ta.BankKeeper.GetBalance(s.ctx(), a, "ustable").Amount.Int64() }
	client0, payout0, fees0 := bal(s.client), bal(s.providerKey), bal(feeCollector)
	msg := s.hireMsg()
	msg.ListingId = stableListing
	id := s.hire(msg)
	s.step("accept", func(ctx context.Context) error {
		_, err := s.ms.AcceptJob(ctx, &types.MsgAcceptJob{Signer: s.providerKey.String(), JobId: id})
		return err
	})
	s.step("deliver", func(ctx context.Context) error {
		_, err := s.ms.Deliver(ctx, &types.MsgDeliver{Signer: s.providerKey.String(), JobId: id, ResultUri: "https://r.example/s", ResultHash: hash("rs")})
		return err
	})
	s.step("complete", func(ctx context.Context) error {
		_, err := s.ms.Complete(ctx, &types.MsgComplete{Client: s.client.String(), JobId: id})
		return err
	})
	s.checkInvariants()
	// 500 at a 2% take rounded up: 10 to the fee collector, 490 to the provider.
	if client0-bal(s.client) != 500 || bal(s.providerKey)-payout0 != 490 || bal(feeCollector)-fees0 != 10 {
		t.Fatalf("ustable moved: client %d, provider %d, fees %d", client0-bal(s.client), bal(s.providerKey)-payout0, bal(feeCollector)-fees0)
	}
	if j := s.job(id); j.Status != types.JOB_STATUS_COMPLETED || !j.ProviderPaid.Equal(sdk.NewCoins(stable(490))) || !j.TakePaid.Equal(sdk.NewCoins(stable(10))) {
		t.Fatalf("job %+v", j)
	}
	held, err := s.ta.EscrowKeeper.Held(s.ctx())
	if err != nil || !held.AmountOf("ustable").IsZero() {
		t.Fatalf("escrow still holds %s (%v)", held, err)
	}
}
