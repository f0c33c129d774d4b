package keeper_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/agentchain/agentchain/app"
	"github.com/agentchain/agentchain/testutil/apptest"
	agentidkeeper "github.com/agentchain/agentchain/x/agentid/keeper"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	"github.com/agentchain/agentchain/x/market/keeper"
	"github.com/agentchain/agentchain/x/market/types"
)

// suite is an in-process chain with the market's services at hand and a
// provider agent (owner = account 0, agent key = providerKey) listing
// "summarize" at 1,000,000 uagnt.
type suite struct {
	t        *testing.T
	ta       *apptest.TestApp
	k        keeper.Keeper
	ms       types.MsgServer
	qs       types.QueryServer
	agentIDs agentidtypes.MsgServer

	owner, client, arbiter, stranger sdk.AccAddress
	providerKey                      sdk.AccAddress
	provider                         uint64
	listing                          uint64
	hooks                            *recordingHooks
}

const price = 1_000_000

func uagnt(n int64) sdk.Coin { return sdk.NewCoin(app.BaseDenom, sdkmath.NewInt(n)) }

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func authority() string { return authtypes.NewModuleAddress(govtypes.ModuleName).String() }

func newSuite(t *testing.T) *suite {
	t.Helper()
	ta := apptest.New(t, apptest.Options{Accounts: 8})
	s := &suite{
		t: t, ta: ta, k: ta.MarketKeeper,
		ms:       keeper.NewMsgServerImpl(ta.MarketKeeper),
		qs:       keeper.NewQueryServerImpl(ta.MarketKeeper),
		agentIDs: agentidkeeper.NewMsgServerImpl(ta.AgentIDKeeper),
		owner:    ta.Accounts[0].Addr, client: ta.Accounts[1].Addr, arbiter: ta.Accounts[2].Addr, stranger: ta.Accounts[3].Addr,
		hooks: &recordingHooks{},
	}
	s.k.SetHooks(s.hooks)
	p := types.DefaultParams()
	p.Arbiters = []string{s.arbiter.String()}
	p.DefaultArbiter = s.arbiter.String()
	s.setParams(p)
	s.provider, s.providerKey = s.registerAgent("summarizer", s.owner)
	s.listing = s.createListing(s.provider, s.providerKey, "summarize", price)
	return s
}

func (s *suite) ctx() sdk.Context { return s.ta.Ctx() }

func (s *suite) setParams(p types.Params) {
	s.t.Helper()
	if _, err := s.ms.UpdateParams(s.ctx(), &types.MsgUpdateParams{Authority: authority(), Params: p}); err != nil {
		s.t.Fatal(err)
	}
}

// registerAgent registers an agent owned by owner with a fresh agent key,
// funds the key, and returns the agent id and key address.
func (s *suite) registerAgent(name string, owner sdk.AccAddress) (uint64, sdk.AccAddress) {
	s.t.Helper()
	priv := secp256k1.GenPrivKeyFromSecret([]byte("market-agent-" + name))
	addr := sdk.AccAddress(priv.PubKey().Address())
	sig, err := priv.Sign(agentidtypes.BindingDigest(apptest.ChainID, owner, addr, 1))
	if err != nil {
		s.t.Fatal(err)
	}
	res, err := s.agentIDs.RegisterAgent(s.ctx(), &agentidtypes.MsgRegisterAgent{
		Owner: owner.String(), Name: name, AgentAddress: addr.String(),
		Proof:        &agentidtypes.KeyProof{PubKey: priv.PubKey().Bytes(), Nonce: 1, Signature: sig},
		Capabilities: []string{"summarize"},
	})
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.ta.BankKeeper.SendCoins(s.ctx(), owner, addr, sdk.NewCoins(uagnt(100_000_000))); err != nil {
		s.t.Fatal(err)
	}
	return res.Id, addr
}

