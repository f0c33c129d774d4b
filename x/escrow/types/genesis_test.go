package types_test

import (
	"bytes"
	"testing"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

	_ "github.com/agentchain/agentchain/app" // bech32 prefixes
	"github.com/agentchain/agentchain/x/escrow/types"
)

func addr(seed string) string {
	return sdk.AccAddress(secp256k1.GenPrivKeyFromSecret([]byte(seed)).PubKey().Address()).String()
}

func c(n int64) sdk.Coins { return sdk.NewCoins(sdk.NewCoin("uagnt", sdkmath.NewInt(n))) }

func validGenesis() types.GenesisState {
	gs := *types.DefaultGenesis()
	gs.NextEscrowId = 4
	gs.Escrows = []types.Escrow{
		{Id: 1, Payer: addr("a"), Payee: addr("b"), Amount: c(10), Released: c(4), Refunded: sdk.NewCoins(), Status: types.ESCROW_STATUS_LOCKED, ExpiresHeight: 50},
		{Id: 2, Payer: addr("a"), Payee: addr("b"), Amount: c(10), Released: c(10), Status: types.ESCROW_STATUS_CLOSED},
		{Id: 3, Payer: addr("a"), Payee: addr("b"), Amount: c(8), Status: types.ESCROW_STATUS_DISPUTED, Dispute: &types.Dispute{OpenedBy: addr("a"), Reason: types.DISPUTE_REASON_OTHER, EvidenceHash: bytes.Repeat([]byte{1}, 32), DeadlineHeight: 90}},
	}
	gs.ExpiryQueue = []types.QueueEntry{{Height: 50, EscrowId: 1}}
	gs.DisputeQueue = []types.QueueEntry{{Height: 90, EscrowId: 3}}
	return gs
}

func TestGenesisValidate(t *testing.T) {
	if err := types.DefaultGenesis().Validate(); err != nil {
		t.Fatal(err)
	}
	if err := validGenesis().Validate(); err != nil {
		t.Fatal(err)
	}
	cases := map[string]func(gs *types.GenesisState){
		"bad params":                   func(gs *types.GenesisState) { gs.Params.AllowedDenoms = nil },
		"duplicate id":                 func(gs *types.GenesisState) { gs.Escrows[1].Id = 1 },
		"id not below next":            func(gs *types.GenesisState) { gs.NextEscrowId = 3 },
		"released + refunded > amount": func(gs *types.GenesisState) { gs.Escrows[0].Refunded = c(7) },
		"closed but holding":           func(gs *types.GenesisState) { gs.Escrows[1].Released = c(9) },
		"open but empty":               func(gs *types.GenesisState) { gs.Escrows[0].Released = c(10) },
		"unknown status":               func(gs *types.GenesisState) { gs.Escrows[0].Status = 7 },
		"unknown owner (no payee on direct)": func(gs *types.GenesisState) {
			gs.Escrows[0].Payee = ""
		},
		"self escrow":               func(gs *types.GenesisState) { gs.Escrows[0].Payee = gs.Escrows[0].Payer },
		"module escrow with expiry": func(gs *types.GenesisState) { gs.Escrows[1].OwnerModule = "market"; gs.Escrows[1].ExpiresHeight = 5 },
		"disputed without dispute":  func(gs *types.GenesisState) { gs.Escrows[2].Dispute = nil },
		"queue entry for missing":   func(gs *types.GenesisState) { gs.ExpiryQueue[0].EscrowId = 9 },
		"queue entry wrong height":  func(gs *types.GenesisState) { gs.ExpiryQueue[0].Height = 51 },
		"queue entry for closed":    func(gs *types.GenesisState) { gs.ExpiryQueue = append(gs.ExpiryQueue, types.QueueEntry{EscrowId: 2}) },
		"queued twice":              func(gs *types.GenesisState) { gs.ExpiryQueue = append(gs.ExpiryQueue, gs.ExpiryQueue[0]) },
		"dispute queue mismatch":    func(gs *types.GenesisState) { gs.DisputeQueue[0].Height = 91 },
		"negative amount": func(gs *types.GenesisState) {
			gs.Escrows[0].Amount = sdk.Coins{sdk.Coin{Denom: "uagnt", Amount: sdkmath.NewInt(-1)}}
		},
	}
	for name, mutate := range cases {
		t.Run(name, func(t *testing.T) {
			gs := validGenesis()
			mutate(&gs)
			if err := gs.Validate(); err == nil {
				t.Fatal("accepted")
			}
		})
	}
}

func TestSplitShareNeverPaysMoreThanHeld(t *testing.T) {
	for _, tc := range []struct {
		remaining, fee int64
		bps            uint32
		payee, payer   int64
	}{
		{1001, 10, 7000, 693, 298},
		{1, 0, 9999, 0, 1},
		{10, 0, 10000, 10, 0},
		{10, 10, 5000, 0, 0},
		{7, 0, 0, 0, 7},
	} {
		payee, payer, err := types.SplitShare(c(tc.remaining), c(tc.fee), tc.bps)
		if err != nil {
			t.Fatal(err)
		}
		if payee.AmountOf("uagnt").Int64() != tc.payee || payer.AmountOf("uagnt").Int64() != tc.payer {
			t.Fatalf("%+v: payee %s payer %s", tc, payee, payer)
		}
		if sum := payee.Add(payer...).Add(c(tc.fee)...); !sum.Equal(c(tc.remaining)) && tc.remaining != tc.fee {
			t.Fatalf("%+v: parts add to %s", tc, sum)
		}
	}
	if _, _, err := types.SplitShare(c(5), c(6), 0); err == nil {
		t.Fatal("fees beyond what remains accepted")
	}
	if _, _, err := types.SplitShare(c(5), nil, 10001); err == nil {
		t.Fatal("share above 100% accepted")
	}
}
