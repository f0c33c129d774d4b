package collidx

import (
	"context"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/codec"
)

// IndexedMap is collections.IndexedMap (the same store layout: the primary
// map under its prefix, each index under its own) with two writes that
// skip the read of the stored value that collections.IndexedMap.Set always
// makes to update the indexes:
//
//   - Insert, for a key that cannot exist yet (an id just taken from a
//     sequence): nothing to unreference;
//   - Update, for a value whose stored version the caller holds (read
//     earlier in the same transaction): the indexes are moved from it.
//
// Set keeps collections' behaviour (read, then write) for every other
// caller. A wrong "old" value given to Update leaves stale index entries,
// so the modules' invariants check their indexes against their records.
type IndexedMap[K, V any, I collections.Indexes[K, V]] struct {
	collections.Map[K, V]
	Indexes I
	list    []collections.Index[K, V]
}

// NewIndexedMap returns an IndexedMap stored under prefix.
func NewIndexedMap[K, V any, I collections.Indexes[K, V]](
	sb *collections.SchemaBuilder, prefix collections.Prefix, name string,
	kc codec.KeyCodec[K], vc codec.ValueCodec[V], indexes I,
) *IndexedMap[K, V, I] {
	return &IndexedMap[K, V, I]{Map: collections.NewMap(sb, prefix, name, kc, vc), Indexes: indexes, list: indexes.IndexesList()}
}

// Set writes value, reading the stored one (once, whatever the number of
// indexes) to move the indexes.
func (m *IndexedMap[K, V, I]) Set(ctx context.Context, pk K, value V) error {
	var (
		old     V
		oldErr  error
		fetched bool
	)
	lazy := func() (V, error) {
		if !fetched {
			old, oldErr = m.Get(ctx, pk)
			fetched = true
		}
		return old, oldErr
	}
	return m.write(ctx, pk, value, lazy)
}

// Insert writes the value of a key that has none yet.
func (m *IndexedMap[K, V, I]) Insert(ctx context.Context, pk K, value V) error {
	return m.write(ctx, pk, value, func() (V, error) {
		var zero V
		return zero, collections.ErrNotFound
	})
}

// Update writes value over old, the value stored under pk.
func (m *IndexedMap[K, V, I]) Update(ctx context.Context, pk K, old, value V) error {
	return m.write(ctx, pk, value, func() (V, error) { return old, nil })
}

func (m *IndexedMap[K, V, I]) write(ctx context.Context, pk K, value V, old func() (V, error)) error {
	for _, index := range m.list {
		if err := index.Reference(ctx, pk, value, old); err != nil {
			return err
		}
	}
	return m.Map.Set(ctx, pk, value)
}

// Remove deletes a value and its index entries.
func (m *IndexedMap[K, V, I]) Remove(ctx context.Context, pk K) error {
	old, err := m.Get(ctx, pk)
	if err != nil {
		return err
	}
	for _, index := range m.list {
		if err := index.Unreference(ctx, pk, func() (V, error) { return old, nil }); err != nil {
			return err
		}
	}
	return m.Map.Remove(ctx, pk)
}
