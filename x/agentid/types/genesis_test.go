package types_test

import (
	"bytes"
	"math/big"
	"testing"

	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"

	_ "github.com/agentchain/agentchain/app" // bech32 prefixes
	"github.com/agentchain/agentchain/x/agentid/types"
)

func addr(seed string) string {
	return sdk.AccAddress(secp256k1.GenPrivKeyFromSecret([]byte(seed)).PubKey().Address()).String()
}

func validGenesis() types.GenesisState {
	gs := *types.DefaultGenesis()
	gs.NextAgentId = 3
	gs.Agents = []types.Agent{
		{Id: 1, Name: "alpha", Owner: addr("o"), AgentAddress: addr("a1"), Status: types.AGENT_STATUS_ACTIVE, Deposit: types.DefaultRegistrationDeposit, Capabilities: []string{"a", "b"}},
		{Id: 2, Name: "beta", Owner: addr("o"), AgentAddress: addr("a2"), Status: types.AGENT_STATUS_DEACTIVATED, Deposit: sdk.NewCoin("uagnt", sdkmath.ZeroInt())},
	}
	gs.Attestations = []types.Attestation{{AgentId: 1, Attester: addr("att"), ClaimType: "kyc", Uri: "https://a.example", Hash: bytes.Repeat([]byte{1}, 32)}}
	gs.SpendLimits = []types.SpendLimit{{AgentId: 1, Denom: "uagnt", Cap: sdkmath.NewInt(5), WindowBlocks: 10, Used: sdkmath.NewInt(20), UsedHeight: 7}}
	gs.BindingNonces = []types.BindingNonce{{Address: addr("a1"), Nonce: 4}}
	return gs
}

func TestGenesisValidate(t *testing.T) {
	if err := types.DefaultGenesis().Validate(); err != nil {
		t.Fatalf("default: %v", err)
	}
	if err := validGenesis().Validate(); err != nil {
		t.Fatalf("valid: %v", err)
	}
	cases := map[string]func(gs *types.GenesisState){
		"bad params":            func(gs *types.GenesisState) { gs.Params.MaxEndpoints = 0 },
		"next id zero":          func(gs *types.GenesisState) { gs.NextAgentId = 0 },
		"id not below next":     func(gs *types.GenesisState) { gs.NextAgentId = 2 },
		"duplicate id":          func(gs *types.GenesisState) { gs.Agents[1].Id = 1 },
		"duplicate name":        func(gs *types.GenesisState) { gs.Agents[1].Name = "alpha" },
		"duplicate address":     func(gs *types.GenesisState) { gs.Agents[1].AgentAddress = gs.Agents[0].AgentAddress },
		"bad name":              func(gs *types.GenesisState) { gs.Agents[0].Name = "A" },
		"unnormalized caps":     func(gs *types.GenesisState) { gs.Agents[0].Capabilities = []string{"b", "a"} },
		"unknown status":        func(gs *types.GenesisState) { gs.Agents[0].Status = 9 },
		"deposit on retired":    func(gs *types.GenesisState) { gs.Agents[1].Deposit = types.DefaultRegistrationDeposit },
		"dangling attestation":  func(gs *types.GenesisState) { gs.Attestations[0].AgentId = 7 },
		"duplicate attestation": func(gs *types.GenesisState) { gs.Attestations = append(gs.Attestations, gs.Attestations[0]) },
		"dangling spend limit":  func(gs *types.GenesisState) { gs.SpendLimits[0].AgentId = 7 },
		"limit on retired":      func(gs *types.GenesisState) { gs.SpendLimits[0].AgentId = 2 },
		"zero window":           func(gs *types.GenesisState) { gs.SpendLimits[0].WindowBlocks = 0 },
		"overdrawn bucket":      func(gs *types.GenesisState) { gs.SpendLimits[0].Used = sdkmath.NewInt(51) },
		"negative bucket":       func(gs *types.GenesisState) { gs.SpendLimits[0].Used = sdkmath.NewInt(-1) },
		"huge cap": func(gs *types.GenesisState) {
			gs.SpendLimits[0].Cap = sdkmath.NewIntFromBigInt(new(big.Int).Lsh(big.NewInt(1), 201))
		},
		"negative legacy spent": func(gs *types.GenesisState) { n := sdkmath.NewInt(-1); gs.SpendLimits[0].Spent = &n },
		"duplicate limit":       func(gs *types.GenesisState) { gs.SpendLimits = append(gs.SpendLimits, gs.SpendLimits[0]) },
		"zero nonce":            func(gs *types.GenesisState) { gs.BindingNonces[0].Nonce = 0 },
		"duplicate nonce":       func(gs *types.GenesisState) { gs.BindingNonces = append(gs.BindingNonces, gs.BindingNonces[0]) },
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

func TestBindingDigestBindsEveryInput(t *testing.T) {
	owner, agent := sdk.AccAddress(bytes.Repeat([]byte{1}, 20)), sdk.AccAddress(bytes.Repeat([]byte{2}, 20))
	base := types.BindingDigest("chain-1", owner, agent, 1)
	variants := [][]byte{
		types.BindingDigest("chain-2", owner, agent, 1),
		types.BindingDigest("chain-1", agent, owner, 1),
		types.BindingDigest("chain-1", owner, agent, 2),
		// Moving a byte between the chain id and the owner changes the preimage.
		types.BindingDigest("chain-1\x01", sdk.AccAddress(bytes.Repeat([]byte{1}, 19)), agent, 1),
	}
	for i, v := range variants {
		if bytes.Equal(v, base) {
			t.Fatalf("variant %d has the same digest", i)
		}
	}
	if len(base) != 32 {
		t.Fatalf("digest is %d bytes", len(base))
	}
}

func TestVerifyKeyProof(t *testing.T) {
	priv := secp256k1.GenPrivKeyFromSecret([]byte("agent"))
	agent := sdk.AccAddress(priv.PubKey().Address())
	owner := sdk.AccAddress(bytes.Repeat([]byte{9}, 20))
	sig, err := priv.Sign(types.BindingDigest("c-1", owner, agent, 5))
	if err != nil {
		t.Fatal(err)
	}
	p := &types.KeyProof{PubKey: priv.PubKey().Bytes(), Nonce: 5, Signature: sig}
	if err := types.VerifyKeyProof("c-1", owner, agent, p); err != nil {
		t.Fatal(err)
	}
	if err := types.VerifyKeyProof("c-1", owner, agent, &types.KeyProof{PubKey: p.PubKey, Nonce: 6, Signature: sig}); err == nil {
		t.Fatal("a proof verified for another nonce")
	}
	if err := types.VerifyKeyProof("c-1", owner, owner, p); err == nil {
		t.Fatal("a proof verified for another address")
	}
}
