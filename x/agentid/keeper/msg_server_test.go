package keeper_test

import (
	"slices"
	"strings"
	"testing"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/agentchain/agentchain/testutil/apptest"
	"github.com/agentchain/agentchain/types/content"
	"github.com/agentchain/agentchain/x/agentid/types"
)

func TestRegisterAgent(t *testing.T) {
	s := newSuite(t)
	owner := s.acc(0).Addr
	before := s.ta.Balance(owner)
	msg, _ := s.registerMsg("summarizer", owner)
	ctx := s.ctx().WithEventManager(sdk.NewEventManager())
	res, err := s.ms.RegisterAgent(ctx, msg)
	if err != nil {
		t.Fatal(err)
	}
	if res.Id != 1 {
		t.Fatalf("first agent id %d, want 1", res.Id)
	}
	if !slices.Contains(eventTypes(ctx), "agentchain.agentid.v1.EventAgentRegistered") {
		t.Fatalf("events %v", eventTypes(ctx))
	}
	a, err := s.ta.AgentIDKeeper.GetAgent(s.ctx(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if a.Name != "summarizer" || a.Owner != owner.String() || a.AgentAddress != msg.AgentAddress ||
		a.Status != types.AGENT_STATUS_ACTIVE || !a.Deposit.Equal(types.DefaultRegistrationDeposit) {
		t.Fatalf("stored %+v", a)
	}
	// Capabilities are normalized: lowercase, sorted.
	if !slices.Equal(a.Capabilities, []string{"summarize", "translate"}) {
		t.Fatalf("capabilities %v", a.Capabilities)
	}
	if a.Payout() != a.AgentAddress {
		t.Fatalf("default payout %s", a.Payout())
	}
	if paid := before.Sub(s.ta.Balance(owner)); !paid.Equal(types.DefaultRegistrationDeposit.Amount) {
		t.Fatalf("owner paid %s", paid)
	}
	s.checkConservation()

	// Every index finds it.
	byName, err := s.qs.AgentByName(s.ctx(), &types.QueryAgentByNameRequest{Name: "summarizer"})
	if err != nil || byName.Agent.Id != 1 {
		t.Fatalf("by name: %v %v", byName, err)
	}
	byAddr, err := s.qs.AgentByAddress(s.ctx(), &types.QueryAgentByAddressRequest{Address: msg.AgentAddress})
	if err != nil || byAddr.Agent.Id != 1 {
		t.Fatalf("by address: %v %v", byAddr, err)
	}
	for _, c := range []string{"summarize", "SUMMARIZE", "translate"} {
		byCap, err := s.qs.AgentsByCapability(s.ctx(), &types.QueryAgentsByCapabilityRequest{Capability: c})
		if err != nil || len(byCap.Agents) != 1 {
			t.Fatalf("by capability %s: %v %v", c, byCap, err)
		}
	}
	byOwner, err := s.qs.AgentsByOwner(s.ctx(), &types.QueryAgentsByOwnerRequest{Owner: owner.String()})
	if err != nil || len(byOwner.Agents) != 1 {
		t.Fatalf("by owner: %v %v", byOwner, err)
	}
	nonce, err := s.qs.BindingNonce(s.ctx(), &types.QueryBindingNonceRequest{Address: msg.AgentAddress})
	if err != nil || nonce.Nonce != 1 {
		t.Fatalf("nonce %v %v", nonce, err)
	}

	// An owner may also be its own agent: no proof needed.
	self := &types.MsgRegisterAgent{Owner: owner.String(), Name: "self-agent", AgentAddress: owner.String()}
	if _, err := s.ms.RegisterAgent(s.ctx(), self); err != nil {
		t.Fatal(err)
	}
	s.checkConservation()
}

func TestRegisterAgentRefusals(t *testing.T) {
	s := newSuite(t)
	owner := s.acc(0).Addr
	other := s.acc(1).Addr
	s.register("taken-name", owner)
	takenAgent, _ := s.ta.AgentIDKeeper.GetAgent(s.ctx(), 1)

	params := types.DefaultParams()
	long := "https://x.example/" + strings.Repeat("a", content.MaxURILength)
	manyCaps := make([]string, params.MaxCapabilities+1)
	for i := range manyCaps {
		manyCaps[i] = "cap" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
	}
	manyEndpoints := make([]types.Endpoint, params.MaxEndpoints+1)
	for i := range manyEndpoints {
		manyEndpoints[i] = types.Endpoint{Protocol: "https", Url: "https://e.example/" + string(rune('a'+i))}
	}
	poor := apptest.NewAccount("poor-owner")

	cases := []struct {
		name   string
		mutate func(m *types.MsgRegisterAgent)
		err    error
	}{
		{"bad owner", func(m *types.MsgRegisterAgent) { m.Owner = "agent1bad" }, types.ErrInvalidAddress},
		{"bad agent address", func(m *types.MsgRegisterAgent) { m.AgentAddress = "cosmos1xyz" }, types.ErrInvalidAddress},
		{"uppercase name", func(m *types.MsgRegisterAgent) { m.Name = "Summarizer" }, types.ErrInvalidName},
		{"short name", func(m *types.MsgRegisterAgent) { m.Name = "ab" }, types.ErrInvalidName},
		{"long name", func(m *types.MsgRegisterAgent) { m.Name = strings.Repeat("a", 33) }, types.ErrInvalidName},
		{"leading hyphen", func(m *types.MsgRegisterAgent) { m.Name = "-agent" }, types.ErrInvalidName},
		{"duplicate name", func(m *types.MsgRegisterAgent) { m.Name = "taken-name" }, types.ErrNameTaken},
		{"duplicate key", func(m *types.MsgRegisterAgent) {
			m.AgentAddress = takenAgent.AgentAddress
			priv, _ := newKey("agent-key-taken-name")
			m.Proof = proof(t, priv, apptest.ChainID, owner, sdk.MustAccAddressFromBech32(takenAgent.AgentAddress), 2)
		}, types.ErrAddressTaken},
		{"missing proof", func(m *types.MsgRegisterAgent) { m.Proof = nil }, types.ErrInvalidKeyProof},
		{"proof by another key", func(m *types.MsgRegisterAgent) {
			priv, _ := newKey("someone-else")
			m.Proof = proof(t, priv, apptest.ChainID, owner, sdk.MustAccAddressFromBech32(m.AgentAddress), 1)
		}, types.ErrInvalidKeyProof},
		{"proof for another owner", func(m *types.MsgRegisterAgent) {
			priv, _ := newKey("agent-key-fresh")
			m.Proof = proof(t, priv, apptest.ChainID, other, sdk.MustAccAddressFromBech32(m.AgentAddress), 1)
		}, types.ErrInvalidKeyProof},
		{"proof for another chain", func(m *types.MsgRegisterAgent) {
			priv, _ := newKey("agent-key-fresh")
			m.Proof = proof(t, priv, "other-chain-1", owner, sdk.MustAccAddressFromBech32(m.AgentAddress), 1)
		}, types.ErrInvalidKeyProof},
		{"proof nonce zero", func(m *types.MsgRegisterAgent) {
			priv, _ := newKey("agent-key-fresh")
			m.Proof = proof(t, priv, apptest.ChainID, owner, sdk.MustAccAddressFromBech32(m.AgentAddress), 0)
		}, types.ErrInvalidKeyProof},
		{"garbled signature", func(m *types.MsgRegisterAgent) { m.Proof.Signature[3] ^= 0xff }, types.ErrInvalidKeyProof},
		{"short public key", func(m *types.MsgRegisterAgent) { m.Proof.PubKey = m.Proof.PubKey[:20] }, types.ErrInvalidKeyProof},
		{"too many capabilities", func(m *types.MsgRegisterAgent) { m.Capabilities = manyCaps }, types.ErrTooManyCapabilities},
		{"bad capability", func(m *types.MsgRegisterAgent) { m.Capabilities = []string{"sum marize"} }, types.ErrInvalidCapability},
		{"long capability", func(m *types.MsgRegisterAgent) { m.Capabilities = []string{strings.Repeat("c", 49)} }, types.ErrInvalidCapability},
		{"oversized card uri", func(m *types.MsgRegisterAgent) { m.CardUri = long }, types.ErrFieldTooLong},
		{"card uri without scheme", func(m *types.MsgRegisterAgent) { m.CardUri = "agents.example/card" }, types.ErrInvalidURI},
		{"short card hash", func(m *types.MsgRegisterAgent) { m.CardHash = m.CardHash[:31] }, types.ErrInvalidHash},
		{"hash without uri", func(m *types.MsgRegisterAgent) { m.CardUri = "" }, types.ErrInvalidURI},
		{"bad endpoint protocol", func(m *types.MsgRegisterAgent) { m.Endpoints[0].Protocol = "grpc" }, types.ErrInvalidEndpoint},
		{"endpoint scheme", func(m *types.MsgRegisterAgent) { m.Endpoints[0].Url = "ftp://x.example/a" }, types.ErrInvalidEndpoint},
		{"oversized endpoint", func(m *types.MsgRegisterAgent) { m.Endpoints[0].Url = long }, types.ErrFieldTooLong},
		{"too many endpoints", func(m *types.MsgRegisterAgent) { m.Endpoints = manyEndpoints }, types.ErrTooManyEndpoints},
		{"bad payout address", func(m *types.MsgRegisterAgent) { m.PayoutAddress = "nope" }, types.ErrInvalidAddress},
		{"module account payout", func(m *types.MsgRegisterAgent) { m.PayoutAddress = authtypes.NewModuleAddress("escrow").String() }, types.ErrInvalidAddress},
		{"cannot pay deposit", func(m *types.MsgRegisterAgent) {
			m.Owner = poor.Addr.String()
			priv, _ := newKey("agent-key-fresh")
			m.Proof = proof(t, priv, apptest.ChainID, poor.Addr, sdk.MustAccAddressFromBech32(m.AgentAddress), 1)
		}, types.ErrDepositFailed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.t = t
			msg, _ := s.registerMsg("fresh", owner)
			tc.mutate(msg)
			s.expectRefused(tc.err, func(ctx sdk.Context) error {
				_, err := s.ms.RegisterAgent(ctx, msg)
				return err
			})
		})
	}
}

func TestKeyProofIsNeverReplayed(t *testing.T) {
	s := newSuite(t)
	owner := s.acc(0).Addr
	id, priv := s.register("agent-one", owner)
	agent, _ := s.ta.AgentIDKeeper.GetAgent(s.ctx(), id)
	agentAddr := sdk.MustAccAddressFromBech32(agent.AgentAddress)

	// Rotate away, then try to bind the first key back with its old proof.
	newPriv, newAddr := newKey("rotated")
	if _, err := s.ms.RotateAgentKey(s.ctx(), &types.MsgRotateAgentKey{
		Owner: owner.String(), AgentId: id, NewAgentAddress: newAddr.String(),
		Proof: proof(t, newPriv, apptest.ChainID, owner, newAddr, 7),
	}); err != nil {
		t.Fatal(err)
	}
	replayed := proof(t, priv, apptest.ChainID, owner, agentAddr, 1)
	s.expectRefused(types.ErrNonceUsed, func(ctx sdk.Context) error {
		_, err := s.ms.RotateAgentKey(ctx, &types.MsgRotateAgentKey{
			Owner: owner.String(), AgentId: id, NewAgentAddress: agentAddr.String(), Proof: replayed,
		})
		return err
	})
	// A fresh proof with a greater nonce is accepted.
	if _, err := s.ms.RotateAgentKey(s.ctx(), &types.MsgRotateAgentKey{
		Owner: owner.String(), AgentId: id, NewAgentAddress: agentAddr.String(),
		Proof: proof(t, priv, apptest.ChainID, owner, agentAddr, 2),
	}); err != nil {
		t.Fatal(err)
	}
}

func TestUpdateAgent(t *testing.T) {
	s := newSuite(t)
	owner := s.acc(0).Addr
	id, _ := s.register("updater", owner)
	payout := s.acc(3).Addr

	ctx := s.ctx().WithEventManager(sdk.NewEventManager())
	if _, err := s.ms.UpdateAgent(ctx, &types.MsgUpdateAgent{
		Owner: owner.String(), AgentId: id, Capabilities: []string{"Code-Review"}, PayoutAddress: payout.String(),
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(eventTypes(ctx), "agentchain.agentid.v1.EventAgentUpdated") {
		t.Fatalf("events %v", eventTypes(ctx))
	}
	a, _ := s.ta.AgentIDKeeper.GetAgent(s.ctx(), id)
	if !slices.Equal(a.Capabilities, []string{"code-review"}) || a.Payout() != payout.String() || a.CardUri == "" || len(a.Endpoints) != 1 {
		t.Fatalf("after update %+v", a)
	}
	// The capability index moved with the agent.
	old, _ := s.qs.AgentsByCapability(s.ctx(), &types.QueryAgentsByCapabilityRequest{Capability: "summarize"})
	fresh, _ := s.qs.AgentsByCapability(s.ctx(), &types.QueryAgentsByCapabilityRequest{Capability: "code-review"})
	if len(old.Agents) != 0 || len(fresh.Agents) != 1 {
		t.Fatalf("capability index: old %d, new %d", len(old.Agents), len(fresh.Agents))
	}
	if _, err := s.ms.UpdateAgent(s.ctx(), &types.MsgUpdateAgent{
		Owner: owner.String(), AgentId: id, ClearCard: true, ClearEndpoints: true, ClearPayoutAddress: true,
	}); err != nil {
		t.Fatal(err)
	}
	a, _ = s.ta.AgentIDKeeper.GetAgent(s.ctx(), id)
	if a.CardUri != "" || len(a.CardHash) != 0 || len(a.Endpoints) != 0 || a.Payout() != a.AgentAddress {
		t.Fatalf("after clearing %+v", a)
	}

	deadID, _ := s.register("dead-agent", owner)
	if _, err := s.ms.DeactivateAgent(s.ctx(), &types.MsgDeactivateAgent{Owner: owner.String(), AgentId: deadID}); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		msg  types.MsgUpdateAgent
		err  error
	}{
		{"wrong signer", types.MsgUpdateAgent{Owner: s.acc(1).Addr.String(), AgentId: id, Capabilities: []string{"x1"}}, types.ErrNotOwner},
		{"unknown agent", types.MsgUpdateAgent{Owner: owner.String(), AgentId: 99, Capabilities: []string{"x1"}}, types.ErrAgentNotFound},
		{"deactivated agent", types.MsgUpdateAgent{Owner: owner.String(), AgentId: deadID, Capabilities: []string{"x1"}}, types.ErrAgentDeactivated},
		{"nothing to update", types.MsgUpdateAgent{Owner: owner.String(), AgentId: id}, types.ErrNothingToUpdate},
		{"same values", types.MsgUpdateAgent{Owner: owner.String(), AgentId: id, Capabilities: []string{"code-review"}}, types.ErrNothingToUpdate},
		{"clear and set card", types.MsgUpdateAgent{Owner: owner.String(), AgentId: id, ClearCard: true, CardUri: "https://a.example"}, types.ErrInvalidURI},
		{"clear and set caps", types.MsgUpdateAgent{Owner: owner.String(), AgentId: id, ClearCapabilities: true, Capabilities: []string{"a1"}}, types.ErrInvalidCapability},
		{"hash without uri", types.MsgUpdateAgent{Owner: owner.String(), AgentId: id, CardHash: hash("x")}, types.ErrInvalidURI},
		{"bad hash", types.MsgUpdateAgent{Owner: owner.String(), AgentId: id, CardUri: "https://a.example/c", CardHash: []byte{1}}, types.ErrInvalidHash},
		{"bad endpoint", types.MsgUpdateAgent{Owner: owner.String(), AgentId: id, Endpoints: []types.Endpoint{{Protocol: "smtp", Url: "https://a.example"}}}, types.ErrInvalidEndpoint},
		{"bad payout", types.MsgUpdateAgent{Owner: owner.String(), AgentId: id, PayoutAddress: "x"}, types.ErrInvalidAddress},
		{"module account payout", types.MsgUpdateAgent{Owner: owner.String(), AgentId: id, PayoutAddress: authtypes.NewModuleAddress(authtypes.FeeCollectorName).String()}, types.ErrInvalidAddress},
		{"oversized card", types.MsgUpdateAgent{Owner: owner.String(), AgentId: id, CardUri: "https://a.example/" + strings.Repeat("z", 600), CardHash: hash("x")}, types.ErrFieldTooLong},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.t = t
			s.expectRefused(tc.err, func(ctx sdk.Context) error {
				_, err := s.ms.UpdateAgent(ctx, &tc.msg)
				return err
			})
		})
	}
}

