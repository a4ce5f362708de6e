package podgc_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	testingclock "k8s.io/utils/clock/testing"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/podgc"
)

const finalizer = "skiff.sh/test-hold"

// A pod bound to a node that does not exist is marked Failed with DisruptionTarget
// DeletionByPodGC and force-deleted once the 40s quarantine is over, not before.
func TestOrphanedPod(t *testing.T) {
	c := srv.Client(t)
	ns := srv.Namespace(t)
	clk := testingclock.NewFakeClock(time.Now())
	cfg := config.Defaults()
	cfg.Clock = clk
	// The finalizer keeps the deleted pod readable.
	pod := createPod(t, c, ns, "orphan", []string{finalizer})
	controllertest.MarkPodRunning(t, c, pod, "podgc-no-such-node", true)
	controllertest.StartManager(t, srv.ClientConfig, &cfg, podgc.Setup)

	start := clk.Now()
	var got *corev1.Pod
	poll(t, "the orphan to be deleted", func() { clk.Step(5 * time.Second) }, func(ctx context.Context) (bool, error) {
		p, err := c.CoreV1().Pods(ns).Get(ctx, "orphan", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		got = p
		return p.DeletionTimestamp != nil, nil
	})
	if waited := clk.Now().Sub(start); waited < 40*time.Second {
		t.Errorf("deleted %v after the pod was seen, before the 40s quarantine", waited)
	}
	if got.Status.Phase != corev1.PodFailed {
		t.Errorf("phase = %s, want Failed", got.Status.Phase)
	}
	var cond *corev1.PodCondition
	for i := range got.Status.Conditions {
		if got.Status.Conditions[i].Type == corev1.DisruptionTarget {
			cond = &got.Status.Conditions[i]
		}
	}
	if cond == nil || cond.Status != corev1.ConditionTrue || cond.Reason != "DeletionByPodGC" || cond.Message != "PodGC: node no longer exists" {
		t.Errorf("DisruptionTarget = %+v", cond)
	}
	if got.DeletionGracePeriodSeconds == nil || *got.DeletionGracePeriodSeconds != 0 {
		t.Errorf("deletion grace period = %v, want 0", got.DeletionGracePeriodSeconds)
	}
	release(t, c, ns, "orphan")
}

// A terminating pod on a not-Ready node tainted out-of-service is force-deleted.
func TestTerminatingOnOutOfServiceNode(t *testing.T) {
	ctx := context.Background()
	c := srv.Client(t)
	ns := srv.Namespace(t)
	node, err := c.CoreV1().Nodes().Create(ctx, &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: "podgc-out-of-service"},
		Spec:       corev1.NodeSpec{Taints: []corev1.Taint{{Key: corev1.TaintNodeOutOfService, Value: "nodeshutdown", Effect: corev1.TaintEffectNoExecute}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.CoreV1().Nodes().Delete(context.Background(), node.Name, metav1.DeleteOptions{}) })
	node.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionUnknown, Reason: "NodeStatusUnknown"}}
	if _, err := c.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := createPod(t, c, ns, "stuck", nil)
	controllertest.MarkPodRunning(t, c, pod, node.Name, true)
	// Graceful deletion: with no node agent to finish it, the pod stays terminating.
	if err := c.CoreV1().Pods(ns).Delete(ctx, "stuck", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	p, err := c.CoreV1().Pods(ns).Get(ctx, "stuck", metav1.GetOptions{})
	if err != nil || p.DeletionTimestamp == nil {
		t.Fatalf("the pod should be terminating: %v %v", err, p)
	}
	controllertest.StartManager(t, srv.ClientConfig, nil, podgc.Setup)
	poll(t, "the terminating pod to be gone", nil, func(ctx context.Context) (bool, error) {
		_, err := c.CoreV1().Pods(ns).Get(ctx, "stuck", metav1.GetOptions{})
		return apierrors.IsNotFound(err), nil
	})
}

func createPod(t *testing.T, c kubernetes.Interface, ns, name string, finalizers []string) *corev1.Pod {
	t.Helper()
	pod, err := c.CoreV1().Pods(ns).Create(context.Background(), &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Finalizers: finalizers},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return pod
}

func release(t *testing.T, c kubernetes.Interface, ns, name string) {
	t.Helper()
	_, err := c.CoreV1().Pods(ns).Patch(context.Background(), name, types.MergePatchType, []byte(`{"metadata":{"finalizers":null}}`), metav1.PatchOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		t.Fatal(err)
	}
}

func poll(t *testing.T, what string, step func(), cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	err := wait.PollUntilContextTimeout(context.Background(), 100*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		if step != nil {
			step()
		}
		return cond(ctx)
	})
	if err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}
