package scheduler_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// Node names are unique per test: nodes are cluster-scoped and tests share one server, so each
// test scopes its pods to its own nodes with a node selector on "suite".
func suiteSelector(suite string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		if p.Spec.NodeSelector == nil {
			p.Spec.NodeSelector = map[string]string{}
		}
		p.Spec.NodeSelector["suite"] = suite
	}
}

func TestBindsPods(t *testing.T) {
	client := srv.Client(t)
	ns := srv.Namespace(t)
	createNodes(t, client, map[string]map[string]string{
		"bind-1": {"suite": "bind"}, "bind-2": {"suite": "bind"}, "bind-3": {"suite": "bind", "fast": ""},
	})
	startScheduler(t, testConfig(t, "default-scheduler"), testRegistry())
	for i := range 6 {
		createPod(t, client, ns, fmt.Sprintf("p%d", i), "", suiteSelector("bind"))
	}
	for i := range 6 {
		p := waitPod(t, client, ns, fmt.Sprintf("p%d", i), "binding", bound)
		// TestFast scores bind-3 highest and nothing else differs.
		if p.Spec.NodeName != "bind-3" {
			t.Errorf("pod %s bound to %s, want bind-3 (highest score)", p.Name, p.Spec.NodeName)
		}
	}
	e := waitEvent(t, client, ns, "p0", "Scheduled")
	if want := fmt.Sprintf("Successfully assigned %s/p0 to bind-3", ns); e.Note != want {
		t.Errorf("Scheduled event note = %q, want %q", e.Note, want)
	}
	if e.ReportingController != "default-scheduler" || e.Action != "Binding" || e.Type != corev1.EventTypeNormal {
		t.Errorf("Scheduled event = controller %q action %q type %q", e.ReportingController, e.Action, e.Type)
	}
}

func TestUnschedulable(t *testing.T) {
	client := srv.Client(t)
	ns := srv.Namespace(t)
	createNodes(t, client, map[string]map[string]string{"unsched-1": {"suite": "unsched"}, "unsched-2": {"suite": "unsched"}})
	s := startScheduler(t, testConfig(t, "default-scheduler"), testRegistry())
	createPod(t, client, ns, "nowhere", "", suiteSelector("unsched"), func(p *corev1.Pod) { p.Spec.NodeSelector["disk"] = "ssd" })
	p := waitPod(t, client, ns, "nowhere", "PodScheduled=False", unschedulable)
	c := podCondition(p, corev1.PodScheduled)
	if !strings.HasPrefix(c.Message, "0/") || !strings.Contains(c.Message, " nodes are available: ") ||
		!strings.Contains(c.Message, "node(s) didn't match Pod's node affinity/selector.") {
		t.Errorf("condition message = %q", c.Message)
	}
	if p.Spec.NodeName != "" {
		t.Errorf("pod bound to %s", p.Spec.NodeName)
	}
	e := waitEvent(t, client, ns, "nowhere", "FailedScheduling")
	if e.Note != c.Message || e.ReportingController != "default-scheduler" || e.Action != "Scheduling" || e.Type != corev1.EventTypeWarning {
		t.Errorf("FailedScheduling event = note %q controller %q action %q type %q", e.Note, e.ReportingController, e.Action, e.Type)
	}

	// A node that matches makes the pod schedulable: the node event requeues it.
	createNodes(t, client, map[string]map[string]string{"unsched-ssd": {"suite": "unsched", "disk": "ssd"}})
	p = waitPod(t, client, ns, "nowhere", "binding after a matching node appeared", bound)
	if p.Spec.NodeName != "unsched-ssd" {
		t.Errorf("bound to %s, want unsched-ssd", p.Spec.NodeName)
	}
	families, err := s.Metrics().Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	results := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "scheduler_schedule_attempts_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" {
					results[l.GetValue()] += m.GetCounter().GetValue()
				}
			}
		}
	}
	if results["unschedulable"] < 1 || results["scheduled"] < 1 {
		t.Errorf("schedule_attempts_total = %v, want unschedulable and scheduled counted", results)
	}
}

func TestProfiles(t *testing.T) {
	client := srv.Client(t)
	ns := srv.Namespace(t)
	// TestReject rejects nodes labelled reject=<profile name>.
	createNodes(t, client, map[string]map[string]string{
		"prof-a": {"suite": "prof", "reject": "second"},
		"prof-b": {"suite": "prof", "reject": "default-scheduler"},
	})
	startScheduler(t, testConfig(t, "default-scheduler", "second"), testRegistry())
	createPod(t, client, ns, "first", "", suiteSelector("prof"))
	createPod(t, client, ns, "second", "second", suiteSelector("prof"))
	createPod(t, client, ns, "unknown", "someone-else", suiteSelector("prof"))
	if p := waitPod(t, client, ns, "first", "binding", bound); p.Spec.NodeName != "prof-a" {
		t.Errorf("default-scheduler pod on %s, want prof-a", p.Spec.NodeName)
	}
	if p := waitPod(t, client, ns, "second", "binding", bound); p.Spec.NodeName != "prof-b" {
		t.Errorf("second-profile pod on %s, want prof-b", p.Spec.NodeName)
	}
	// The pod for another scheduler is left alone: no binding, no condition, no event.
	p, err := client.CoreV1().Pods(ns).Get(context.Background(), "unknown", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Spec.NodeName != "" || podCondition(p, corev1.PodScheduled) != nil {
		t.Errorf("pod for unknown scheduler touched: node %q conditions %+v", p.Spec.NodeName, p.Status.Conditions)
	}
	events, _ := client.EventsV1().Events(ns).List(context.Background(), metav1.ListOptions{})
	for _, e := range events.Items {
		if e.Regarding.Name == "unknown" {
			t.Errorf("event for pod of unknown scheduler: %s %s", e.Reason, e.Note)
		}
	}
}

func TestSchedulingGates(t *testing.T) {
	client := srv.Client(t)
	ns := srv.Namespace(t)
	createNodes(t, client, map[string]map[string]string{"gates-1": {"suite": "gates"}})
	startScheduler(t, testConfig(t, "default-scheduler"), testRegistry())
	createPod(t, client, ns, "gated", "", suiteSelector("gates"), func(p *corev1.Pod) {
		p.Spec.SchedulingGates = []corev1.PodSchedulingGate{{Name: "example.com/hold"}}
	})
	createPod(t, client, ns, "free", "", suiteSelector("gates"))
	waitPod(t, client, ns, "free", "binding", bound)
	p, err := client.CoreV1().Pods(ns).Get(context.Background(), "gated", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Spec.NodeName != "" {
		t.Fatalf("gated pod bound to %s", p.Spec.NodeName)
	}
	err = wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		cur, err := client.CoreV1().Pods(ns).Get(ctx, "gated", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		cur.Spec.SchedulingGates = nil
		_, err = client.CoreV1().Pods(ns).Update(ctx, cur, metav1.UpdateOptions{})
		return err == nil, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	waitPod(t, client, ns, "gated", "binding once ungated", bound)
}
