// Package simutil holds what agentchain's module simulations share: the
// agent keys the simulation holds (agents sign with keys of their own, not
// with the simulation's accounts), signers built from them, bounded random
// picks from an index, and refusal handlers that expect one registered
// error.
package simutil

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand"
	"sync"

	"cosmossdk.io/collections"
	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"
	sdkmath "cosmossdk.io/math"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
)

// Keyring holds the agent keys a simulation made, by address. Factories run
// one at a time, but on goroutines of their own, hence the lock. Keys are
// derived from a counter and the simulation's seed-derived owner keys, so a
// run is the same every time.
type Keyring struct {
	mu   sync.Mutex
	keys map[string]simtypes.Account
	n    uint64
}

// NewKeyring returns an empty keyring.
func NewKeyring() *Keyring { return &Keyring{keys: map[string]simtypes.Account{}} }

// NewKey derives a fresh key from an owner's key (deterministic: the owner
// key comes from the run's seed) and remembers it.
func (k *Keyring) NewKey(owner simtypes.Account) simtypes.Account {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.n++
	secret := make([]byte, 0, 64)
	secret = append(secret, owner.PrivKey.Bytes()...)
	secret = binary.BigEndian.AppendUint64(secret, k.n)
	secret = append(secret, "agentchain/sim-agent-key"...)
	priv := secp256k1.GenPrivKeyFromSecret(secret)
	addr := sdk.AccAddress(priv.PubKey().Address())
	acc := simtypes.Account{PrivKey: priv, PubKey: priv.PubKey(), Address: addr, AddressBech32: addr.String()}
	k.keys[acc.AddressBech32] = acc
	return acc
}

// Get returns the key of an address the simulation made, if any.
func (k *Keyring) Get(addr string) (simtypes.Account, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	acc, ok := k.keys[addr]
	return acc, ok
}

// Bank is what a signer needs to know of balances.
type Bank interface {
	simsx.BalanceSource
}

// Signer turns a key of the keyring into a simulation signer whose balance
// is read from the chain (its account must exist on chain: fund it first).
func Signer(ctx context.Context, r *rand.Rand, ak simsx.ModuleAccountSource, bk Bank, ac address.Codec, acc simtypes.Account) simsx.SimAccount {
	data := simsx.NewChainDataSource(ctx, r, ak, bk, ac, acc)
	return data.AccountAt(nil, 0)
}

// LimitFees leaves at most maxFee of denom in the signer's liquid balance
// for the transaction fee (the simulation draws a random fee from what is
// left): for signers whose spending is capped.
func LimitFees(s *simsx.SimAccount, denom string, maxFee sdkmath.Int) {
	b := s.LiquidBalance()
	if have := b.AmountOf(denom); have.GT(maxFee) {
		b.BlockAmount(sdk.NewCoin(denom, have.Sub(maxFee)))
	}
}

// PickFromIndex returns a random primary key among the first limit
// entries of a (reference, primary) key set under ref, or false if none.
// It reads at most limit entries.
func PickFromIndex[R, P any](ctx context.Context, r *rand.Rand, ks collections.KeySet[collections.Pair[R, P]], ref R, limit int) (P, bool) {
	var keys []P
	_ = ks.Walk(ctx, collections.NewPrefixedPairRange[R, P](ref), func(k collections.Pair[R, P]) (bool, error) {
		keys = append(keys, k.K2())
		return len(keys) >= limit, nil
	})
	var zero P
	if len(keys) == 0 {
		return zero, false
	}
	return keys[r.Intn(len(keys))], true
}

// PickID returns a random id in [1, next) for which ok holds, trying at
// most tries ids, or false.
func PickID(r *rand.Rand, next uint64, tries int, ok func(id uint64) bool) (uint64, bool) {
	if next <= 1 {
		return 0, false
	}
	for i := 0; i < tries; i++ {
		id := 1 + uint64(r.Int63n(int64(next-1)))
		if ok(id) {
			return id, true
		}
	}
	return 0, false
}

// Expect returns a delivery handler that requires the message to be refused
// with want: the simulation's negative paths.
func Expect(want *errorsmod.Error) simsx.SimDeliveryResultHandler {
	return func(err error) error {
		if err == nil {
			return fmt.Errorf("accepted; expected a refusal with %q", want.Error())
		}
		if !errors.Is(err, want) {
			return fmt.Errorf("refused with %w; expected %q", err, want.Error())
		}
		return nil
	}
}

// ExpectOneOf returns a delivery handler that accepts success or a refusal
// with one of wants (for outcomes the factory cannot know in advance, such
// as a spend cap that also has to pay the random fee).
func ExpectOneOf(wants ...*errorsmod.Error) simsx.SimDeliveryResultHandler {
	return func(err error) error {
		if err == nil {
			return nil
		}
		for _, w := range wants {
			if errors.Is(err, w) {
				return nil
			}
		}
		return fmt.Errorf("refused with %w", err)
	}
}

// Hash returns 32 random bytes (a sha256-sized hash).
func Hash(r *rand.Rand) []byte {
	b := make([]byte, 32)
	_, _ = r.Read(b)
	return b
}

// URI returns a random https URI.
func URI(r *rand.Rand, kind string) string {
	return fmt.Sprintf("https://%s.sim.example/%d", kind, r.Uint32())
}
