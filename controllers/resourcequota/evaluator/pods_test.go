package evaluator

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	quota "k8s.io/apiserver/pkg/quota/v1"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
)

func rl(pairs ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(pairs); i += 2 {
		out[corev1.ResourceName(pairs[i])] = resource.MustParse(pairs[i+1])
	}
	return out
}

func podWith(requests, limits corev1.ResourceList, mutate ...func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c",
			Resources: corev1.ResourceRequirements{Requests: requests, Limits: limits}}}},
		Status: corev1.PodStatus{Phase: corev1.PodRunning},
	}
	for _, m := range mutate {
		m(p)
	}
	return p
}

func TestPodUsage(t *testing.T) {
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	clk := clocktesting.NewFakePassiveClock(now)
	tests := []struct {
		name string
		pod  *corev1.Pod
		want corev1.ResourceList
	}{
		{"requests and limits", podWith(rl("cpu", "100m", "memory", "1Gi", "ephemeral-storage", "1G"), rl("cpu", "200m", "memory", "2Gi")),
			rl("count/pods", "1", "pods", "1", "cpu", "100m", "requests.cpu", "100m", "limits.cpu", "200m",
				"memory", "1Gi", "requests.memory", "1Gi", "limits.memory", "2Gi",
				"ephemeral-storage", "1G", "requests.ephemeral-storage", "1G")},
		{"best effort", podWith(nil, nil), rl("count/pods", "1", "pods", "1")},
		{"terminal pod counts only as an object", podWith(rl("cpu", "1"), nil, func(p *corev1.Pod) { p.Status.Phase = corev1.PodSucceeded }),
			rl("count/pods", "1")},
		{"past its grace period", podWith(rl("cpu", "1"), nil, func(p *corev1.Pod) {
			p.DeletionTimestamp = &metav1.Time{Time: now.Add(-time.Minute)}
			p.DeletionGracePeriodSeconds = ptr.To[int64](30)
		}), rl("count/pods", "1")},
		{"within its grace period", podWith(rl("cpu", "1"), nil, func(p *corev1.Pod) {
			p.DeletionTimestamp = &metav1.Time{Time: now.Add(-time.Second)}
			p.DeletionGracePeriodSeconds = ptr.To[int64](30)
		}), rl("count/pods", "1", "pods", "1", "cpu", "1", "requests.cpu", "1")},
		{"hugepages and extended resources", podWith(rl("hugepages-2Mi", "4Mi", "example.com/gpu", "2"), nil),
			rl("count/pods", "1", "pods", "1", "hugepages-2Mi", "4Mi", "requests.hugepages-2Mi", "4Mi", "requests.example.com/gpu", "2")},
		{"init containers take the max", podWith(rl("cpu", "100m"), nil, func(p *corev1.Pod) {
			p.Spec.InitContainers = []corev1.Container{{Name: "i", Resources: corev1.ResourceRequirements{Requests: rl("cpu", "500m")}}}
		}), rl("count/pods", "1", "pods", "1", "cpu", "500m", "requests.cpu", "500m")},
		{"overhead counts", podWith(rl("cpu", "100m"), nil, func(p *corev1.Pod) { p.Spec.Overhead = rl("cpu", "50m") }),
			rl("count/pods", "1", "pods", "1", "cpu", "150m", "requests.cpu", "150m")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := PodUsage(tt.pod, clk)
			if err != nil {
				t.Fatal(err)
			}
			if !quota.Equals(got, tt.want) {
				t.Errorf("usage %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPodScopes(t *testing.T) {
	terminating := func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](60) }
	priority := func(p *corev1.Pod) { p.Spec.PriorityClassName = "high" }
	crossNS := func(p *corev1.Pod) {
		p.Spec.Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			Namespaces: []string{"other"}, TopologyKey: "zone",
		}}}}
	}
	exists := func(s corev1.ResourceQuotaScope) corev1.ScopedResourceSelectorRequirement {
		return corev1.ScopedResourceSelectorRequirement{ScopeName: s, Operator: corev1.ScopeSelectorOpExists}
	}
	tests := []struct {
		name  string
		pod   *corev1.Pod
		scope corev1.ScopedResourceSelectorRequirement
		want  bool
	}{
		{"terminating", podWith(nil, nil, terminating), exists(corev1.ResourceQuotaScopeTerminating), true},
		{"not terminating", podWith(nil, nil), exists(corev1.ResourceQuotaScopeTerminating), false},
		{"NotTerminating", podWith(nil, nil), exists(corev1.ResourceQuotaScopeNotTerminating), true},
		{"best effort", podWith(nil, nil), exists(corev1.ResourceQuotaScopeBestEffort), true},
		{"burstable is not best effort", podWith(rl("cpu", "1"), nil), exists(corev1.ResourceQuotaScopeBestEffort), false},
		{"NotBestEffort", podWith(rl("memory", "1Gi"), rl("memory", "1Gi")), exists(corev1.ResourceQuotaScopeNotBestEffort), true},
		{"status QoS wins", podWith(rl("cpu", "1"), nil, func(p *corev1.Pod) { p.Status.QOSClass = corev1.PodQOSBestEffort }), exists(corev1.ResourceQuotaScopeBestEffort), true},
		{"priority class exists", podWith(nil, nil, priority), exists(corev1.ResourceQuotaScopePriorityClass), true},
		{"priority class in", podWith(nil, nil, priority), corev1.ScopedResourceSelectorRequirement{
			ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: corev1.ScopeSelectorOpIn, Values: []string{"high", "mid"}}, true},
		{"priority class not in", podWith(nil, nil, priority), corev1.ScopedResourceSelectorRequirement{
			ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: corev1.ScopeSelectorOpNotIn, Values: []string{"high"}}, false},
		{"no priority class, does not exist", podWith(nil, nil), corev1.ScopedResourceSelectorRequirement{
			ScopeName: corev1.ResourceQuotaScopePriorityClass, Operator: corev1.ScopeSelectorOpDoesNotExist}, true},
		{"cross-namespace affinity", podWith(nil, nil, crossNS), exists(corev1.ResourceQuotaScopeCrossNamespacePodAffinity), true},
		{"no affinity", podWith(nil, nil), exists(corev1.ResourceQuotaScopeCrossNamespacePodAffinity), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := podMatchesScope(tt.scope, tt.pod)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestPodQOS(t *testing.T) {
	tests := []struct {
		name string
		pod  *corev1.Pod
		want corev1.PodQOSClass
	}{
		{"nothing", podWith(nil, nil), corev1.PodQOSBestEffort},
		{"equal requests and limits", podWith(rl("cpu", "1", "memory", "1Gi"), rl("cpu", "1", "memory", "1Gi")), corev1.PodQOSGuaranteed},
		{"limits without requests", podWith(nil, rl("cpu", "1")), corev1.PodQOSBurstable},
		{"cpu only", podWith(rl("cpu", "1"), rl("cpu", "1")), corev1.PodQOSBurstable},
		{"pod-level resources", podWith(nil, nil, func(p *corev1.Pod) {
			p.Spec.Resources = &corev1.ResourceRequirements{Requests: rl("cpu", "1", "memory", "1Gi"), Limits: rl("cpu", "1", "memory", "1Gi")}
		}), corev1.PodQOSGuaranteed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := podQOS(tt.pod); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPodMatchingResources(t *testing.T) {
	ev := NewPodEvaluator(nil, nil)
	in := []corev1.ResourceName{"pods", "count/pods", "requests.cpu", "services", "requests.hugepages-2Mi", "requests.example.com/gpu", "configmaps", "limits.memory"}
	got := ev.MatchingResources(in)
	want := []corev1.ResourceName{"pods", "count/pods", "requests.cpu", "requests.hugepages-2Mi", "requests.example.com/gpu", "limits.memory"}
	if !quota.ToSet(got).Equal(quota.ToSet(want)) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestPodConstraints(t *testing.T) {
	ev := NewPodEvaluator(nil, nil)
	if err := ev.Constraints([]corev1.ResourceName{"limits.cpu"}, podWith(rl("cpu", "1"), rl("cpu", "1"))); err != nil {
		t.Errorf("satisfied: %v", err)
	}
	err := ev.Constraints([]corev1.ResourceName{"limits.cpu", "requests.memory"}, podWith(rl("cpu", "1"), nil))
	if err == nil || err.Error() != "must specify limits.cpu for: c; requests.memory for: c" {
		t.Errorf("got %v", err)
	}
}
