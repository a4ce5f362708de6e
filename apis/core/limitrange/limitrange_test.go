package limitrange

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func rl(kv ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(kv); i += 2 {
		out[corev1.ResourceName(kv[i])] = resource.MustParse(kv[i+1])
	}
	return out
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name  string
		items []corev1.LimitRangeItem
		path  string
	}{
		{"valid", []corev1.LimitRangeItem{
			{Type: corev1.LimitTypeContainer, Min: rl("cpu", "100m"), Max: rl("cpu", "2"), Default: rl("cpu", "1"), DefaultRequest: rl("cpu", "500m"), MaxLimitRequestRatio: rl("cpu", "4")},
			{Type: corev1.LimitTypePersistentVolumeClaim, Max: rl("storage", "10Gi")},
		}, ""},
		{"unknown type", []corev1.LimitRangeItem{{Type: "Node"}}, "spec.limits[0].type"},
		{"duplicate type", []corev1.LimitRangeItem{{Type: corev1.LimitTypePod}, {Type: corev1.LimitTypePod}}, "spec.limits[1].type"},
		{"min above max", []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer, Min: rl("cpu", "2"), Max: rl("cpu", "1")}}, "spec.limits[0].min[cpu]"},
		{"default above max", []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer, Max: rl("memory", "1Gi"), Default: rl("memory", "2Gi")}}, "spec.limits[0].default[memory]"},
		{"default on pod", []corev1.LimitRangeItem{{Type: corev1.LimitTypePod, Default: rl("cpu", "1")}}, "spec.limits[0].default"},
		{"storage for containers", []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer, Max: rl("storage", "1Gi")}}, "spec.limits[0].max[storage]"},
		{"pvc without storage bounds", []corev1.LimitRangeItem{{Type: corev1.LimitTypePersistentVolumeClaim}}, "spec.limits[0].limits"},
		{"ratio below one", []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer, MaxLimitRequestRatio: rl("cpu", "500m")}}, "spec.limits[0].maxLimitRequestRatio[cpu]"},
		{"ratio above max/min", []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer, Min: rl("cpu", "1"), Max: rl("cpu", "2"), MaxLimitRequestRatio: rl("cpu", "3")}}, "spec.limits[0].maxLimitRequestRatio[cpu]"},
		{"hugepages default mismatch", []corev1.LimitRangeItem{{Type: corev1.LimitTypeContainer, Default: rl("hugepages-2Mi", "4Mi"), DefaultRequest: rl("hugepages-2Mi", "2Mi")}}, "spec.limits[0].defaultRequest[hugepages-2Mi]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := Validate(&corev1.LimitRange{ObjectMeta: metav1.ObjectMeta{Name: "l", Namespace: "ns"}, Spec: corev1.LimitRangeSpec{Limits: tc.items}})
			if tc.path == "" {
				if len(errs) != 0 {
					t.Fatal(errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.path {
				t.Fatalf("want error at %s, got %v", tc.path, errs)
			}
		})
	}
}

func TestNamelessLimitRangeGetsName(t *testing.T) {
	lr := &corev1.LimitRange{}
	Strategy.PrepareForCreate(context.Background(), lr)
	if len(lr.Name) != 36 {
		t.Fatalf("name %q", lr.Name)
	}
}
