package keeper_test

import (
	"crypto/sha256"
	"testing"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/agentchain/agentchain/testutil/apptest"
	"github.com/agentchain/agentchain/x/agentid/keeper"
	"github.com/agentchain/agentchain/x/agentid/types"
)

// suite is an in-process chain with the agentid msg server at hand.
type suite struct {
	t  *testing.T
	ta *apptest.TestApp
	ms types.MsgServer
	qs types.QueryServer
}

func newSuite(t *testing.T) *suite {
	t.Helper()
	ta := apptest.New(t, apptest.Options{Accounts: 8})
	return &suite{
		t:  t,
		ta: ta,
		ms: keeper.NewMsgServerImpl(ta.AgentIDKeeper),
		qs: keeper.NewQueryServerImpl(ta.AgentIDKeeper),
	}
}

func (s *suite) ctx() sdk.Context { return s.ta.Ctx() }

// owner returns funded account i.
func (s *suite) acc(i int) *apptest.Account { return s.ta.Accounts[i] }

// newKey returns a fresh secp256k1 key and its address.
func newKey(seed string) (*secp256k1.PrivKey, sdk.AccAddress) {
	priv := secp256k1.GenPrivKeyFromSecret([]byte(seed))
	return priv, sdk.AccAddress(priv.PubKey().Address())
}

// proof signs a key proof for binding agent to owner.
func proof(t *testing.T, priv *secp256k1.PrivKey, chainID string, owner, agent sdk.AccAddress, nonce uint64) *types.KeyProof {
	t.Helper()
	sig, err := priv.Sign(types.BindingDigest(chainID, owner, agent, nonce))
	if err != nil {
		t.Fatal(err)
	}
	return &types.KeyProof{PubKey: priv.PubKey().Bytes(), Nonce: nonce, Signature: sig}
}

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// registerMsg returns a valid registration of name by owner with a fresh key.
func (s *suite) registerMsg(name string, owner sdk.AccAddress) (*types.MsgRegisterAgent, *secp256k1.PrivKey) {
	priv, agentAddr := newKey("agent-key-" + name)
	return &types.MsgRegisterAgent{
		Owner:        owner.String(),
		Name:         name,
		AgentAddress: agentAddr.String(),
		Proof:        proof(s.t, priv, apptest.ChainID, owner, agentAddr, 1),
		CardUri:      "https://agents.example/" + name + "/card.json",
		CardHash:     hash(name),
		Capabilities: []string{"Summarize", "translate"},
		Endpoints:    []types.Endpoint{{Protocol: "a2a", Url: "https://agents.example/" + name + "/a2a"}},
	}, priv
}

// register registers an agent and returns its id.
func (s *suite) register(name string, owner sdk.AccAddress) (uint64, *secp256k1.PrivKey) {
	s.t.Helper()
	msg, priv := s.registerMsg(name, owner)
	res, err := s.ms.RegisterAgent(s.ctx(), msg)
	if err != nil {
		s.t.Fatalf("register %s: %v", name, err)
	}
	s.checkConservation()
	return res.Id, priv
}

func (s *suite) checkConservation() {
	s.t.Helper()
	if err := s.ta.AgentIDKeeper.CheckDepositConservation(s.ctx()); err != nil {
		s.t.Fatal(err)
	}
}

// expectRefused runs f as the SDK runs a message and checks that it fails
// with want, from this module's codespace, and changes no state
// (apptest.ExpectRefused), and that deposits are still conserved.
func (s *suite) expectRefused(want error, f func(ctx sdk.Context) error) {
	s.t.Helper()
	s.ta.ExpectRefused(s.t, types.ModuleName, want, f)
	s.checkConservation()
}

// eventTypes lists the types of the events in ctx.
func eventTypes(ctx sdk.Context) []string {
	var out []string
	for _, e := range ctx.EventManager().Events() {
		out = append(out, e.Type)
	}
	return out
}

func nextPage(key []byte) *query.PageRequest { return &query.PageRequest{Key: key} }
