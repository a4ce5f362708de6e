package disruption_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/disruption"
)

var labels = map[string]string{"app": "web"}

var template = corev1.PodTemplateSpec{
	ObjectMeta: metav1.ObjectMeta{Labels: labels},
	Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "nginx"}}},
}

func replicaSet(t *testing.T, client kubernetes.Interface, ns string, replicas int32, owner *metav1.OwnerReference) *appsv1.ReplicaSet {
	t.Helper()
	rs := &appsv1.ReplicaSet{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec:       appsv1.ReplicaSetSpec{Replicas: ptr.To(replicas), Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: template},
	}
	if owner != nil {
		rs.OwnerReferences = []metav1.OwnerReference{*owner}
	}
	rs, err := client.AppsV1().ReplicaSets(ns).Create(context.Background(), rs, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// pods creates n pods controlled by owner (none when nil), the first ready of them ready.
func pods(t *testing.T, client kubernetes.Interface, ns string, owner *metav1.OwnerReference, n, ready int) []*corev1.Pod {
	t.Helper()
	var out []*corev1.Pod
	for i := range n {
		pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("web-%d", i), Labels: labels}, Spec: template.Spec}
		if owner != nil {
			pod.OwnerReferences = []metav1.OwnerReference{*owner}
		}
		pod, err := client.CoreV1().Pods(ns).Create(context.Background(), pod, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, controllertest.MarkPodRunning(t, client, pod, "node-1", i < ready))
	}
	return out
}

func controllerRef(apiVersion, kind, name string, uid types.UID) *metav1.OwnerReference {
	return &metav1.OwnerReference{APIVersion: apiVersion, Kind: kind, Name: name, UID: uid, Controller: ptr.To(true)}
}

func budget(t *testing.T, client kubernetes.Interface, ns string, minAvailable, maxUnavailable *intstr.IntOrString) {
	t.Helper()
	_, err := client.PolicyV1().PodDisruptionBudgets(ns).Create(context.Background(), &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: minAvailable, MaxUnavailable: maxUnavailable,
			Selector: &metav1.LabelSelector{MatchLabels: labels},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
}

// want is the part of a budget's status the tests check.
type want struct {
	expected, desired, current, allowed int32
	reason                              string
}

func (w want) String() string {
	return fmt.Sprintf("expected=%d desired=%d current=%d allowed=%d reason=%s", w.expected, w.desired, w.current, w.allowed, w.reason)
}

func statusOf(pdb *policyv1.PodDisruptionBudget) (want, *metav1.Condition) {
	s := pdb.Status
	got := want{s.ExpectedPods, s.DesiredHealthy, s.CurrentHealthy, s.DisruptionsAllowed, ""}
	c := meta.FindStatusCondition(s.Conditions, policyv1.DisruptionAllowedCondition)
	if c != nil {
		got.reason = c.Reason
	}
	return got, c
}

// waitStatus polls until the budget's status reads w and is current.
func waitStatus(t *testing.T, client kubernetes.Interface, ns string, w want) *policyv1.PodDisruptionBudget {
	t.Helper()
	var pdb *policyv1.PodDisruptionBudget
	var got want
	err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		var err error
		pdb, err = client.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		got, _ = statusOf(pdb)
		return got == w && pdb.Status.ObservedGeneration == pdb.Generation, nil
	})
	if err != nil {
		t.Fatalf("status %v (observed generation %d of %d), want %v", got, pdb.Status.ObservedGeneration, pdb.Generation, w)
	}
	return pdb
}

