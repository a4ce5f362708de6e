package daemonset

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
)

func testDS() *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Name: "agent", Namespace: "ns", UID: "ds-uid"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "agent"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "agent"}},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "agent:1"}}},
			},
			UpdateStrategy: appsv1.DaemonSetUpdateStrategy{
				Type:          appsv1.RollingUpdateDaemonSetStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: ptr.To(intstr.FromInt32(1)), MaxSurge: ptr.To(intstr.FromInt32(0))},
			},
		},
	}
}

func testNode(name string, labels map[string]string, taints ...corev1.Taint) *corev1.Node {
	return &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}, Spec: corev1.NodeSpec{Taints: taints}}
}

func TestShouldRun(t *testing.T) {
	noSchedule := corev1.Taint{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoSchedule}
	noExecute := corev1.Taint{Key: "dedicated", Value: "gpu", Effect: corev1.TaintEffectNoExecute}
	tests := []struct {
		name      string
		mutate    func(*appsv1.DaemonSet)
		node      *corev1.Node
		run, cont bool
	}{
		{"plain node", nil, testNode("n", nil), true, true},
		{"NoSchedule taint keeps new pods off but lets old ones stay", nil, testNode("n", nil, noSchedule), false, true},
		{"NoExecute taint removes pods", nil, testNode("n", nil, noExecute), false, false},
		{"tolerated taint", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Tolerations = []corev1.Toleration{{Key: "dedicated", Operator: corev1.TolerationOpExists}}
		}, testNode("n", nil, noSchedule, noExecute), true, true},
		{"unschedulable taint tolerated by default", nil,
			testNode("n", nil, corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule}), true, true},
		{"not-ready taint tolerated by default", nil,
			testNode("n", nil, corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}), true, true},
		{"network-unavailable needs hostNetwork", nil,
			testNode("n", nil, corev1.Taint{Key: corev1.TaintNodeNetworkUnavailable, Effect: corev1.TaintEffectNoSchedule}), false, true},
		{"network-unavailable with hostNetwork", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.HostNetwork = true },
			testNode("n", nil, corev1.Taint{Key: corev1.TaintNodeNetworkUnavailable, Effect: corev1.TaintEffectNoSchedule}), true, true},
		{"nodeSelector matches", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.NodeSelector = map[string]string{"disk": "ssd"} },
			testNode("n", map[string]string{"disk": "ssd"}), true, true},
		{"nodeSelector misses", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.NodeSelector = map[string]string{"disk": "ssd"} },
			testNode("n", nil), false, false},
		{"required node affinity misses", func(ds *appsv1.DaemonSet) {
			ds.Spec.Template.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
				RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
					MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpIn, Values: []string{"a"}}},
				}}},
			}}
		}, testNode("n", map[string]string{"zone": "b"}), false, false},
		{"template nodeName elsewhere", func(ds *appsv1.DaemonSet) { ds.Spec.Template.Spec.NodeName = "other" }, testNode("n", nil), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := testDS()
			if tt.mutate != nil {
				tt.mutate(ds)
			}
			run, cont := newPlacement(ds).shouldRun(tt.node)
			if run != tt.run || cont != tt.cont {
				t.Errorf("shouldRun = %v, %v; want %v, %v", run, cont, tt.run, tt.cont)
			}
		})
	}
}

func TestDaemonTolerations(t *testing.T) {
	spec := &corev1.PodSpec{Tolerations: []corev1.Toleration{
		{Key: "custom", Operator: corev1.TolerationOpExists},
		// Same key, operator and effect as a daemon toleration, with a time limit: replaced.
		{Key: corev1.TaintNodeNotReady, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: ptr.To[int64](5)},
	}}
	addDaemonTolerations(spec)
	if len(spec.Tolerations) != 7 {
		t.Fatalf("tolerations = %+v, want custom plus the 6 daemon ones", spec.Tolerations)
	}
	if spec.Tolerations[0].Key != "custom" || spec.Tolerations[1].TolerationSeconds != nil {
		t.Errorf("tolerations = %+v", spec.Tolerations)
	}
	addDaemonTolerations(spec)
	if len(spec.Tolerations) != 7 {
		t.Errorf("adding twice changed the tolerations: %d", len(spec.Tolerations))
	}
	host := &corev1.PodSpec{HostNetwork: true}
	addDaemonTolerations(host)
	if len(host.Tolerations) != 7 || host.Tolerations[6].Key != corev1.TaintNodeNetworkUnavailable {
		t.Errorf("hostNetwork tolerations = %+v", host.Tolerations)
	}
}

