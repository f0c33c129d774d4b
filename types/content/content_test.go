package content

import (
	"errors"
	"strings"
	"testing"
)

func TestURIs(t *testing.T) {
	for _, ok := range []string{"https://agents.example/card.json", "ipfs://bafy", "data:text/plain;base64,aGk=", "https://x.example/" + strings.Repeat("a", MaxURILength-18)} {
		if err := CheckURI(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for s, want := range map[string]error{
		"":                         ErrMalformed,
		"no-scheme":                ErrMalformed,
		"https://x.example/ a":     ErrMalformed,
		"https://x.example/\ta":    ErrMalformed,
		"https://x.example/\x00":   ErrMalformed,
		"https://x.example/\u00a0": ErrMalformed,
		"https://x.example/" + strings.Repeat("a", MaxURILength-17): ErrTooLong,
	} {
		if err := CheckURI(s); !errors.Is(err, want) {
			t.Errorf("%q: %v, want %v", s, err, want)
		}
	}
}

func TestHashes(t *testing.T) {
	if err := CheckHash(make([]byte, 32)); err != nil {
		t.Fatal(err)
	}
	for _, n := range []int{0, 31, 33, 64} {
		if err := CheckHash(make([]byte, n)); !errors.Is(err, ErrMalformed) {
			t.Errorf("%d bytes: %v", n, err)
		}
	}
}

func TestTags(t *testing.T) {
	got, err := NormalizeTags([]string{" Summarize", "summarize", "code.review", "a_b-c", strings.Repeat("x", MaxTagLength)}, 4)
	if err != nil || len(got) != 4 || got[0] != "a_b-c" || got[2] != "summarize" {
		t.Fatalf("%v %v", got, err)
	}
	for tag, want := range map[string]error{
		"":                                  ErrMalformed,
		"-lead":                             ErrMalformed,
		"white space":                       ErrMalformed,
		"ünicode":                           ErrMalformed,
		strings.Repeat("x", MaxTagLength+1): ErrTooLong,
	} {
		if _, err := NormalizeTag(tag); !errors.Is(err, want) {
			t.Errorf("%q: %v, want %v", tag, err, want)
		}
	}
	if _, err := NormalizeTags([]string{"a", "b", "c"}, 2); !errors.Is(err, ErrTooMany) {
		t.Fatalf("three tags where two are allowed: %v", err)
	}
}
