package app

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	signingv1beta1 "cosmossdk.io/api/cosmos/tx/signing/v1beta1"
	storetypes "cosmossdk.io/store/types"
	txsigning "cosmossdk.io/x/tx/signing"
	"google.golang.org/protobuf/types/known/anypb"

	"github.com/spf13/cast"

	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
	authsigning "github.com/cosmos/cosmos-sdk/x/auth/signing"
)

// DefaultVerifiedSignatureCache is how many verified signatures a node
// remembers by default (app.toml [agentchain] verified-signature-cache).
// Each entry is 32 bytes of key plus the map's overhead: about 4 MB at the
// default. A full mempool's worth, so that a tx checked when it arrived is
// still remembered when a block holds it.
const DefaultVerifiedSignatureCache = 50_000

// FlagVerifiedSignatureCache is the app.toml key of the cache's size (0
// turns it off).
const FlagVerifiedSignatureCache = "agentchain.verified-signature-cache"

// ConfigTemplate is agentchain's section of app.toml (a text/template
// over a config whose Agentchain field holds VerifiedSignatureCache).
const ConfigTemplate = `
###############################################################################
###                          agentchain                                     ###
###############################################################################

[agentchain]

# verified-signature-cache is how many signatures this node remembers having
# verified in CheckTx, so that a block's txs are not verified a second time
# (FinalizeBlock). 0 verifies every signature every time. Results, gas and
# app hashes are the same either way; about 80 bytes per entry.
verified-signature-cache = {{ .Agentchain.VerifiedSignatureCache }}
`

// ConfigSection is ConfigTemplate filled in with a cache size.
func ConfigSection(verifiedSignatureCache int) string {
	return strings.ReplaceAll(ConfigTemplate, "{{ .Agentchain.VerifiedSignatureCache }}", strconv.Itoa(verifiedSignatureCache))
}

// VerifiedSignatureCacheSize reads the cache's size from the node's
// options: the default when unset.
func VerifiedSignatureCacheSize(opts servertypes.AppOptions) int {
	v := opts.Get(FlagVerifiedSignatureCache)
	if v == nil {
		return DefaultVerifiedSignatureCache
	}
	return cast.ToInt(v)
}

// SigCache returns the node's cache of verified signatures (nil when off).
func (app *App) SigCache() *SigCache { return app.sigCache }

// SigCache remembers the signatures this node verified in CheckTx, so that
// FinalizeBlock does not verify the same signature a second time.
//
// An entry is the sha256 of (public key type, public key, sign bytes,
// signature): a hit means this very key verified this very signature over
// these very bytes (chain id, account number, sequence, body and auth info
// included) in this process, and a signature check is a pure function of
// those. Only signatures that verified are added, only by CheckTx (not
// ReCheckTx, not simulations), so a block can never make a node accept a
// signature it did not verify itself. What a tx pays for its signatures is
// charged by the SDK's SigGasConsumeDecorator, which runs whether or not
// the cache hits, and the lookup reads accounts on a gas meter of its own:
// gas used, and so every result and app hash, is the same with or without
// a cache, with an empty one or a full one.
//
// It is bounded: the oldest entry leaves when a new one would exceed the
// size. It is safe for concurrent use (CheckTx and FinalizeBlock may run
// at once).
type SigCache struct {
	mu      sync.Mutex
	entries map[[32]byte]struct{}
	order   [][32]byte // ring of the keys, oldest at next
	next    int

	hits, misses atomic.Uint64
}

// NewSigCache returns a cache of size entries, or nil (no cache) for 0.
func NewSigCache(size int) *SigCache {
	if size <= 0 {
		return nil
	}
	return &SigCache{entries: make(map[[32]byte]struct{}, size), order: make([][32]byte, 0, size)}
}

// Stats returns the FinalizeBlock lookups that found every signature of
// their tx, and those that did not.
func (c *SigCache) Stats() (hits, misses uint64) {
	if c == nil {
		return 0, 0
	}
	return c.hits.Load(), c.misses.Load()
}

// Len is the number of signatures remembered.
func (c *SigCache) Len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *SigCache) hasAll(keys [][32]byte) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if _, ok := c.entries[k]; !ok {
			return false
		}
	}
	return true
}

func (c *SigCache) add(keys [][32]byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range keys {
		if _, ok := c.entries[k]; ok {
			continue
		}
		if len(c.order) < cap(c.order) {
			c.order = append(c.order, k)
		} else {
			delete(c.entries, c.order[c.next])
			c.order[c.next] = k
			c.next = (c.next + 1) % len(c.order)
		}
		c.entries[k] = struct{}{}
	}
}

// verifyOnceDecorator runs the SDK's signature verification, telling it to
// skip the signature checks of a FinalizeBlock tx whose every signature the
// cache holds, and filling the cache from CheckTx once they passed. The
// sequence checks, and everything else the SDK decorator does, always run.
type verifyOnceDecorator struct {
	inner   ante.SigVerificationDecorator
	ak      ante.AccountKeeper
	handler *txsigning.HandlerMap
	cache   *SigCache
}

