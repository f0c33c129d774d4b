// Package content holds the rules every agentchain module applies to what
// points off chain and to tags: a URI, the sha256 hash of what it serves,
// and the tags that name capabilities and qualities. One URI or tag is
// valid in every module or in none. The modules wrap these errors in their
// own registered ones; clients may check their input here before sending.
package content

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
)

const (
	// HashLength is the length of every hash stored on chain: sha256.
	HashLength = 32
	// MaxURILength bounds every URI stored on chain. A data: URI of this
	// size carries about 350 bytes.
	MaxURILength = 512
	// MaxTagLength bounds one tag (a capability, a feedback tag).
	MaxTagLength = 48
)

var (
	// ErrTooLong is a URI or tag over its length bound.
	ErrTooLong = errors.New("too long")
	// ErrMalformed is a URI, hash or tag of the wrong shape.
	ErrMalformed = errors.New("malformed")
	// ErrTooMany is a list of tags over its count bound.
	ErrTooMany = errors.New("too many")
)

var tagRe = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,47}$`)

// CheckURI checks a URI: at most MaxURILength bytes, no whitespace or
// control characters, and a scheme (https:, ipfs:, data:, ...).
func CheckURI(s string) error {
	if len(s) > MaxURILength {
		return fmt.Errorf("%w: %d bytes, at most %d", ErrTooLong, len(s), MaxURILength)
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("%w: contains whitespace or control characters", ErrMalformed)
		}
	}
	if u, err := url.Parse(s); err != nil || u.Scheme == "" {
		return fmt.Errorf("%w: %q is not a URL with a scheme (https://..., ipfs://..., data:...)", ErrMalformed, s)
	}
	return nil
}

// CheckHash checks a sha256 digest.
func CheckHash(h []byte) error {
	if len(h) != HashLength {
		return fmt.Errorf("%w: %d bytes, want a %d-byte sha256", ErrMalformed, len(h), HashLength)
	}
	return nil
}

// NormalizeTag lowercases and trims a tag and checks it: 1 to 48
// characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit.
func NormalizeTag(tag string) (string, error) {
	n := strings.ToLower(strings.TrimSpace(tag))
	if len(n) > MaxTagLength {
		return "", fmt.Errorf("%w: %q is %d bytes, at most %d", ErrTooLong, tag, len(n), MaxTagLength)
	}
	if !tagRe.MatchString(n) {
		return "", fmt.Errorf("%w: %q: want 1-%d characters of a-z, 0-9, '.', '_' and '-'", ErrMalformed, tag, MaxTagLength)
	}
	return n, nil
}

// NormalizeTags normalizes each tag and returns them sorted, without
// duplicates, refusing more than maxCount.
func NormalizeTags(tags []string, maxCount uint32) ([]string, error) {
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		n, err := NormalizeTag(t)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	slices.Sort(out)
	out = slices.Compact(out)
	if uint32(len(out)) > maxCount {
		return nil, fmt.Errorf("%w: %d tags, at most %d", ErrTooMany, len(out), maxCount)
	}
	return out, nil
}
