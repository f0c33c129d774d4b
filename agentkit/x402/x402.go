// Package x402 is pay-per-call over HTTP on agentchain: x402 version 2
// (HTTP 402 Payment Required, the PAYMENT-REQUIRED, PAYMENT-SIGNATURE and
// PAYMENT-RESPONSE headers) with the "exact" scheme on network
// "cosmos:<chain-id>".
//
// The payment is a tx the client signs holding one market MsgPurchase of
// the provider's listing: the chain pays the provider at once (take
// applied), records a COMPLETED job both sides may rate, refuses the
// client's request id a second time, ever, and refuses the purchase after
// the height the client signed. So, unlike the Cosmos "exact" scheme's
// facilitator memory of tx hashes for an hour, replay protection is the
// chain's, and a resource server here serves only once the payment is in a
// block.
//
// Parts:
//   - Facilitator: /supported, /verify (decode, signature, chain id,
//     message, amount, listing and payTo, request id unused on chain, height
//     limit, then a simulation for balance, spend cap and the rest) and
//     /settle (broadcast, wait for the block; the same payload settled
//     twice answers the same, and pays once). Run in-process or as
//     `agentchaind x402 facilitator`; RemoteFacilitator speaks to one.
//   - Paywall: net/http middleware for a provider's resource.
//   - Payer: an http.RoundTripper for a client agent.
//   - Agent cards: served at /.well-known/agent-card.json and resolved
//     against the chain's card_hash.
package x402

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Protocol constants.
const (
	Version = 2
	Scheme  = "exact"
	// NetworkPrefix prefixes the chain id in a CAIP-2 network name.
	NetworkPrefix = "cosmos:"

	HeaderPaymentRequired  = "PAYMENT-REQUIRED"
	HeaderPaymentSignature = "PAYMENT-SIGNATURE"
	HeaderPaymentResponse  = "PAYMENT-RESPONSE"

	// AuthorizationType names the payload's authorization object.
	AuthorizationType = "cosmos-signed-transaction"
)

// Network is the CAIP-2 name of a chain.
func Network(chainID string) string { return NetworkPrefix + chainID }

// Reasons a payment is refused (VerifyResponse.InvalidReason,
// SettleResponse.ErrorReason). Each comes with a sentence for people
// (InvalidMessage, ErrorMessage).
const (
	ReasonInvalidVersion      = "invalid_x402_version"
	ReasonUnsupportedScheme   = "unsupported_scheme"
	ReasonInvalidNetwork      = "invalid_network"
	ReasonInvalidPayload      = "invalid_payload"
	ReasonInvalidRequirements = "invalid_payment_requirements"
	ReasonSignature           = "invalid_exact_cosmos_payload_signature"
	ReasonMessage             = "invalid_exact_cosmos_payload_message"
	ReasonAmount              = "invalid_exact_cosmos_payload_amount"
	ReasonRecipient           = "invalid_exact_cosmos_payload_recipient_mismatch"
	ReasonExpired             = "invalid_exact_cosmos_payload_expired"
	ReasonRequestIDUsed       = "invalid_exact_cosmos_payload_request_id_used"
	ReasonAlreadySettled      = "invalid_exact_cosmos_payload_already_settled"
	ReasonSequence            = "invalid_exact_cosmos_payload_sequence"
	ReasonGas                 = "invalid_exact_cosmos_payload_gas"
	ReasonInsufficientFunds   = "insufficient_funds"
	ReasonSpendCap            = "spend_cap_exceeded"
	ReasonTxState             = "invalid_transaction_state"
	ReasonUnexpectedVerify    = "unexpected_verify_error"
	ReasonUnexpectedSettle    = "unexpected_settle_error"
)

// ResourceInfo describes the resource paid for.
type ResourceInfo struct {
	URL         string `json:"url"`
	Description string `json:"description,omitempty"`
	MimeType    string `json:"mimeType,omitempty"`
}

