// Package collidx holds collections indexes that the SDK's collections
// package lacks.
package collidx

import (
	"context"
	"errors"

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

// Reference indexes newValue, first removing the entries of the value it
// replaces.
func (m *Many[R, P, V]) Reference(ctx context.Context, pk P, newValue V, lazyOldValue func() (V, error)) error {
	oldValue, err := lazyOldValue()
	switch {
	case err == nil:
		if err := m.unreference(ctx, pk, oldValue); err != nil {
			return err
		}
	case errors.Is(err, collections.ErrNotFound):
	default:
		return err
	}
	keys, err := m.refKeys(pk, newValue)
	if err != nil {
		return err
	}
	for _, k := range keys {
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
