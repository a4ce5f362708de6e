package replicationcontroller_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/replicationcontroller"
)

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

func activePods(ctx context.Context, c kubernetes.Interface, ns string) ([]corev1.Pod, error) {
	list, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=rc"})
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

func waitForPods(t *testing.T, c kubernetes.Interface, ns string, n int) []corev1.Pod {
	t.Helper()
	var pods []corev1.Pod
	eventually(t, "the pods", func(ctx context.Context) (bool, error) {
		var err error
		pods, err = activePods(ctx, c, ns)
		return len(pods) == n, err
	})
	return pods
}

func waitForStatus(t *testing.T, c kubernetes.Interface, ns string, ok func(corev1.ReplicationControllerStatus) bool) {
	t.Helper()
	eventually(t, "the status", func(ctx context.Context) (bool, error) {
		rc, err := c.CoreV1().ReplicationControllers(ns).Get(ctx, "rc", metav1.GetOptions{})
		return err == nil && rc.Status.ObservedGeneration == rc.Generation && ok(rc.Status), err
	})
}

func TestReplicationController(t *testing.T) {
	c := srv.Client(t)
	ns := srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, replicationcontroller.Setup)
	ctx := context.Background()
	labels := map[string]string{"app": "rc"}
	spec := corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "busybox"}}}

	orphan := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "orphan", Labels: labels}, Spec: spec}
	if _, err := c.CoreV1().Pods(ns).Create(ctx, orphan, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	rc, err := c.CoreV1().ReplicationControllers(ns).Create(ctx, &corev1.ReplicationController{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "rc"},
		Spec: corev1.ReplicationControllerSpec{
			Replicas: ptr.To[int32](3),
			Selector: labels,
			Template: &corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}

	// The orphan is adopted and two pods are made.
	pods := waitForPods(t, c, ns, 3)
	for _, p := range pods {
		ref := metav1.GetControllerOf(&p)
		if ref == nil || ref.UID != rc.UID || ref.Kind != "ReplicationController" || ref.APIVersion != "v1" || !ptr.Deref(ref.BlockOwnerDeletion, false) {
			t.Errorf("pod %s: controller reference %+v, want the ReplicationController's", p.Name, ref)
		}
		if p.Name != "orphan" && !strings.HasPrefix(p.Name, "rc-") {
			t.Errorf("pod %s is not named after the controller", p.Name)
		}
	}
	for i := range pods {
		controllertest.MarkPodRunning(t, c, &pods[i], "node-1", true)
	}
	waitForStatus(t, c, ns, func(s corev1.ReplicationControllerStatus) bool {
		return s.Replicas == 3 && s.FullyLabeledReplicas == 3 && s.ReadyReplicas == 3 && s.AvailableReplicas == 3
	})
	eventually(t, "a SuccessfulCreate event from replication-controller", func(ctx context.Context) (bool, error) {
		events, err := c.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, e := range events.Items {
			if e.InvolvedObject.Kind == "ReplicationController" && e.Reason == "SuccessfulCreate" &&
				e.Source.Component == "replication-controller" && strings.HasPrefix(e.Message, "Created pod: rc-") {
				return true, nil
			}
		}
		return false, nil
	})

	// Scale down; a deleted pod is replaced.
	eventually(t, "scaling down", func(ctx context.Context) (bool, error) {
		rc, err := c.CoreV1().ReplicationControllers(ns).Get(ctx, "rc", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		rc.Spec.Replicas = ptr.To[int32](2)
		_, err = c.CoreV1().ReplicationControllers(ns).Update(ctx, rc, metav1.UpdateOptions{})
		return err == nil, err
	})
	pods = waitForPods(t, c, ns, 2)
	waitForStatus(t, c, ns, func(s corev1.ReplicationControllerStatus) bool { return s.Replicas == 2 })
	if err := c.CoreV1().Pods(ns).Delete(ctx, pods[0].Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)}); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a replacement pod", func(ctx context.Context) (bool, error) {
		now, err := activePods(ctx, c, ns)
		if err != nil || len(now) != 2 {
			return false, err
		}
		for _, p := range now {
			if p.Name == pods[0].Name {
				return false, nil
			}
		}
		return true, nil
	})
}