func (d verifyOnceDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	mode := ctx.ExecMode()
	useful := d.cache != nil && !simulate && ctx.IsSigverifyTx() && ctx.BlockHeight() > 0 &&
		(mode == sdk.ExecModeFinalize || mode == sdk.ExecModeCheck)
	if !useful {
		return d.inner.AnteHandle(ctx, tx, simulate, next)
	}
	keys, ok := d.keys(ctx, tx)
	if !ok {
		return d.inner.AnteHandle(ctx, tx, simulate, next)
	}
	if mode == sdk.ExecModeFinalize {
		if !d.cache.hasAll(keys) {
			d.cache.misses.Add(1)
			return d.inner.AnteHandle(ctx, tx, simulate, next)
		}
		d.cache.hits.Add(1)
		// The SDK decorator checks sequences and then, with sigverify off,
		// skips only the signature checks; the next decorators see the
		// context as it was.
		return d.inner.AnteHandle(ctx.WithIsSigverifyTx(false), tx, simulate, func(c sdk.Context, tx sdk.Tx, simulate bool) (sdk.Context, error) {
			return next(c.WithIsSigverifyTx(true), tx, simulate)
		})
	}
	// CheckTx: remember the signatures once the SDK decorator verified them.
	return d.inner.AnteHandle(ctx, tx, simulate, func(c sdk.Context, tx sdk.Tx, simulate bool) (sdk.Context, error) {
		d.cache.add(keys)
		return next(c, tx, simulate)
	})
}

// keys computes the cache key of each signature of tx exactly as the SDK
// decorator will verify it: the signer account's public key, and the sign
// bytes from the chain id, the account number and the signature's
// sequence. Only single signatures of accounts with a public key are
// cached; any other tx is verified as usual. Account reads go to a gas
// meter of their own: the tx's gas does not depend on the cache.
func (d verifyOnceDecorator) keys(ctx sdk.Context, tx sdk.Tx) ([][32]byte, bool) {
	sigTx, ok := tx.(authsigning.Tx)
	if !ok {
		return nil, false
	}
	adaptable, ok := tx.(authsigning.V2AdaptableTx)
	if !ok {
		return nil, false
	}
	if utx, ok := tx.(sdk.TxWithUnordered); ok && utx.GetUnordered() {
		return nil, false
	}
	sigs, err := sigTx.GetSignaturesV2()
	if err != nil {
		return nil, false
	}
	signers, err := sigTx.GetSigners()
	if err != nil || len(signers) != len(sigs) || len(sigs) == 0 {
		return nil, false
	}
	free := ctx.WithGasMeter(storetypes.NewInfiniteGasMeter())
	txData := adaptable.GetSigningTxData()
	keys := make([][32]byte, len(sigs))
	for i, sig := range sigs {
		single, ok := sig.Data.(*signing.SingleSignatureData)
		if !ok {
			return nil, false
		}
		acc := d.ak.GetAccount(free, signers[i])
		if acc == nil {
			return nil, false
		}
		pub := acc.GetPubKey()
		if pub == nil {
			return nil, false
		}
		mode, err := apiSignMode(single.SignMode)
		if err != nil {
			return nil, false
		}
		anyPk, err := codectypes.NewAnyWithValue(pub)
		if err != nil {
			return nil, false
		}
		signBytes, err := d.handler.GetSignBytes(free, mode, txsigning.SignerData{
			Address: acc.GetAddress().String(), ChainID: ctx.ChainID(), AccountNumber: acc.GetAccountNumber(),
			Sequence: sig.Sequence, PubKey: &anypb.Any{TypeUrl: anyPk.TypeUrl, Value: anyPk.Value},
		}, txData)
		if err != nil {
			return nil, false
		}
		keys[i] = sigKey(pub, signBytes, single.Signature)
	}
	return keys, true
}

// sigKey is sha256 of the length-prefixed key type, key, sign bytes and
// signature.
func sigKey(pub cryptotypes.PubKey, signBytes, sig []byte) [32]byte {
	h := sha256.New()
	for _, part := range [][]byte{[]byte(pub.Type()), pub.Bytes(), signBytes, sig} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write(part)
	}
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// apiSignMode maps a sign mode to its x/tx name; modes this chain does not
// sign with are not cached.
func apiSignMode(mode signing.SignMode) (signingv1beta1.SignMode, error) {
	switch mode {
	case signing.SignMode_SIGN_MODE_DIRECT:
		return signingv1beta1.SignMode_SIGN_MODE_DIRECT, nil
	case signing.SignMode_SIGN_MODE_LEGACY_AMINO_JSON:
		return signingv1beta1.SignMode_SIGN_MODE_LEGACY_AMINO_JSON, nil
	case signing.SignMode_SIGN_MODE_TEXTUAL:
		return signingv1beta1.SignMode_SIGN_MODE_TEXTUAL, nil
	case signing.SignMode_SIGN_MODE_DIRECT_AUX:
		return signingv1beta1.SignMode_SIGN_MODE_DIRECT_AUX, nil
	}
	return 0, fmt.Errorf("sign mode %s is not cached", mode)
}
