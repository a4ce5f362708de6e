package controllertest

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// Timeout bounds every poll in controllers' integration tests.
const Timeout = 30 * time.Second

// MarkPodRunning does what a node agent would: binds the pod to node (when not yet bound) and
// reports it Running and, when ready, Ready, so controllers that count ready or available
// pods can be tested without one.
func MarkPodRunning(t testing.TB, client kubernetes.Interface, pod *corev1.Pod, node string, ready bool) *corev1.Pod {
	t.Helper()
	ctx := context.Background()
	if pod.Spec.NodeName == "" && node != "" {
		err := client.CoreV1().Pods(pod.Namespace).Bind(ctx, &corev1.Binding{
			ObjectMeta: metav1.ObjectMeta{Name: pod.Name, UID: pod.UID},
			Target:     corev1.ObjectReference{Kind: "Node", Name: node},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatalf("binding pod %s: %v", pod.Name, err)
		}
	}
	readyStatus := corev1.ConditionFalse
	if ready {
		readyStatus = corev1.ConditionTrue
	}
	var updated *corev1.Pod
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, Timeout, true, func(ctx context.Context) (bool, error) {
		current, err := client.CoreV1().Pods(pod.Namespace).Get(ctx, pod.Name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		now := metav1.Now()
		current.Status.Phase = corev1.PodRunning
		current.Status.StartTime = &now
		current.Status.PodIP = "10.244.0.10"
		current.Status.PodIPs = []corev1.PodIP{{IP: "10.244.0.10"}}
		current.Status.Conditions = []corev1.PodCondition{
			{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: now},
			{Type: corev1.ContainersReady, Status: readyStatus, LastTransitionTime: now},
			{Type: corev1.PodReady, Status: readyStatus, LastTransitionTime: now},
		}
		updated, err = client.CoreV1().Pods(pod.Namespace).UpdateStatus(ctx, current, metav1.UpdateOptions{})
		if err != nil {
			return false, nil // conflict: read again
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("marking pod %s running: %v", pod.Name, err)
	}
	return updated
}
