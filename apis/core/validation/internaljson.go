package validation

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"sort"
	"strings"

	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// InternalJSON wraps a value of a k8s.io/api type so that it prints in validation messages
// ("Invalid value: {...}", pod update diffs) as upstream prints the matching internal type:
// internal types carry no json tags, so encoding/json writes every exported field under its Go
// name, in declaration order, and flattens embedded structs. Types from outside k8s.io/api
// (metav1.LabelSelector, Quantity, IntOrString, Time, ...) keep their own JSON, as upstream's
// internal types share them.
func InternalJSON(v any) any { return internalJSON{v} }

// ValidateImmutableField is apimachinery's ValidateImmutableField for values of k8s.io/api
// struct types: the rejected value prints as upstream's internal type.
func ValidateImmutableField(newVal, oldVal any, fldPath *field.Path) field.ErrorList {
	if apiequality.Semantic.DeepEqual(oldVal, newVal) {
		return nil
	}
	return field.ErrorList{field.Invalid(fldPath, InternalJSON(newVal), apimachineryvalidation.FieldImmutableErrorMsg)}
}

type internalJSON struct{ v any }

func (j internalJSON) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	if err := encodeInternal(&buf, reflect.ValueOf(j.v)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// goNamed reports whether values of t are written with Go field names: structs of the
// k8s.io/api module, whose internal counterparts have no json tags.
func goNamed(t reflect.Type) bool {
	return t.Kind() == reflect.Struct && strings.HasPrefix(t.PkgPath(), "k8s.io/api/")
}

func encodeInternal(buf *bytes.Buffer, v reflect.Value) error {
	if !v.IsValid() {
		buf.WriteString("null")
		return nil
	}
	t := v.Type()
	if t.Implements(marshalerType) || (t.Kind() != reflect.Pointer && reflect.PointerTo(t).Implements(marshalerType)) {
		return encodeStd(buf, v)
	}
	switch t.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		return encodeInternal(buf, v.Elem())
	case reflect.Struct:
		if !goNamed(t) {
			return encodeStd(buf, v)
		}
		buf.WriteByte('{')
		first := true
		if err := encodeFields(buf, v, &first); err != nil {
			return err
		}
		buf.WriteByte('}')
		return nil
	case reflect.Map:
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		keys := v.MapKeys()
		names := make([]string, len(keys))
		for i, k := range keys {
			names[i] = k.String()
		}
		idx := make([]int, len(keys))
		for i := range idx {
			idx[i] = i
		}
		sort.Slice(idx, func(a, b int) bool { return names[idx[a]] < names[idx[b]] })
		buf.WriteByte('{')
		for n, i := range idx {
			if n > 0 {
				buf.WriteByte(',')
			}
			kb, _ := json.Marshal(names[i])
			buf.Write(kb)
			buf.WriteByte(':')
			if err := encodeInternal(buf, v.MapIndex(keys[i])); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
		return nil
	case reflect.Slice:
		if v.IsNil() {
			buf.WriteString("null")
			return nil
		}
		if t.Elem().Kind() == reflect.Uint8 {
			buf.WriteByte('"')
			buf.WriteString(base64.StdEncoding.EncodeToString(v.Bytes()))
			buf.WriteByte('"')
			return nil
		}
		fallthrough
	case reflect.Array:
		buf.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := encodeInternal(buf, v.Index(i)); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	}
	return encodeStd(buf, v)
}

// encodeFields writes the exported fields of struct v, flattening embedded structs.
func encodeFields(buf *bytes.Buffer, v reflect.Value, first *bool) error {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		fv := v.Field(i)
		if f.Anonymous && f.Type.Kind() == reflect.Struct && goNamed(f.Type) {
			if err := encodeFields(buf, fv, first); err != nil {
				return err
			}
			continue
		}
		if f.Anonymous && f.Type.Kind() == reflect.Struct {
			// An embedded type from elsewhere (metav1.TypeMeta, ObjectMeta) is flattened with
			// its own json names, as encoding/json flattens untagged embedded structs.
			b, err := json.Marshal(fv.Interface())
			if err != nil {
				return err
			}
			var members map[string]json.RawMessage
			if json.Unmarshal(b, &members) == nil {
				for _, ef := range reflect.VisibleFields(f.Type) {
					name := jsonName(ef)
					raw, ok := members[name]
					if !ok || name == "" {
						continue
					}
					writeKey(buf, name, first)
					buf.Write(raw)
				}
			}
			continue
		}
		if !f.IsExported() {
			continue
		}
		writeKey(buf, f.Name, first)
		if err := encodeInternal(buf, fv); err != nil {
			return err
		}
	}
	return nil
}

func jsonName(f reflect.StructField) string {
	tag := f.Tag.Get("json")
	for i := 0; i < len(tag); i++ {
		if tag[i] == ',' {
			tag = tag[:i]
			break
		}
	}
	if tag == "-" {
		return ""
	}
	if tag == "" {
		return f.Name
	}
	return tag
}

func writeKey(buf *bytes.Buffer, name string, first *bool) {
	if !*first {
		buf.WriteByte(',')
	}
	*first = false
	kb, _ := json.Marshal(name)
	buf.Write(kb)
	buf.WriteByte(':')
}

func encodeStd(buf *bytes.Buffer, v reflect.Value) error {
	var x any
	switch {
	case v.CanAddr() && v.Addr().CanInterface():
		x = v.Addr().Interface()
	case v.CanInterface():
		x = v.Interface()
	}
	b, err := json.Marshal(x)
	if err != nil {
		return err
	}
	buf.Write(b)
	return nil
}
