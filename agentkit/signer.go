package agentkit

import (
	"errors"
	"fmt"
	"os"

	"github.com/cosmos/go-bip39"

	"github.com/cosmos/cosmos-sdk/crypto/hd"
	"github.com/cosmos/cosmos-sdk/crypto/keyring"
	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	cryptotypes "github.com/cosmos/cosmos-sdk/crypto/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/tx/signing"

	"github.com/agentchain/agentchain/app/params"
)

// Signer is a key that signs transactions and key-binding proofs.
type Signer interface {
	Address() sdk.AccAddress
	PubKey() cryptotypes.PubKey
	// Sign signs msg (secp256k1: over its sha256).
	Sign(msg []byte) ([]byte, error)
}

type privKeySigner struct {
	priv *secp256k1.PrivKey
}

func (s privKeySigner) Address() sdk.AccAddress         { return sdk.AccAddress(s.priv.PubKey().Address()) }
func (s privKeySigner) PubKey() cryptotypes.PubKey      { return s.priv.PubKey() }
func (s privKeySigner) Sign(msg []byte) ([]byte, error) { return s.priv.Sign(msg) }

// FromMnemonic derives the standard Cosmos account key (m/44'/118'/0'/0/0,
// as agentchaind keys add does) of a BIP-39 mnemonic.
func FromMnemonic(mnemonic string) (Signer, error) {
	if !bip39.IsMnemonicValid(mnemonic) {
		return nil, fmt.Errorf("invalid mnemonic")
	}
	derived, err := hd.Secp256k1.Derive()(mnemonic, "", hd.CreateHDPath(params.CoinType, 0, 0).String())
	if err != nil {
		return nil, err
	}
	return privKeySigner{priv: &secp256k1.PrivKey{Key: derived}}, nil
}

// FromSecret derives a key from a secret (for tests and demos only).
func FromSecret(secret string) Signer {
	return privKeySigner{priv: secp256k1.GenPrivKeyFromSecret([]byte(secret))}
}

// NewMnemonic returns a fresh 24-word mnemonic.
func NewMnemonic() (string, error) {
	entropy, err := bip39.NewEntropy(256)
	if err != nil {
		return "", err
	}
	return bip39.NewMnemonic(entropy)
}

type keyringSigner struct {
	kr   keyring.Keyring
	name string
	addr sdk.AccAddress
	pub  cryptotypes.PubKey
}

func (s keyringSigner) Address() sdk.AccAddress    { return s.addr }
func (s keyringSigner) PubKey() cryptotypes.PubKey { return s.pub }
func (s keyringSigner) Sign(msg []byte) ([]byte, error) {
	sig, _, err := s.kr.Sign(s.name, msg, signing.SignMode_SIGN_MODE_DIRECT)
	return sig, err
}

// FromKeyring uses a key of a Cosmos SDK keyring (e.g. agentchaind's).
func FromKeyring(kr keyring.Keyring, name string) (Signer, error) {
	rec, err := kr.Key(name)
	if err != nil {
		return nil, fmt.Errorf("key %q: %w", name, err)
	}
	addr, err := rec.GetAddress()
	if err != nil {
		return nil, err
	}
	pub, err := rec.GetPubKey()
	if err != nil {
		return nil, err
	}
	return keyringSigner{kr: kr, name: name, addr: addr, pub: pub}, nil
}

// KeySource says where an agent program's key is: a BIP-39 mnemonic, or a
// key of an agentchaind keyring (the directory given to --keyring-dir or
// --home, a backend such as "test", "file" or "os", and the key's name).
type KeySource struct {
	Mnemonic       string
	KeyringDir     string
	KeyringBackend string
	KeyName        string
}

// LoadKey loads the key a KeySource names; the keyring wins when both are
// set. A "file" keyring asks for its passphrase on standard input.
func LoadKey(src KeySource) (Signer, error) {
	switch {
	case src.KeyringDir != "":
		backend := src.KeyringBackend
		if backend == "" {
			backend = keyring.BackendTest
		}
		kr, err := keyring.New("agentchain", backend, src.KeyringDir, os.Stdin, KeyringCodec())
		if err != nil {
			return nil, fmt.Errorf("keyring %s: %w", src.KeyringDir, err)
		}
		return FromKeyring(kr, src.KeyName)
	case src.Mnemonic != "":
		return FromMnemonic(src.Mnemonic)
	default:
		return nil, errors.New("no key: give a mnemonic, or a keyring directory and a key name")
	}
}
