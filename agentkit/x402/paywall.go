package x402

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"

	"github.com/agentchain/agentchain/agentkit"
)

// Paywall is net/http middleware that sells a resource per call under a
// provider's listing: a request without payment gets 402 with
// PAYMENT-REQUIRED built from the listing as it is on chain (its price, its
// provider's payout address); a paid request is verified and settled
// through the facilitator and served only once the payment is in a block,
// with PAYMENT-RESPONSE. A bad payment gets 402 with the reason
// (PAYMENT-RESPONSE's errorReason, the body's errorReason and error), and
// nothing moves. A payment whose settlement went unanswered (its block came
// after the wait ran out, or the client left) is served once when it is
// sent again after it lands.
type Paywall struct {
	// Client reads the listing (no signer needed).
	Client *agentkit.Client
	// Facilitator verifies and settles: NewFacilitator(Client) to do it
	// here, RemoteFacilitator{URL} to use one.
	Facilitator FacilitatorClient
	// ListingID is the listing each call is bought under.
	ListingID uint64
	// Description and MimeType describe the resource to clients.
	Description, MimeType string
	// ValidForBlocks is how far ahead clients set the height limit
	// (default 20).
	ValidForBlocks int64
	// MaxTimeoutSeconds bounds settlement (default 60).
	MaxTimeoutSeconds int
	// AllowMsgSend also accepts a plain bank MsgSend (see Extra).
	AllowMsgSend bool
}

// inFlight holds the hashes of the payments being verified or settled by
// any Paywall of this process: one payment sent at once to two resources
// sold under one listing is settled once and served once. owed holds the
// payments a Paywall sent to be settled but got no settlement for (the
// wait for the block ran out, the facilitator failed to answer, the
// client left): if such a payment lands, it is served once when sent
// again, though the facilitator now calls it already settled.
var inFlight = struct {
	sync.Mutex
	hashes map[string]bool
	owed   map[string]bool
}{hashes: map[string]bool{}, owed: map[string]bool{}}

// maxOwed bounds the owed record; past it a payment whose settlement went
// unanswered is not served late.
const maxOwed = 10_000

func owe(hash string) {
	inFlight.Lock()
	defer inFlight.Unlock()
	if len(inFlight.owed) < maxOwed {
		inFlight.owed[hash] = true
	}
}

// takeOwed reports whether the payment was owed, and clears it.
func takeOwed(hash string) bool {
	inFlight.Lock()
	defer inFlight.Unlock()
	owed := inFlight.owed[hash]
	delete(inFlight.owed, hash)
	return owed
}

// hold marks a payment in flight; false if it already is.
func hold(hash string) bool {
	inFlight.Lock()
	defer inFlight.Unlock()
	if inFlight.hashes[hash] {
		return false
	}
	inFlight.hashes[hash] = true
	return true
}

func release(hash string) {
	inFlight.Lock()
	defer inFlight.Unlock()
	delete(inFlight.hashes, hash)
}

type settlementKey struct{}

// SettlementFrom returns the settled payment of a request the Paywall let
// through.
func SettlementFrom(ctx context.Context) (*SettleResponse, bool) {
	s, ok := ctx.Value(settlementKey{}).(*SettleResponse)
	return s, ok
}

// Requirements are the listing's terms as an x402 requirement, read from
// the chain now.
func (p *Paywall) Requirements(ctx context.Context) (PaymentRequirements, error) {
	l, err := p.Client.Listing(ctx, p.ListingID)
	if err != nil {
		return PaymentRequirements{}, err
	}
	provider, err := p.Client.AgentByID(ctx, l.Provider)
	if err != nil {
		return PaymentRequirements{}, err
	}
	valid, timeout := p.ValidForBlocks, p.MaxTimeoutSeconds
	if valid <= 0 {
		valid = 20
	}
	if timeout <= 0 {
		timeout = 60
	}
	return PaymentRequirements{
		Scheme: Scheme, Network: Network(p.Client.ChainID()), Amount: l.Price.Amount.String(), Asset: l.Price.Denom,
		PayTo: provider.Payout(), MaxTimeoutSeconds: timeout,
		Extra: &Extra{
			ListingID: strconv.FormatUint(l.Id, 10), ProviderAgentID: strconv.FormatUint(l.Provider, 10), Calls: "1",
			ValidForBlocks: strconv.FormatInt(valid, 10), AllowMsgSend: p.AllowMsgSend, Name: l.Title,
		},
	}, nil
}