func TestRotateTransferStatusDeactivate(t *testing.T) {
	s := newSuite(t)
	owner, stranger, newOwner := s.acc(0).Addr, s.acc(1).Addr, s.acc(2).Addr
	id, _ := s.register("lifecycle", owner)
	other, _ := s.register("other-agent", owner)
	otherAgent, _ := s.ta.AgentIDKeeper.GetAgent(s.ctx(), other)
	newPriv, newAddr := newKey("lifecycle-2")
	goodRotate := func() *types.MsgRotateAgentKey {
		return &types.MsgRotateAgentKey{
			Owner: owner.String(), AgentId: id, NewAgentAddress: newAddr.String(),
			Proof: proof(t, newPriv, apptest.ChainID, owner, newAddr, 1),
		}
	}
	current, _ := s.ta.AgentIDKeeper.GetAgent(s.ctx(), id)

	rotateRefusals := []struct {
		name   string
		mutate func(m *types.MsgRotateAgentKey)
		err    error
	}{
		{"wrong signer", func(m *types.MsgRotateAgentKey) { m.Owner = stranger.String() }, types.ErrNotOwner},
		{"unknown agent", func(m *types.MsgRotateAgentKey) { m.AgentId = 42 }, types.ErrAgentNotFound},
		{"same address", func(m *types.MsgRotateAgentKey) { m.NewAgentAddress = current.AgentAddress }, types.ErrInvalidAddress},
		{"address of another agent", func(m *types.MsgRotateAgentKey) {
			m.NewAgentAddress = otherAgent.AgentAddress
			priv, _ := newKey("agent-key-other-agent")
			m.Proof = proof(t, priv, apptest.ChainID, owner, sdk.MustAccAddressFromBech32(otherAgent.AgentAddress), 9)
		}, types.ErrAddressTaken},
		{"no proof", func(m *types.MsgRotateAgentKey) { m.Proof = nil }, types.ErrInvalidKeyProof},
		{"bad address", func(m *types.MsgRotateAgentKey) { m.NewAgentAddress = "x" }, types.ErrInvalidAddress},
	}
	for _, tc := range rotateRefusals {
		t.Run("rotate/"+tc.name, func(t *testing.T) {
			s.t = t
			m := goodRotate()
			tc.mutate(m)
			s.expectRefused(tc.err, func(ctx sdk.Context) error { _, err := s.ms.RotateAgentKey(ctx, m); return err })
		})
	}
	s.t = t
	ctx := s.ctx().WithEventManager(sdk.NewEventManager())
	if _, err := s.ms.RotateAgentKey(ctx, goodRotate()); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(eventTypes(ctx), "agentchain.agentid.v1.EventAgentKeyRotated") {
		t.Fatalf("events %v", eventTypes(ctx))
	}
	// The old address no longer finds the agent; the new one does.
	if _, found, _ := s.ta.AgentIDKeeper.GetAgentByAddress(s.ctx(), sdk.MustAccAddressFromBech32(current.AgentAddress)); found {
		t.Fatal("old address still bound")
	}
	if a, found, _ := s.ta.AgentIDKeeper.GetAgentByAddress(s.ctx(), newAddr); !found || a.Id != id {
		t.Fatal("new address not bound")
	}

	// Status.
	statusRefusals := []struct {
		name string
		msg  types.MsgSetAgentStatus
		err  error
	}{
		{"wrong signer", types.MsgSetAgentStatus{Owner: stranger.String(), AgentId: id, Status: types.AGENT_STATUS_SUSPENDED}, types.ErrNotOwner},
		{"already active", types.MsgSetAgentStatus{Owner: owner.String(), AgentId: id, Status: types.AGENT_STATUS_ACTIVE}, types.ErrInvalidStatus},
		{"deactivate by status", types.MsgSetAgentStatus{Owner: owner.String(), AgentId: id, Status: types.AGENT_STATUS_DEACTIVATED}, types.ErrInvalidStatus},
		{"unspecified", types.MsgSetAgentStatus{Owner: owner.String(), AgentId: id}, types.ErrInvalidStatus},
	}
	for _, tc := range statusRefusals {
		t.Run("status/"+tc.name, func(t *testing.T) {
			s.t = t
			s.expectRefused(tc.err, func(ctx sdk.Context) error { _, err := s.ms.SetAgentStatus(ctx, &tc.msg); return err })
		})
	}
	s.t = t
	if _, err := s.ms.SetAgentStatus(s.ctx(), &types.MsgSetAgentStatus{Owner: owner.String(), AgentId: id, Status: types.AGENT_STATUS_SUSPENDED}); err != nil {
		t.Fatal(err)
	}
	// A suspended agent's owner may still manage it, and reactivate it.
	if _, err := s.ms.UpdateAgent(s.ctx(), &types.MsgUpdateAgent{Owner: owner.String(), AgentId: id, Capabilities: []string{"while-suspended"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.ms.SetAgentStatus(s.ctx(), &types.MsgSetAgentStatus{Owner: owner.String(), AgentId: id, Status: types.AGENT_STATUS_ACTIVE}); err != nil {
		t.Fatal(err)
	}

	// Ownership.
	transferRefusals := []struct {
		name string
		msg  types.MsgTransferOwnership
		err  error
	}{
		{"wrong signer", types.MsgTransferOwnership{Owner: stranger.String(), AgentId: id, NewOwner: newOwner.String()}, types.ErrNotOwner},
		{"same owner", types.MsgTransferOwnership{Owner: owner.String(), AgentId: id, NewOwner: owner.String()}, types.ErrInvalidAddress},
		{"bad new owner", types.MsgTransferOwnership{Owner: owner.String(), AgentId: id, NewOwner: "x"}, types.ErrInvalidAddress},
		{"unknown agent", types.MsgTransferOwnership{Owner: owner.String(), AgentId: 77, NewOwner: newOwner.String()}, types.ErrAgentNotFound},
	}
	for _, tc := range transferRefusals {
		t.Run("transfer/"+tc.name, func(t *testing.T) {
			s.t = t
			s.expectRefused(tc.err, func(ctx sdk.Context) error { _, err := s.ms.TransferOwnership(ctx, &tc.msg); return err })
		})
	}
	s.t = t
	if _, err := s.ms.TransferOwnership(s.ctx(), &types.MsgTransferOwnership{Owner: owner.String(), AgentId: id, NewOwner: newOwner.String()}); err != nil {
		t.Fatal(err)
	}
	// The old owner lost control; the deposit now goes to the new owner.
	s.expectRefused(types.ErrNotOwner, func(ctx sdk.Context) error {
		_, err := s.ms.DeactivateAgent(ctx, &types.MsgDeactivateAgent{Owner: owner.String(), AgentId: id})
		return err
	})
	before := s.ta.Balance(newOwner)
	ctx = s.ctx().WithEventManager(sdk.NewEventManager())
	if _, err := s.ms.DeactivateAgent(ctx, &types.MsgDeactivateAgent{Owner: newOwner.String(), AgentId: id}); err != nil {
		t.Fatal(err)
	}
	if got := s.ta.Balance(newOwner).Sub(before); !got.Equal(types.DefaultRegistrationDeposit.Amount) {
		t.Fatalf("refund %s", got)
	}
	if !slices.Contains(eventTypes(ctx), "agentchain.agentid.v1.EventAgentDeactivated") {
		t.Fatalf("events %v", eventTypes(ctx))
	}
	s.checkConservation()
	a, _ := s.ta.AgentIDKeeper.GetAgent(s.ctx(), id)
	if a.Status != types.AGENT_STATUS_DEACTIVATED || !a.Deposit.IsZero() {
		t.Fatalf("after deactivation %+v", a)
	}

	// A deactivated agent: nothing more, and its name is gone for good.
	deadRefusals := map[string]func(ctx sdk.Context) error{
		"deactivate twice": func(ctx sdk.Context) error {
			_, err := s.ms.DeactivateAgent(ctx, &types.MsgDeactivateAgent{Owner: newOwner.String(), AgentId: id})
			return err
		},
		"reactivate": func(ctx sdk.Context) error {
			_, err := s.ms.SetAgentStatus(ctx, &types.MsgSetAgentStatus{Owner: newOwner.String(), AgentId: id, Status: types.AGENT_STATUS_ACTIVE})
			return err
		},
		"transfer": func(ctx sdk.Context) error {
			_, err := s.ms.TransferOwnership(ctx, &types.MsgTransferOwnership{Owner: newOwner.String(), AgentId: id, NewOwner: owner.String()})
			return err
		},
		"set spend policy": func(ctx sdk.Context) error {
			_, err := s.ms.SetSpendPolicy(ctx, &types.MsgSetSpendPolicy{Owner: newOwner.String(), AgentId: id, Denom: "uagnt", Cap: sdkmath.NewInt(1), WindowBlocks: 10})
			return err
		},
	}
	for name, f := range deadRefusals {
		t.Run("deactivated/"+name, func(t *testing.T) {
			s.t = t
			s.expectRefused(types.ErrAgentDeactivated, f)
		})
	}
	s.t = t
	msg, _ := s.registerMsg("lifecycle", owner)
	s.expectRefused(types.ErrNameTaken, func(ctx sdk.Context) error { _, err := s.ms.RegisterAgent(ctx, msg); return err })
}

func TestSpendPolicyMessages(t *testing.T) {
	s := newSuite(t)
	owner := s.acc(0).Addr
	id, _ := s.register("capped", owner)
	set := func(denom string, capAmt int64, window uint64) *types.MsgSetSpendPolicy {
		return &types.MsgSetSpendPolicy{Owner: owner.String(), AgentId: id, Denom: denom, Cap: sdkmath.NewInt(capAmt), WindowBlocks: window}
	}
	if _, err := s.ms.SetSpendPolicy(s.ctx(), set("uagnt", 1000, 10)); err != nil {
		t.Fatal(err)
	}
	res, err := s.qs.SpendPolicies(s.ctx(), &types.QuerySpendPoliciesRequest{AgentId: id})
	if err != nil || len(res.Policies) != 1 || !res.Policies[0].Available.Equal(sdkmath.NewInt(1000)) {
		t.Fatalf("policies %+v %v", res, err)
	}
	for i := 1; i < 8; i++ {
		if _, err := s.ms.SetSpendPolicy(s.ctx(), set("denom"+string(rune('a'+i)), 1, 1)); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name string
		msg  *types.MsgSetSpendPolicy
		err  error
	}{
		{"wrong signer", &types.MsgSetSpendPolicy{Owner: s.acc(1).Addr.String(), AgentId: id, Denom: "uagnt", Cap: sdkmath.NewInt(1), WindowBlocks: 1}, types.ErrNotOwner},
		{"unknown agent", &types.MsgSetSpendPolicy{Owner: owner.String(), AgentId: 9, Denom: "uagnt", Cap: sdkmath.NewInt(1), WindowBlocks: 1}, types.ErrAgentNotFound},
		{"bad denom", set("u", 1, 1), types.ErrInvalidSpendPolicy},
		{"negative cap", set("uagnt", -1, 1), types.ErrInvalidSpendPolicy},
		{"zero window", set("uagnt", 1, 0), types.ErrInvalidSpendPolicy},
		{"huge window", set("uagnt", 1, 1<<40), types.ErrInvalidSpendPolicy},
		{"ninth denom", set("ninth", 1, 1), types.ErrInvalidSpendPolicy},
		{"remove missing", &types.MsgSetSpendPolicy{Owner: owner.String(), AgentId: id, Denom: "nothere", Remove: true}, types.ErrSpendPolicyNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.t = t
			s.expectRefused(tc.err, func(ctx sdk.Context) error { _, err := s.ms.SetSpendPolicy(ctx, tc.msg); return err })
		})
	}
	s.t = t
	if _, err := s.ms.SetSpendPolicy(s.ctx(), &types.MsgSetSpendPolicy{Owner: owner.String(), AgentId: id, Denom: "uagnt", Remove: true}); err != nil {
		t.Fatal(err)
	}
	res, _ = s.qs.SpendPolicies(s.ctx(), &types.QuerySpendPoliciesRequest{AgentId: id})
	if len(res.Policies) != 7 {
		t.Fatalf("%d policies after removal", len(res.Policies))
	}
}

func TestAttestations(t *testing.T) {
	s := newSuite(t)
	owner, attester, stranger := s.acc(0).Addr, s.acc(4).Addr, s.acc(5).Addr
	id, _ := s.register("attested", owner)
	deadID, _ := s.register("attested-dead", owner)
	if _, err := s.ms.DeactivateAgent(s.ctx(), &types.MsgDeactivateAgent{Owner: owner.String(), AgentId: deadID}); err != nil {
		t.Fatal(err)
	}
	authority := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	params := types.DefaultParams()
	params.Attesters = []string{attester.String()}
	if _, err := s.ms.UpdateParams(s.ctx(), &types.MsgUpdateParams{Authority: authority, Params: params}); err != nil {
		t.Fatal(err)
	}
	height := s.ctx().BlockHeight()
	good := func() *types.MsgAttest {
		return &types.MsgAttest{Attester: attester.String(), AgentId: id, ClaimType: "model-audit", Uri: "https://audits.example/1", Hash: hash("audit"), ExpiresHeight: height + 5}
	}
	cases := []struct {
		name   string
		mutate func(m *types.MsgAttest)
		err    error
	}{
		{"not an attester", func(m *types.MsgAttest) { m.Attester = stranger.String() }, types.ErrNotAttester},
		{"unknown agent", func(m *types.MsgAttest) { m.AgentId = 55 }, types.ErrAgentNotFound},
		{"deactivated agent", func(m *types.MsgAttest) { m.AgentId = deadID }, types.ErrAgentDeactivated},
		{"bad claim type", func(m *types.MsgAttest) { m.ClaimType = "Model Audit" }, types.ErrInvalidClaimType},
		{"bad hash", func(m *types.MsgAttest) { m.Hash = []byte("short") }, types.ErrInvalidHash},
		{"expired already", func(m *types.MsgAttest) { m.ExpiresHeight = height }, types.ErrInvalidExpiry},
		{"negative expiry", func(m *types.MsgAttest) { m.ExpiresHeight = -1 }, types.ErrInvalidExpiry},
		{"oversized uri", func(m *types.MsgAttest) { m.Uri = "https://a.example/" + strings.Repeat("u", 600) }, types.ErrFieldTooLong},
		{"no uri", func(m *types.MsgAttest) { m.Uri = "" }, types.ErrInvalidURI},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.t = t
			m := good()
			tc.mutate(m)
			s.expectRefused(tc.err, func(ctx sdk.Context) error { _, err := s.ms.Attest(ctx, m); return err })
		})
	}
	s.t = t
	if _, err := s.ms.Attest(s.ctx(), good()); err != nil {
		t.Fatal(err)
	}
	res, err := s.qs.Attestations(s.ctx(), &types.QueryAttestationsRequest{AgentId: id})
	if err != nil || len(res.Attestations) != 1 || res.Attestations[0].Expired {
		t.Fatalf("attestations %+v %v", res, err)
	}
	// After its expiry height the query reports it expired.
	for i := 0; i < 6; i++ {
		s.ta.NextBlock(nil)
	}
	res, _ = s.qs.Attestations(s.ctx(), &types.QueryAttestationsRequest{AgentId: id})
	if len(res.Attestations) != 1 || !res.Attestations[0].Expired {
		t.Fatalf("after expiry %+v", res)
	}
	// Only its attester revokes it.
	s.expectRefused(types.ErrAttestationNotFound, func(ctx sdk.Context) error {
		_, err := s.ms.RevokeAttestation(ctx, &types.MsgRevokeAttestation{Attester: stranger.String(), AgentId: id, ClaimType: "model-audit"})
		return err
	})
	if _, err := s.ms.RevokeAttestation(s.ctx(), &types.MsgRevokeAttestation{Attester: attester.String(), AgentId: id, ClaimType: "model-audit"}); err != nil {
		t.Fatal(err)
	}
	s.expectRefused(types.ErrAttestationNotFound, func(ctx sdk.Context) error {
		_, err := s.ms.RevokeAttestation(ctx, &types.MsgRevokeAttestation{Attester: attester.String(), AgentId: id, ClaimType: "model-audit"})
		return err
	})
}

