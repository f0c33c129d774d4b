package types

import (
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strings"

	errorsmod "cosmossdk.io/errors"

	"github.com/agentchain/agentchain/types/content"
)

// MaxClaimTypeLength bounds an attestation's claim type. URIs, hashes and
// capability tags follow the chain-wide rules of types/content.
const MaxClaimTypeLength = 64

var (
	nameRe      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{2,31}$`)
	claimTypeRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
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

// NormalizeCapabilities normalizes each capability tag (types/content
// rules) and returns them sorted without duplicates.
func NormalizeCapabilities(caps []string, maxCount uint32) ([]string, error) {
	out, err := content.NormalizeTags(caps, maxCount)
	switch {
	case errors.Is(err, content.ErrTooMany):
		return nil, errorsmod.Wrapf(ErrTooManyCapabilities, "%s", err)
	case err != nil:
		return nil, errorsmod.Wrapf(ErrInvalidCapability, "%s", err)
	}
	return out, nil
}

// NormalizeCapability normalizes a single tag for lookups.
func NormalizeCapability(c string) string {
	return strings.ToLower(strings.TrimSpace(c))
}

// ValidateURI checks a URI against the chain-wide rules (types/content).
func ValidateURI(field, s string) error {
	if err := content.CheckURI(s); err != nil {
		if errors.Is(err, content.ErrTooLong) {
			return errorsmod.Wrapf(ErrFieldTooLong, "%s %s", field, err)
		}
		return errorsmod.Wrapf(ErrInvalidURI, "%s %s", field, err)
	}
	return nil
}

// ValidateHash checks that h is a sha256 digest.
func ValidateHash(field string, h []byte) error {
	if err := content.CheckHash(h); err != nil {
		return errorsmod.Wrapf(ErrInvalidHash, "%s %s", field, err)
	}
	return nil
}

// ValidateCard checks an agent card reference: both URI and hash, or neither.
func ValidateCard(uri string, hash []byte) error {
	if uri == "" && len(hash) == 0 {
		return nil
	}
	if uri == "" {
		return errorsmod.Wrap(ErrInvalidURI, "card_hash given without card_uri")
	}
	if err := ValidateURI("card_uri", uri); err != nil {
		return err
	}
	return ValidateHash("card_hash", hash)
}

// ValidateEndpoints checks each endpoint's protocol and URL, and their count.
func ValidateEndpoints(eps []Endpoint, maxCount uint32) error {
	if uint32(len(eps)) > maxCount {
		return errorsmod.Wrapf(ErrTooManyEndpoints, "%d endpoints, at most %d", len(eps), maxCount)
	}
	for i, ep := range eps {
		if !slices.Contains(EndpointProtocols, ep.Protocol) {
			return errorsmod.Wrapf(ErrInvalidEndpoint, "endpoint %d: protocol %q is not one of %v", i, ep.Protocol, EndpointProtocols)
		}
		if err := ValidateURI("endpoint url", ep.Url); err != nil {
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
