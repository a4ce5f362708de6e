package helper

import (
	"fmt"

	"k8s.io/apimachinery/pkg/runtime"
)

// Args returns obj as *T, or a new zero T when obj is nil (the plugin has no args); kind names
// T in the error for another type.
func Args[T any](obj runtime.Object, kind string) (*T, error) {
	if obj == nil {
		return new(T), nil
	}
	a, ok := any(obj).(*T)
	if !ok {
		return nil, fmt.Errorf("want args to be of type %s, got %T", kind, obj)
	}
	if a == nil {
		return new(T), nil
	}
	return a, nil
}
