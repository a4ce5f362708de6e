package replicaset

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestSlowStartBatch(t *testing.T) {
	tests := []struct {
		name              string
		count, failAfter  int // calls past failAfter fail; -1 never
		wantOK, wantCalls int
	}{
		{"all succeed", 10, -1, 10, 10},
		{"first fails", 10, 0, 0, 1},
		{"fails in the third batch", 10, 3, 3, 7}, // batches 1, 2, 4
		{"nothing to do", 0, -1, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			ok, err := slowStartBatch(tt.count, 1, func() error {
				if n := calls.Add(1); tt.failAfter >= 0 && int(n) > tt.failAfter {
					return errors.New("quota")
				}
				return nil
			})
			if ok != tt.wantOK || int(calls.Load()) != tt.wantCalls {
				t.Errorf("successes %d, calls %d; want %d, %d", ok, calls.Load(), tt.wantOK, tt.wantCalls)
			}
			if (err != nil) != (tt.failAfter >= 0) {
				t.Errorf("err = %v", err)
			}
		})
	}
}

func TestPodFromTemplate(t *testing.T) {
	template := &corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "a"}, Annotations: map[string]string{"x": "y"}, Finalizers: []string{"f"}},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "i"}}},
	}
	ref := &metav1.OwnerReference{Kind: "ReplicaSet", Name: "web", UID: "u", Controller: ptr.To(true), BlockOwnerDeletion: ptr.To(true)}
	p := PodFromTemplate(template, "web", ref)
	if p.GenerateName != "web-" || p.Labels["app"] != "a" || p.Annotations["x"] != "y" || p.Finalizers[0] != "f" ||
		len(p.OwnerReferences) != 1 || p.Spec.Containers[0].Image != "i" {
		t.Errorf("pod %+v", p)
	}
	p.Labels["app"] = "changed"
	if template.Labels["app"] != "a" {
		t.Error("the pod shares the template's labels")
	}
	// The longest owner name still gets its dash: the apiserver cuts generated names to fit.
	long := strings.Repeat("a", 253)
	if p := PodFromTemplate(template, long, nil); p.GenerateName != long+"-" {
		t.Errorf("generateName %q, want the name and a dash", p.GenerateName)
	}
}

func TestPatches(t *testing.T) {
	owner := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "rs", UID: "owner"}}
	adopt, err := AdoptPatch(owner, corev1.SchemeGroupVersion.WithKind("ReplicationController"), "dep")
	if err != nil {
		t.Fatal(err)
	}
	want := `{"metadata":{"ownerReferences":[{"apiVersion":"v1","kind":"ReplicationController","name":"rs","uid":"owner","controller":true,"blockOwnerDeletion":true}],"uid":"dep"}}`
	if string(adopt) != want {
		t.Errorf("adopt patch\n%s\nwant\n%s", adopt, want)
	}
	release, err := ReleasePatch("dep", "owner")
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"metadata":{"ownerReferences":[{"$patch":"delete","uid":"owner"}],"uid":"dep"}}`; string(release) != want {
		t.Errorf("release patch %s, want %s", release, want)
	}
}

func TestPodExpectations(t *testing.T) {
	e := newPodExpectations(nil)
	e.expectDeletions("ns/rs", []string{"ns/a", "ns/b"})
	e.deletionObserved("ns/rs", "ns/a")
	e.deletionObserved("ns/rs", "ns/a") // the same pod seen again (deletion timestamp, then gone)
	e.deletionObserved("ns/rs", "ns/x") // not one we deleted
	if e.satisfied("ns/rs") {
		t.Fatal("satisfied with one of two deletions seen")
	}
	e.deletionObserved("ns/rs", "ns/b")
	if !e.satisfied("ns/rs") {
		t.Fatal("not satisfied with both deletions seen")
	}
	e.expectCreations("ns/rs", 2)
	e.creationObserved("ns/rs")
	if e.satisfied("ns/rs") {
		t.Fatal("satisfied with one of two creations seen")
	}
	e.forget("ns/rs")
	if !e.satisfied("ns/rs") {
		t.Fatal("not satisfied after forget")
	}
}
