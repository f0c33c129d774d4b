// Package collidx holds collections indexes that the SDK's collections
// package lacks.
package collidx

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/codec"
)

// Many is a multi-valued secondary index for an IndexedMap: each value is
// referenced under every key its function returns (for example an agent
// under each of its capabilities). IndexedMap keeps it in step with the
// primary map on every Set and Remove, so no second map is maintained by
// hand. Its entries are (reference key, primary key) pairs, so all primary
// keys of one reference key are a contiguous, pageable range.
type Many[ReferenceKey, PrimaryKey, Value any] struct {
	refKeys func(pk PrimaryKey, value Value) ([]ReferenceKey, error)
	keys    collections.KeySet[collections.Pair[ReferenceKey, PrimaryKey]]
}

// NewMany returns a Many index stored under prefix.
func NewMany[ReferenceKey, PrimaryKey, Value any](
	schema *collections.SchemaBuilder,
	prefix collections.Prefix,
	name string,
	refCodec codec.KeyCodec[ReferenceKey],
	pkCodec codec.KeyCodec[PrimaryKey],
	refKeys func(pk PrimaryKey, value Value) ([]ReferenceKey, error),
) *Many[ReferenceKey, PrimaryKey, Value] {
	return &Many[ReferenceKey, PrimaryKey, Value]{
		refKeys: refKeys,
		keys: collections.NewKeySet(
			schema, prefix, name,
			collections.PairKeyCodec(refCodec, pkCodec),
			collections.WithKeySetSecondaryIndex(),
		),
	}
}

// Reference indexes newValue. Only the entries that change are written:
// keys of the old value that the new one lacks are removed, keys the new
// one adds are set, and keys both share are left alone.
func (m *Many[R, P, V]) Reference(ctx context.Context, pk P, newValue V, lazyOldValue func() (V, error)) error {
	newKeys, err := m.refKeys(pk, newValue)
	if err != nil {
		return err
	}
	var oldKeys []R
	oldValue, err := lazyOldValue()
	switch {
	case err == nil:
		if oldKeys, err = m.refKeys(pk, oldValue); err != nil {
			return err
		}
	case errors.Is(err, collections.ErrNotFound):
	default:
		return err
	}
	kc := m.keys.KeyCodec()
	encoded := func(k R) (string, error) {
		bz, err := collections.EncodeKeyWithPrefix(nil, kc, collections.Join(k, pk))
		return string(bz), err
	}
	newSet := make(map[string]bool, len(newKeys))
	for _, k := range newKeys {
		e, err := encoded(k)
		if err != nil {
			return err
		}
		newSet[e] = true
	}
	oldSet := make(map[string]bool, len(oldKeys))
	// Both loops run over slices, in their order: the writes are the same on
	// every node.
	for _, k := range oldKeys {
		e, err := encoded(k)
		if err != nil {
			return err
		}
		oldSet[e] = true
		if newSet[e] {
			continue
		}
		if err := m.keys.Remove(ctx, collections.Join(k, pk)); err != nil {
			return err
		}
	}
	for _, k := range newKeys {
		e, err := encoded(k)
		if err != nil {
			return err
		}
		if oldSet[e] {
			continue
		}
		if err := m.keys.Set(ctx, collections.Join(k, pk)); err != nil {
			return err
		}
	}
	return nil
}

// Unreference removes every entry of a value being removed.
func (m *Many[R, P, V]) Unreference(ctx context.Context, pk P, getValue func() (V, error)) error {
	value, err := getValue()
	if err != nil {
		return err
	}
	return m.unreference(ctx, pk, value)
}

func (m *Many[R, P, V]) unreference(ctx context.Context, pk P, value V) error {
	keys, err := m.refKeys(pk, value)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := m.keys.Remove(ctx, collections.Join(k, pk)); err != nil {
			return err
		}
	}
	return nil
}

// Keys is the underlying key set, for pagination with
// query.CollectionPaginate and a pair prefix.
func (m *Many[R, P, V]) Keys() collections.KeySet[collections.Pair[R, P]] {
	return m.keys
}

// Has reports whether pk is indexed under ref.
func (m *Many[R, P, V]) Has(ctx context.Context, ref R, pk P) (bool, error) {
	return m.keys.Has(ctx, collections.Join(ref, pk))
}

// PageRange returns up to limit keys of ks from start to end (both
// inclusive), starting at pageKey when it is set (the next_key of a
// previous page), and the key to pass for the next page (nil at the end).
// A page key outside [start, end] is refused: a client cannot use it to
// read past the range the query is for. It reads at most limit+1 entries,
// so its cost depends on the page size, never on how many keys the set
// holds.
func PageRange[K any](
	ctx context.Context, ks collections.KeySet[K], start, end K, pageKey []byte, limit int,
) (keys []K, next []byte, err error) {
	kc := ks.KeyCodec()
	if len(pageKey) > 0 {
		n, key, err := kc.Decode(pageKey)
		if err != nil {
			return nil, nil, fmt.Errorf("invalid page key: %w", err)
		}
		if n != len(pageKey) {
			return nil, nil, fmt.Errorf("invalid page key: %d trailing bytes", len(pageKey)-n)
		}
		lo, err := encode(kc, start)
		if err != nil {
			return nil, nil, err
		}
		hi, err := encode(kc, end)
		if err != nil {
			return nil, nil, err
		}
		if bytes.Compare(pageKey, lo) < 0 || bytes.Compare(pageKey, hi) > 0 {
			return nil, nil, fmt.Errorf("invalid page key: outside the range of this query")
		}
		start = key
	}
	rng := new(collections.Range[K]).StartInclusive(start).EndInclusive(end)
	it, err := ks.Iterate(ctx, rng)
	if err != nil {
		return nil, nil, err
	}
	defer it.Close()
	for ; it.Valid(); it.Next() {
		k, err := it.Key()
		if err != nil {
			return nil, nil, err
		}
		if len(keys) == limit {
			bz, err := encode(kc, k)
			if err != nil {
				return nil, nil, err
			}
			return keys, bz, nil
		}
		keys = append(keys, k)
	}
	return keys, nil, nil
}

func encode[K any](kc codec.KeyCodec[K], k K) ([]byte, error) {
	bz := make([]byte, kc.Size(k))
	if _, err := kc.Encode(bz, k); err != nil {
		return nil, err
	}
	return bz, nil
}
