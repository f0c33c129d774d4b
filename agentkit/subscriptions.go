package agentkit

import (
	"context"

	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/query"

	escrowtypes "github.com/agentchain/agentchain/x/escrow/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// Subscriptions and streams: a per-block listing is subscribed to; the
// deposit streams to the provider block by block (x/escrow streams, also
// usable directly between any two accounts).

// SubscriptionView is a running or ended market subscription: its job
// and its stream with what accrued at the query's height.
type SubscriptionView struct {
	Job    markettypes.Job
	Stream escrowtypes.StreamView
}

// SubscribeListing subscribes to a per-block listing for termBlocks blocks at the
// listing's current price (client): rate × term moves into escrow now.
func (c *Client) SubscribeListing(ctx context.Context, listingID uint64, termBlocks int64) (*SubscriptionView, error) {
	l, err := c.Listing(ctx, listingID)
	if err != nil {
		return nil, err
	}
	res, err := c.Broadcast(ctx, &markettypes.MsgSubscribe{Client: c.me, ListingId: listingID, Rate: l.Price, TermBlocks: termBlocks})
	if err != nil {
		return nil, err
	}
	var out markettypes.MsgSubscribeResponse
	if err := c.Response(res, 0, &out); err != nil {
		return nil, err
	}
	return c.SubscriptionOf(ctx, out.JobId)
}

// SubscriptionOf returns a subscription and what its stream owes now.
func (c *Client) SubscriptionOf(ctx context.Context, jobID uint64) (*SubscriptionView, error) {
	j, err := c.Job(ctx, jobID)
	if err != nil {
		return nil, err
	}
	st, err := c.Stream(ctx, j.StreamId)
	if err != nil {
		return nil, err
	}
	return &SubscriptionView{Job: *j, Stream: *st}, nil
}

// WithdrawSubscription takes what a subscription accrued (provider): the
// response says what the provider and the fee collector received, and
// whether the term was over (the subscription then ended).
func (c *Client) WithdrawSubscription(ctx context.Context, jobID uint64) (*markettypes.MsgWithdrawSubscriptionResponse, error) {
	res, err := c.Broadcast(ctx, &markettypes.MsgWithdrawSubscription{Signer: c.me, JobId: jobID})
	if err != nil {
		return nil, err
	}
	var out markettypes.MsgWithdrawSubscriptionResponse
	return &out, c.Response(res, 0, &out)
}

// TopUpSubscription extends a subscription by extraBlocks (client).
func (c *Client) TopUpSubscription(ctx context.Context, jobID uint64, extraBlocks int64) (*TxResult, error) {
	return c.Broadcast(ctx, &markettypes.MsgTopUpSubscription{Client: c.me, JobId: jobID, ExtraBlocks: extraBlocks})
}

// PauseSubscription stops accrual while service is paused (provider).
func (c *Client) PauseSubscription(ctx context.Context, jobID uint64) (*TxResult, error) {
	return c.Broadcast(ctx, &markettypes.MsgPauseSubscription{Signer: c.me, JobId: jobID})
}

// ResumeSubscription restarts accrual (provider).
func (c *Client) ResumeSubscription(ctx context.Context, jobID uint64) (*TxResult, error) {
	return c.Broadcast(ctx, &markettypes.MsgResumeSubscription{Signer: c.me, JobId: jobID})
}

// CancelSubscription ends a subscription now (client or provider): what
// accrued to the provider, the rest back to the client.
func (c *Client) CancelSubscription(ctx context.Context, jobID uint64) (*markettypes.MsgCancelSubscriptionResponse, error) {
	res, err := c.Broadcast(ctx, &markettypes.MsgCancelSubscription{Signer: c.me, JobId: jobID})
	if err != nil {
		return nil, err
	}
	var out markettypes.MsgCancelSubscriptionResponse
	return &out, c.Response(res, 0, &out)
}

// StreamSpec describes a direct stream from this client.
type StreamSpec struct {
	Payee sdk.AccAddress
	// Rate accrues every PeriodBlocks blocks (0 means 1).
	Rate         sdk.Coin
	PeriodBlocks int64
	// Deposit moves into escrow now.
	Deposit sdk.Coin
	// StartHeight (0: now), CliffHeight and EndHeight (0: none).
	StartHeight, CliffHeight, EndHeight int64
	Reference                           string
}

// OpenStream opens a direct stream and returns its id.
func (c *Client) OpenStream(ctx context.Context, spec StreamSpec) (uint64, error) {
	res, err := c.Broadcast(ctx, &escrowtypes.MsgOpenStream{
		Payer: c.me, Payee: c.Bech32(spec.Payee), Rate: spec.Rate, PeriodBlocks: spec.PeriodBlocks, Deposit: spec.Deposit,
		StartHeight: spec.StartHeight, CliffHeight: spec.CliffHeight, EndHeight: spec.EndHeight, Reference: spec.Reference,
	})
	if err != nil {
		return 0, err
	}
	var out escrowtypes.MsgOpenStreamResponse
	return out.Id, c.Response(res, 0, &out)
}

// WithdrawStream takes what a direct stream accrued (payee).
func (c *Client) WithdrawStream(ctx context.Context, id uint64) (sdk.Coin, error) {
	res, err := c.Broadcast(ctx, &escrowtypes.MsgWithdrawStream{Payee: c.me, StreamId: id})
	if err != nil {
		return sdk.Coin{}, err
	}
	var out escrowtypes.MsgWithdrawStreamResponse
	return out.Amount, c.Response(res, 0, &out)
}

// TopUpStream adds to a direct stream's deposit (payer).
func (c *Client) TopUpStream(ctx context.Context, id uint64, amount sdk.Coin) (*TxResult, error) {
	return c.Broadcast(ctx, &escrowtypes.MsgTopUpStream{Payer: c.me, StreamId: id, Amount: amount})
}

// CancelStream ends a direct stream (payer or payee).
func (c *Client) CancelStream(ctx context.Context, id uint64) (*escrowtypes.MsgCancelStreamResponse, error) {
	res, err := c.Broadcast(ctx, &escrowtypes.MsgCancelStream{Signer: c.me, StreamId: id})
	if err != nil {
		return nil, err
	}
	var out escrowtypes.MsgCancelStreamResponse
	return &out, c.Response(res, 0, &out)
}

// CloseStream settles a direct stream that ran out or ended (anyone).
func (c *Client) CloseStream(ctx context.Context, id uint64) (*TxResult, error) {
	return c.Broadcast(ctx, &escrowtypes.MsgCloseStream{Signer: c.me, StreamId: id})
}

// Stream returns a stream with what it owes at the current height.
func (c *Client) Stream(ctx context.Context, id uint64) (*escrowtypes.StreamView, error) {
	res, err := escrowtypes.NewQueryClient(c.conn).Stream(ctx, &escrowtypes.QueryStreamRequest{Id: id})
	if err != nil {
		return nil, queryError(err, escrowtypes.ModuleName)
	}
	return &res.Stream, nil
}

// StreamsTo returns every stream paying addr (payee), with its amounts now.
func (c *Client) StreamsTo(ctx context.Context, addr sdk.AccAddress) ([]escrowtypes.StreamView, error) {
	q := escrowtypes.NewQueryClient(c.conn)
	return collect(pages(ctx, false, func(ctx context.Context, page *query.PageRequest) ([]escrowtypes.StreamView, *query.PageResponse, error) {
		res, err := q.StreamsByPayee(ctx, &escrowtypes.QueryStreamsByPayeeRequest{Payee: c.Bech32(addr), Pagination: page})
		if err != nil {
			return nil, nil, queryError(err, escrowtypes.ModuleName)
		}
		return res.Streams, res.Pagination, nil
	}))
}

// StreamsFrom returns every stream addr pays (payer), with its amounts now.
func (c *Client) StreamsFrom(ctx context.Context, addr sdk.AccAddress) ([]escrowtypes.StreamView, error) {
	q := escrowtypes.NewQueryClient(c.conn)
	return collect(pages(ctx, false, func(ctx context.Context, page *query.PageRequest) ([]escrowtypes.StreamView, *query.PageResponse, error) {
		res, err := q.StreamsByPayer(ctx, &escrowtypes.QueryStreamsByPayerRequest{Payer: c.Bech32(addr), Pagination: page})
		if err != nil {
			return nil, nil, queryError(err, escrowtypes.ModuleName)
		}
		return res.Streams, res.Pagination, nil
	}))
}