func TestUpdateParams(t *testing.T) {
	s := newSuite(t)
	authority := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	good := types.DefaultParams()
	good.MaxCapabilities = 4
	bad := types.DefaultParams()
	bad.MaxCapabilities = 0
	dupAttesters := types.DefaultParams()
	dupAttesters.Attesters = []string{s.acc(1).Addr.String(), s.acc(1).Addr.String()}
	negativeRetention := types.DefaultParams()
	negativeRetention.AttestationRetentionBlocks = -1
	tooManyPrunes := types.DefaultParams()
	tooManyPrunes.MaxPrunesPerBlock = 10_001
	cases := []struct {
		name string
		msg  types.MsgUpdateParams
		err  error
	}{
		{"non-authority", types.MsgUpdateParams{Authority: s.acc(0).Addr.String(), Params: good}, types.ErrInvalidAuthority},
		{"invalid params", types.MsgUpdateParams{Authority: authority, Params: bad}, types.ErrInvalidParams},
		{"duplicate attesters", types.MsgUpdateParams{Authority: authority, Params: dupAttesters}, types.ErrInvalidParams},
		{"negative attestation retention", types.MsgUpdateParams{Authority: authority, Params: negativeRetention}, types.ErrInvalidParams},
		{"unbounded pruning", types.MsgUpdateParams{Authority: authority, Params: tooManyPrunes}, types.ErrInvalidParams},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s.t = t
			s.expectRefused(tc.err, func(ctx sdk.Context) error { _, err := s.ms.UpdateParams(ctx, &tc.msg); return err })
		})
	}
	s.t = t
	if _, err := s.ms.UpdateParams(s.ctx(), &types.MsgUpdateParams{Authority: authority, Params: good}); err != nil {
		t.Fatal(err)
	}
	p, _ := s.qs.Params(s.ctx(), &types.QueryParamsRequest{})
	if p.Params.MaxCapabilities != 4 {
		t.Fatalf("params %+v", p.Params)
	}
}

