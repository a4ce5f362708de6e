package defaults

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/utils/ptr"
)

func TestPriorityClassDefaults(t *testing.T) {
	s := runtime.NewScheme()
	if err := RegisterDefaults(s); err != nil {
		t.Fatal(err)
	}
	pc := &schedulingv1.PriorityClass{}
	s.Default(pc)
	if pc.PreemptionPolicy == nil || *pc.PreemptionPolicy != corev1.PreemptLowerPriority {
		t.Fatalf("preemptionPolicy = %v", pc.PreemptionPolicy)
	}
	pc = &schedulingv1.PriorityClass{PreemptionPolicy: ptr.To(corev1.PreemptNever)}
	s.Default(pc)
	if *pc.PreemptionPolicy != corev1.PreemptNever {
		t.Fatal("set value must be kept")
	}
}
