package types

import (
	"errors"

	errorsmod "cosmossdk.io/errors"

	"github.com/agentchain/agentchain/types/content"
)

// NormalizeTags applies the chain-wide tag rules (types/content): a tag
// that names a capability is valid here too.
func NormalizeTags(tags []string, maxTags uint32) ([]string, error) {
	out, err := content.NormalizeTags(tags, maxTags)
	if err != nil {
		return nil, errorsmod.Wrapf(ErrInvalidTags, "%s", err)
	}
	return out, nil
}

// ValidateRef checks an optional URI with its hash (both or neither).
func ValidateRef(field, uri string, hash []byte, required bool) error {
	if uri == "" && len(hash) == 0 && !required {
		return nil
	}
	if uri == "" {
		return errorsmod.Wrapf(ErrInvalidURI, "%s_uri is required with %s_hash", field, field)
	}
	if err := content.CheckURI(uri); err != nil {
		if errors.Is(err, content.ErrTooLong) {
			return errorsmod.Wrapf(ErrFieldTooLong, "%s_uri %s", field, err)
		}
		return errorsmod.Wrapf(ErrInvalidURI, "%s_uri %s", field, err)
	}
	if err := content.CheckHash(hash); err != nil {
		return errorsmod.Wrapf(ErrInvalidHash, "%s_hash %s", field, err)
	}
	return nil
}
