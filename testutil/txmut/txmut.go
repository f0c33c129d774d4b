// Package txmut changes signed transactions the way an attacker would, for
// tests of signature checks: another signature on the same bytes, the same
// signature on other bytes, the other half of an ECDSA signature pair.
package txmut

import (
	"bytes"
	"math/big"

	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
)

// secp256k1Order is the order n of the secp256k1 group.
var secp256k1Order, _ = new(big.Int).SetString("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16)

// Resign returns tx with its first signature replaced by sig(old
// signature) and, when memo is set, its memo replaced (the same signature
// then stands over other bytes).
func Resign(tx []byte, sig func([]byte) []byte, memo string) ([]byte, error) {
	var raw txtypes.TxRaw
	if err := raw.Unmarshal(tx); err != nil {
		return nil, err
	}
	raw.Signatures[0] = sig(bytes.Clone(raw.Signatures[0]))
	if memo != "" {
		var body txtypes.TxBody
		if err := body.Unmarshal(raw.BodyBytes); err != nil {
			return nil, err
		}
		body.Memo = memo
		bz, err := body.Marshal()
		if err != nil {
			return nil, err
		}
		raw.BodyBytes = bz
	}
	return raw.Marshal()
}

// HighS turns a 64-byte (r, s) signature into (r, n − s): as valid as the
// original for plain ECDSA, refused by the chain (only low-S is accepted).
func HighS(sig []byte) []byte {
	s := new(big.Int).Sub(secp256k1Order, new(big.Int).SetBytes(sig[32:]))
	out := make([]byte, 64)
	copy(out, sig[:32])
	s.FillBytes(out[32:])
	return out
}
