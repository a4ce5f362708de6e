package scheduler_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler"
	schedulerplugins "github.com/skiff-sh/skiff/scheduler-plugins"
	"github.com/skiff-sh/skiff/scheduler/config"
)

const timeout = 30 * time.Second

// testRegistry has tiny plugins: a priority queue sort, a binder, a node selector filter, a
// filter rejecting nodes labelled reject=<profile>, and a score preferring label "fast".
func testRegistry() schedulerplugins.Registry {
	return schedulerplugins.Registry{
		"TestSort":     func(context.Context, runtime.Object, fwk.Handle) (fwk.Plugin, error) { return sortPlugin{}, nil },
		"TestBinder":   func(_ context.Context, _ runtime.Object, h fwk.Handle) (fwk.Plugin, error) { return binder{h}, nil },
		"TestSelector": func(context.Context, runtime.Object, fwk.Handle) (fwk.Plugin, error) { return selector{}, nil },
		"TestReject": func(_ context.Context, _ runtime.Object, h fwk.Handle) (fwk.Plugin, error) {
			return reject{h.ProfileName()}, nil
		},
		"TestFast": func(context.Context, runtime.Object, fwk.Handle) (fwk.Plugin, error) { return fast{}, nil },
	}
}

type sortPlugin struct{}

func (sortPlugin) Name() string { return "TestSort" }
func (sortPlugin) Less(a, b fwk.QueuedEntityInfo) bool {
	return a.GetPriority() > b.GetPriority() || a.GetPriority() == b.GetPriority() && a.GetTimestamp().Before(b.GetTimestamp())
}

type binder struct{ h fwk.Handle }

func (binder) Name() string { return "TestBinder" }
func (b binder) Bind(ctx context.Context, _ fwk.CycleState, p *corev1.Pod, node string) *fwk.Status {
	err := b.h.ClientSet().CoreV1().Pods(p.Namespace).Bind(ctx, &corev1.Binding{
		ObjectMeta: metav1.ObjectMeta{Namespace: p.Namespace, Name: p.Name, UID: p.UID},
		Target:     corev1.ObjectReference{Kind: "Node", Name: node},
	}, metav1.CreateOptions{})
	return fwk.AsStatus(err)
}

type selector struct{}

func (selector) Name() string { return "TestSelector" }
func (selector) Filter(_ context.Context, _ fwk.CycleState, p *corev1.Pod, ni fwk.NodeInfo) *fwk.Status {
	for k, v := range p.Spec.NodeSelector {
		if ni.Node().Labels[k] != v {
			return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "node(s) didn't match Pod's node affinity/selector")
		}
	}
	return nil
}
func (selector) EventsToRegister(context.Context) ([]fwk.ClusterEventWithHint, error) {
	return []fwk.ClusterEventWithHint{{Event: fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add | fwk.UpdateNodeLabel}}}, nil
}

type reject struct{ profile string }

func (reject) Name() string { return "TestReject" }
func (r reject) Filter(_ context.Context, _ fwk.CycleState, _ *corev1.Pod, ni fwk.NodeInfo) *fwk.Status {
	if ni.Node().Labels["reject"] == r.profile {
		return fwk.NewStatus(fwk.Unschedulable, "node(s) rejected for profile "+r.profile)
	}
	return nil
}

type fast struct{}

func (fast) Name() string { return "TestFast" }
func (fast) Score(_ context.Context, _ fwk.CycleState, _ *corev1.Pod, ni fwk.NodeInfo) (int64, *fwk.Status) {
	if _, ok := ni.Node().Labels["fast"]; ok {
		return 100, nil
	}
	return 0, nil
}
func (fast) ScoreExtensions() fwk.ScoreExtensions { return nil }

// testConfig is a configuration whose profiles (one per name) use the test plugins.
func testConfig(t *testing.T, names ...string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n")
	for _, n := range names {
		fmt.Fprintf(&b, `- schedulerName: %s
  plugins:
    multiPoint:
      enabled:
      - name: TestSort
      - name: TestBinder
      - name: TestSelector
      - name: TestReject
      - name: TestFast
        weight: 1
`, n)
	}
	return b.String()
}

