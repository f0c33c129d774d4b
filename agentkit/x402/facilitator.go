package x402

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	authv1beta1 "cosmossdk.io/api/cosmos/auth/v1beta1"
	bankv1beta1 "cosmossdk.io/api/cosmos/bank/v1beta1"
	gogoproto "github.com/cosmos/gogoproto/proto"
	protov2 "google.golang.org/protobuf/proto"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"

	"github.com/agentchain/agentchain/agentkit"
	agentidtypes "github.com/agentchain/agentchain/x/agentid/types"
	markettypes "github.com/agentchain/agentchain/x/market/types"
)

// FacilitatorClient verifies and settles payments: a Facilitator in this
// process or a RemoteFacilitator.
type FacilitatorClient interface {
	Verify(ctx context.Context, p PaymentPayload, req PaymentRequirements) (VerifyResponse, error)
	Settle(ctx context.Context, p PaymentPayload, req PaymentRequirements) (SettleResponse, error)
}

// Facilitator verifies and settles agentchain payments through a node. It
// holds no key and pays no fee: the client's signed tx pays its own.
type Facilitator struct {
	c       *agentkit.Client
	network string
	// SettleTimeout bounds the wait for a payment's block (default 60s,
	// and at most the requirement's maxTimeoutSeconds when set).
	SettleTimeout time.Duration

	mu      sync.Mutex
	flights map[string]*flight
}

type flight struct {
	mu   sync.Mutex
	refs int
}

// NewFacilitator returns a facilitator reading and broadcasting through c
// (which needs no signer: agentkit.Dial(ctx, cfg, nil)).
func NewFacilitator(c *agentkit.Client) *Facilitator {
	return &Facilitator{c: c, network: Network(c.ChainID()), SettleTimeout: 60 * time.Second, flights: map[string]*flight{}}
}

// Supported lists what this facilitator settles.
func (f *Facilitator) Supported() SupportedResponse {
	return SupportedResponse{
		Kinds:      []SupportedKind{{X402Version: Version, Scheme: Scheme, Network: f.network}},
		Extensions: []string{},
		Signers:    map[string][]string{},
	}
}

// payment is a decoded payload: the tx and what it pays.
type payment struct {
	txBytes  []byte
	hash     string
	raw      txtypes.TxRaw
	body     txtypes.TxBody
	authInfo txtypes.AuthInfo
	sig      []byte
	payer    string
	purchase *markettypes.MsgPurchase
	send     *bankv1beta1.MsgSend
}