func TestBudgetOfReplicaSetPods(t *testing.T) {
	tests := []struct {
		name           string
		minAvailable   *intstr.IntOrString
		maxUnavailable *intstr.IntOrString
		before, after  want
	}{
		{"maxUnavailable 1", nil, ptr.To(intstr.FromInt32(1)),
			want{3, 2, 2, 0, policyv1.InsufficientPodsReason}, want{3, 2, 3, 1, policyv1.SufficientPodsReason}},
		{"minAvailable 50%", ptr.To(intstr.FromString("50%")), nil,
			want{3, 2, 2, 0, policyv1.InsufficientPodsReason}, want{3, 2, 3, 1, policyv1.SufficientPodsReason}},
		{"minAvailable 1", ptr.To(intstr.FromInt32(1)), nil,
			want{3, 1, 2, 1, policyv1.SufficientPodsReason}, want{3, 1, 3, 2, policyv1.SufficientPodsReason}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := srv.Namespace(t)
			client := srv.Client(t)
			controllertest.StartManager(t, srv.ClientConfig, nil, disruption.Setup)
			rs := replicaSet(t, client, ns, 3, nil)
			ps := pods(t, client, ns, controllerRef("apps/v1", "ReplicaSet", rs.Name, rs.UID), 3, 2)
			budget(t, client, ns, tt.minAvailable, tt.maxUnavailable)
			waitStatus(t, client, ns, tt.before)
			controllertest.MarkPodRunning(t, client, ps[2], "", true)
			pdb := waitStatus(t, client, ns, tt.after)
			if _, c := statusOf(pdb); c.ObservedGeneration != pdb.Generation {
				t.Errorf("condition %+v", c)
			}
		})
	}
}

func TestBudgetOfDeploymentPods(t *testing.T) {
	ns := srv.Namespace(t)
	client := srv.Client(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, disruption.Setup)
	d, err := client.AppsV1().Deployments(ns).Create(context.Background(), &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec:       appsv1.DeploymentSpec{Replicas: ptr.To[int32](5), Selector: &metav1.LabelSelector{MatchLabels: labels}, Template: template},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rs := replicaSet(t, client, ns, 2, controllerRef("apps/v1", "Deployment", d.Name, d.UID))
	pods(t, client, ns, controllerRef("apps/v1", "ReplicaSet", rs.Name, rs.UID), 2, 2)
	budget(t, client, ns, nil, ptr.To(intstr.FromString("40%")))
	// The Deployment's 5 replicas are expected, not the ReplicaSet's 2.
	waitStatus(t, client, ns, want{5, 3, 2, 0, policyv1.InsufficientPodsReason})
}

func TestBudgetWithoutScaleFailsSafe(t *testing.T) {
	ns := srv.Namespace(t)
	client := srv.Client(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, disruption.Setup)
	job, err := client.BatchV1().Jobs(ns).Create(context.Background(), &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "web"},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
			Spec: corev1.PodSpec{RestartPolicy: corev1.RestartPolicyNever, Containers: template.Spec.Containers}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pods(t, client, ns, controllerRef("batch/v1", "Job", job.Name, job.UID), 1, 1)
	budget(t, client, ns, nil, ptr.To(intstr.FromInt32(1)))
	err = wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, func(ctx context.Context) (bool, error) {
		pdb, err := client.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, "web", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		_, c := statusOf(pdb)
		return c != nil && c.Status == metav1.ConditionFalse && c.Reason == policyv1.SyncFailedReason &&
			c.Message == "jobs.batch does not implement the scale subresource" && pdb.Status.DisruptionsAllowed == 0, nil
	})
	if err != nil {
		t.Fatal("no SyncFailed condition")
	}
}

func TestBudgetDropsGoneDisruptedPods(t *testing.T) {
	ctx := context.Background()
	ns := srv.Namespace(t)
	client := srv.Client(t)
	controllertest.StartManager(t, srv.ClientConfig, nil, disruption.Setup)
	pods(t, client, ns, nil, 2, 2)
	budget(t, client, ns, ptr.To(intstr.FromInt32(1)), nil)
	pdb := waitStatus(t, client, ns, want{2, 1, 2, 1, policyv1.SufficientPodsReason})

	// An eviction of web-0 the controller has not seen yet, and one of a pod since gone.
	pdb.Status.DisruptedPods = map[string]metav1.Time{"web-0": metav1.Now(), "ghost": metav1.Now()}
	pdb.Status.DisruptionsAllowed = 0
	if _, err := client.PolicyV1().PodDisruptionBudgets(ns).UpdateStatus(ctx, pdb, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// web-0 no longer counts as healthy; ghost is forgotten.
	pdb = waitStatus(t, client, ns, want{2, 1, 1, 0, policyv1.InsufficientPodsReason})
	if _, ok := pdb.Status.DisruptedPods["web-0"]; !ok || len(pdb.Status.DisruptedPods) != 1 {
		t.Errorf("disruptedPods %v, want web-0 only", pdb.Status.DisruptedPods)
	}
}
