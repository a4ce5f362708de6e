package namespace

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

func TestConditions(t *testing.T) {
	then := metav1.NewTime(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	now := metav1.NewTime(then.Add(time.Minute))
	ok := func(ty corev1.NamespaceConditionType, at metav1.Time) corev1.NamespaceCondition {
		return corev1.NamespaceCondition{Type: ty, Status: corev1.ConditionFalse, Reason: okConditions[ty][0], Message: okConditions[ty][1], LastTransitionTime: at}
	}
	allOK := func(at metav1.Time) []corev1.NamespaceCondition {
		var out []corev1.NamespaceCondition
		for _, ty := range conditionTypes {
			out = append(out, ok(ty, at))
		}
		return out
	}
	configmaps := schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}
	widgets := schema.GroupVersionResource{Group: "example.com", Version: "v1", Resource: "widgets"}

	tests := []struct {
		name        string
		old         []corev1.NamespaceCondition
		fill        func(c *conditions)
		want        []corev1.NamespaceCondition
		wantChanged bool
	}{
		{name: "first pass, all well", fill: func(*conditions) {}, want: allOK(now), wantChanged: true},
		{name: "nothing new", old: allOK(then), fill: func(*conditions) {}, want: allOK(then)},
		{
			name: "content remaining with finalizers", old: allOK(then),
			fill: func(c *conditions) {
				c.remaining(map[schema.GroupVersionResource]int{widgets: 2, configmaps: 1}, map[string]int{"example.com/x": 2, "a/b": 1})
			},
			want: []corev1.NamespaceCondition{
				ok(corev1.NamespaceDeletionDiscoveryFailure, then), ok(corev1.NamespaceDeletionGVParsingFailure, then), ok(corev1.NamespaceDeletionContentFailure, then),
				{Type: corev1.NamespaceContentRemaining, Status: corev1.ConditionTrue, LastTransitionTime: now, Reason: "SomeResourcesRemain",
					Message: "Some resources are remaining: configmaps. has 1 resource instances, widgets.example.com has 2 resource instances"},
				{Type: corev1.NamespaceFinalizersRemaining, Status: corev1.ConditionTrue, LastTransitionTime: now, Reason: "SomeFinalizersRemain",
					Message: "Some content in the namespace has finalizers remaining: a/b in 1 resource instances, example.com/x in 2 resource instances"},
			},
			wantChanged: true,
		},
		{
			name: "discovery and deletion failures",
			fill: func(c *conditions) {
				c.discoveryFailed(&discovery.ErrGroupDiscoveryFailed{Groups: map[schema.GroupVersion]error{{Group: "metrics.k8s.io", Version: "v1beta1"}: errors.New("unavailable")}})
				c.deleteContentFailed(errors.New("b failed"))
				c.deleteContentFailed(errors.New("a failed"))
			},
			want: []corev1.NamespaceCondition{
				{Type: corev1.NamespaceDeletionDiscoveryFailure, Status: corev1.ConditionTrue, LastTransitionTime: now, Reason: "DiscoveryFailed",
					Message: "Discovery failed for some groups, 1 failing: unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: unavailable"},
				ok(corev1.NamespaceDeletionGVParsingFailure, now),
				{Type: corev1.NamespaceDeletionContentFailure, Status: corev1.ConditionTrue, LastTransitionTime: now, Reason: "ContentDeletionFailed",
					Message: "Failed to delete all resource types, 2 remaining: a failed, b failed"},
				ok(corev1.NamespaceContentRemaining, now), ok(corev1.NamespaceFinalizersRemaining, now),
			},
			wantChanged: true,
		},
		{
			name: "recovered: back to False with a new transition time",
			old: []corev1.NamespaceCondition{{Type: corev1.NamespaceContentRemaining, Status: corev1.ConditionTrue, LastTransitionTime: then,
				Reason: "SomeResourcesRemain", Message: "Some resources are remaining: x"}},
			fill: func(*conditions) {},
			want: []corev1.NamespaceCondition{
				ok(corev1.NamespaceContentRemaining, now), ok(corev1.NamespaceDeletionDiscoveryFailure, now),
				ok(corev1.NamespaceDeletionGVParsingFailure, now), ok(corev1.NamespaceDeletionContentFailure, now), ok(corev1.NamespaceFinalizersRemaining, now),
			},
			wantChanged: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var c conditions
			tt.fill(&c)
			status := corev1.NamespaceStatus{Conditions: tt.old}
			changed := c.apply(&status, now)
			if changed != tt.wantChanged {
				t.Errorf("changed = %v, want %v", changed, tt.wantChanged)
			}
			if diff := cmp.Diff(tt.want, status.Conditions); diff != "" {
				t.Errorf("conditions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestWithoutFinalizer(t *testing.T) {
	got := withoutFinalizer([]corev1.FinalizerName{"z/z", corev1.FinalizerKubernetes, "a/a", "z/z"}, corev1.FinalizerKubernetes)
	if diff := cmp.Diff([]corev1.FinalizerName{"a/a", "z/z"}, got); diff != "" {
		t.Errorf("finalizers (-want +got):\n%s", diff)
	}
	if got := withoutFinalizer([]corev1.FinalizerName{corev1.FinalizerKubernetes}, corev1.FinalizerKubernetes); got == nil || len(got) != 0 {
		t.Errorf("finalizers %#v, want empty", got)
	}
}

func TestResourceVerbs(t *testing.T) {
	lists := []*metav1.APIResourceList{
		{GroupVersion: "v1", APIResources: []metav1.APIResource{{Name: "pods", Verbs: []string{"list", "delete", "deletecollection"}}}},
		{GroupVersion: "a/b/c", APIResources: []metav1.APIResource{{Name: "bad"}}},
	}
	verbs := resourceVerbs(lists)
	if len(verbs) != 1 || !verbs[podsResource].Has("deletecollection") {
		t.Errorf("verbs %v", verbs)
	}
	got := sortedResources(map[schema.GroupVersionResource]struct{}{
		{Group: "b", Version: "v1", Resource: "x"}: {}, {Group: "", Version: "v1", Resource: "z"}: {}, {Group: "a", Version: "v1", Resource: "y"}: {},
	})
	want := []schema.GroupVersionResource{{Group: "", Version: "v1", Resource: "z"}, {Group: "a", Version: "v1", Resource: "y"}, {Group: "b", Version: "v1", Resource: "x"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
}
