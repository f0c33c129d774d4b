// Package invariant runs named checks of a module's whole state: the
// conservation of escrowed coins and deposits, the agreement of queues with
// the records they time, and aggregates that equal a replay of what made
// them. Simulations run every module's invariants after every block; each
// module also serves them as a query (`agentchaind query <module>
// invariants`), so a live node's state can be audited the same way.
package invariant

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// Invariant is a named check. Check returns a description of each
// violation it finds; err is for failures to read the state.
type Invariant struct {
	Name  string
	Check func(ctx context.Context) (broken []string, err error)
}

// Run runs every invariant and returns their names and every violation
// found, each prefixed with its invariant's name.
func Run(ctx context.Context, invariants []Invariant) (checked, broken []string, err error) {
	for _, inv := range invariants {
		b, err := inv.Check(ctx)
		if err != nil {
			return checked, broken, fmt.Errorf("%s: %w", inv.Name, err)
		}
		checked = append(checked, inv.Name)
		for _, v := range b {
			broken = append(broken, inv.Name+": "+v)
		}
	}
	return checked, broken, nil
}

// Broken collects violations, at most limit of them (a broken state can
// break an invariant a million times; the first few say what is wrong).
type Broken struct {
	list  []string
	limit int
	extra int
}

// NewBroken returns a collector of at most limit violations.
func NewBroken(limit int) *Broken { return &Broken{limit: limit} }

// Addf records a violation.
func (b *Broken) Addf(format string, args ...any) {
	if len(b.list) >= b.limit {
		b.extra++
		return
	}
	b.list = append(b.list, fmt.Sprintf(format, args...))
}

// List returns the violations recorded, with a note of how many more were
// found.
func (b *Broken) List() []string {
	if b.extra > 0 {
		return append(b.list, fmt.Sprintf("... and %d more", b.extra))
	}
	return b.list
}

// SortedKeys returns a map's keys in ascending order, so that reports are
// the same on every run.
func SortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
