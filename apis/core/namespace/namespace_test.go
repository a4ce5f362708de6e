package namespace

import (
	"context"
	"slices"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name string
		ns   corev1.Namespace
		path string
		typ  field.ErrorType
	}{
		{"valid", corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "ok"}, Spec: corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{"kubernetes", "example.com/x"}}}, "", ""},
		{"name not a DNS label", corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a.b"}}, "metadata.name", field.ErrorTypeInvalid},
		{"namespace set", corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a", Namespace: "b"}}, "metadata.namespace", field.ErrorTypeForbidden},
		{"unqualified finalizer", corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a"}, Spec: corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{"custom"}}}, "spec.finalizers", field.ErrorTypeInvalid},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			errs := Validate(&tc.ns)
			if tc.path == "" {
				if len(errs) != 0 {
					t.Fatal(errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.path || errs[0].Type != tc.typ {
				t.Fatalf("want %s at %s, got %v", tc.typ, tc.path, errs)
			}
		})
	}
}

func TestStrategy(t *testing.T) {
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "a", ResourceVersion: "1"}, Spec: corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{"example.com/x"}},
		Status: corev1.NamespaceStatus{Phase: corev1.NamespaceTerminating}}
	Strategy.PrepareForCreate(ctx, ns)
	Strategy.Canonicalize(ns)
	if ns.Status.Phase != corev1.NamespaceActive || !slices.Equal(ns.Spec.Finalizers, []corev1.FinalizerName{"example.com/x", "kubernetes"}) || ns.Labels[corev1.LabelMetadataName] != "a" {
		t.Fatalf("prepared: %+v", ns)
	}
	update := ns.DeepCopy()
	update.Spec.Finalizers, update.Status.Phase = nil, corev1.NamespaceTerminating
	Strategy.PrepareForUpdate(ctx, update, ns)
	if len(update.Spec.Finalizers) != 2 || update.Status.Phase != corev1.NamespaceActive {
		t.Fatalf("update kept: %+v", update)
	}
	finalize := ns.DeepCopy()
	finalize.Spec.Finalizers, finalize.Status.Phase = nil, corev1.NamespaceTerminating
	FinalizeStrategy.PrepareForUpdate(ctx, finalize, ns)
	if len(finalize.Spec.Finalizers) != 0 || finalize.Status.Phase != corev1.NamespaceActive {
		t.Fatalf("finalize: %+v", finalize)
	}
	status := ns.DeepCopy()
	status.Spec.Finalizers, status.Status.Phase = nil, corev1.NamespaceTerminating
	StatusStrategy.PrepareForUpdate(ctx, status, ns)
	if len(status.Spec.Finalizers) != 2 {
		t.Fatalf("status changed spec: %+v", status)
	}
	if errs := StatusStrategy.ValidateUpdate(ctx, status, ns); len(errs) != 1 || errs[0].Field != "status.Phase" {
		t.Fatalf("Terminating without deletionTimestamp: %v", errs)
	}
	now := metav1.Now()
	status.DeletionTimestamp = &now
	ns.DeletionTimestamp = &now
	if errs := StatusStrategy.ValidateUpdate(ctx, status, ns); len(errs) != 0 {
		t.Fatalf("Terminating with deletionTimestamp: %v", errs)
	}
}

func TestDependentFinalizers(t *testing.T) {
	orphan, foreground := metav1.DeletePropagationOrphan, metav1.DeletePropagationForeground
	cases := []struct {
		name    string
		current []string
		opts    metav1.DeleteOptions
		want    []string
	}{
		{"none", nil, metav1.DeleteOptions{}, nil},
		{"orphan policy", []string{"x/y"}, metav1.DeleteOptions{PropagationPolicy: &orphan}, []string{"x/y", metav1.FinalizerOrphanDependents}},
		{"foreground replaces orphan", []string{metav1.FinalizerOrphanDependents}, metav1.DeleteOptions{PropagationPolicy: &foreground}, []string{metav1.FinalizerDeleteDependents}},
		{"orphanDependents=false", []string{metav1.FinalizerOrphanDependents}, metav1.DeleteOptions{OrphanDependents: ptr.To(false)}, []string{metav1.FinalizerDeleteDependents}}, //nolint:staticcheck
		{"kept without options", []string{metav1.FinalizerOrphanDependents}, metav1.DeleteOptions{}, []string{metav1.FinalizerOrphanDependents}},
	}
	for _, tc := range cases {
		if got := dependentFinalizers(tc.current, &tc.opts); !slices.Equal(got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, got, tc.want)
		}
	}
}
