package daemonset

import (
	"reflect"
	"sort"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

var now = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// dsPod is a pod on node at revision hash, created age ago; ready pods became ready an hour ago.
func dsPod(name, node, hash string, ready bool, age time.Duration) *corev1.Pod {
	status := corev1.ConditionFalse
	if ready {
		status = corev1.ConditionTrue
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, CreationTimestamp: metav1.NewTime(now.Add(-age)),
			Labels: map[string]string{appsv1.DefaultDaemonSetUniqueLabelKey: hash}},
		Spec: corev1.PodSpec{NodeName: node},
		Status: corev1.PodStatus{Phase: corev1.PodRunning, Conditions: []corev1.PodCondition{{
			Type: corev1.PodReady, Status: status, LastTransitionTime: metav1.NewTime(now.Add(-time.Hour))}}},
	}
}

func sorted(s []string) []string {
	s = append([]string(nil), s...)
	sort.Strings(s)
	return s
}

func TestReplaceWithin(t *testing.T) {
	tests := []struct {
		name           string
		maxUnavailable int
		pods           map[string][]*corev1.Pod
		want           []string
	}{
		{"one at a time", 1, map[string][]*corev1.Pod{
			"a": {dsPod("pa", "a", "old", true, time.Hour)},
			"b": {dsPod("pb", "b", "old", true, time.Hour)},
		}, []string{"pa"}},
		{"two at a time", 2, map[string][]*corev1.Pod{
			"a": {dsPod("pa", "a", "old", true, time.Hour)},
			"b": {dsPod("pb", "b", "old", true, time.Hour)},
			"c": {dsPod("pc", "c", "old", true, time.Hour)},
		}, []string{"pa", "pb"}},
		{"waits for an unavailable new pod", 1, map[string][]*corev1.Pod{
			"a": {dsPod("pa", "a", "new", false, time.Minute)},
			"b": {dsPod("pb", "b", "old", true, time.Hour)},
		}, nil},
		{"unavailable old pods always go", 1, map[string][]*corev1.Pod{
			"a": {dsPod("pa", "a", "new", false, time.Minute)},
			"b": {dsPod("pb", "b", "old", false, time.Hour)},
			"c": {dsPod("pc", "c", "old", true, time.Hour)},
		}, []string{"pb"}},
		{"node without pod counts as unavailable", 1, map[string][]*corev1.Pod{
			"a": nil,
			"b": {dsPod("pb", "b", "old", true, time.Hour)},
		}, nil},
		{"all updated", 1, map[string][]*corev1.Pod{
			"a": {dsPod("pa", "a", "new", true, time.Hour)},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := replaceWithin(testDS(), tt.pods, "new", tt.maxUnavailable, now)
			if !reflect.DeepEqual(sorted(got), sorted(tt.want)) && !(len(got) == 0 && len(tt.want) == 0) {
				t.Errorf("delete = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSurgeWithin(t *testing.T) {
	nodes := map[string]*corev1.Node{"a": testNode("a", nil), "b": testNode("b", nil), "c": testNode("c", nil)}
	tests := []struct {
		name               string
		maxSurge           int
		pods               map[string][]*corev1.Pod
		wantDel, wantNodes []string
	}{
		{"surge one node", 1, map[string][]*corev1.Pod{
			"a": {dsPod("pa", "a", "old", true, time.Hour)},
			"b": {dsPod("pb", "b", "old", true, time.Hour)},
		}, nil, []string{"a"}},
		{"old pod goes once the new one is available", 1, map[string][]*corev1.Pod{
			"a": {dsPod("pa", "a", "old", true, time.Hour), dsPod("pa2", "a", "new", true, time.Minute)},
			"b": {dsPod("pb", "b", "old", true, time.Hour)},
		}, []string{"pa"}, []string{"b"}},
		{"new pod not yet available uses the surge", 1, map[string][]*corev1.Pod{
			"a": {dsPod("pa", "a", "old", true, time.Hour), dsPod("pa2", "a", "new", false, time.Minute)},
			"b": {dsPod("pb", "b", "old", true, time.Hour)},
		}, nil, nil},
		{"unavailable old pod gets a new one regardless", 1, map[string][]*corev1.Pod{
			"a": {dsPod("pa", "a", "old", true, time.Hour), dsPod("pa2", "a", "new", false, time.Minute)},
			"b": {dsPod("pb", "b", "old", false, time.Hour)},
		}, nil, []string{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := testDS()
			del, create := surgeWithin(ds, tt.pods, nodes, newPlacement(ds), "new", tt.maxSurge, len(tt.pods), now)
			if !reflect.DeepEqual(sorted(del), sorted(tt.wantDel)) && !(len(del) == 0 && len(tt.wantDel) == 0) {
				t.Errorf("delete = %v, want %v", del, tt.wantDel)
			}
			if !reflect.DeepEqual(sorted(create), sorted(tt.wantNodes)) && !(len(create) == 0 && len(tt.wantNodes) == 0) {
				t.Errorf("create on = %v, want %v", create, tt.wantNodes)
			}
		})
	}
}

func TestExcessPods(t *testing.T) {
	surge := testDS()
	surge.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxSurge: ptr.To(intstr.FromInt32(1)), MaxUnavailable: ptr.To(intstr.FromInt32(0))}
	tests := []struct {
		name     string
		ds       *appsv1.DaemonSet
		pods     []*corev1.Pod
		wantNeed bool
		wantDel  []string
	}{
		{"no surge keeps the oldest", testDS(), []*corev1.Pod{
			dsPod("young", "a", "new", true, time.Minute), dsPod("old", "a", "old", true, time.Hour)}, false, []string{"young"}},
		{"no surge single pod", testDS(), []*corev1.Pod{dsPod("p", "a", "old", true, time.Hour)}, false, nil},
		{"surge asks for a pod on an empty node", surge, nil, true, nil},
		{"surge keeps old until new is available", surge, []*corev1.Pod{
			dsPod("old", "a", "old", true, time.Hour), dsPod("new", "a", "new", false, time.Minute)}, false, nil},
		{"surge drops old once new is available", surge, []*corev1.Pod{
			dsPod("old", "a", "old", true, time.Hour), dsPod("new", "a", "new", true, time.Minute)}, false, []string{"old"}},
		{"surge drops extra new pods", surge, []*corev1.Pod{
			dsPod("new1", "a", "new", false, time.Hour), dsPod("new2", "a", "new", false, time.Minute)}, false, []string{"new2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			need, del := excessPods(tt.ds, tt.pods, "new", true, now)
			if need != tt.wantNeed || !reflect.DeepEqual(del, tt.wantDel) {
				t.Errorf("excessPods = %v, %v; want %v, %v", need, del, tt.wantNeed, tt.wantDel)
			}
		})
	}
}

func TestCountPods(t *testing.T) {
	ds := testDS()
	ds.Spec.Template.Spec.NodeSelector = map[string]string{"role": "worker"}
	worker := map[string]string{"role": "worker"}
	nodes := []*corev1.Node{testNode("a", worker), testNode("b", worker), testNode("c", worker), testNode("d", nil)}
	pods := map[string][]*corev1.Pod{
		"a": {dsPod("pa", "a", "new", true, time.Hour)},
		"b": {dsPod("pb", "b", "old", false, time.Hour)},
		"d": {dsPod("pd", "d", "new", true, time.Hour)},
	}
	got := countPods(ds, nodes, pods, "new", now)
	want := counts{desired: 3, current: 2, misscheduled: 1, ready: 1, updated: 1, available: 1, unavailable: 2}
	if got != want {
		t.Errorf("counts = %+v, want %+v", got, want)
	}
}

func TestRevisionData(t *testing.T) {
	ds := testDS()
	data, err := revisionData(ds)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"spec":{"template":{"$patch":"replace","metadata":{"labels":{"app":"agent"}},"spec":{"containers":[{"image":"agent:1","name":"c","resources":{}}]}}}}`
	if string(data) != want {
		t.Errorf("data = %s\nwant   %s", data, want)
	}
	rev := &appsv1.ControllerRevision{}
	rev.Data.Raw = data
	if ok, _ := matches(ds, rev); !ok {
		t.Error("revision does not match its own set")
	}
	ds.Spec.Template.Spec.Containers[0].Image = "agent:2"
	if ok, _ := matches(ds, rev); ok {
		t.Error("revision matches a changed template")
	}
}
