package deployment_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/deployment"
	"github.com/skiff-sh/skiff/controllers/replicaset"
)

// start runs the Deployment and ReplicaSet controllers for one test in a namespace of its own.
func start(t *testing.T) (kubernetes.Interface, string) {
	t.Helper()
	c := srv.Client(t)
	ns := srv.Namespace(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, deployment.Setup, replicaset.Setup)
	return c, ns
}

func newDeployment(ns, name string, replicas int32, image string) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: image}}},
			},
		},
	}
}

// eventually polls cond until it holds, failing the test after the timeout.
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

// kubelet plays the node agent once over ns: pending pods run and turn ready on node-1,
// terminating pods are removed.
func kubelet(t *testing.T, c kubernetes.Interface, ns string) {
	t.Helper()
	ctx := context.Background()
	pods, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range pods.Items {
		p := &pods.Items[i]
		switch {
		case p.DeletionTimestamp != nil:
			err := c.CoreV1().Pods(ns).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
			if err != nil && !apierrors.IsNotFound(err) {
				t.Fatal(err)
			}
		case !podReady(p):
			controllertest.MarkPodRunning(t, c, p, "node-1", true)
		}
	}
}

func podReady(p *corev1.Pod) bool {
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

// complete reports whether the rollout is done as kubectl rollout status sees it.
func complete(d *appsv1.Deployment) bool {
	n := ptr.Deref(d.Spec.Replicas, 1)
	cond := condition(d, appsv1.DeploymentProgressing)
	return d.Status.ObservedGeneration >= d.Generation && d.Status.UpdatedReplicas == n &&
		d.Status.Replicas == n && d.Status.AvailableReplicas == n &&
		cond != nil && cond.Reason == deployment.NewRSAvailableReason
}

// rollOut runs the kubelet until the Deployment's rollout is complete and returns it.
func rollOut(t *testing.T, c kubernetes.Interface, ns, name string) *appsv1.Deployment {
	t.Helper()
	var d *appsv1.Deployment
	eventually(t, "the rollout of "+name, func(ctx context.Context) (bool, error) {
		kubelet(t, c, ns)
		var err error
		d, err = c.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		return err == nil && complete(d), err
	})
	return d
}

func condition(d *appsv1.Deployment, t appsv1.DeploymentConditionType) *appsv1.DeploymentCondition {
	for i := range d.Status.Conditions {
		if d.Status.Conditions[i].Type == t {
			return &d.Status.Conditions[i]
		}
	}
	return nil
}

// update changes the Deployment with f, retrying on conflicts.
func update(t *testing.T, c kubernetes.Interface, ns, name string, f func(*appsv1.Deployment)) *appsv1.Deployment {
	t.Helper()
	var out *appsv1.Deployment
	eventually(t, "updating "+name, func(ctx context.Context) (bool, error) {
		d, err := c.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		f(d)
		out, err = c.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{})
		return err == nil, err
	})
	return out
}

// replicaSets lists ns's ReplicaSets by name.
func replicaSets(t *testing.T, c kubernetes.Interface, ns string) map[string]*appsv1.ReplicaSet {
	t.Helper()
	list, err := c.AppsV1().ReplicaSets(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*appsv1.ReplicaSet{}
	for i := range list.Items {
		out[list.Items[i].Name] = &list.Items[i]
	}
	return out
}

// rsOfImage is the ReplicaSet whose template runs image.
func rsOfImage(t *testing.T, c kubernetes.Interface, ns, image string) *appsv1.ReplicaSet {
	t.Helper()
	for _, rs := range replicaSets(t, c, ns) {
		if rs.Spec.Template.Spec.Containers[0].Image == image {
			return rs
		}
	}
	t.Fatalf("no ReplicaSet runs %s", image)
	return nil
}

// events lists the messages of ns's events of reason, oldest first.
func events(t *testing.T, c kubernetes.Interface, ns, reason string) []string {
	t.Helper()
	list, err := c.CoreV1().Events(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range list.Items {
		if e.Reason == reason {
			out = append(out, e.Message)
		}
	}
	return out
}

func hasMessage(messages []string, want string) bool {
	for _, m := range messages {
		if m == want {
			return true
		}
	}
	return false
}

func describe(rss map[string]*appsv1.ReplicaSet) string {
	var b strings.Builder
	for name, rs := range rss {
		fmt.Fprintf(&b, "%s=%d(rev %s) ", name, ptr.Deref(rs.Spec.Replicas, -1), rs.Annotations[deployment.RevisionAnnotation])
	}
	return b.String()
}
