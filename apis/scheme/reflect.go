package scheme

import (
	"reflect"

	"k8s.io/apimachinery/pkg/runtime"
)

// newOf returns a new zero object of the struct type t.
func newOf(t reflect.Type) runtime.Object {
	return reflect.New(t).Interface().(runtime.Object)
}