// decode checks everything that needs no chain: versions, scheme, network,
// the tx's shape and that it pays what the requirement asks.
func (f *Facilitator) decode(p PaymentPayload, req PaymentRequirements) (*payment, *Refusal) {
	if p.X402Version != Version {
		return nil, refuse(ReasonInvalidVersion, "x402Version %d; this facilitator speaks version %d", p.X402Version, Version)
	}
	if req.Scheme != Scheme || p.Accepted.Scheme != Scheme {
		return nil, refuse(ReasonUnsupportedScheme, "scheme %q; this facilitator settles %q", p.Accepted.Scheme, Scheme)
	}
	if req.Network != f.network || p.Accepted.Network != f.network {
		return nil, refuse(ReasonInvalidNetwork, "network %q; this facilitator settles %q", p.Accepted.Network, f.network)
	}
	auth := p.Payload.Authorization
	if auth.Type != AuthorizationType {
		return nil, refuse(ReasonInvalidPayload, "authorization type %q, want %q", auth.Type, AuthorizationType)
	}
	if NetworkPrefix+auth.ChainID != f.network {
		return nil, refuse(ReasonInvalidNetwork, "signed for chain %q; this is %q", auth.ChainID, strings.TrimPrefix(f.network, NetworkPrefix))
	}
	bz, ref := payloadTx(p)
	if ref != nil {
		return nil, ref
	}
	pay := &payment{txBytes: bz, hash: agentkit.TxHash(bz)}
	raw := &pay.raw
	if err := raw.Unmarshal(bz); err != nil {
		return nil, refuse(ReasonInvalidPayload, "payload.signature is not a TxRaw: %v", err)
	}
	if err := pay.body.Unmarshal(raw.BodyBytes); err != nil {
		return nil, refuse(ReasonInvalidPayload, "tx body: %v", err)
	}
	if err := pay.authInfo.Unmarshal(raw.AuthInfoBytes); err != nil {
		return nil, refuse(ReasonInvalidPayload, "tx auth info: %v", err)
	}
	if len(pay.body.Messages) != 1 || len(pay.body.ExtensionOptions)+len(pay.body.NonCriticalExtensionOptions) != 0 {
		return nil, refuse(ReasonMessage, "the tx must hold exactly one message and no extension options; it holds %d messages", len(pay.body.Messages))
	}
	if len(pay.authInfo.SignerInfos) != 1 || len(raw.Signatures) != 1 || pay.authInfo.Fee == nil {
		return nil, refuse(ReasonSignature, "the tx must have one signer and one signature")
	}
	pay.sig = raw.Signatures[0]
	msg := pay.body.Messages[0]
	switch msg.TypeUrl {
	case "/" + gogoproto.MessageName(&markettypes.MsgPurchase{}):
		if req.Extra == nil || req.Extra.ListingID == "" {
			return nil, refuse(ReasonMessage, "this resource takes a bank MsgSend, not a market purchase")
		}
		var m markettypes.MsgPurchase
		if err := m.Unmarshal(msg.Value); err != nil {
			return nil, refuse(ReasonInvalidPayload, "MsgPurchase: %v", err)
		}
		if strconv.FormatUint(m.ListingId, 10) != req.Extra.ListingID {
			return nil, refuse(ReasonRecipient, "the purchase is of listing %d; this resource is sold under listing %s", m.ListingId, req.Extra.ListingID)
		}
		calls := "1"
		if req.Extra.Calls != "" {
			calls = req.Extra.Calls
		}
		if m.Amount.Denom != req.Asset || m.Amount.Amount.String() != req.Amount || strconv.FormatUint(uint64(m.Calls), 10) != calls {
			return nil, refuse(ReasonAmount, "the purchase pays %s for %d calls; the price is %s%s for %s", m.Amount, m.Calls, req.Amount, req.Asset, calls)
		}
		if err := markettypes.ValidateRequestID(m.RequestId); err != nil {
			return nil, refuse(ReasonInvalidPayload, "%v", err)
		}
		if auth.From != m.Client || auth.RequestID != m.RequestId || auth.Amount != m.Amount.Amount.String() || auth.Denom != m.Amount.Denom {
			return nil, refuse(ReasonInvalidPayload, "the authorization (from %s, request id %q, %s%s) is not what the signed tx does (from %s, request id %q, %s)",
				auth.From, auth.RequestID, auth.Amount, auth.Denom, m.Client, m.RequestId, m.Amount)
		}
		pay.purchase, pay.payer = &m, m.Client
	case "/cosmos.bank.v1beta1.MsgSend":
		if req.Extra == nil || !req.Extra.AllowMsgSend {
			return nil, refuse(ReasonMessage, "this resource takes a market MsgPurchase of its listing, not a bank MsgSend")
		}
		var m bankv1beta1.MsgSend
		if err := protov2.Unmarshal(msg.Value, &m); err != nil {
			return nil, refuse(ReasonInvalidPayload, "MsgSend: %v", err)
		}
		if m.ToAddress != req.PayTo {
			return nil, refuse(ReasonRecipient, "the send pays %s; payTo is %s", m.ToAddress, req.PayTo)
		}
		if len(m.Amount) != 1 || m.Amount[0].Denom != req.Asset || m.Amount[0].Amount != req.Amount {
			return nil, refuse(ReasonAmount, "the send pays %v; the price is %s%s", m.Amount, req.Amount, req.Asset)
		}
		if p.Resource == nil || auth.RequestID == "" || pay.body.Memo != MsgSendMemo(auth.RequestID, p.Resource.URL) {
			return nil, refuse(ReasonInvalidPayload, "a MsgSend payment's memo must be %q", "x402 <request id> <resource url>")
		}
		if auth.From != m.FromAddress {
			return nil, refuse(ReasonInvalidPayload, "the authorization's from (%s) is not the send's (%s)", auth.From, m.FromAddress)
		}
		pay.send, pay.payer = &m, m.FromAddress
	default:
		return nil, refuse(ReasonMessage, "the tx holds %s; a payment holds a market MsgPurchase", msg.TypeUrl)
	}
	if auth.To != req.PayTo {
		return nil, refuse(ReasonRecipient, "the authorization pays %s; payTo is %s", auth.To, req.PayTo)
	}
	return pay, nil
}

// payloadTx decodes the payload's tx. One tx has many base64 spellings
// (line breaks and the padding's spare bits are ignored), so a payment is
// known by its tx hash, never by its spelling.
func payloadTx(p PaymentPayload) ([]byte, *Refusal) {
	bz, err := base64.StdEncoding.DecodeString(p.Payload.Signature)
	if err != nil {
		return nil, refuse(ReasonInvalidPayload, "payload.signature is not base64: %v", err)
	}
	return bz, nil
}

