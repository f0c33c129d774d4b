package agentkit

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	sdkmath "cosmossdk.io/math"

	bankv1beta1 "cosmossdk.io/api/cosmos/bank/v1beta1"
	cmtv1beta1 "cosmossdk.io/api/cosmos/base/tendermint/v1beta1"
	basev1beta1 "cosmossdk.io/api/cosmos/base/v1beta1"

	sdk "github.com/cosmos/cosmos-sdk/types"

	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
)

// queryError keeps a query's gRPC status and adds the chain's registered
// error its message names, so errors.Is(err, agentidtypes.ErrAgentNotFound)
// works on query errors as on transaction errors.
func queryError(err error, codespace string) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	for _, cs := range []string{codespace, "sdk"} {
		for _, e := range registered(cs) {
			if msgHasError(st.Message(), e.Error()) {
				return &QueryError{Code: st.Code(), Message: st.Message(), registered: e}
			}
		}
	}
	return &QueryError{Code: st.Code(), Message: st.Message()}
}

// QueryError is a refused query: its gRPC code and message, unwrapping to
// the chain's registered error when the message names one.
type QueryError struct {
	Code       codes.Code
	Message    string
	registered error
}

func (e *QueryError) Error() string { return fmt.Sprintf("query refused (%s): %s", e.Code, e.Message) }

// Unwrap returns the registered error, if any.
func (e *QueryError) Unwrap() error { return e.registered }

// GRPCStatus lets status.Code(err) see the query's code.
func (e *QueryError) GRPCStatus() *status.Status { return status.New(e.Code, e.Message) }

// IsNotFound reports whether err says that what was asked for does not exist.
func IsNotFound(err error) bool {
	var qe *QueryError
	if errors.As(err, &qe) {
		return qe.Code == codes.NotFound
	}
	return status.Code(err) == codes.NotFound
}

// Hash is the sha256 of content, as the chain's *_hash fields expect.
func Hash(content []byte) []byte {
	h := sha256.Sum256(content)
	return h[:]
}

// Height returns the latest block height.
func (c *Client) Height(ctx context.Context) (int64, error) {
	res, err := cmtv1beta1.NewServiceClient(c.conn).GetLatestBlock(ctx, &cmtv1beta1.GetLatestBlockRequest{})
	if err != nil {
		return 0, err
	}
	return res.GetSdkBlock().GetHeader().GetHeight(), nil
}

// Send sends coins from this client's account.
func (c *Client) Send(ctx context.Context, to sdk.AccAddress, amount sdk.Coins) (*TxResult, error) {
	coins := make([]*basev1beta1.Coin, len(amount))
	for i, coin := range amount {
		coins[i] = &basev1beta1.Coin{Denom: coin.Denom, Amount: coin.Amount.String()}
	}
	return c.Broadcast(ctx, &bankv1beta1.MsgSend{FromAddress: c.me, ToAddress: c.Bech32(to), Amount: coins})
}

// AgentSpec describes an agent to register.
type AgentSpec struct {
	// Name is the unique handle: [a-z0-9][a-z0-9-]{2,31}.
	Name string
	// Capabilities are tags such as "summarize".
	Capabilities []string
	// CardURI locates the agent card; Card is its content, hashed into
	// card_hash (both or neither). CardHash is the hash when the content
	// is not at hand (Card nil).
	CardURI  string
	Card     []byte
	CardHash []byte
	// Endpoints where the agent listens.
	Endpoints []agentidtypes.Endpoint
	// Payout receives market payments; empty means the agent's key.
	Payout sdk.AccAddress
}

