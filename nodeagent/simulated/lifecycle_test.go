package simulated

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func testPod(policy corev1.RestartPolicy, annotations map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "p", UID: "uid-1", Annotations: annotations},
		Spec: corev1.PodSpec{
			RestartPolicy:  policy,
			InitContainers: []corev1.Container{{Name: "init", Image: "busybox"}},
			Containers:     []corev1.Container{{Name: "app", Image: "busybox"}},
		},
		Status: corev1.PodStatus{Phase: corev1.PodPending, Conditions: []corev1.PodCondition{{Type: corev1.PodScheduled, Status: corev1.ConditionTrue}}},
	}
}

func condition(status *corev1.PodStatus, t corev1.PodConditionType) corev1.ConditionStatus {
	for _, c := range status.Conditions {
		if c.Type == t {
			return c.Status
		}
	}
	return ""
}

func TestBehaviourOf(t *testing.T) {
	o := NewOptions()
	tests := []struct {
		name        string
		pod         *corev1.Pod
		wantRun     time.Duration
		wantCode    int32
		wantStopped time.Duration
	}{
		{"always runs forever", testPod(corev1.RestartPolicyAlways, nil), -1, 0, 0},
		{"never runs the default time", testPod(corev1.RestartPolicyNever, nil), o.RunTime, 0, 0},
		{"annotations win", testPod(corev1.RestartPolicyAlways, map[string]string{AnnotationRunSeconds: "2.5", AnnotationExitCode: "3", AnnotationStopSeconds: "4"}), 2500 * time.Millisecond, 3, 4 * time.Second},
		{"bad annotations are ignored", testPod(corev1.RestartPolicyOnFailure, map[string]string{AnnotationRunSeconds: "x", AnnotationExitCode: "y"}), o.RunTime, 0, 0},
		{"run forever by annotation", testPod(corev1.RestartPolicyNever, map[string]string{AnnotationRunSeconds: "-1"}), -time.Second, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := behaviourOf(tt.pod, o)
			if b.runFor != tt.wantRun || b.exitCode != tt.wantCode || b.stopAfter != tt.wantStopped {
				t.Errorf("behaviourOf = %+v, want run %v code %d stop %v", b, tt.wantRun, tt.wantCode, tt.wantStopped)
			}
		})
	}
}

// markedNotReady is what the node lifecycle controller does to the pods of a node it lost: only
// the Ready condition turns False.
func markedNotReady(p *corev1.Pod) *corev1.Pod {
	for i := range p.Status.Conditions {
		if p.Status.Conditions[i].Type == corev1.PodReady {
			p.Status.Conditions[i].Status, p.Status.Conditions[i].Reason = corev1.ConditionFalse, "NodeNotReady"
		}
	}
	return p
}

