package keeperutil

import (
	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// ParseAddress reads a bech32 account address from a message field,
// refusing an empty or malformed one with the module's registered error.
func ParseAddress(codec address.Codec, invalid *errorsmod.Error, field, s string) (sdk.AccAddress, error) {
	if s == "" {
		return nil, errorsmod.Wrapf(invalid, "%s is empty", field)
	}
	bz, err := codec.StringToBytes(s)
	if err != nil {
		return nil, errorsmod.Wrapf(invalid, "%s %q: %s", field, s, err)
	}
	return bz, nil
}
