package replicaset_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/replicaset"
)

func newReplicaSet(ns, name string, replicas int32) *appsv1.ReplicaSet {
	labels := map[string]string{"app": name}
	return &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.ReplicaSetSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
			},
		},
	}
}

// eventually polls cond until it holds, failing the test with what desc says after the timeout.
func eventually(t *testing.T, desc string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	var last error
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		ok, err := cond(ctx)
		if err != nil {
			last = err
			return false, nil
		}
		return ok, nil
	})
	if err != nil {
		t.Fatalf("waiting for %s: %v (last error: %v)", desc, err, last)
	}
}

// activePods lists the pods of ns selected by app=name that are not being deleted.
func activePods(ctx context.Context, c kubernetes.Interface, ns, app string) ([]corev1.Pod, error) {
	list, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=" + app})
	if err != nil {
		return nil, err
	}
	var out []corev1.Pod
	for _, p := range list.Items {
		if p.DeletionTimestamp == nil {
			out = append(out, p)
		}
	}
	return out, nil
}

func waitForPods(t *testing.T, c kubernetes.Interface, ns, app string, n int) []corev1.Pod {
	t.Helper()
	var pods []corev1.Pod
	eventually(t, fmt.Sprintf("%d pods of %s", n, app), func(ctx context.Context) (bool, error) {
		var err error
		pods, err = activePods(ctx, c, ns, app)
		return len(pods) == n, err
	})
	return pods
}

func waitForStatus(t *testing.T, c kubernetes.Interface, ns, name string, ok func(appsv1.ReplicaSetStatus) bool) *appsv1.ReplicaSet {
	t.Helper()
	var rs *appsv1.ReplicaSet
	eventually(t, "the status of "+name, func(ctx context.Context) (bool, error) {
		var err error
		rs, err = c.AppsV1().ReplicaSets(ns).Get(ctx, name, metav1.GetOptions{})
		return err == nil && rs.Status.ObservedGeneration == rs.Generation && ok(rs.Status), err
	})
	return rs
}

func hasEvent(ctx context.Context, c kubernetes.Interface, ns, object, reason, messagePrefix string) (bool, error) {
	events, err := c.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return false, err
	}
	for _, e := range events.Items {
		if e.InvolvedObject.Name == object && e.Reason == reason && strings.HasPrefix(e.Message, messagePrefix) {
			return true, nil
		}
	}
	return false, nil
}

func TestCreatesPodsAndReportsStatus(t *testing.T) {
	c := srv.Client(t)
	ns := srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, replicaset.Setup)
	ctx := context.Background()
	rs, err := c.AppsV1().ReplicaSets(ns).Create(ctx, newReplicaSet(ns, "web", 3), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pods := waitForPods(t, c, ns, "web", 3)
	for _, p := range pods {
		ref := metav1.GetControllerOf(&p)
		if ref == nil || ref.UID != rs.UID || ref.Kind != "ReplicaSet" || ref.APIVersion != "apps/v1" || !ptr.Deref(ref.BlockOwnerDeletion, false) {
			t.Errorf("pod %s: controller reference %+v, want the ReplicaSet's with blockOwnerDeletion", p.Name, ref)
		}
		if p.GenerateName != "web-" || !strings.HasPrefix(p.Name, "web-") {
			t.Errorf("pod %s: generateName %q, want web-", p.Name, p.GenerateName)
		}
	}
	waitForStatus(t, c, ns, "web", func(s appsv1.ReplicaSetStatus) bool {
		return s.Replicas == 3 && s.FullyLabeledReplicas == 3 && s.ReadyReplicas == 0 && s.AvailableReplicas == 0 &&
			ptr.Deref(s.TerminatingReplicas, -1) == 0
	})
	for i := range pods {
		controllertest.MarkPodRunning(t, c, &pods[i], "node-1", true)
	}
	waitForStatus(t, c, ns, "web", func(s appsv1.ReplicaSetStatus) bool {
		return s.Replicas == 3 && s.ReadyReplicas == 3 && s.AvailableReplicas == 3
	})
	eventually(t, "a SuccessfulCreate event", func(ctx context.Context) (bool, error) {
		return hasEvent(ctx, c, ns, "web", replicaset.SuccessfulCreateReason, "Created pod: web-")
	})

	// Scaling down a ReplicaSet whose pods are on a node leaves them terminating.
	scale(t, c, ns, "web", 2)
	waitForStatus(t, c, ns, "web", func(s appsv1.ReplicaSetStatus) bool {
		return s.Replicas == 2 && ptr.Deref(s.TerminatingReplicas, -1) == 1
	})
	eventually(t, "a SuccessfulDelete event", func(ctx context.Context) (bool, error) {
		return hasEvent(ctx, c, ns, "web", replicaset.SuccessfulDeleteReason, "Deleted pod: web-")
	})
}

