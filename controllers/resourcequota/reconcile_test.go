package resourcequota

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	quota "k8s.io/apiserver/pkg/quota/v1"
	"k8s.io/apiserver/pkg/quota/v1/generic"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"

	"github.com/skiff-sh/skiff/controllers/resourcequota/evaluator"
)

func rl(pairs ...string) corev1.ResourceList {
	out := corev1.ResourceList{}
	for i := 0; i < len(pairs); i += 2 {
		out[corev1.ResourceName(pairs[i])] = resource.MustParse(pairs[i+1])
	}
	return out
}

func pod(name string, phase corev1.PodPhase, cpu string, mutate ...func(*corev1.Pod)) *corev1.Pod {
	p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns"},
		Spec:   corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}},
		Status: corev1.PodStatus{Phase: phase}}
	if cpu != "" {
		p.Spec.Containers[0].Resources.Requests = rl("cpu", cpu)
	}
	for _, m := range mutate {
		m(p)
	}
	return p
}

func staticList(objs ...runtime.Object) generic.ListFuncByNamespace {
	return func(string) ([]runtime.Object, error) { return objs, nil }
}

func TestUsage(t *testing.T) {
	registry := generic.NewRegistry([]quota.Evaluator{
		evaluator.NewPodEvaluator(staticList(
			pod("a", corev1.PodRunning, "100m"),
			pod("b", corev1.PodPending, "200m", func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](10) }),
			pod("done", corev1.PodSucceeded, "1"),
			pod("c", corev1.PodRunning, ""),
		), clock.RealClock{}),
		generic.NewObjectCountEvaluator(corev1.Resource("configmaps"), staticList(&corev1.ConfigMap{}, &corev1.ConfigMap{}), corev1.ResourceConfigMaps),
	})
	tests := []struct {
		name     string
		spec     corev1.ResourceQuotaSpec
		status   corev1.ResourceQuotaStatus
		wantUsed corev1.ResourceList
		noUpdate bool
	}{
		{
			name:     "pods, configmaps, requests.cpu",
			spec:     corev1.ResourceQuotaSpec{Hard: rl("pods", "10", "configmaps", "5", "requests.cpu", "2", "count/pods", "10")},
			wantUsed: rl("pods", "3", "configmaps", "2", "requests.cpu", "300m", "count/pods", "4"),
		},
		{
			name:     "Terminating scope",
			spec:     corev1.ResourceQuotaSpec{Hard: rl("pods", "10", "cpu", "2"), Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeTerminating}},
			wantUsed: rl("pods", "1", "cpu", "200m"),
		},
		{
			name:     "BestEffort scope",
			spec:     corev1.ResourceQuotaSpec{Hard: rl("pods", "10"), Scopes: []corev1.ResourceQuotaScope{corev1.ResourceQuotaScopeBestEffort}},
			wantUsed: rl("pods", "1"),
		},
		{
			name:     "resources nobody measures are left out",
			spec:     corev1.ResourceQuotaSpec{Hard: rl("pods", "10", "count/widgets.example.com", "3")},
			wantUsed: rl("pods", "3"),
		},
		{
			name:     "current status: no update",
			spec:     corev1.ResourceQuotaSpec{Hard: rl("pods", "10")},
			status:   corev1.ResourceQuotaStatus{Hard: rl("pods", "10"), Used: rl("pods", "3")},
			noUpdate: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rq := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "q"}, Spec: tt.spec, Status: tt.status}
			got, err := usage(rq, registry)
			if err != nil {
				t.Fatal(err)
			}
			if tt.noUpdate {
				if got != nil {
					t.Fatalf("unexpected update %+v", got.Status)
				}
				return
			}
			if got == nil {
				t.Fatal("no update")
			}
			if !quota.Equals(got.Status.Hard, tt.spec.Hard) {
				t.Errorf("hard %v", got.Status.Hard)
			}
			if !quota.Equals(got.Status.Used, tt.wantUsed) {
				t.Errorf("used %v, want %v", got.Status.Used, tt.wantUsed)
			}
		})
	}
}

func TestCountedResource(t *testing.T) {
	tests := []struct {
		name corev1.ResourceName
		want schema.GroupResource
		ok   bool
	}{
		{"count/deployments.apps", schema.GroupResource{Group: "apps", Resource: "deployments"}, true},
		{"count/widgets.example.com", schema.GroupResource{Group: "example.com", Resource: "widgets"}, true},
		{"count/configmaps", schema.GroupResource{Resource: "configmaps"}, true},
		{"count/", schema.GroupResource{}, false},
		{"requests.cpu", schema.GroupResource{}, false},
	}
	for _, tt := range tests {
		got, ok := countedResource(tt.name)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: got %v %v, want %v %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

func TestUsageChanged(t *testing.T) {
	podEv := evaluator.NewPodEvaluator(nil, clock.RealClock{})
	countEv := generic.NewObjectCountEvaluator(corev1.Resource("configmaps"), nil, corev1.ResourceConfigMaps)
	tests := []struct {
		name     string
		ev       quota.Evaluator
		old, cur runtime.Object
		want     bool
	}{
		{"pod unchanged", podEv, pod("a", corev1.PodRunning, "1"), pod("a", corev1.PodRunning, "1", func(p *corev1.Pod) { p.Labels = map[string]string{"x": "y"} }), false},
		{"pod turned terminal", podEv, pod("a", corev1.PodRunning, "1"), pod("a", corev1.PodFailed, "1"), true},
		{"pod resized", podEv, pod("a", corev1.PodRunning, "1"), pod("a", corev1.PodRunning, "2"), true},
		{"pod became terminating", podEv, pod("a", corev1.PodRunning, "1"), pod("a", corev1.PodRunning, "1", func(p *corev1.Pod) { p.Spec.ActiveDeadlineSeconds = ptr.To[int64](5) }), true},
		{"configmap edited", countEv, &corev1.ConfigMap{}, &corev1.ConfigMap{Data: map[string]string{"a": "b"}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := usageChanged(tt.ev, tt.old.(client.Object), tt.cur.(client.Object)); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestHardChanged(t *testing.T) {
	old := &corev1.ResourceQuota{Spec: corev1.ResourceQuotaSpec{Hard: rl("pods", "1")}}
	status := old.DeepCopy()
	status.Status.Used = rl("pods", "1")
	spec := old.DeepCopy()
	spec.Spec.Hard = rl("pods", "2")
	p := hardChanged()
	if p.Update(event.UpdateEvent{ObjectOld: old, ObjectNew: status}) {
		t.Error("status write passed")
	}
	if !p.Update(event.UpdateEvent{ObjectOld: old, ObjectNew: spec}) {
		t.Error("spec.hard change filtered")
	}
	if !p.Create(event.CreateEvent{Object: old}) {
		t.Error("create filtered")
	}
}
