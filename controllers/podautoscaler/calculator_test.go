package podautoscaler

import (
	"fmt"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metricsapi "k8s.io/metrics/pkg/apis/metrics/v1beta1"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// testPod is a pod started an hour ago, Ready, requesting cpuRequest milli-CPU.
func testPod(name string, cpuRequest int64, mods ...func(*corev1.Pod)) *corev1.Pod {
	started := metav1.NewTime(now.Add(-time.Hour))
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: *resource.NewMilliQuantity(cpuRequest, resource.DecimalSI)},
		}}}},
		Status: corev1.PodStatus{
			Phase:      corev1.PodRunning,
			StartTime:  &started,
			Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue, LastTransitionTime: started}},
		},
	}
	for _, m := range mods {
		m(p)
	}
	return p
}

func pending(p *corev1.Pod) { p.Status.Phase = corev1.PodPending }
func failed(p *corev1.Pod)  { p.Status.Phase = corev1.PodFailed }
func justStarted(p *corev1.Pod) {
	t := metav1.NewTime(now.Add(-30 * time.Second))
	p.Status.StartTime = &t
	p.Status.Conditions[0].LastTransitionTime = t
}

func usage(values map[string]int64) podMetrics {
	m := podMetrics{}
	for name, v := range values {
		m[name] = podMetric{Timestamp: now.Add(-10 * time.Second), Window: 30 * time.Second, Value: v}
	}
	return m
}

func TestResourceReplicas(t *testing.T) {
	tol := tolerances{defaultTolerance, defaultTolerance}
	tests := []struct {
		name            string
		current, target int32
		pods            []*corev1.Pod
		metrics         map[string]int64
		want            int32
		wantUtilization int32
		wantErr         string
	}{
		{"scale up", 3, 50, []*corev1.Pod{testPod("a", 1000), testPod("b", 1000), testPod("c", 1000)},
			map[string]int64{"a": 900, "b": 900, "c": 900}, 6, 90, ""},
		{"scale down", 4, 50, []*corev1.Pod{testPod("a", 1000), testPod("b", 1000), testPod("c", 1000), testPod("d", 1000)},
			map[string]int64{"a": 100, "b": 100, "c": 100, "d": 100}, 1, 10, ""},
		{"within tolerance", 2, 50, []*corev1.Pod{testPod("a", 1000), testPod("b", 1000)},
			map[string]int64{"a": 520, "b": 540}, 2, 53, ""},
		{"just outside tolerance", 2, 50, []*corev1.Pod{testPod("a", 1000), testPod("b", 1000)},
			map[string]int64{"a": 560, "b": 560}, 3, 56, ""},
		{"missing pod counts as at target when scaling down", 3, 50, []*corev1.Pod{testPod("a", 1000), testPod("b", 1000), testPod("c", 1000)},
			map[string]int64{"a": 100, "b": 100}, 3, 10, ""},
		{"missing pod counts as idle when scaling up", 3, 50, []*corev1.Pod{testPod("a", 1000), testPod("b", 1000), testPod("c", 1000)},
			map[string]int64{"a": 1000, "b": 1000}, 4, 100, ""},
		{"pending pod idle when scaling up", 2, 50, []*corev1.Pod{testPod("a", 1000), testPod("b", 1000, pending)},
			map[string]int64{"a": 1000}, 2, 100, ""},
		{"failed pods ignored", 2, 50, []*corev1.Pod{testPod("a", 1000), testPod("b", 1000, failed)},
			map[string]int64{"a": 1000, "b": 0}, 2, 100, ""},
		{"starting cpu pod unready", 2, 50, []*corev1.Pod{testPod("a", 1000), testPod("b", 1000, justStarted)},
			map[string]int64{"a": 1000, "b": 1000}, 2, 100, ""},
		{"no pods", 1, 50, nil, map[string]int64{"a": 1}, 0, 0, "no pods returned by selector while calculating replica count"},
		{"all unready", 1, 50, []*corev1.Pod{testPod("a", 1000, pending)}, map[string]int64{"a": 1}, 0, 0, "did not receive metrics for targeted pods (pods might be unready)"},
		{"no request", 1, 50, []*corev1.Pod{testPod("a", 0, func(p *corev1.Pod) { p.Spec.Containers[0].Resources.Requests = nil })},
			map[string]int64{"a": 1}, 0, 0, "missing request for cpu in container app of Pod a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, util, _, err := resourceReplicas(tt.current, tt.target, corev1.ResourceCPU, tol, tt.pods, usage(tt.metrics), "", now)
			if fmt.Sprint(err) != fmt.Sprint(errOrNil(tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if got != tt.want || util != tt.wantUtilization {
				t.Errorf("resourceReplicas = %d (%d%%), want %d (%d%%)", got, util, tt.want, tt.wantUtilization)
			}
		})
	}
}

func errOrNil(s string) error {
	if s == "" {
		return nil
	}
	return fmt.Errorf("%s", s)
}

func TestRawResourceReplicas(t *testing.T) {
	tol := tolerances{defaultTolerance, defaultTolerance}
	pods := []*corev1.Pod{testPod("a", 0), testPod("b", 0)}
	tests := []struct {
		name      string
		metrics   map[string]int64
		target    int64
		want      int32
		wantUsage int64
	}{
		{"average above target", map[string]int64{"a": 300, "b": 500}, 200, 4, 400},
		{"average within tolerance", map[string]int64{"a": 200, "b": 210}, 200, 2, 205},
		{"average below target", map[string]int64{"a": 50, "b": 50}, 200, 1, 50},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, u, err := rawResourceReplicas(2, tt.target, corev1.ResourceMemory, tol, pods, usage(tt.metrics), now)
			if err != nil || got != tt.want || u != tt.wantUsage {
				t.Errorf("rawResourceReplicas = %d, %d, %v; want %d, %d", got, u, err, tt.want, tt.wantUsage)
			}
		})
	}
}

