package x402

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/agentchain/agentchain/agentkit"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// ErrPriceAboveMax is returned when every acceptable requirement costs more
// than the Payer's MaxPrice; nothing was signed.
var ErrPriceAboveMax = errors.New("x402: price above the payer's maximum")

// ErrNoAcceptableRequirement is returned when the 402 offers no agentchain
// purchase this Payer can make.
var ErrNoAcceptableRequirement = errors.New("x402: no acceptable payment requirement")

// Payer is an http.RoundTripper that pays x402 resources on agentchain: on
// a 402 to a request the program sent (never to one a redirect made, so
// one call is paid for at most once) it picks the requirement to buy the
// resource's listing on this client's chain, refuses it above MaxPrice,
// signs a purchase (one call, a fresh request id, valid for the
// requirement's validForBlocks, at most MaxValidBlocks) and sends the
// request again with PAYMENT-SIGNATURE. The response carries
// PAYMENT-RESPONSE (ParseSettlement): the tx hash and the purchase's job
// id, to rate the provider later.
type Payer struct {
	// Client signs the payments.
	Client *agentkit.Client
	// MaxPrice is the most one call may cost; requirements in another
	// denom are refused.
	MaxPrice sdk.Coin
	// Base sends the requests (default http.DefaultTransport).
	Base http.RoundTripper
	// MaxBody bounds the request body kept to send again (default 8 MiB).
	MaxBody int64
	// MaxValidBlocks bounds how long a signed purchase stays valid, however
	// long the server asks for (default 100 blocks): a server cannot hold a
	// payment to broadcast much later.
	MaxValidBlocks int64
	// PaidTimeout bounds the paid request until its response headers
	// (default 2 minutes): the client's other txs wait for it, so a server
	// that takes the payment and never answers cannot hold them longer.
	PaidTimeout time.Duration
}

// ErrPaymentAfterRedirect is returned for a 402 on a request a redirect
// made: the Payer pays only for requests the program sends, so a server
// cannot charge one call again and again through redirects.
var ErrPaymentAfterRedirect = errors.New("x402: payment asked after a redirect; not paid")

func (p *Payer) base() http.RoundTripper {
	if p.Base != nil {
		return p.Base
	}
	return http.DefaultTransport
}

