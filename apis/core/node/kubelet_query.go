package node

import (
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/conversion"
	"k8s.io/apimachinery/pkg/runtime"
)

// RegisterQueryConversions lets s decode the query parameters of requests into the option
// types (PodLogOptions, PodExecOptions, NodeProxyOptions ...): every field by its JSON name, as
// upstream's generated url.Values conversions do. Booleans are false only when absent, "0" or
// "false"; numbers that do not parse are errors.
func RegisterQueryConversions(s *runtime.Scheme, objs ...runtime.Object) error {
	for _, obj := range objs {
		if err := s.AddConversionFunc((*url.Values)(nil), obj, func(a, b any, _ conversion.Scope) error {
			return decodeQuery(*a.(*url.Values), b)
		}); err != nil {
			return err
		}
	}
	return nil
}

var timeType = reflect.TypeFor[metav1.Time]()

// decodeQuery sets the fields of the struct out points to from q.
func decodeQuery(q url.Values, out any) error {
	v := reflect.ValueOf(out).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		values, ok := q[name]
		if f.Anonymous || name == "" || name == "-" || !ok {
			continue
		}
		if err := setField(v.Field(i), values); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	return nil
}

func setField(field reflect.Value, values []string) error {
	first := ""
	if len(values) > 0 {
		first = values[0]
	}
	ft := field.Type()
	if ft.Kind() == reflect.Pointer {
		if len(values) == 0 {
			return nil
		}
		p := reflect.New(ft.Elem())
		if err := setField(p.Elem(), values); err != nil {
			return err
		}
		field.Set(p)
		return nil
	}
	if ft == timeType {
		if first == "" {
			return nil
		}
		t, err := time.Parse(time.RFC3339, first)
		if err != nil {
			return err
		}
		field.Set(reflect.ValueOf(metav1.NewTime(t)))
		return nil
	}
	switch ft.Kind() {
	case reflect.String:
		field.SetString(first)
	case reflect.Bool:
		field.SetBool(len(values) > 0 && first != "0" && !strings.EqualFold(first, "false"))
	case reflect.Int, reflect.Int32, reflect.Int64:
		if first == "" {
			return nil
		}
		n, err := strconv.ParseInt(first, 10, ft.Bits())
		if err != nil {
			return err
		}
		field.SetInt(n)
	case reflect.Slice:
		out := reflect.MakeSlice(ft, len(values), len(values))
		for i, s := range values {
			if err := setField(out.Index(i), []string{s}); err != nil {
				return err
			}
		}
		field.Set(out)
	default:
		return fmt.Errorf("unsupported query parameter type %s", ft)
	}
	return nil
}