func TestNodeAffinity(t *testing.T) {
	tests := []struct {
		name string
		in   *corev1.Affinity
	}{
		{"none", nil},
		{"pod affinity only", &corev1.Affinity{PodAffinity: &corev1.PodAffinity{}}},
		{"required terms replaced", &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
			RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
				MatchExpressions: []corev1.NodeSelectorRequirement{{Key: "zone", Operator: corev1.NodeSelectorOpExists}},
			}}},
			PreferredDuringSchedulingIgnoredDuringExecution: []corev1.PreferredSchedulingTerm{{Weight: 1}},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{Spec: corev1.PodSpec{Affinity: nodeAffinityFor(tt.in, "node-7")}}
			got, err := targetNode(pod)
			if err != nil || got != "node-7" {
				t.Fatalf("targetNode = %q, %v", got, err)
			}
			terms := pod.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms
			if len(terms) != 1 || len(terms[0].MatchExpressions) != 0 || terms[0].MatchFields[0].Key != "metadata.name" {
				t.Errorf("terms = %+v", terms)
			}
			if tt.in != nil && tt.in.PodAffinity != nil && pod.Spec.Affinity.PodAffinity == nil {
				t.Error("pod affinity lost")
			}
		})
	}
	if _, err := targetNode(&corev1.Pod{}); err == nil {
		t.Error("targetNode of an unpinned pod should fail")
	}
	if got, _ := targetNode(&corev1.Pod{Spec: corev1.PodSpec{NodeName: "bound"}}); got != "bound" {
		t.Errorf("targetNode of a bound pod = %q", got)
	}
}

func TestBudget(t *testing.T) {
	tests := []struct {
		name                   string
		maxSurge, maxUnavail   intstr.IntOrString
		desired                int
		wantSurge, wantUnavail int
	}{
		{"ints", intstr.FromInt32(0), intstr.FromInt32(1), 10, 0, 1},
		{"percent rounds up", intstr.FromString("0%"), intstr.FromString("25%"), 10, 0, 3},
		{"surge percent rounds up", intstr.FromString("10%"), intstr.FromInt32(0), 5, 1, 0},
		{"no nodes", intstr.FromString("50%"), intstr.FromString("50%"), 0, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := testDS()
			ds.Spec.UpdateStrategy.RollingUpdate = &appsv1.RollingUpdateDaemonSet{MaxSurge: &tt.maxSurge, MaxUnavailable: &tt.maxUnavail}
			surge, unavail, err := updateBudget(ds, tt.desired)
			if err != nil || surge != tt.wantSurge || unavail != tt.wantUnavail {
				t.Errorf("updateBudget = %d, %d, %v; want %d, %d", surge, unavail, err, tt.wantSurge, tt.wantUnavail)
			}
		})
	}
	ds := testDS()
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{Type: appsv1.OnDeleteDaemonSetStrategyType}
	if s, u, err := updateBudget(ds, 10); err != nil || s != 0 || u != 0 {
		t.Errorf("OnDelete budget = %d, %d, %v", s, u, err)
	}
}

func TestIsUpdated(t *testing.T) {
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{
		appsv1.DefaultDaemonSetUniqueLabelKey: "abc", "pod-template-generation": "3"}}}
	if !isUpdated(pod, "abc", nil) || isUpdated(pod, "xyz", nil) {
		t.Error("hash comparison wrong")
	}
	if !isUpdated(pod, "xyz", ptr.To[int64](3)) || isUpdated(pod, "xyz", ptr.To[int64](4)) {
		t.Error("template generation comparison wrong")
	}
}