// MsgSendMemo is the memo that binds a plain MsgSend payment to a request
// id and a resource.
func MsgSendMemo(requestID, resourceURL string) string {
	return "x402 " + requestID + " " + resourceURL
}

// check asks the chain about a decoded payment: the payTo of the listing,
// the height limit, the request id, the signature against the payer's
// account and a simulation of the tx as it is.
func (f *Facilitator) check(ctx context.Context, pay *payment, req PaymentRequirements) *Refusal {
	if pay.purchase != nil {
		m := pay.purchase
		l, err := f.c.Listing(ctx, m.ListingId)
		if err != nil {
			return refuse(ReasonRecipient, "listing %d: %v", m.ListingId, err)
		}
		provider, err := f.c.AgentByID(ctx, l.Provider)
		if err != nil {
			return refuse(ReasonRecipient, "listing %d's provider: %v", m.ListingId, err)
		}
		if provider.Payout() != req.PayTo {
			return refuse(ReasonRecipient, "listing %d pays agent %d at %s; payTo is %s", l.Id, l.Provider, provider.Payout(), req.PayTo)
		}
		h, err := f.c.Height(ctx)
		if err != nil {
			return refuse(ReasonUnexpectedVerify, "chain height: %v", err)
		}
		if m.ValidUntilHeight <= h {
			return refuse(ReasonExpired, "the purchase is valid until height %d; the chain is at %d", m.ValidUntilHeight, h)
		}
		if j, err := f.c.PurchaseOf(ctx, m.Client, m.RequestId); err == nil {
			return refuse(ReasonRequestIDUsed, "request id %q of %s already settled job %d", m.RequestId, m.Client, j.Id)
		} else if !agentkit.IsNotFound(err) {
			return refuse(ReasonUnexpectedVerify, "purchase lookup: %v", err)
		}
	}
	if ref := f.checkSignature(ctx, pay); ref != nil {
		return ref
	}
	used, err := f.c.SimulateSigned(ctx, pay.txBytes)
	if err != nil {
		return chainRefusal(err)
	}
	if used > pay.authInfo.Fee.GasLimit {
		return refuse(ReasonGas, "the tx's gas limit is %d; it uses %d", pay.authInfo.Fee.GasLimit, used)
	}
	return nil
}

// checkSignature verifies the single SIGN_MODE_DIRECT signature against
// the payer's account number, its current sequence and the chain id.
func (f *Facilitator) checkSignature(ctx context.Context, pay *payment) *Refusal {
	si := pay.authInfo.SignerInfos[0]
	single, ok := si.GetModeInfo().GetSum().(*txtypes.ModeInfo_Single_)
	if !ok || single.Single.Mode != signing.SignMode_SIGN_MODE_DIRECT {
		return refuse(ReasonSignature, "sign the payment with SIGN_MODE_DIRECT and one secp256k1 key")
	}
	if si.PublicKey == nil || si.PublicKey.TypeUrl != "/cosmos.crypto.secp256k1.PubKey" {
		return refuse(ReasonSignature, "the signer info must carry the signer's secp256k1 public key")
	}
	var pk secp256k1.PubKey
	if err := pk.Unmarshal(si.PublicKey.Value); err != nil || len(pk.Key) != secp256k1.PubKeySize {
		return refuse(ReasonSignature, "unreadable public key")
	}
	if signer := agentkit.Bech32(pk.Address().Bytes()); signer != pay.payer {
		return refuse(ReasonSignature, "the tx is signed by %s and pays from %s", signer, pay.payer)
	}
	res, err := authv1beta1.NewQueryClient(f.c.Conn()).AccountInfo(ctx, &authv1beta1.QueryAccountInfoRequest{Address: pay.payer})
	if err != nil {
		return refuse(ReasonInsufficientFunds, "the payer %s has no account on chain (fund it first)", pay.payer)
	}
	acc := res.GetInfo()
	if si.Sequence != acc.GetSequence() {
		return refuse(ReasonSequence, "the tx is signed at sequence %d; the payer's account is at %d", si.Sequence, acc.GetSequence())
	}
	doc, err := (&txtypes.SignDoc{BodyBytes: pay.raw.BodyBytes, AuthInfoBytes: pay.raw.AuthInfoBytes, ChainId: strings.TrimPrefix(f.network, NetworkPrefix), AccountNumber: acc.GetAccountNumber()}).Marshal()
	if err != nil || !pk.VerifySignature(doc, pay.sig) {
		return refuse(ReasonSignature, "the signature does not verify for %s (account %d) on %s", pay.payer, acc.GetAccountNumber(), f.network)
	}
	return nil
}