// Extra is the agentchain part of a requirement.
type Extra struct {
	// ListingID is the listing a purchase must buy (decimal).
	ListingID string `json:"listingId,omitempty"`
	// ProviderAgentID is the listing's provider (decimal).
	ProviderAgentID string `json:"providerAgentId,omitempty"`
	// Calls a payment buys (decimal, "1").
	Calls string `json:"calls,omitempty"`
	// ValidForBlocks is how far ahead a client should set the purchase's
	// valid-until height (decimal).
	ValidForBlocks string `json:"validForBlocks,omitempty"`
	// AllowMsgSend accepts a plain bank MsgSend to payTo whose memo is
	// "x402 <request id> <resource url>" (for generic Cosmos x402
	// clients): paid, but not a purchase the chain records or refuses to
	// replay by request id, and not ratable.
	AllowMsgSend bool `json:"allowMsgSend,omitempty"`
	// Name of the service, for people.
	Name string `json:"name,omitempty"`
}

// PaymentRequirements is one way to pay.
type PaymentRequirements struct {
	Scheme            string `json:"scheme"`
	Network           string `json:"network"`
	Amount            string `json:"amount"`
	Asset             string `json:"asset"`
	PayTo             string `json:"payTo"`
	MaxTimeoutSeconds int    `json:"maxTimeoutSeconds"`
	Extra             *Extra `json:"extra,omitempty"`
}

// PaymentRequired is the body of a 402 and its PAYMENT-REQUIRED header.
type PaymentRequired struct {
	X402Version int                   `json:"x402Version"`
	Error       string                `json:"error,omitempty"`
	Resource    *ResourceInfo         `json:"resource,omitempty"`
	Accepts     []PaymentRequirements `json:"accepts"`
	Extensions  map[string]any        `json:"extensions,omitempty"`
}

// Authorization restates what the signed tx does, as in the Cosmos
// "exact" scheme, with the height limit instead of a wall-clock expiry.
type Authorization struct {
	Type             string `json:"type"`
	From             string `json:"from"`
	To               string `json:"to"`
	Amount           string `json:"amount"`
	Denom            string `json:"denom"`
	ChainID          string `json:"chainId"`
	ListingID        string `json:"listingId,omitempty"`
	Calls            string `json:"calls,omitempty"`
	RequestID        string `json:"requestId"`
	ValidUntilHeight string `json:"validUntilHeight,omitempty"`
	Memo             string `json:"memo,omitempty"`
}

// ExactPayload is the scheme's payload: the signed tx (base64 TxRaw) and
// its authorization.
type ExactPayload struct {
	Signature     string        `json:"signature"`
	Authorization Authorization `json:"authorization"`
}

// PaymentPayload is the PAYMENT-SIGNATURE header.
type PaymentPayload struct {
	X402Version int                 `json:"x402Version"`
	Resource    *ResourceInfo       `json:"resource,omitempty"`
	Accepted    PaymentRequirements `json:"accepted"`
	Payload     ExactPayload        `json:"payload"`
	Extensions  map[string]any      `json:"extensions,omitempty"`
}

// VerifyResponse answers /verify.
type VerifyResponse struct {
	IsValid        bool   `json:"isValid"`
	InvalidReason  string `json:"invalidReason,omitempty"`
	InvalidMessage string `json:"invalidMessage,omitempty"`
	Payer          string `json:"payer,omitempty"`
}

// Purchase is what the chain recorded for a settled purchase.
type Purchase struct {
	JobID     string `json:"jobId"`
	ListingID string `json:"listingId"`
	RequestID string `json:"requestId"`
	Calls     string `json:"calls"`
	Amount    string `json:"amount"`
	Height    int64  `json:"height"`
}

