package keeper_test

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"sort"
	"testing"

	errorsmod "cosmossdk.io/errors"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

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

// snapshot is every key and value of the agentid and bank stores.
type snapshot map[string]string

func (s *suite) snapshot() snapshot {
	out := snapshot{}
	ctx := s.ctx()
	for _, name := range []string{types.StoreKey, banktypes.StoreKey} {
		store := ctx.KVStore(s.ta.GetKey(name))
		it := store.Iterator(nil, nil)
		for ; it.Valid(); it.Next() {
			out[name+"/"+string(it.Key())] = string(it.Value())
		}
		_ = it.Close()
	}
	return out
}

func (a snapshot) diff(b snapshot) string {
	var d []string
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			d = append(d, fmt.Sprintf("changed or removed %q", k))
		}
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			d = append(d, fmt.Sprintf("added %q", k))
		}
	}
	sort.Strings(d)
	if len(d) > 5 {
		d = append(d[:5], fmt.Sprintf("... %d more", len(d)-5))
	}
	return fmt.Sprint(d)
}

// expectRefused runs f as the SDK runs a message (in a branch of the
// committed state, written only if it succeeds) and checks that it fails
// with want, from this module's codespace, and that the committed agentid
// and bank stores are unchanged.
func (s *suite) expectRefused(want error, f func(ctx sdk.Context) error) {
	s.t.Helper()
	before := s.snapshot()
	branch, _ := s.ctx().CacheContext()
	err := f(branch)
	if err == nil {
		s.t.Fatalf("accepted; want %v", want)
	}
	if !errors.Is(err, want) {
		s.t.Fatalf("error %q; want %v", err, want)
	}
	if codespace, _, _ := errorsmod.ABCIInfo(err, false); codespace != types.ModuleName {
		s.t.Fatalf("refused from codespace %q, not %q: %v", codespace, types.ModuleName, err)
	}
	if after := s.snapshot(); len(before) != len(after) || before.diff(after) != "[]" {
		s.t.Fatalf("refused message changed state: %s", before.diff(after))
	}
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