// chainRefusal names the chain's refusal of a tx.
func chainRefusal(err error) *Refusal {
	msg := err.Error()
	// The chain's own words, without the client's and the SDK's preambles.
	if i := strings.LastIndex(msg, "message index: 0: "); i >= 0 {
		msg = msg[i+len("message index: 0: "):]
	}
	switch {
	case errors.Is(err, markettypes.ErrRequestIDUsed):
		return refuse(ReasonRequestIDUsed, "%s", msg)
	case errors.Is(err, markettypes.ErrPurchaseExpired):
		return refuse(ReasonExpired, "%s", msg)
	case errors.Is(err, agentidtypes.ErrSpendCapExceeded):
		return refuse(ReasonSpendCap, "%s", msg)
	case errors.Is(err, sdkerrors.ErrInsufficientFunds), errors.Is(err, sdkerrors.ErrInsufficientFee):
		return refuse(ReasonInsufficientFunds, "%s", msg)
	case errors.Is(err, sdkerrors.ErrWrongSequence):
		return refuse(ReasonSequence, "%s", msg)
	case errors.Is(err, markettypes.ErrWrongAmount):
		return refuse(ReasonAmount, "%s", msg)
	case errors.Is(err, sdkerrors.ErrUnauthorized), errors.Is(err, sdkerrors.ErrInvalidPubKey):
		return refuse(ReasonSignature, "%s", msg)
	case errors.Is(err, sdkerrors.ErrOutOfGas):
		return refuse(ReasonGas, "%s", msg)
	}
	return refuse(ReasonTxState, "%s", msg)
}

// Verify checks a payment without moving anything.
func (f *Facilitator) Verify(ctx context.Context, p PaymentPayload, req PaymentRequirements) (VerifyResponse, error) {
	pay, ref := f.decode(p, req)
	if ref == nil {
		if r, err := f.c.FindTx(ctx, pay.hash); err == nil && r != nil {
			ref = refuse(ReasonAlreadySettled, "this payment is tx %s, already in block %d", pay.hash, r.Height)
		}
	}
	if ref == nil {
		ref = f.check(ctx, pay, req)
	}
	if ref != nil {
		out := VerifyResponse{InvalidReason: ref.Reason, InvalidMessage: ref.Message}
		if pay != nil {
			out.Payer = pay.payer
		}
		return out, nil
	}
	return VerifyResponse{IsValid: true, Payer: pay.payer}, nil
}

func (f *Facilitator) lock(hash string) func() {
	f.mu.Lock()
	fl := f.flights[hash]
	if fl == nil {
		fl = &flight{}
		f.flights[hash] = fl
	}
	fl.refs++
	f.mu.Unlock()
	fl.mu.Lock()
	return func() {
		fl.mu.Unlock()
		f.mu.Lock()
		if fl.refs--; fl.refs == 0 {
			delete(f.flights, hash)
		}
		f.mu.Unlock()
	}
}