func TestPodRequests(t *testing.T) {
	sidecar := func(p *corev1.Pod) {
		always := corev1.ContainerRestartPolicyAlways
		p.Spec.InitContainers = []corev1.Container{{Name: "side", RestartPolicy: &always, Resources: corev1.ResourceRequirements{
			Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")},
		}}}
	}
	podLevel := func(p *corev1.Pod) {
		p.Spec.Resources = &corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("2")}}
	}
	tests := []struct {
		name      string
		pod       *corev1.Pod
		container string
		want      int64
		wantErr   bool
	}{
		{"containers", testPod("a", 500), "", 500, false},
		{"sidecars count", testPod("a", 500, sidecar), "", 600, false},
		{"one container", testPod("a", 500, sidecar), "side", 100, false},
		{"unknown container", testPod("a", 500), "nope", 0, true},
		{"pod level wins", testPod("a", 500, podLevel), "", 2000, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := podRequests([]*corev1.Pod{tt.pod}, tt.container, corev1.ResourceCPU)
			if (err != nil) != tt.wantErr || (err == nil && got["a"] != tt.want) {
				t.Errorf("podRequests = %v, %v; want %d (err %v)", got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func TestToPodMetrics(t *testing.T) {
	cpu := func(m string) corev1.ResourceList {
		return corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(m)}
	}
	items := []metricsapi.PodMetrics{
		{ObjectMeta: metav1.ObjectMeta{Name: "a"}, Containers: []metricsapi.ContainerMetrics{{Name: "app", Usage: cpu("100m")}, {Name: "side", Usage: cpu("50m")}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "b"}, Containers: []metricsapi.ContainerMetrics{{Name: "app", Usage: cpu("200m")}, {Name: "side", Usage: corev1.ResourceList{}}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "c"}},
	}
	all := toPodMetrics(items, corev1.ResourceCPU, "")
	if len(all) != 1 || all["a"].Value != 150 {
		t.Errorf("pod sums = %v, want only a=150", all)
	}
	app := toPodMetrics(items, corev1.ResourceCPU, "app")
	if len(app) != 2 || app["a"].Value != 100 || app["b"].Value != 200 {
		t.Errorf("container app = %v", app)
	}
}
