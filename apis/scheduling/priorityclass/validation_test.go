package priorityclass

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func validClass() *schedulingv1.PriorityClass {
	return &schedulingv1.PriorityClass{
		ObjectMeta:       metav1.ObjectMeta{Name: "high", ResourceVersion: "1"},
		Value:            1000,
		PreemptionPolicy: ptr.To(corev1.PreemptLowerPriority),
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*schedulingv1.PriorityClass)
		field  string
		typ    field.ErrorType
	}{
		{name: "valid", mutate: func(*schedulingv1.PriorityClass) {}},
		{name: "highest user value", mutate: func(pc *schedulingv1.PriorityClass) { pc.Value = HighestUserDefinablePriority }},
		{name: "value too high", mutate: func(pc *schedulingv1.PriorityClass) { pc.Value = HighestUserDefinablePriority + 1 }, field: "value", typ: field.ErrorTypeForbidden},
		{name: "system cluster critical", mutate: func(pc *schedulingv1.PriorityClass) { pc.Name, pc.Value = SystemClusterCritical, 2000000000 }},
		{name: "system node critical", mutate: func(pc *schedulingv1.PriorityClass) { pc.Name, pc.Value = SystemNodeCritical, 2000001000 }},
		{name: "system class with wrong value", mutate: func(pc *schedulingv1.PriorityClass) { pc.Name = SystemNodeCritical }, field: "metadata.name", typ: field.ErrorTypeForbidden},
		{name: "system class as default", mutate: func(pc *schedulingv1.PriorityClass) {
			pc.Name, pc.Value, pc.GlobalDefault = SystemClusterCritical, 2000000000, true
		}, field: "metadata.name", typ: field.ErrorTypeForbidden},
		{name: "reserved prefix", mutate: func(pc *schedulingv1.PriorityClass) { pc.Name = "system-mine" }, field: "metadata.name", typ: field.ErrorTypeForbidden},
		{name: "empty preemption policy", mutate: func(pc *schedulingv1.PriorityClass) { pc.PreemptionPolicy = ptr.To(corev1.PreemptionPolicy("")) }, field: "preemptionPolicy", typ: field.ErrorTypeRequired},
		{name: "bad preemption policy", mutate: func(pc *schedulingv1.PriorityClass) { pc.PreemptionPolicy = ptr.To(corev1.PreemptionPolicy("Always")) }, field: "preemptionPolicy", typ: field.ErrorTypeNotSupported},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pc := validClass()
			tc.mutate(pc)
			errs := Validate(pc)
			if tc.field == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.field || errs[0].Type != tc.typ {
				t.Fatalf("want %s at %s, got %v", tc.typ, tc.field, errs)
			}
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old := validClass()
	pc := old.DeepCopy()
	pc.Description, pc.GlobalDefault = "changed", true
	if errs := ValidateUpdate(pc, old); len(errs) != 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	pc.Value = 5
	pc.PreemptionPolicy = ptr.To(corev1.PreemptNever)
	errs := ValidateUpdate(pc, old)
	if len(errs) != 2 || errs[0].Field != "value" || errs[0].Type != field.ErrorTypeForbidden || errs[1].Field != "preemptionPolicy" {
		t.Fatalf("want value and preemptionPolicy errors, got %v", errs)
	}
}

func TestStrategyGeneration(t *testing.T) {
	pc := validClass()
	Strategy.PrepareForCreate(context.Background(), pc)
	if pc.Generation != 1 {
		t.Fatalf("generation = %d", pc.Generation)
	}
	upd := pc.DeepCopy()
	upd.Description = "x"
	Strategy.PrepareForUpdate(context.Background(), upd, pc)
	if upd.Generation != 1 {
		t.Fatalf("as upstream, updates keep generation; got %d", upd.Generation)
	}
}

func TestSystemPriorityClassesAreValid(t *testing.T) {
	for _, pc := range SystemPriorityClasses() {
		pc.PreemptionPolicy = ptr.To(corev1.PreemptLowerPriority)
		if errs := Validate(pc); len(errs) != 0 {
			t.Errorf("%s: %v", pc.Name, errs)
		}
	}
}