func scale(t *testing.T, c kubernetes.Interface, ns, name string, n int32) {
	t.Helper()
	eventually(t, "scaling "+name, func(ctx context.Context) (bool, error) {
		rs, err := c.AppsV1().ReplicaSets(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		rs.Spec.Replicas = ptr.To(n)
		_, err = c.AppsV1().ReplicaSets(ns).Update(ctx, rs, metav1.UpdateOptions{})
		return err == nil, err
	})
}

func TestMinReadySeconds(t *testing.T) {
	c := srv.Client(t)
	ns := srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, replicaset.Setup)
	ctx := context.Background()
	rs := newReplicaSet(ns, "slow", 1)
	rs.Spec.MinReadySeconds = 2
	if _, err := c.AppsV1().ReplicaSets(ns).Create(ctx, rs, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pods := waitForPods(t, c, ns, "slow", 1)
	controllertest.MarkPodRunning(t, c, &pods[0], "node-1", true)
	got := waitForStatus(t, c, ns, "slow", func(s appsv1.ReplicaSetStatus) bool { return s.ReadyReplicas == 1 })
	if got.Status.AvailableReplicas != 0 {
		t.Errorf("availableReplicas = %d right after the pod turned ready, want 0 for minReadySeconds 2", got.Status.AvailableReplicas)
	}
	// No event comes when the pod turns available: the controller must look again by itself.
	waitForStatus(t, c, ns, "slow", func(s appsv1.ReplicaSetStatus) bool { return s.AvailableReplicas == 1 })
}

func TestScaleDownPicksPodsAsUpstream(t *testing.T) {
	c := srv.Client(t)
	ns := srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, replicaset.Setup)
	ctx := context.Background()
	if _, err := c.AppsV1().ReplicaSets(ns).Create(ctx, newReplicaSet(ns, "rank", 4), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pods := waitForPods(t, c, ns, "rank", 4)
	// pods[0] stays unscheduled, pods[1] runs but is not ready, pods[2] and pods[3] are ready;
	// pods[3] is cheap to delete.
	controllertest.MarkPodRunning(t, c, &pods[1], "node-1", false)
	controllertest.MarkPodRunning(t, c, &pods[2], "node-1", true)
	controllertest.MarkPodRunning(t, c, &pods[3], "node-1", true)
	cheap, err := c.CoreV1().Pods(ns).Get(ctx, pods[3].Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cheap.Annotations = map[string]string{corev1.PodDeletionCost: "-100"}
	if _, err := c.CoreV1().Pods(ns).Update(ctx, cheap, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitForStatus(t, c, ns, "rank", func(s appsv1.ReplicaSetStatus) bool { return s.ReadyReplicas == 2 })

	for i, want := range []string{pods[0].Name, pods[1].Name, pods[3].Name} {
		scale(t, c, ns, "rank", int32(3-i))
		left := waitForPods(t, c, ns, "rank", 3-i)
		for _, p := range left {
			if p.Name == want {
				t.Fatalf("scaling to %d kept %s, which upstream deletes first", 3-i, want)
			}
		}
	}
	if left := waitForPods(t, c, ns, "rank", 1); left[0].Name != pods[2].Name {
		t.Errorf("the last pod is %s, want %s", left[0].Name, pods[2].Name)
	}
}

func TestAdoptsAndReleases(t *testing.T) {
	c := srv.Client(t)
	ns := srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, replicaset.Setup)
	ctx := context.Background()
	template := newReplicaSet(ns, "adopt", 2).Spec.Template
	orphan := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "orphan", Labels: template.Labels}, Spec: template.Spec}
	if _, err := c.CoreV1().Pods(ns).Create(ctx, orphan, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rs, err := c.AppsV1().ReplicaSets(ns).Create(ctx, newReplicaSet(ns, "adopt", 2), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	waitForStatus(t, c, ns, "adopt", func(s appsv1.ReplicaSetStatus) bool { return s.Replicas == 2 })
	pods := waitForPods(t, c, ns, "adopt", 2)
	adopted := false
	for _, p := range pods {
		if p.Name == "orphan" {
			ref := metav1.GetControllerOf(&p)
			adopted = ref != nil && ref.UID == rs.UID && ptr.Deref(ref.BlockOwnerDeletion, false)
		}
	}
	if !adopted {
		t.Fatalf("the orphan pod was not adopted (pods %v)", podNames(pods))
	}

	// A pod whose labels stop matching is released, and replaced.
	eventually(t, "relabelling the pod", func(ctx context.Context) (bool, error) {
		p, err := c.CoreV1().Pods(ns).Get(ctx, "orphan", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		p.Labels = map[string]string{"app": "elsewhere"}
		_, err = c.CoreV1().Pods(ns).Update(ctx, p, metav1.UpdateOptions{})
		return err == nil, err
	})
	eventually(t, "the release of the pod", func(ctx context.Context) (bool, error) {
		p, err := c.CoreV1().Pods(ns).Get(ctx, "orphan", metav1.GetOptions{})
		return err == nil && len(p.OwnerReferences) == 0, err
	})
	pods = waitForPods(t, c, ns, "adopt", 2)
	for _, p := range pods {
		if p.Name == "orphan" {
			t.Errorf("the released pod still counts")
		}
	}
}

func TestNoDuplicatesUnderChurn(t *testing.T) {
	c := srv.Client(t)
	ns := srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, replicaset.Setup)
	ctx := context.Background()
	if _, err := c.AppsV1().ReplicaSets(ns).Create(ctx, newReplicaSet(ns, "churn", 3), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitForPods(t, c, ns, "churn", 3)
	list, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Watch from the list's version: only pods created from now on count.
	w, err := c.CoreV1().Pods(ns).Watch(ctx, metav1.ListOptions{ResourceVersion: list.ResourceVersion})
	if err != nil {
		t.Fatal(err)
	}
	var added atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		for e := range w.ResultChan() {
			if e.Type == watch.Added {
				added.Add(1)
			}
		}
	}()

	// Delete pods as fast as they come, without waiting for replacements.
	deleted := 0
	for range 12 {
		pods, err := activePods(ctx, c, ns, "churn")
		if err != nil {
			t.Fatal(err)
		}
		if len(pods) == 0 {
			continue
		}
		err = c.CoreV1().Pods(ns).Delete(ctx, pods[deleted%len(pods)].Name, metav1.DeleteOptions{})
		if err == nil {
			deleted++
		} else if !apierrors.IsNotFound(err) {
			t.Fatal(err)
		}
	}
	waitForPods(t, c, ns, "churn", 3)
	waitForStatus(t, c, ns, "churn", func(s appsv1.ReplicaSetStatus) bool { return s.Replicas == 3 })
	// The count must stay at 3: a duplicate would show up within a sync or two.
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 2*time.Second, true, func(ctx context.Context) (bool, error) {
		pods, err := activePods(ctx, c, ns, "churn")
		if err != nil {
			return false, nil // the window closing mid-request
		}
		if len(pods) != 3 {
			return false, fmt.Errorf("%d active pods (%v), want 3", len(pods), podNames(pods))
		}
		return false, nil
	})
	if !wait.Interrupted(err) {
		t.Fatal(err)
	}
	w.Stop()
	<-done
	if int(added.Load()) != deleted {
		t.Errorf("%d pods created for %d deleted", added.Load(), deleted)
	}
}

func podNames(pods []corev1.Pod) []string {
	var out []string
	for _, p := range pods {
		out = append(out, p.Name)
	}
	return out
}

// TestDeletingReplicaSetMakesNoPods: a ReplicaSet being deleted (held by a finalizer) does not
// replace its pods, but still reports them.
func TestDeletingReplicaSetMakesNoPods(t *testing.T) {
	c := srv.Client(t)
	ns := srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, replicaset.Setup)
	ctx := context.Background()
	rs := newReplicaSet(ns, "going", 2)
	rs.Finalizers = []string{"test.skiff.sh/hold"}
	if _, err := c.AppsV1().ReplicaSets(ns).Create(ctx, rs, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pods := waitForPods(t, c, ns, "going", 2)
	if err := c.AppsV1().ReplicaSets(ns).Delete(ctx, "going", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "the deletion timestamp", func(ctx context.Context) (bool, error) {
		rs, err := c.AppsV1().ReplicaSets(ns).Get(ctx, "going", metav1.GetOptions{})
		return err == nil && rs.DeletionTimestamp != nil, err
	})
	if err := c.CoreV1().Pods(ns).Delete(ctx, pods[0].Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitForStatus(t, c, ns, "going", func(s appsv1.ReplicaSetStatus) bool { return s.Replicas == 1 })
	if left, err := activePods(ctx, c, ns, "going"); err != nil || len(left) != 1 {
		t.Errorf("%d pods (%v), want 1: a ReplicaSet being deleted replaced its pod", len(left), err)
	}
	eventually(t, "dropping the finalizer", func(ctx context.Context) (bool, error) {
		rs, err := c.AppsV1().ReplicaSets(ns).Get(ctx, "going", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		rs.Finalizers = nil
		_, err = c.AppsV1().ReplicaSets(ns).Update(ctx, rs, metav1.UpdateOptions{})
		return err == nil, err
	})
}
