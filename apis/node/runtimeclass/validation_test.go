package runtimeclass

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	nodev1 "k8s.io/api/node/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func validClass() *nodev1.RuntimeClass {
	return &nodev1.RuntimeClass{
		ObjectMeta: metav1.ObjectMeta{Name: "gvisor", ResourceVersion: "1"},
		Handler:    "runsc",
		Overhead:   &nodev1.Overhead{PodFixed: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("250m"), corev1.ResourceMemory: resource.MustParse("64Mi")}},
		Scheduling: &nodev1.Scheduling{
			NodeSelector: map[string]string{"sandbox": "true"},
			Tolerations:  []corev1.Toleration{{Key: "sandbox", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*nodev1.RuntimeClass)
		field  string
		typ    field.ErrorType
	}{
		{name: "valid", mutate: func(*nodev1.RuntimeClass) {}},
		{name: "handler required", mutate: func(rc *nodev1.RuntimeClass) { rc.Handler = "" }, field: "handler", typ: field.ErrorTypeRequired},
		{name: "handler not a label", mutate: func(rc *nodev1.RuntimeClass) { rc.Handler = "run.sc" }, field: "handler", typ: field.ErrorTypeInvalid},
		{name: "negative overhead", mutate: func(rc *nodev1.RuntimeClass) {
			rc.Overhead.PodFixed[corev1.ResourceCPU] = resource.MustParse("-1")
		}, field: "overhead.limits[cpu]", typ: field.ErrorTypeInvalid},
		{name: "unknown overhead resource", mutate: func(rc *nodev1.RuntimeClass) {
			rc.Overhead.PodFixed["gpus"] = resource.MustParse("1")
		}, field: "overhead.limits[gpus]", typ: field.ErrorTypeInvalid},
		{name: "fractional extended resource", mutate: func(rc *nodev1.RuntimeClass) {
			rc.Overhead.PodFixed["example.com/gpu"] = resource.MustParse("500m")
		}, field: "overhead.limits[example.com/gpu]", typ: field.ErrorTypeInvalid},
		{name: "hugepages without cpu or memory", mutate: func(rc *nodev1.RuntimeClass) {
			rc.Overhead.PodFixed = corev1.ResourceList{"hugepages-2Mi": resource.MustParse("4Mi")}
		}, field: "overhead", typ: field.ErrorTypeForbidden},
		{name: "bad node selector", mutate: func(rc *nodev1.RuntimeClass) {
			rc.Scheduling.NodeSelector = map[string]string{"a/b/c": "x"}
		}, field: "scheduling.nodeSelector", typ: field.ErrorTypeInvalid},
		{name: "toleration without key needs Exists", mutate: func(rc *nodev1.RuntimeClass) {
			rc.Scheduling.Tolerations[0].Key, rc.Scheduling.Tolerations[0].Operator = "", corev1.TolerationOpEqual
		}, field: "scheduling.tolerations[0].operator", typ: field.ErrorTypeInvalid},
		{name: "toleration seconds need NoExecute", mutate: func(rc *nodev1.RuntimeClass) {
			rc.Scheduling.Tolerations[0].TolerationSeconds = ptr.To[int64](5)
		}, field: "scheduling.tolerations[0].effect", typ: field.ErrorTypeInvalid},
		{name: "bad toleration operator", mutate: func(rc *nodev1.RuntimeClass) {
			rc.Scheduling.Tolerations[0].Operator = "Lt"
		}, field: "scheduling.tolerations[0].operator", typ: field.ErrorTypeNotSupported},
		{name: "bad toleration effect", mutate: func(rc *nodev1.RuntimeClass) {
			rc.Scheduling.Tolerations[0].Effect = "Evict"
		}, field: "scheduling.tolerations[0].effect", typ: field.ErrorTypeNotSupported},
		{name: "duplicate toleration", mutate: func(rc *nodev1.RuntimeClass) {
			rc.Scheduling.Tolerations = append(rc.Scheduling.Tolerations, rc.Scheduling.Tolerations[0])
		}, field: "scheduling.tolerations[1]", typ: field.ErrorTypeDuplicate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rc := validClass()
			tc.mutate(rc)
			errs := Validate(rc)
			if tc.field == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			for _, e := range errs {
				if e.Field == tc.field && e.Type == tc.typ {
					return
				}
			}
			t.Fatalf("want %s at %s, got %v", tc.typ, tc.field, errs)
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old := validClass()
	rc := old.DeepCopy()
	rc.Scheduling = nil
	if errs := ValidateUpdate(rc, old); len(errs) != 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	rc.Handler = "kata"
	errs := ValidateUpdate(rc, old)
	if len(errs) != 1 || errs[0].Field != "handler" || errs[0].Type != field.ErrorTypeInvalid {
		t.Fatalf("want handler immutable, got %v", errs)
	}
}

func TestWarnings(t *testing.T) {
	rc := validClass()
	rc.Scheduling.NodeSelector = map[string]string{"beta.kubernetes.io/os": "linux"}
	if w := warnings(rc); len(w) != 1 || w[0] != `scheduling.nodeSelector: deprecated since v1.14; use "kubernetes.io/os" instead` {
		t.Fatalf("warnings = %v", w)
	}
}
