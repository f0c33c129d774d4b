package collidx

import (
	"context"
	"errors"

	"cosmossdk.io/collections"
	"cosmossdk.io/collections/codec"
)

// Covering is a secondary index for an IndexedMap whose entries carry a
// copy of the value they point at: (reference key, primary key) → value.
// A query that walks a range of it reads adjacent entries only, instead of
// one random read of the primary map per entry, so its cost does not grow
// with the size of the map. The price is a second copy of each value,
// rewritten with it on every write.
type Covering[ReferenceKey, PrimaryKey, Value any] struct {
	refKeys func(pk PrimaryKey, value Value) ([]ReferenceKey, error)
	entries collections.Map[collections.Pair[ReferenceKey, PrimaryKey], Value]
}

// NewCovering returns a Covering index stored under prefix, its values
// encoded with vc (the primary map's value codec).
func NewCovering[ReferenceKey, PrimaryKey, Value any](
	schema *collections.SchemaBuilder,
	prefix collections.Prefix,
	name string,
	refCodec codec.KeyCodec[ReferenceKey],
	pkCodec codec.KeyCodec[PrimaryKey],
	vc codec.ValueCodec[Value],
	refKeys func(pk PrimaryKey, value Value) ([]ReferenceKey, error),
) *Covering[ReferenceKey, PrimaryKey, Value] {
	return &Covering[ReferenceKey, PrimaryKey, Value]{
		refKeys: refKeys,
		entries: collections.NewMap(schema, prefix, name, collections.PairKeyCodec(refCodec, pkCodec), vc),
	}
}

// Reference writes newValue under each of its reference keys (the copies
// change with the value even when the keys do not) and removes the entries
// of the old value that the new one no longer has.
func (c *Covering[R, P, V]) Reference(ctx context.Context, pk P, newValue V, lazyOldValue func() (V, error)) error {
	newKeys, err := c.refKeys(pk, newValue)
	if err != nil {
		return err
	}
	oldValue, err := lazyOldValue()
	switch {
	case err == nil:
		oldKeys, err := c.refKeys(pk, oldValue)
		if err != nil {
			return err
		}
		if err := c.removeMissing(ctx, pk, oldKeys, newKeys); err != nil {
			return err
		}
	case errors.Is(err, collections.ErrNotFound):
	default:
		return err
	}
	for _, k := range newKeys {
		if err := c.entries.Set(ctx, collections.Join(k, pk), newValue); err != nil {
			return err
		}
	}
	return nil
}

// removeMissing removes the entries under old keys absent from next. Keys
// are compared by their encoding, in slice order: the same writes on every
// node.
func (c *Covering[R, P, V]) removeMissing(ctx context.Context, pk P, old, next []R) error {
	kc := c.entries.KeyCodec()
	keep := make(map[string]bool, len(next))
	for _, k := range next {
		bz, err := encode(kc, collections.Join(k, pk))
		if err != nil {
			return err
		}
		keep[string(bz)] = true
	}
	for _, k := range old {
		bz, err := encode(kc, collections.Join(k, pk))
		if err != nil {
			return err
		}
		if keep[string(bz)] {
			continue
		}
		if err := c.entries.Remove(ctx, collections.Join(k, pk)); err != nil {
			return err
		}
	}
	return nil
}

// Unreference removes every entry of a value being removed.
func (c *Covering[R, P, V]) Unreference(ctx context.Context, pk P, getValue func() (V, error)) error {
	value, err := getValue()
	if err != nil {
		return err
	}
	keys, err := c.refKeys(pk, value)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := c.entries.Remove(ctx, collections.Join(k, pk)); err != nil {
			return err
		}
	}
	return nil
}

// Entries is the underlying map, to walk a range of (reference key,
// primary key) → value.
func (c *Covering[R, P, V]) Entries() collections.Map[collections.Pair[R, P], V] {
	return c.entries
}

// Get returns the copy stored under (ref, pk).
func (c *Covering[R, P, V]) Get(ctx context.Context, ref R, pk P) (V, error) {
	return c.entries.Get(ctx, collections.Join(ref, pk))
}
