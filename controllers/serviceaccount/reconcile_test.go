package serviceaccount

import (
	"errors"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestIgnoreCreateError(t *testing.T) {
	terminating := &apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: 403, Reason: metav1.StatusReasonForbidden,
		Details: &metav1.StatusDetails{Causes: []metav1.StatusCause{{Type: corev1.NamespaceTerminatingCause}}},
	}}
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"already exists", apierrors.NewAlreadyExists(schema.GroupResource{Resource: "serviceaccounts"}, "default"), true},
		{"namespace terminating", terminating, true},
		{"other forbidden", apierrors.NewForbidden(schema.GroupResource{Resource: "serviceaccounts"}, "default", errors.New("no")), false},
		{"other", errors.New("boom"), false},
	}
	for _, tt := range tests {
		if got := ignoreCreateError(tt.err); got != tt.want {
			t.Errorf("%s: ignoreCreateError = %v, want %v", tt.name, got, tt.want)
		}
	}
}
