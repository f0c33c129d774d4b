// Package typedevent emits typed proto events exactly as the SDK's
// EventManager.EmitTypedEvent does (same type, same sorted attributes, same
// JSON values), without its per-call reflection over struct tags: the plan
// for each event type is built once and reused. The SDK's encoder
// (jsonpb) re-parses every field's tags on every call, which made event
// emission the largest cost of agentchain's message handlers.
//
// Only the field kinds agentchain's events use are supported: scalars,
// enums, bytes, strings, nested messages (by value or pointer), repeated
// messages and strings, and custom types with a JSON marshaler (math.Int).
// TestMatchesSDK compares the output with the SDK's for every event type.
package typedevent

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cosmos/gogoproto/proto"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

type fieldKind int

const (
	kString fieldKind = iota
	kBool
	kInt32 // int32, uint32: JSON numbers
	kInt64 // int64, uint64: JSON strings
	kEnum
	kBytes
	kMessage    // struct value
	kMessagePtr // pointer to struct
	kMarshaler  // custom type with MarshalJSON (math.Int)
	kRepeated
)

type field struct {
	index int
	name  string // original proto name
	kind  fieldKind
	elem  *field // for kRepeated
	plan  *plan  // for messages
	typ   reflect.Type
}

type plan struct {
	fields []field
	// sorted is the order of top-level attributes (by name).
	sorted []int
}

var plans sync.Map // reflect.Type -> *plan

var jsonMarshaler = reflect.TypeOf((*json.Marshaler)(nil)).Elem()

type enumStringer interface{ String() string }

var enumType = reflect.TypeOf((*enumStringer)(nil)).Elem()

func planFor(t reflect.Type) (*plan, error) {
	if p, ok := plans.Load(t); ok {
		return p.(*plan), nil
	}
	p := &plan{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("protobuf")
		if tag == "" {
			continue // XXX_ fields and the like
		}
		name := ""
		isEnum := false
		for _, part := range strings.Split(tag, ",") {
			switch {
			case strings.HasPrefix(part, "name="):
				name = strings.TrimPrefix(part, "name=")
			case strings.HasPrefix(part, "enum="):
				isEnum = true
			}
		}
		if name == "" {
			return nil, fmt.Errorf("typedevent: field %s of %s has no proto name", sf.Name, t)
		}
		f, err := fieldFor(sf.Type, isEnum)
		if err != nil {
			return nil, fmt.Errorf("typedevent: %s.%s: %w", t, sf.Name, err)
		}
		f.index, f.name = i, name
		p.fields = append(p.fields, f)
	}
	p.sorted = make([]int, len(p.fields))
	for i := range p.sorted {
		p.sorted[i] = i
	}
	sort.Slice(p.sorted, func(a, b int) bool { return p.fields[p.sorted[a]].name < p.fields[p.sorted[b]].name })
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*plan), nil
}

func fieldFor(t reflect.Type, isEnum bool) (field, error) {
	f := field{typ: t}
	switch {
	case isEnum && t.Kind() == reflect.Int32 && t.Implements(enumType):
		f.kind = kEnum
	case t.Kind() == reflect.String:
		f.kind = kString
	case t.Kind() == reflect.Bool:
		f.kind = kBool
	case t.Kind() == reflect.Int32 || t.Kind() == reflect.Uint32:
		f.kind = kInt32
	case t.Kind() == reflect.Int64 || t.Kind() == reflect.Uint64:
		f.kind = kInt64
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		f.kind = kBytes
	case t.Implements(jsonMarshaler) && t.Kind() == reflect.Struct:
		f.kind = kMarshaler
	case t.Kind() == reflect.Struct:
		p, err := planFor(t)
		if err != nil {
			return f, err
		}
		f.kind, f.plan = kMessage, p
	case t.Kind() == reflect.Pointer && t.Elem().Kind() == reflect.Struct:
		p, err := planFor(t.Elem())
		if err != nil {
			return f, err
		}
		f.kind, f.plan = kMessagePtr, p
	case t.Kind() == reflect.Slice:
		elem, err := fieldFor(t.Elem(), isEnum)
		if err != nil {
			return f, err
		}
		f.kind, f.elem = kRepeated, &elem
	default:
		return f, fmt.Errorf("unsupported kind %s", t)
	}
	return f, nil
}

func writeValue(buf *bytes.Buffer, f *field, v reflect.Value) error {
	switch f.kind {
	case kString:
		bz, err := json.Marshal(v.String())
		if err != nil {
			return err
		}
		buf.Write(bz)
	case kBool:
		buf.WriteString(strconv.FormatBool(v.Bool()))
	case kInt32:
		if v.Kind() == reflect.Int32 {
			buf.WriteString(strconv.FormatInt(v.Int(), 10))
		} else {
			buf.WriteString(strconv.FormatUint(v.Uint(), 10))
		}
	case kInt64:
		buf.WriteByte('"')
		if v.Kind() == reflect.Int64 {
			buf.WriteString(strconv.FormatInt(v.Int(), 10))
		} else {
			buf.WriteString(strconv.FormatUint(v.Uint(), 10))
		}
		buf.WriteByte('"')
	case kEnum:
		// A value with no name is written as its number, as jsonpb does.
		name := v.Interface().(enumStringer).String()
		if _, err := strconv.ParseInt(name, 10, 32); err == nil {
			buf.WriteString(name)
			return nil
		}
		bz, err := json.Marshal(name)
		if err != nil {
			return err
		}
		buf.Write(bz)
	case kBytes:
		buf.WriteByte('"')
		buf.WriteString(base64.StdEncoding.EncodeToString(v.Bytes()))
		buf.WriteByte('"')
	case kMarshaler:
		bz, err := v.Interface().(json.Marshaler).MarshalJSON()
		if err != nil {
			return err
		}
		buf.Write(bz)
	case kMessage:
		return writeObject(buf, f.plan, v)
	case kMessagePtr:
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		return writeObject(buf, f.plan, v.Elem())
	case kRepeated:
		buf.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeValue(buf, f.elem, v.Index(i)); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	}
	return nil
}

func writeObject(buf *bytes.Buffer, p *plan, v reflect.Value) error {
	buf.WriteByte('{')
	for i := range p.fields {
		f := &p.fields[i]
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteByte('"')
		buf.WriteString(f.name)
		buf.WriteString(`":`)
		if err := writeValue(buf, f, v.Field(f.index)); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

// ToEvent converts a typed event to the SDK event EmitTypedEvent would emit.
func ToEvent(msg proto.Message) (sdk.Event, error) {
	v := reflect.ValueOf(msg)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return sdk.Event{}, fmt.Errorf("typedevent: %T is not a pointer to a struct", msg)
	}
	v = v.Elem()
	p, err := planFor(v.Type())
	if err != nil {
		return sdk.Event{}, err
	}
	attrs := make([]abci.EventAttribute, 0, len(p.fields))
	var buf bytes.Buffer
	for _, i := range p.sorted {
		f := &p.fields[i]
		buf.Reset()
		if err := writeValue(&buf, f, v.Field(f.index)); err != nil {
			return sdk.Event{}, err
		}
		attrs = append(attrs, abci.EventAttribute{Key: f.name, Value: buf.String()})
	}
	return sdk.Event{Type: proto.MessageName(msg), Attributes: attrs}, nil
}

// Emit emits a typed event on the context's event manager.
func Emit(ctx context.Context, msg proto.Message) error {
	ev, err := ToEvent(msg)
	if err != nil {
		return err
	}
	sdk.UnwrapSDKContext(ctx).EventManager().EmitEvent(ev)
	return nil
}