func TestQueriesPaginateWithABound(t *testing.T) {
	s := newSuite(t)
	owner := s.acc(0).Addr
	params := types.DefaultParams()
	params.RegistrationDeposit = sdk.NewCoin("uagnt", sdkmath.ZeroInt())
	authority := authtypes.NewModuleAddress(govtypes.ModuleName).String()
	if _, err := s.ms.UpdateParams(s.ctx(), &types.MsgUpdateParams{Authority: authority, Params: params}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 105; i++ {
		name := "bulk-" + strings.Repeat("x", i/26) + string(rune('a'+i%26))
		msg := &types.MsgRegisterAgent{Owner: owner.String(), Name: name, AgentAddress: owner.String(), Capabilities: []string{"bulk"}}
		if i > 0 {
			_, a := newKey(name)
			priv, _ := newKey(name)
			msg.AgentAddress = a.String()
			msg.Proof = proof(t, priv, apptest.ChainID, owner, a, 1)
		}
		if _, err := s.ms.RegisterAgent(s.ctx(), msg); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.qs.AgentsByCapability(s.ctx(), &types.QueryAgentsByCapabilityRequest{Capability: "bulk"})
	if err != nil || len(res.Agents) != 100 || res.Pagination.NextKey == nil {
		t.Fatalf("first page: %d agents, %v", len(res.Agents), err)
	}
	res2, err := s.qs.AgentsByCapability(s.ctx(), &types.QueryAgentsByCapabilityRequest{Capability: "bulk", Pagination: nextPage(res.Pagination.NextKey)})
	if err != nil || len(res2.Agents) != 5 {
		t.Fatalf("second page: %d agents, %v", len(res2.Agents), err)
	}
	all, _ := s.qs.Agents(s.ctx(), &types.QueryAgentsRequest{})
	byOwner, _ := s.qs.AgentsByOwner(s.ctx(), &types.QueryAgentsByOwnerRequest{Owner: owner.String()})
	if len(all.Agents) != 100 || len(byOwner.Agents) != 100 {
		t.Fatalf("bounded pages: %d, %d", len(all.Agents), len(byOwner.Agents))
	}
}