// NewRequestID returns a fresh random request id (32 hex digits).
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// RoundTrip implements http.RoundTripper.
func (p *Payer) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		limit := p.MaxBody
		if limit <= 0 {
			limit = 8 << 20
		}
		var err error
		body, err = io.ReadAll(io.LimitReader(req.Body, limit+1))
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		if int64(len(body)) > limit {
			return nil, fmt.Errorf("x402: request body over %d bytes cannot be sent again after a 402", limit)
		}
	}
	clone := func() *http.Request {
		r := req.Clone(ctx)
		if body != nil {
			r.Body = io.NopCloser(bytes.NewReader(body))
			r.ContentLength = int64(len(body))
		}
		return r
	}
	resp, err := p.base().RoundTrip(clone())
	if err != nil || resp.StatusCode != http.StatusPaymentRequired {
		return resp, err
	}
	if req.Response != nil {
		// net/http sets Response on the requests it makes to follow a
		// redirect: the program's own request may have been paid already.
		_ = resp.Body.Close()
		return nil, fmt.Errorf("%w: %s, redirected from %s", ErrPaymentAfterRedirect, req.URL, req.Response.Request.URL)
	}
	respBody, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	_ = resp.Body.Close()
	if err != nil {
		return nil, err
	}
	pr, err := ParsePaymentRequired(resp, respBody)
	if err != nil {
		return nil, err
	}
	chosen, err := p.choose(pr)
	if err != nil {
		return nil, err
	}
	listingID, _ := strconv.ParseUint(chosen.Extra.ListingID, 10, 64)
	amount, _ := sdkmath.NewIntFromString(chosen.Amount)
	validFor, _ := strconv.ParseInt(chosen.Extra.ValidForBlocks, 10, 64)
	if validFor <= 0 {
		validFor = 20
	}
	maxValid := p.MaxValidBlocks
	if maxValid <= 0 {
		maxValid = 100
	}
	validFor = min(validFor, maxValid)
	paidTimeout := p.PaidTimeout
	if paidTimeout <= 0 {
		paidTimeout = 2 * time.Minute
	}
	h, err := p.Client.Height(ctx)
	if err != nil {
		return nil, err
	}
	msg := &markettypes.MsgPurchase{
		Client: p.Client.AddressString(), ListingId: listingID, Calls: 1, Amount: sdk.NewCoin(chosen.Asset, amount),
		RequestId: NewRequestID(), ValidUntilHeight: h + validFor,
	}
	var out *http.Response
	err = p.Client.Pay(ctx, "", []sdk.Msg{msg}, func(tx agentkit.SignedTx) error {
		payload := PaymentPayload{
			X402Version: Version, Resource: pr.Resource, Accepted: chosen,
			Payload: ExactPayload{
				Signature: base64.StdEncoding.EncodeToString(tx.Bytes),
				Authorization: Authorization{
					Type: AuthorizationType, From: msg.Client, To: chosen.PayTo, Amount: msg.Amount.Amount.String(), Denom: msg.Amount.Denom,
					ChainID: p.Client.ChainID(), ListingID: chosen.Extra.ListingID, Calls: "1", RequestID: msg.RequestId,
					ValidUntilHeight: strconv.FormatInt(msg.ValidUntilHeight, 10),
				},
			},
		}
		hdr, err := EncodeHeader(payload)
		if err != nil {
			return err
		}
		// The deadline holds until the response headers; the body is the
		// caller's to read, and closing it releases the context.
		pctx, cancel := context.WithCancel(ctx)
		timer := time.AfterFunc(paidTimeout, cancel)
		r := clone().WithContext(pctx)
		r.Header.Set(HeaderPaymentSignature, hdr)
		out, err = p.base().RoundTrip(r) //nolint:bodyclose // the response is the caller's to close
		if !timer.Stop() && err != nil {
			err = fmt.Errorf("x402: no answer to the paid request within %s (the payment may have settled: look for tx %s): %w", paidTimeout, tx.Hash, err)
		}
		if err != nil {
			cancel()
			return err
		}
		out.Body = &cancelOnClose{ReadCloser: out.Body, cancel: cancel}
		return nil
	})
	return out, err
}

// cancelOnClose releases a paid request's context when its body is closed.
type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (b *cancelOnClose) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}

// choose picks the cheapest purchase requirement on this chain within
// MaxPrice.
func (p *Payer) choose(pr *PaymentRequired) (PaymentRequirements, error) {
	return choose(pr, p.Client.ChainID(), p.MaxPrice)
}

func choose(pr *PaymentRequired, chainID string, maxPrice sdk.Coin) (PaymentRequirements, error) {
	var best *PaymentRequirements
	var bestAmt sdkmath.Int
	var above []string
	for i := range pr.Accepts {
		a := pr.Accepts[i]
		if a.Scheme != Scheme || a.Network != Network(chainID) || a.Extra == nil || a.Extra.ListingID == "" {
			continue
		}
		if c := a.Extra.Calls; c != "" && c != "1" {
			continue
		}
		amt, ok := sdkmath.NewIntFromString(a.Amount)
		if !ok || !amt.IsPositive() {
			continue
		}
		if a.Asset != maxPrice.Denom || amt.GT(maxPrice.Amount) {
			above = append(above, a.Amount+a.Asset)
			continue
		}
		if best == nil || amt.LT(bestAmt) {
			best, bestAmt = &pr.Accepts[i], amt
		}
	}
	if best != nil {
		return *best, nil
	}
	if len(above) > 0 {
		return PaymentRequirements{}, fmt.Errorf("%w: asked %v, at most %s", ErrPriceAboveMax, above, maxPrice)
	}
	return PaymentRequirements{}, fmt.Errorf("%w on %s among %d offered", ErrNoAcceptableRequirement, Network(chainID), len(pr.Accepts))
}