func TestStep(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	start := func(p *corev1.Pod, b behaviour) *corev1.Pod {
		status, _ := step(p, b, now, "10.244.0.2", "172.18.0.2")
		p.Status = *status
		return p
	}
	tests := []struct {
		name         string
		pod          *corev1.Pod
		b            behaviour
		at           time.Duration
		wantPhase    corev1.PodPhase // "" means no update
		wantReady    corev1.ConditionStatus
		wantRestarts int32
		wantNext     time.Duration
	}{
		{name: "pending starts", pod: testPod(corev1.RestartPolicyAlways, nil), b: behaviour{runFor: -1},
			wantPhase: corev1.PodRunning, wantReady: corev1.ConditionTrue},
		{name: "running forever stays", pod: start(testPod(corev1.RestartPolicyAlways, nil), behaviour{runFor: -1}), b: behaviour{runFor: -1}, at: time.Hour},
		{name: "marked not ready by the node controller is Ready again", pod: markedNotReady(start(testPod(corev1.RestartPolicyAlways, nil), behaviour{runFor: -1})), b: behaviour{runFor: -1}, at: time.Minute,
			wantPhase: corev1.PodRunning, wantReady: corev1.ConditionTrue},
		{name: "not due yet", pod: start(testPod(corev1.RestartPolicyNever, nil), behaviour{runFor: time.Minute}), b: behaviour{runFor: time.Minute}, at: 20 * time.Second, wantNext: 40 * time.Second},
		{name: "never + exit 0 succeeds", pod: start(testPod(corev1.RestartPolicyNever, nil), behaviour{runFor: time.Second}), b: behaviour{runFor: time.Second}, at: time.Second,
			wantPhase: corev1.PodSucceeded, wantReady: corev1.ConditionFalse},
		{name: "never + exit 1 fails", pod: start(testPod(corev1.RestartPolicyNever, nil), behaviour{runFor: time.Second, exitCode: 1}), b: behaviour{runFor: time.Second, exitCode: 1}, at: 2 * time.Second,
			wantPhase: corev1.PodFailed, wantReady: corev1.ConditionFalse},
		{name: "onfailure + exit 1 restarts", pod: start(testPod(corev1.RestartPolicyOnFailure, nil), behaviour{runFor: time.Second, exitCode: 1}), b: behaviour{runFor: time.Second, exitCode: 1}, at: time.Second,
			wantPhase: corev1.PodRunning, wantReady: corev1.ConditionTrue, wantRestarts: 1, wantNext: time.Second},
		{name: "always + exit 0 restarts", pod: start(testPod(corev1.RestartPolicyAlways, nil), behaviour{runFor: time.Second}), b: behaviour{runFor: time.Second}, at: time.Second,
			wantPhase: corev1.PodRunning, wantReady: corev1.ConditionTrue, wantRestarts: 1, wantNext: time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, next := step(tt.pod, tt.b, now.Add(tt.at), "10.244.0.2", "172.18.0.2")
			if tt.wantPhase == "" {
				if status != nil {
					t.Fatalf("step wrote a status (%s), want none", status.Phase)
				}
			} else {
				if status == nil {
					t.Fatal("step wrote no status")
				}
				if status.Phase != tt.wantPhase {
					t.Errorf("phase = %s, want %s", status.Phase, tt.wantPhase)
				}
				if got := condition(status, corev1.PodReady); got != tt.wantReady {
					t.Errorf("Ready = %s, want %s", got, tt.wantReady)
				}
				if status.PodIP != "10.244.0.2" || status.HostIP != "172.18.0.2" {
					t.Errorf("IPs = %s/%s", status.PodIP, status.HostIP)
				}
				if got := status.ContainerStatuses[0].RestartCount; got != tt.wantRestarts {
					t.Errorf("restartCount = %d, want %d", got, tt.wantRestarts)
				}
				if init := status.InitContainerStatuses; len(init) != 1 || init[0].State.Terminated == nil || init[0].State.Terminated.Reason != "Completed" {
					t.Errorf("init container statuses = %+v, want one Completed", init)
				}
				if condition(status, corev1.PodScheduled) != corev1.ConditionTrue {
					t.Error("PodScheduled condition lost")
				}
			}
			if next != tt.wantNext && !(tt.wantPhase == corev1.PodRunning && tt.wantRestarts == 0) {
				t.Errorf("next = %v, want %v", next, tt.wantNext)
			}
		})
	}
}

func TestDeleteAfter(t *testing.T) {
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	deleted := func(grace int64, phase corev1.PodPhase) *corev1.Pod {
		p := testPod(corev1.RestartPolicyAlways, nil)
		p.Status.Phase = phase
		ts := metav1.NewTime(now.Add(time.Duration(grace) * time.Second))
		p.DeletionTimestamp, p.DeletionGracePeriodSeconds = &ts, &grace
		return p
	}
	tests := []struct {
		name string
		pod  *corev1.Pod
		b    behaviour
		want time.Duration
	}{
		{"stops at once by default", deleted(30, corev1.PodRunning), behaviour{}, 0},
		{"stop time within grace", deleted(30, corev1.PodRunning), behaviour{stopAfter: 5 * time.Second}, 5 * time.Second},
		{"grace caps stop time", deleted(2, corev1.PodRunning), behaviour{stopAfter: 5 * time.Second}, 2 * time.Second},
		{"finished pods go at once", deleted(30, corev1.PodSucceeded), behaviour{stopAfter: 5 * time.Second}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := deleteAfter(tt.pod, tt.b, now); got != tt.want {
				t.Errorf("deleteAfter = %v, want %v", got, tt.want)
			}
		})
	}
}