// Settle broadcasts a verified payment and waits for its block. The same
// payload settled again (a retry, a second resource server) finds its tx
// in a block and answers as the first time: one payment, however often it
// is settled. A resource server therefore serves once per tx hash, as
// Paywall does, not once per successful answer.
func (f *Facilitator) Settle(ctx context.Context, p PaymentPayload, req PaymentRequirements) (SettleResponse, error) {
	fail := func(pay *payment, r *Refusal) (SettleResponse, error) {
		out := SettleResponse{Network: f.network, ErrorReason: r.Reason, ErrorMessage: r.Message}
		if pay != nil {
			out.Payer = pay.payer
		}
		return out, nil
	}
	pay, ref := f.decode(p, req)
	if ref != nil {
		return fail(pay, ref)
	}
	defer f.lock(pay.hash)()
	if r, err := f.c.FindTx(ctx, pay.hash); err == nil && r != nil {
		return f.settled(pay, r)
	}
	if ref = f.check(ctx, pay, req); ref != nil {
		return fail(pay, ref)
	}
	if _, err := f.c.BroadcastSigned(ctx, pay.txBytes); err != nil {
		return fail(pay, chainRefusal(err))
	}
	timeout := f.SettleTimeout
	if s := time.Duration(req.MaxTimeoutSeconds) * time.Second; s > 0 && s < timeout {
		timeout = s
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	r, err := f.c.WaitForTx(wctx, pay.hash)
	if r == nil {
		return fail(pay, refuse(ReasonUnexpectedSettle, "tx %s is in no block after %s (it may still land: settle again to learn): %v", pay.hash, timeout, err))
	}
	return f.settled(pay, r)
}

// settled answers for a tx in a block.
func (f *Facilitator) settled(pay *payment, r *agentkit.TxResult) (SettleResponse, error) {
	out := SettleResponse{Network: f.network, Payer: pay.payer, Transaction: r.Hash}
	if r.Code != 0 {
		out.Transaction = ""
		ref := refuse(ReasonTxState, "tx %s failed in block %d (its fee was paid, nothing else moved): %s", r.Hash, r.Height, r.Log)
		out.ErrorReason, out.ErrorMessage = ref.Reason, ref.Message
		return out, nil
	}
	out.Success = true
	if pay.purchase != nil {
		out.Amount = pay.purchase.Amount.Amount.String()
	} else if pay.send != nil && len(pay.send.Amount) == 1 {
		out.Amount = pay.send.Amount[0].Amount
	}
	for _, e := range r.Events {
		if e.Type != "agentchain.market.v1.EventJobPurchased" {
			continue
		}
		t, err := e.Typed()
		if err != nil {
			break
		}
		if ev, ok := t.(*markettypes.EventJobPurchased); ok {
			out.Purchase = &Purchase{
				JobID: strconv.FormatUint(ev.JobId, 10), ListingID: strconv.FormatUint(ev.ListingId, 10), RequestID: ev.RequestId,
				Calls: strconv.FormatUint(uint64(ev.Calls), 10), Amount: ev.Amount.String(), Height: r.Height,
			}
			out.Extra = &SettleExtra{Purchase: out.Purchase}
		}
	}
	return out, nil
}

// maxRequestBody bounds a facilitator request (a tx is a few KB).
const maxRequestBody = 256 << 10

// Handler serves GET /supported, POST /verify and POST /settle.
func (f *Facilitator) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /supported", func(w http.ResponseWriter, _ *http.Request) { writeJSON(w, http.StatusOK, f.Supported()) })
	read := func(w http.ResponseWriter, r *http.Request) (FacilitatorRequest, bool) {
		var req FacilitatorRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxRequestBody))
		if err := dec.Decode(&req); err != nil {
			return req, false
		}
		return req, true
	}
	mux.HandleFunc("POST /verify", func(w http.ResponseWriter, r *http.Request) {
		req, ok := read(w, r)
		if !ok {
			writeJSON(w, http.StatusBadRequest, VerifyResponse{InvalidReason: ReasonInvalidPayload, InvalidMessage: "the body must be JSON {paymentPayload, paymentRequirements}"})
			return
		}
		res, _ := f.Verify(r.Context(), req.PaymentPayload, req.PaymentRequirements)
		writeJSON(w, http.StatusOK, res)
	})
	mux.HandleFunc("POST /settle", func(w http.ResponseWriter, r *http.Request) {
		req, ok := read(w, r)
		if !ok {
			writeJSON(w, http.StatusBadRequest, SettleResponse{Network: f.network, ErrorReason: ReasonInvalidPayload, ErrorMessage: "the body must be JSON {paymentPayload, paymentRequirements}"})
			return
		}
		res, _ := f.Settle(r.Context(), req.PaymentPayload, req.PaymentRequirements)
		writeJSON(w, http.StatusOK, res)
	})
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// RemoteFacilitator is a facilitator at a URL (`agentchaind x402
// facilitator`, or any x402 v2 facilitator that settles agentchain).
type RemoteFacilitator struct {
	URL  string
	HTTP *http.Client
}

func (r RemoteFacilitator) post(ctx context.Context, path string, p PaymentPayload, req PaymentRequirements, out any) error {
	bz, err := json.Marshal(FacilitatorRequest{X402Version: Version, PaymentPayload: p, PaymentRequirements: req})
	if err != nil {
		return err
	}
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(r.URL, "/")+path, bytes.NewReader(bz))
	if err != nil {
		return err
	}
	hreq.Header.Set("Content-Type", "application/json")
	hc := r.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(hreq)
	if err != nil {
		return fmt.Errorf("facilitator %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxRequestBody))
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("facilitator %s answered %d: %s", path, resp.StatusCode, body)
	}
	return nil
}

// Verify implements FacilitatorClient.
func (r RemoteFacilitator) Verify(ctx context.Context, p PaymentPayload, req PaymentRequirements) (VerifyResponse, error) {
	var out VerifyResponse
	return out, r.post(ctx, "/verify", p, req, &out)
}

// Settle implements FacilitatorClient.
func (r RemoteFacilitator) Settle(ctx context.Context, p PaymentPayload, req PaymentRequirements) (SettleResponse, error) {
	var out SettleResponse
	return out, r.post(ctx, "/settle", p, req, &out)
}
