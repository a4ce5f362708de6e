package registry

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/operation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"

	"github.com/skiff-sh/skiff/apis/scheme"
)

func TestValidateDeclarativelyReportsRepeatsOnce(t *testing.T) {
	if err := scheme.AddGroup(corev1.AddToScheme, nil, corev1.SchemeGroupVersion); err != nil {
		t.Fatal(err)
	}
	path := field.NewPath("spec", "hard")
	errs := field.ErrorList{
		field.Invalid(path, "x", "must be a standard resource"),
		field.Invalid(path, "x", "must be a standard resource"),
		field.Required(field.NewPath("spec", "scopes"), ""),
	}
	ctx := genericapirequest.WithRequestInfo(context.Background(), &genericapirequest.RequestInfo{
		IsResourceRequest: true, APIVersion: "v1", Resource: "resourcequotas", Verb: "create",
	})
	got := NewStrategy(true, false, "v1").ValidateDeclaratively(ctx, &corev1.ResourceQuota{}, nil, errs, operation.Create, rest.DeclarativeValidationConfig{})
	if len(got) != 2 {
		t.Errorf("got %d errors, want the repeat dropped: %v", len(got), got)
	}
}
