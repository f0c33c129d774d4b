package types

import (
	"crypto/sha256"
	"encoding/binary"

	errorsmod "cosmossdk.io/errors"

	"github.com/cosmos/cosmos-sdk/crypto/keys/secp256k1"
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// BindingDomain separates key-binding signatures from every other use of a key.
const BindingDomain = "agentchain/bind"

// BindingDigest is what an agent key signs to prove it agrees to be bound:
//
//	sha256( "agentchain/bind" ‖ len16(chain_id) ‖ chain_id ‖ len16(owner) ‖ owner
//	        ‖ len16(agent) ‖ agent ‖ uint64be(nonce) )
//
// owner and agent are raw address bytes; len16 is a 2-byte big-endian length,
// so no two different inputs give the same preimage. The chain id keeps a
// proof from being replayed on another chain, the owner from being used by
// another owner, the nonce (which must grow) from being used twice.
func BindingDigest(chainID string, owner, agent sdk.AccAddress, nonce uint64) []byte {
	h := sha256.New()
	h.Write([]byte(BindingDomain))
	writeLenPrefixed := func(b []byte) {
		var l [2]byte
		binary.BigEndian.PutUint16(l[:], uint16(len(b))) // chain ids and addresses are far shorter than 64 KiB
		h.Write(l[:])
		h.Write(b)
	}
	writeLenPrefixed([]byte(chainID))
	writeLenPrefixed(owner)
	writeLenPrefixed(agent)
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], nonce)
	h.Write(n[:])
	return h.Sum(nil)
}

// VerifyKeyProof checks that proof was made by the key of agent, for this
// chain, owner and nonce. The nonce's freshness is the keeper's to check.
func VerifyKeyProof(chainID string, owner, agent sdk.AccAddress, proof *KeyProof) error {
	if proof == nil {
		return errorsmod.Wrap(ErrInvalidKeyProof, "a key proof is required when the agent address is not the owner")
	}
	if len(proof.PubKey) != secp256k1.PubKeySize {
		return errorsmod.Wrapf(ErrInvalidKeyProof, "public key is %d bytes, want a %d-byte compressed secp256k1 key", len(proof.PubKey), secp256k1.PubKeySize)
	}
	if proof.Nonce == 0 {
		return errorsmod.Wrap(ErrInvalidKeyProof, "nonce must be positive")
	}
	pub := &secp256k1.PubKey{Key: proof.PubKey}
	if !sdk.AccAddress(pub.Address()).Equals(agent) {
		return errorsmod.Wrapf(ErrInvalidKeyProof, "public key is not the key of %s", agent)
	}
	if !pub.VerifySignature(BindingDigest(chainID, owner, agent, proof.Nonce), proof.Signature) {
		return errorsmod.Wrap(ErrInvalidKeyProof, "signature does not verify for this chain, owner, agent address and nonce")
	}
	return nil
}