// startScheduler runs a scheduler (without leader election) until the test ends.
func startScheduler(t *testing.T, cfgYAML string, registry schedulerplugins.Registry) *scheduler.Scheduler {
	t.Helper()
	available := func(n string) bool { _, ok := registry[n]; return ok }
	var cfg = config.Default(available)
	if cfgYAML != "" {
		var err error
		if cfg, err = config.Decode([]byte(cfgYAML), available); err != nil {
			t.Fatal(err)
		}
	}
	if err := config.Validate(cfg); err != nil {
		t.Fatal(err)
	}
	client := srv.Client(t)
	ctx, cancel := context.WithCancel(klog.NewContext(context.Background(), klog.Background()))
	s, err := scheduler.New(ctx, client, scheduler.Config{Configuration: cfg, Registry: registry, RestConfig: srv.ClientConfig})
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := s.Run(ctx); err != nil {
			t.Errorf("scheduler Run: %v", err)
		}
	})
	t.Cleanup(func() {
		cancel()
		wg.Wait()
	})
	return s
}

// createNodes makes Ready nodes with 4 CPUs, 8Gi and 110 pods, labelled as given; it
// deletes them when the test ends.
func createNodes(t *testing.T, client kubernetes.Interface, labels map[string]map[string]string) {
	t.Helper()
	ctx := context.Background()
	for name, l := range labels {
		n := &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelHostname: name}},
			Status: corev1.NodeStatus{
				Capacity:    corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110")},
				Allocatable: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourceMemory: resource.MustParse("8Gi"), corev1.ResourcePods: resource.MustParse("110")},
				Conditions:  []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue, LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now()}},
			},
		}
		for k, v := range l {
			n.Labels[k] = v
		}
		created, err := client.CoreV1().Nodes().Create(ctx, n, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		created.Status = n.Status
		updated, err := client.CoreV1().Nodes().UpdateStatus(ctx, created, metav1.UpdateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		// Admission taints new nodes not-ready; no node lifecycle controller runs here to
		// lift it once the node reports Ready, so lift it as it would.
		if len(updated.Spec.Taints) > 0 {
			updated.Spec.Taints = nil
			if _, err := client.CoreV1().Nodes().Update(ctx, updated, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() { _ = client.CoreV1().Nodes().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	}
}

func createPod(t *testing.T, client kubernetes.Interface, ns, name, schedulerName string, mut ...func(*corev1.Pod)) *corev1.Pod {
	t.Helper()
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: corev1.PodSpec{SchedulerName: schedulerName, Containers: []corev1.Container{{
			Name: "c", Image: "registry.k8s.io/pause:3.10",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("100m")}},
		}}},
	}
	for _, m := range mut {
		m(p)
	}
	created, err := client.CoreV1().Pods(ns).Create(context.Background(), p, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return created
}

// waitPod polls the pod until cond holds.
func waitPod(t *testing.T, client kubernetes.Interface, ns, name string, what string, cond func(*corev1.Pod) bool) *corev1.Pod {
	t.Helper()
	var last *corev1.Pod
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		p, err := client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = p
		return cond(p), nil
	})
	if err != nil {
		t.Fatalf("pod %s/%s: waiting for %s: %v (last: nodeName=%q conditions=%+v)", ns, name, what, err, last.Spec.NodeName, last.Status.Conditions)
	}
	return last
}

func bound(p *corev1.Pod) bool { return p.Spec.NodeName != "" }

func unschedulable(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse && c.Reason == corev1.PodReasonUnschedulable {
			return true
		}
	}
	return false
}

func podCondition(p *corev1.Pod, typ corev1.PodConditionType) *corev1.PodCondition {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == typ {
			return &p.Status.Conditions[i]
		}
	}
	return nil
}

// waitEvent polls events.k8s.io/v1 events about the pod until one has the reason.
func waitEvent(t *testing.T, client kubernetes.Interface, ns, pod, reason string) eventsv1.Event {
	t.Helper()
	var found eventsv1.Event
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		list, err := client.EventsV1().Events(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, e := range list.Items {
			if e.Regarding.Name == pod && e.Reason == reason {
				found = e
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("no %s event for pod %s: %v", reason, pod, err)
	}
	return found
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
