package validation

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestValidateContainerResourceName(t *testing.T) {
	cases := []struct {
		name      corev1.ResourceName
		wantValid bool
	}{
		{"cpu", true},
		{"storage", false},
		{"example.com/gpu", true},
		{"kubernetes.io/anything", true},
	}
	for _, tc := range cases {
		if errs := ValidateContainerResourceName(tc.name, field.NewPath("x")); (len(errs) == 0) != tc.wantValid {
			t.Errorf("%s: valid=%v, errors %v", tc.name, tc.wantValid, errs)
		}
	}
}

func TestValidateResourceQuantityValue(t *testing.T) {
	if errs := ValidateResourceQuantityValue(corev1.ResourcePods, resource.MustParse("1500m"), field.NewPath("x")); len(errs) != 1 || errs[0].Detail != "must be an integer" {
		t.Errorf("fractional pods: %v", errs)
	}
	if errs := ValidateResourceQuantityValue(corev1.ResourceCPU, resource.MustParse("-1"), field.NewPath("x")); len(errs) != 1 {
		t.Errorf("negative cpu: %v", errs)
	}
}