// SettleResponse answers /settle and is the PAYMENT-RESPONSE header.
type SettleResponse struct {
	Success      bool   `json:"success"`
	ErrorReason  string `json:"errorReason,omitempty"`
	ErrorMessage string `json:"errorMessage,omitempty"`
	Payer        string `json:"payer,omitempty"`
	Transaction  string `json:"transaction"`
	Network      string `json:"network"`
	// Amount is what the payment paid, in atomic units of the asset.
	Amount string `json:"amount,omitempty"`
	// Purchase is the settled purchase (absent for a plain MsgSend).
	Purchase *Purchase `json:"purchase,omitempty"`
	// Extra holds the purchase too: the x402 Foundation's client packages
	// keep a settlement's scheme data under extra and drop other fields.
	Extra *SettleExtra `json:"extra,omitempty"`
}

// SettleExtra is a settlement's scheme data.
type SettleExtra struct {
	Purchase *Purchase `json:"purchase,omitempty"`
}

// SupportedKind is one scheme and network a facilitator settles.
type SupportedKind struct {
	X402Version int            `json:"x402Version"`
	Scheme      string         `json:"scheme"`
	Network     string         `json:"network"`
	Extra       map[string]any `json:"extra,omitempty"`
}

// SupportedResponse answers /supported.
type SupportedResponse struct {
	Kinds      []SupportedKind     `json:"kinds"`
	Extensions []string            `json:"extensions"`
	Signers    map[string][]string `json:"signers"`
}

// FacilitatorRequest is the body of /verify and /settle.
type FacilitatorRequest struct {
	X402Version         int                 `json:"x402Version,omitempty"`
	PaymentPayload      PaymentPayload      `json:"paymentPayload"`
	PaymentRequirements PaymentRequirements `json:"paymentRequirements"`
}

// EncodeHeader is base64 (standard, padded) JSON, as the headers carry.
func EncodeHeader(v any) (string, error) {
	bz, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(bz), nil
}

// DecodeHeader reads a header's base64 JSON into v; standard or URL
// alphabet, padded or not.
func DecodeHeader(h string, v any) error {
	h = strings.TrimSpace(h)
	if h == "" {
		return errors.New("empty header")
	}
	var bz []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if bz, err = enc.DecodeString(h); err == nil {
			break
		}
	}
	if err != nil {
		return fmt.Errorf("not base64: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(bz)))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not the expected JSON: %w", err)
	}
	return nil
}

// ParseSettlement reads a response's PAYMENT-RESPONSE header.
func ParseSettlement(resp *http.Response) (*SettleResponse, error) {
	h := resp.Header.Get(HeaderPaymentResponse)
	if h == "" {
		return nil, errors.New("no PAYMENT-RESPONSE header")
	}
	var s SettleResponse
	if err := DecodeHeader(h, &s); err != nil {
		return nil, fmt.Errorf("PAYMENT-RESPONSE: %w", err)
	}
	return &s, nil
}

// ParsePaymentRequired reads a 402's PAYMENT-REQUIRED header (or its JSON
// body when the header is absent).
func ParsePaymentRequired(resp *http.Response, body []byte) (*PaymentRequired, error) {
	var pr PaymentRequired
	if h := resp.Header.Get(HeaderPaymentRequired); h != "" {
		if err := DecodeHeader(h, &pr); err != nil {
			return nil, fmt.Errorf("PAYMENT-REQUIRED: %w", err)
		}
		return &pr, nil
	}
	if err := json.Unmarshal(body, &pr); err != nil {
		return nil, fmt.Errorf("402 without PAYMENT-REQUIRED and with no JSON body: %w", err)
	}
	return &pr, nil
}

// Refusal is a refused payment: a reason code from the list above and a
// sentence saying what is wrong.
type Refusal struct {
	Reason  string
	Message string
}

func (r *Refusal) Error() string { return r.Reason + ": " + r.Message }

func refuse(reason, format string, args ...any) *Refusal {
	return &Refusal{Reason: reason, Message: fmt.Sprintf(format, args...)}
}