// RegisterAgent registers an agent owned by this client's account, paying
// the registration deposit. agentKey is the agent's own key: it signs the
// proof that binds it (the nonce is read from the chain). With a nil
// agentKey, this client's key is the agent's key too (a self-owned agent).
func (c *Client) RegisterAgent(ctx context.Context, spec AgentSpec, agentKey Signer) (*agentidtypes.Agent, error) {
	msg := &agentidtypes.MsgRegisterAgent{
		Owner:        c.me,
		Name:         spec.Name,
		AgentAddress: c.me,
		CardUri:      spec.CardURI,
		Capabilities: spec.Capabilities,
		Endpoints:    spec.Endpoints,
	}
	msg.CardHash = contentHash(spec.Card, spec.CardHash)
	if spec.Payout != nil {
		msg.PayoutAddress = c.Bech32(spec.Payout)
	}
	if agentKey != nil && !agentKey.Address().Equals(c.Address()) {
		proof, err := c.KeyProof(ctx, agentKey)
		if err != nil {
			return nil, err
		}
		msg.AgentAddress = c.Bech32(agentKey.Address())
		msg.Proof = proof
	}
	res, err := c.Broadcast(ctx, msg)
	if err != nil {
		return nil, err
	}
	var out agentidtypes.MsgRegisterAgentResponse
	if err := c.Response(res, 0, &out); err != nil {
		return nil, err
	}
	return c.AgentByID(ctx, out.Id)
}

// KeyProof has agentKey sign the proof that binds it to an agent owned by
// this client's account, with the next unused nonce.
func (c *Client) KeyProof(ctx context.Context, agentKey Signer) (*agentidtypes.KeyProof, error) {
	res, err := agentidtypes.NewQueryClient(c.conn).BindingNonce(ctx, &agentidtypes.QueryBindingNonceRequest{Address: c.Bech32(agentKey.Address())})
	if err != nil {
		return nil, queryError(err, agentidtypes.ModuleName)
	}
	nonce := res.Nonce + 1
	sig, err := agentKey.Sign(agentidtypes.BindingDigest(c.chainID, c.Address(), agentKey.Address(), nonce))
	if err != nil {
		return nil, err
	}
	return &agentidtypes.KeyProof{PubKey: agentKey.PubKey().Bytes(), Nonce: nonce, Signature: sig}, nil
}

// Agent returns the agent whose key is this client's key; IsNotFound(err)
// when there is none.
func (c *Client) Agent(ctx context.Context) (*agentidtypes.Agent, error) {
	return c.AgentByAddress(ctx, c.Address())
}

// AgentByAddress returns the agent with that agent key.
func (c *Client) AgentByAddress(ctx context.Context, addr sdk.AccAddress) (*agentidtypes.Agent, error) {
	res, err := agentidtypes.NewQueryClient(c.conn).AgentByAddress(ctx, &agentidtypes.QueryAgentByAddressRequest{Address: c.Bech32(addr)})
	if err != nil {
		return nil, queryError(err, agentidtypes.ModuleName)
	}
	return &res.Agent, nil
}

// AgentByID returns an agent.
func (c *Client) AgentByID(ctx context.Context, id uint64) (*agentidtypes.Agent, error) {
	res, err := agentidtypes.NewQueryClient(c.conn).Agent(ctx, &agentidtypes.QueryAgentRequest{Id: id})
	if err != nil {
		return nil, queryError(err, agentidtypes.ModuleName)
	}
	return &res.Agent, nil
}

// AgentByName returns the agent with that name.
func (c *Client) AgentByName(ctx context.Context, name string) (*agentidtypes.Agent, error) {
	res, err := agentidtypes.NewQueryClient(c.conn).AgentByName(ctx, &agentidtypes.QueryAgentByNameRequest{Name: name})
	if err != nil {
		return nil, queryError(err, agentidtypes.ModuleName)
	}
	return &res.Agent, nil
}

// LoadOrRegisterAgent returns this client's agent, registering it as a
// self-owned agent from spec when its key has none yet: an agent program
// can call it on every start.
func (c *Client) LoadOrRegisterAgent(ctx context.Context, spec AgentSpec) (*agentidtypes.Agent, error) {
	a, err := c.Agent(ctx)
	if err == nil {
		return a, nil
	}
	if !IsNotFound(err) {
		return nil, err
	}
	return c.RegisterAgent(ctx, spec, nil)
}

// SetSpendPolicy caps what an agent owned by this client may spend of a
// denom per window of blocks.
func (c *Client) SetSpendPolicy(ctx context.Context, agentID uint64, limit sdkmath.Int, denom string, windowBlocks uint64) (*TxResult, error) {
	return c.Broadcast(ctx, &agentidtypes.MsgSetSpendPolicy{
		Owner: c.me, AgentId: agentID, Denom: denom, Cap: limit, WindowBlocks: windowBlocks,
	})
}
