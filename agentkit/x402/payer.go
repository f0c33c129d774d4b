package x402

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"

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
// a 402 it picks the requirement to buy the resource's listing on this
// client's chain, refuses it above MaxPrice, signs a purchase (one call,
// a fresh request id, valid for the requirement's validForBlocks) and
// sends the request again with PAYMENT-SIGNATURE. The response carries
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
}

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
		r := clone()
		r.Header.Set(HeaderPaymentSignature, hdr)
		out, err = p.base().RoundTrip(r) //nolint:bodyclose // the response is the caller's to close
		return err
	})
	return out, err
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
