package types

import (
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"

	errorsmod "cosmossdk.io/errors"
)

// Field formats.
const (
	// HashLength is the length of every on-chain hash: sha256.
	HashLength = 32
	// MaxCapabilityLength bounds one capability tag.
	MaxCapabilityLength = 48
	// MaxClaimTypeLength bounds an attestation's claim type.
	MaxClaimTypeLength = 64
)

var (
	nameRe       = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,31}$`)
	capabilityRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,47}$`)
	claimTypeRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
)

// EndpointProtocols are the protocols an endpoint may declare.
var EndpointProtocols = []string{"a2a", "mcp", "https"}

// ValidateName checks an agent name: 3 to 32 characters of lowercase
// letters, digits and hyphens, starting with a letter or digit.
func ValidateName(name string) error {
	if !nameRe.MatchString(name) {
		return errorsmod.Wrapf(ErrInvalidName, "%q: want 3-32 characters of a-z, 0-9 and '-', not starting with '-'", name)
	}
	return nil
}

// NormalizeCapabilities lowercases and trims each tag, checks its format,
// and returns the tags sorted without duplicates.
func NormalizeCapabilities(caps []string, maxCount uint32) ([]string, error) {
	out := make([]string, 0, len(caps))
	for _, c := range caps {
		n := strings.ToLower(strings.TrimSpace(c))
		if !capabilityRe.MatchString(n) {
			return nil, errorsmod.Wrapf(ErrInvalidCapability,
				"%q: want 1-%d characters of a-z, 0-9, '.', '_' and '-'", c, MaxCapabilityLength)
		}
		out = append(out, n)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if uint32(len(out)) > maxCount {
		return nil, errorsmod.Wrapf(ErrTooManyCapabilities, "%d capabilities, at most %d", len(out), maxCount)
	}
	return out, nil
}

// NormalizeCapability normalizes a single tag for lookups.
func NormalizeCapability(c string) string {
	return strings.ToLower(strings.TrimSpace(c))
}

// ValidateURI checks that s is a URL with a scheme and no whitespace or
// control characters, at most maxLen bytes long.
func ValidateURI(field, s string, maxLen uint32) error {
	if uint32(len(s)) > maxLen {
		return errorsmod.Wrapf(ErrFieldTooLong, "%s is %d bytes, at most %d", field, len(s), maxLen)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return errorsmod.Wrapf(ErrInvalidURI, "%s contains whitespace or control characters", field)
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme == "" {
		return errorsmod.Wrapf(ErrInvalidURI, "%s %q: want a URL with a scheme (https://..., ipfs://...)", field, s)
	}
	return nil
}

// ValidateHash checks that h is a sha256 digest.
func ValidateHash(field string, h []byte) error {
	if len(h) != HashLength {
		return errorsmod.Wrapf(ErrInvalidHash, "%s is %d bytes", field, len(h))
	}
	return nil
}

// ValidateCard checks an agent card reference: both URI and hash, or neither.
func ValidateCard(uri string, hash []byte, maxLen uint32) error {
	if uri == "" && len(hash) == 0 {
		return nil
	}
	if uri == "" {
		return errorsmod.Wrap(ErrInvalidURI, "card_hash given without card_uri")
	}
	if err := ValidateURI("card_uri", uri, maxLen); err != nil {
		return err
	}
	return ValidateHash("card_hash", hash)
}

// ValidateEndpoints checks each endpoint's protocol and URL, and their count.
func ValidateEndpoints(eps []Endpoint, maxCount, maxLen uint32) error {
	if uint32(len(eps)) > maxCount {
		return errorsmod.Wrapf(ErrTooManyEndpoints, "%d endpoints, at most %d", len(eps), maxCount)
	}
	for i, ep := range eps {
		if !slices.Contains(EndpointProtocols, ep.Protocol) {
			return errorsmod.Wrapf(ErrInvalidEndpoint, "endpoint %d: protocol %q is not one of %v", i, ep.Protocol, EndpointProtocols)
		}
		if err := ValidateURI("endpoint url", ep.Url, maxLen); err != nil {
			return errorsmod.Wrapf(err, "endpoint %d", i)
		}
		u, _ := url.Parse(ep.Url)
		switch u.Scheme {
		case "https", "http", "wss", "ws":
		default:
			return errorsmod.Wrapf(ErrInvalidEndpoint, "endpoint %d: scheme %q, want https, http, wss or ws", i, u.Scheme)
		}
		if u.Host == "" {
			return errorsmod.Wrapf(ErrInvalidEndpoint, "endpoint %d: no host in %q", i, ep.Url)
		}
	}
	return nil
}

// ValidateClaimType checks an attestation's claim type.
func ValidateClaimType(c string) error {
	if !claimTypeRe.MatchString(c) {
		return errorsmod.Wrapf(ErrInvalidClaimType, "%q: want 1-%d characters of a-z, 0-9, '.', '_' and '-'", c, MaxClaimTypeLength)
	}
	return nil
}