// paymentRequiredBody is a 402's JSON body: PaymentRequired and the
// reason code of a refused payment.
type paymentRequiredBody struct {
	PaymentRequired
	ErrorReason string `json:"errorReason,omitempty"`
}

func resourceURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.Path
}

// Wrap puts next behind the paywall.
func (p *Paywall) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		req, err := p.Requirements(ctx)
		if err != nil {
			http.Error(w, "the listing sold here cannot be read from the chain: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		resource := &ResourceInfo{URL: resourceURL(r), Description: p.Description, MimeType: p.MimeType}
		deny := func(ref *Refusal, payer string) {
			pr := PaymentRequired{X402Version: Version, Resource: resource, Accepts: []PaymentRequirements{req}}
			body := paymentRequiredBody{PaymentRequired: pr}
			if ref == nil {
				body.Error = "PAYMENT-SIGNATURE header is required"
			} else {
				body.Error, body.ErrorReason = ref.Message, ref.Reason
				if h, err := EncodeHeader(SettleResponse{ErrorReason: ref.Reason, ErrorMessage: ref.Message, Payer: payer, Network: req.Network}); err == nil {
					w.Header().Set(HeaderPaymentResponse, h)
				}
			}
			pr.Error = body.Error
			if h, err := EncodeHeader(pr); err == nil {
				w.Header().Set(HeaderPaymentRequired, h)
			}
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusPaymentRequired)
			_ = json.NewEncoder(w).Encode(body)
		}
		h := r.Header.Get(HeaderPaymentSignature)
		if h == "" {
			deny(nil, "")
			return
		}
		var payload PaymentPayload
		if err := DecodeHeader(h, &payload); err != nil {
			deny(refuse(ReasonInvalidPayload, "PAYMENT-SIGNATURE: %v", err), "")
			return
		}
		if payload.Resource != nil && payload.Resource.URL != resource.URL {
			deny(refuse(ReasonInvalidPayload, "the payment is for %s; this is %s", payload.Resource.URL, resource.URL), "")
			return
		}
		if payload.Resource == nil {
			payload.Resource = resource
		}
		// A payment in flight here is held by its tx hash: the same tx
		// sent again at once, in the same or another base64 spelling, is
		// refused, not settled twice over and served twice for one payment
		// (the facilitator answers a settled tx's settlement as often as
		// asked, by design).
		txBytes, ref := payloadTx(payload)
		if ref != nil {
			deny(ref, payload.Payload.Authorization.From)
			return
		}
		key := agentkit.TxHash(txBytes)
		if !hold(key) {
			deny(refuse(ReasonAlreadySettled, "this payment (tx %s) is being settled for another request", key), payload.Payload.Authorization.From)
			return
		}
		// Only payments in flight are held here: once settled, the tx is
		// in a block and the facilitator's verification refuses it.
		defer release(key)
		v, err := p.Facilitator.Verify(ctx, payload, req)
		if err != nil {
			deny(refuse(ReasonUnexpectedVerify, "%v", err), "")
			return
		}
		// A payment already in a block is refused, unless this process sent
		// it to be settled and never served it: the settlement (asked again,
		// the same answer) serves it now, once.
		if !v.IsValid && (v.InvalidReason != ReasonAlreadySettled || !takeOwed(key)) {
			deny(&Refusal{Reason: v.InvalidReason, Message: v.InvalidMessage}, v.Payer)
			return
		}
		s, err := p.Facilitator.Settle(ctx, payload, req)
		if err != nil {
			owe(key)
			deny(refuse(ReasonUnexpectedSettle, "%v (if the payment lands, send it again: it is served once)", err), v.Payer)
			return
		}
		if !s.Success {
			if s.ErrorReason == ReasonUnexpectedSettle {
				owe(key)
			}
			deny(&Refusal{Reason: s.ErrorReason, Message: s.ErrorMessage}, v.Payer)
			return
		}
		if hdr, err := EncodeHeader(s); err == nil {
			w.Header().Set(HeaderPaymentResponse, hdr)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(ctx, settlementKey{}, &s)))
	})
}
