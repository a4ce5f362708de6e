package pod

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestSummary(t *testing.T) {
	running := corev1.ContainerState{Running: &corev1.ContainerStateRunning{}}
	waiting := func(r string) corev1.ContainerState {
		return corev1.ContainerState{Waiting: &corev1.ContainerStateWaiting{Reason: r}}
	}
	terminated := func(code int32, r string) corev1.ContainerState {
		return corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{ExitCode: code, Reason: r}}
	}
	sidecar := corev1.Container{Name: "side", RestartPolicy: ptr.To(corev1.ContainerRestartPolicyAlways)}
	cases := []struct {
		name          string
		mutate        func(p *corev1.Pod)
		ready, total  int
		status, restr string
	}{
		{"pending", func(p *corev1.Pod) {}, 0, 1, "Pending", "0"},
		{"running", func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodRunning
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", Ready: true, State: running}}
		}, 1, 1, "Running", "0"},
		{"crash loop", func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodRunning
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", State: waiting("CrashLoopBackOff"), RestartCount: 4}}
		}, 0, 1, "CrashLoopBackOff", "4"},
		{"init waiting", func(p *corev1.Pod) {
			p.Spec.InitContainers = []corev1.Container{{Name: "i1"}, {Name: "i2"}}
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "i1", State: terminated(0, "Completed")}, {Name: "i2", State: waiting("PodInitializing")}}
		}, 0, 1, "Init:1/2", "0"},
		{"init error", func(p *corev1.Pod) {
			p.Spec.InitContainers = []corev1.Container{{Name: "i1"}}
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "i1", State: terminated(2, "")}}
		}, 0, 1, "Init:ExitCode:2", "0"},
		{"init crash loop", func(p *corev1.Pod) {
			p.Spec.InitContainers = []corev1.Container{{Name: "i1"}}
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "i1", State: waiting("CrashLoopBackOff")}}
		}, 0, 1, "Init:CrashLoopBackOff", "0"},
		{"sidecar started", func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodRunning
			p.Spec.InitContainers = []corev1.Container{sidecar}
			p.Status.InitContainerStatuses = []corev1.ContainerStatus{{Name: "side", Started: ptr.To(true), Ready: true, State: running, RestartCount: 1}}
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", Ready: true, State: running}}
		}, 2, 2, "Running", "1"},
		{"completed", func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodSucceeded
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", State: terminated(0, "Completed")}}
		}, 0, 1, "Completed", "0"},
		{"error", func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodFailed
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", State: terminated(137, "")}}
		}, 0, 1, "ExitCode:137", "0"},
		{"reason", func(p *corev1.Pod) { p.Status.Phase, p.Status.Reason = corev1.PodFailed, "Evicted" }, 0, 1, "Evicted", "0"},
		{"gated", func(p *corev1.Pod) {
			p.Status.Conditions = []corev1.PodCondition{{Type: corev1.PodScheduled, Reason: corev1.PodReasonSchedulingGated}}
		}, 0, 1, "SchedulingGated", "0"},
		{"terminating", func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodRunning
			p.DeletionTimestamp = &metav1.Time{Time: time.Now()}
		}, 0, 1, "Terminating", "0"},
		{"node lost", func(p *corev1.Pod) {
			p.Status.Phase, p.Status.Reason = corev1.PodRunning, "NodeLost"
			p.DeletionTimestamp = &metav1.Time{Time: time.Now()}
		}, 0, 1, "Unknown", "0"},
		{"restart age", func(p *corev1.Pod) {
			p.Status.Phase = corev1.PodRunning
			p.Status.ContainerStatuses = []corev1.ContainerStatus{{Name: "app", Ready: true, State: running, RestartCount: 2,
				LastTerminationState: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{FinishedAt: metav1.Time{Time: time.Now().Add(-5 * time.Minute)}}}}}
		}, 1, 1, "Running", "2 (5m ago)"},
	}
	for _, tc := range cases {
		pod := newPod()
		pod.Status.Phase = corev1.PodPending
		tc.mutate(pod)
		ready, total, status, restarts := Summary(pod)
		if ready != tc.ready || total != tc.total || status != tc.status || restarts != tc.restr {
			t.Errorf("%s: %d/%d %q %q, want %d/%d %q %q", tc.name, ready, total, status, restarts, tc.ready, tc.total, tc.status, tc.restr)
		}
	}
}

func TestTable(t *testing.T) {
	pod := newPod()
	pod.Spec.NodeName = "node-1"
	pod.Spec.ReadinessGates = []corev1.PodReadinessGate{{ConditionType: "example.com/ready"}}
	pod.Status = corev1.PodStatus{Phase: corev1.PodSucceeded, PodIPs: []corev1.PodIP{{IP: "10.0.0.1"}},
		Conditions: []corev1.PodCondition{{Type: "example.com/ready", Status: corev1.ConditionTrue}}}
	table, err := podTable.ConvertToTable(context.Background(), &corev1.PodList{Items: []corev1.Pod{*pod}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(table.ColumnDefinitions) != 9 || table.ColumnDefinitions[5].Name != "IP" || table.ColumnDefinitions[5].Priority != 1 {
		t.Errorf("columns %+v", table.ColumnDefinitions)
	}
	row := table.Rows[0]
	want := []any{"web", "0/1", "Succeeded", "0", "<unknown>", "10.0.0.1", "node-1", "<none>", "1/1"}
	for i := range want {
		if row.Cells[i] != want[i] {
			t.Errorf("cell %d = %v, want %v", i, row.Cells[i], want[i])
		}
	}
	if len(row.Conditions) != 1 || row.Conditions[0].Type != metav1.RowCompleted {
		t.Errorf("row conditions %+v", row.Conditions)
	}
}