func (s *suite) createListing(provider uint64, signer sdk.AccAddress, capability string, amount int64) uint64 {
	s.t.Helper()
	res, err := s.ms.CreateListing(s.ctx(), &types.MsgCreateListing{
		Signer: signer.String(), Provider: provider, Capability: capability, Title: "Summaries",
		TermsUri: "https://terms.example/1", TermsHash: hash("terms"), Price: uagnt(amount),
		MaxDurationBlocks: 1000, ReviewWindowBlocks: 20,
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return res.Id
}

func (s *suite) hireMsg() *types.MsgHire {
	return &types.MsgHire{
		Client: s.client.String(), ListingId: s.listing, SpecUri: "https://client.example/spec",
		SpecHash: hash("spec"), DeliverBy: s.ctx().BlockHeight() + 500,
	}
}

func (s *suite) hire(msg *types.MsgHire) uint64 {
	s.t.Helper()
	res, err := s.ms.Hire(s.ctx(), msg)
	if err != nil {
		s.t.Fatalf("hire: %v", err)
	}
	s.audit()
	return res.JobId
}

func (s *suite) job(id uint64) types.Job {
	s.t.Helper()
	j, err := s.k.GetJob(s.ctx(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return j
}

// step runs a message handler that must succeed, then audits the books.
func (s *suite) step(name string, f func(ctx context.Context) error) {
	s.t.Helper()
	if err := f(s.ctx()); err != nil {
		s.t.Fatalf("%s: %v", name, err)
	}
	s.audit()
}

// audit checks escrow conservation against every escrow, and that every
// job's money adds up: paid out plus what its escrow still holds is its
// price; a settled job has paid out exactly its price.
func (s *suite) audit() {
	s.t.Helper()
	ctx := s.ctx()
	if err := s.ta.EscrowKeeper.AuditConservation(ctx); err != nil {
		s.t.Fatal(err)
	}
	err := s.k.Jobs.Walk(ctx, nil, func(_ uint64, j types.Job) (bool, error) {
		if j.PurchaseRequestId != "" {
			if !j.Accounted().Equal(sdk.NewCoins(j.Price)) {
				return true, fmt.Errorf("purchase job %d paid out %s of %s", j.Id, j.Accounted(), j.Price)
			}
			return false, nil
		}
		if j.StreamId != 0 {
			st, err := s.ta.EscrowKeeper.GetStream(ctx, j.StreamId)
			if err != nil {
				return true, err
			}
			if !j.Accounted().Add(st.AccrualAt(st.Held())).Equal(sdk.NewCoins(j.Price)) {
				return true, fmt.Errorf("subscription %d: paid %s + held %s != deposit %s", j.Id, j.Accounted(), st.Held(), j.Price)
			}
			return false, nil
		}
		e, err := s.ta.EscrowKeeper.GetEscrow(ctx, j.EscrowId)
		if err != nil {
			return true, err
		}
		price := sdk.NewCoins(j.Price)
		if j.Status.IsFinal() {
			if !j.Accounted().Equal(price) {
				return true, fmt.Errorf("settled job %d paid out %s of %s", j.Id, j.Accounted(), j.Price)
			}
			if !e.Remaining().IsZero() {
				return true, fmt.Errorf("settled job %d left %s in escrow %d", j.Id, e.Remaining(), e.Id)
			}
			return false, nil
		}
		if !j.Accounted().Add(e.Remaining()...).Equal(price) {
			return true, fmt.Errorf("job %d: paid %s + held %s != price %s", j.Id, j.Accounted(), e.Remaining(), j.Price)
		}
		return false, nil
	})
	if err != nil {
		s.t.Fatal(err)
	}
}

// refused runs f as the SDK runs a message and checks that it fails with
// want, from the market's codespace, and changes no state
// (apptest.ExpectRefused), and that the books still balance. Hook calls
// made in the discarded branch are forgotten with it.
func (s *suite) refused(want error, f func(ctx context.Context) error) {
	s.t.Helper()
	hooksBefore := len(s.hooks.calls)
	s.ta.ExpectRefused(s.t, types.ModuleName, want, func(ctx sdk.Context) error {
		defer func() { s.hooks.calls = s.hooks.calls[:hooksBefore] }()
		return f(ctx)
	})
	s.audit()
}

func (s *suite) balance(a sdk.AccAddress) int64 { return s.ta.Balance(a).Int64() }

// recordingHooks records every hook call.
type recordingHooks struct {
	calls []string
	fail  bool
	// burnGas makes every hook consume more gas than any test allows.
	burnGas bool
}

func (h *recordingHooks) record(ctx context.Context, name string, j types.Job) error {
	h.calls = append(h.calls, fmt.Sprintf("%s:%d", name, j.Id))
	if h.burnGas {
		sdk.UnwrapSDKContext(ctx).GasMeter().ConsumeGas(1<<40, "a hook that writes a lot")
	}
	if h.fail {
		return errors.New("hook failure requested by the test")
	}
	return nil
}

func (h *recordingHooks) AfterJobDelivered(ctx context.Context, j types.Job, _ uint32, _ bool) error {
	return h.record(ctx, "delivered", j)
}

func (h *recordingHooks) AfterJobSettled(ctx context.Context, j types.Job) error {
	return h.record(ctx, "settled", j)
}

func (h *recordingHooks) AfterJobCancelled(ctx context.Context, j types.Job) error {
	return h.record(ctx, "cancelled", j)
}

func (h *recordingHooks) AfterJobExpired(ctx context.Context, j types.Job) error {
	return h.record(ctx, "expired", j)
}

func (h *recordingHooks) AfterDisputeOpened(ctx context.Context, j types.Job) error {
	return h.record(ctx, "disputed", j)
}

func (h *recordingHooks) AfterDisputeResolved(ctx context.Context, j types.Job, _ uint32) error {
	return h.record(ctx, "resolved", j)
}

// fixedScores is a reputation reader with set scores.
type fixedScores map[uint64]uint32

func (f fixedScores) AgentScore(_ context.Context, id uint64) (uint32, error) { return f[id], nil }

func (fixedScores) FeedbackWindowBlocks(context.Context) (int64, error) { return 10, nil }

func (fixedScores) BeforeJobPruned(context.Context, types.Job) error { return nil }

func queueKey(h int64, id uint64) collections.Pair[int64, uint64] { return collections.Join(h, id) }
