package statefulset

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestClaimOwners(t *testing.T) {
	tests := []struct {
		name                string
		whenDeleted, scaled appsv1.PersistentVolumeClaimRetentionPolicyType
		ordinal             int // the set has 2 replicas: ordinal 2 is scaled down
		wantSet, wantPod    bool
	}{
		{"retain retain", retain, retain, 0, false, false},
		{"delete on delete", del, retain, 0, true, false},
		{"delete on delete, scaled down", del, retain, 2, true, false},
		{"delete on scale, in range", retain, del, 1, false, false},
		{"delete on scale, scaled down", retain, del, 2, false, true},
		{"delete both, in range", del, del, 0, true, false},
		{"delete both, scaled down", del, del, 2, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set := testSet("web", 2)
			set.Spec.PersistentVolumeClaimRetentionPolicy = &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{
				WhenDeleted: tt.whenDeleted, WhenScaled: tt.scaled}
			pod := newPod(set, tt.ordinal)
			pod.UID = "pod-uid"
			claim := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data-web-0"}}
			wantUpToDate := !tt.wantSet && !tt.wantPod
			if got := claimOwnerUpToDate(claim, set, pod); got != wantUpToDate {
				t.Errorf("fresh claim up to date = %v, want %v", got, wantUpToDate)
			}
			setClaimOwners(claim, set, pod)
			if got := hasOwnerRef(claim, set); got != tt.wantSet {
				t.Errorf("owned by set = %v, want %v", got, tt.wantSet)
			}
			if got := hasOwnerRef(claim, pod); got != tt.wantPod {
				t.Errorf("owned by pod = %v, want %v", got, tt.wantPod)
			}
			if !claimOwnerUpToDate(claim, set, pod) {
				t.Error("not up to date after setClaimOwners")
			}
			// Going back to Retain takes the references away again.
			set.Spec.PersistentVolumeClaimRetentionPolicy = nil
			setClaimOwners(claim, set, pod)
			if len(claim.OwnerReferences) != 0 {
				t.Errorf("refs after Retain = %+v", claim.OwnerReferences)
			}
		})
	}
}

func TestClaimOwnersOtherController(t *testing.T) {
	set := testSet("web", 1)
	set.Spec.PersistentVolumeClaimRetentionPolicy = &appsv1.StatefulSetPersistentVolumeClaimRetentionPolicy{WhenDeleted: del, WhenScaled: del}
	pod := newPod(set, 0)
	other := metav1.OwnerReference{APIVersion: "v1", Kind: "Thing", Name: "x", UID: "other", Controller: ptrTrue()}
	claim := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: "data-web-0", OwnerReferences: []metav1.OwnerReference{other}}}
	if !hasUnexpectedController(claim, set, pod) {
		t.Fatal("another controller not noticed")
	}
	if !claimOwnerUpToDate(claim, set, pod) {
		t.Error("a claim another controller manages must be left alone")
	}
	setClaimOwners(claim, set, pod)
	if len(claim.OwnerReferences) != 1 || claim.OwnerReferences[0].UID != "other" {
		t.Errorf("refs = %+v, want only the other controller", claim.OwnerReferences)
	}
}

func ptrTrue() *bool { b := true; return &b }
