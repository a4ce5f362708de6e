package nodelifecycle_test

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	testingclock "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/nodelifecycle"
)

// A node whose lease stops is marked Unknown and tainted unreachable; its pods are marked not
// ready and evicted as their tolerations say; when it comes back the taints go.
func TestUnreachableNode(t *testing.T) {
	ctx := context.Background()
	c := srv.Client(t)
	ns := srv.Namespace(t)
	clk := testingclock.NewFakeClock(time.Now())
	cfg := config.Defaults()
	cfg.Clock = clk

	// Two nodes: when every node of the cluster is down, upstream assumes the control plane is
	// the one cut off and evicts nothing.
	createNode(t, c, "lc-alive", clk)
	createNode(t, c, "lc-dead", clk)
	runningPod(t, c, ns, "at-once", "lc-dead", unreachableToleration(ptr.To[int64](0)))
	runningPod(t, c, ns, "after-a-minute", "lc-dead", unreachableToleration(ptr.To[int64](60)))
	runningPod(t, c, ns, "forever", "lc-dead", unreachableToleration(nil))
	controllertest.StartManager(t, srv.ClientConfig, &cfg, nodelifecycle.Setup)

	// Only the live node heartbeats while the fake clock moves in 5s steps.
	tick := func() {
		renewLease(t, c, "lc-alive", clk)
		clk.Step(5 * time.Second)
	}
	var dead *corev1.Node
	poll(t, "the dead node to be Unknown and tainted unreachable", tick, func(ctx context.Context) (bool, error) {
		n, err := c.CoreV1().Nodes().Get(ctx, "lc-dead", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		dead = n
		return findTaint(n, corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute) != nil &&
			findTaint(n, corev1.TaintNodeUnreachable, corev1.TaintEffectNoSchedule) != nil, nil
	})
	for _, typ := range []corev1.NodeConditionType{corev1.NodeReady, corev1.NodeMemoryPressure, corev1.NodeDiskPressure, corev1.NodePIDPressure} {
		var got *corev1.NodeCondition
		for i := range dead.Status.Conditions {
			if dead.Status.Conditions[i].Type == typ {
				got = &dead.Status.Conditions[i]
			}
		}
		if got == nil || got.Status != corev1.ConditionUnknown {
			t.Errorf("condition %s = %+v, want Unknown", typ, got)
		}
	}
	ready := dead.Status.Conditions[0]
	if ready.Reason != "NodeStatusUnknown" || ready.Message != "Kubelet stopped posting node status." {
		t.Errorf("Ready = %s %q, want NodeStatusUnknown", ready.Reason, ready.Message)
	}
	taint := findTaint(dead, corev1.TaintNodeUnreachable, corev1.TaintEffectNoExecute)
	if taint.TimeAdded == nil {
		t.Fatal("the NoExecute taint has no timeAdded")
	}
	alive, err := c.CoreV1().Nodes().Get(ctx, "lc-alive", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(alive.Spec.Taints) != 0 || alive.Status.Conditions[0].Status != corev1.ConditionTrue {
		t.Errorf("the live node changed: taints %v, conditions %v", alive.Spec.Taints, alive.Status.Conditions)
	}

	// The pod without tolerationSeconds to spare goes at once, with the DisruptionTarget condition.
	poll(t, "the pod tolerating 0s to be deleted", nil, func(ctx context.Context) (bool, error) {
		p, err := c.CoreV1().Pods(ns).Get(ctx, "at-once", metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		if p.DeletionTimestamp == nil {
			return false, nil
		}
		if cond := podCondition(p, corev1.DisruptionTarget); cond == nil || cond.Reason != "DeletionByTaintManager" {
			t.Errorf("DisruptionTarget = %+v, want reason DeletionByTaintManager", cond)
		}
		return true, nil
	})
	for _, name := range []string{"after-a-minute", "forever"} {
		p, err := c.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if p.DeletionTimestamp != nil {
			t.Errorf("pod %s was deleted before its tolerationSeconds", name)
		}
		if cond := podCondition(p, corev1.PodReady); cond == nil || cond.Status != corev1.ConditionFalse {
			t.Errorf("pod %s Ready = %+v, want False", name, cond)
		}
	}

	// The one tolerating 60s goes once they are up, and not before.
	poll(t, "the pod tolerating 60s to be deleted", tick, func(ctx context.Context) (bool, error) {
		p, err := c.CoreV1().Pods(ns).Get(ctx, "after-a-minute", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return p.DeletionTimestamp != nil, nil
	})
	if elapsed := clk.Now().Sub(taint.TimeAdded.Time); elapsed < 59*time.Second {
		t.Errorf("the pod tolerating 60s was deleted %v after the taint", elapsed)
	}
	p, err := c.CoreV1().Pods(ns).Get(ctx, "forever", metav1.GetOptions{})
	if err != nil || p.DeletionTimestamp != nil {
		t.Errorf("the pod tolerating for ever: %v, deletion %v", err, p.DeletionTimestamp)
	}

	// The node comes back: its agent posts Ready and renews the lease.
	err = retry.RetryOnConflict(retry.DefaultRetry, func() error {
		n, err := c.CoreV1().Nodes().Get(ctx, "lc-dead", metav1.GetOptions{})
		if err != nil {
			return err
		}
		now := metav1.NewTime(clk.Now())
		n.Status.Conditions[0] = corev1.NodeCondition{Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
			LastHeartbeatTime: now, LastTransitionTime: now}
		_, err = c.CoreV1().Nodes().UpdateStatus(ctx, n, metav1.UpdateOptions{})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	poll(t, "the taints to go", func() {
		renewLease(t, c, "lc-dead", clk)
		tick()
	}, func(ctx context.Context) (bool, error) {
		n, err := c.CoreV1().Nodes().Get(ctx, "lc-dead", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		return len(n.Spec.Taints) == 0, nil
	})
}

// A cordoned node gets the unschedulable NoSchedule taint, and loses it when uncordoned.
func TestCordonTaint(t *testing.T) {
	ctx := context.Background()
	c := srv.Client(t)
	clk := testingclock.NewFakeClock(time.Now())
	cfg := config.Defaults()
	cfg.Clock = clk
	createNode(t, c, "lc-cordoned", clk)
	controllertest.StartManager(t, srv.ClientConfig, &cfg, nodelifecycle.Setup)

	setUnschedulable := func(v bool) {
		err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
			n, err := c.CoreV1().Nodes().Get(ctx, "lc-cordoned", metav1.GetOptions{})
			if err != nil {
				return err
			}
			n.Spec.Unschedulable = v
			_, err = c.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	hasTaint := func(want bool) func(ctx context.Context) (bool, error) {
		return func(ctx context.Context) (bool, error) {
			n, err := c.CoreV1().Nodes().Get(ctx, "lc-cordoned", metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			return (findTaint(n, corev1.TaintNodeUnschedulable, corev1.TaintEffectNoSchedule) != nil) == want, nil
		}
	}
	setUnschedulable(true)
	poll(t, "the unschedulable taint", nil, hasTaint(true))
	setUnschedulable(false)
	poll(t, "the unschedulable taint to go", nil, hasTaint(false))
}
