package integration

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/controllertest"
)

// evictionPod creates a pod labelled app=web and, unless pending, reports it running.
func evictionPod(t *testing.T, client kubernetes.Interface, ns, name string, pending, ready bool) *corev1.Pod {
	t.Helper()
	pod, err := client.CoreV1().Pods(ns).Create(context.Background(), testPod(name), metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pending {
		return pod
	}
	return controllertest.MarkPodRunning(t, client, pod, "node-1", ready)
}

// evictionBudget creates a PodDisruptionBudget for app=web and writes its status as the
// disruption controller would (no controllers run in this package).
func evictionBudget(t *testing.T, client kubernetes.Interface, ns, name string, allowed, current, desired int32, mutate func(*policyv1.PodDisruptionBudget)) *policyv1.PodDisruptionBudget {
	t.Helper()
	ctx := context.Background()
	pdb := &policyv1.PodDisruptionBudget{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: policyv1.PodDisruptionBudgetSpec{
			MinAvailable: ptr.To(intstr.FromInt32(desired)),
			Selector:     &metav1.LabelSelector{MatchLabels: map[string]string{"app": "web"}},
		},
	}
	if mutate != nil {
		mutate(pdb)
	}
	pdb, err := client.PolicyV1().PodDisruptionBudgets(ns).Create(ctx, pdb, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	pdb.Status = policyv1.PodDisruptionBudgetStatus{
		ObservedGeneration: pdb.Generation, DisruptionsAllowed: allowed, CurrentHealthy: current,
		DesiredHealthy: desired, ExpectedPods: current,
	}
	pdb, err = client.PolicyV1().PodDisruptionBudgets(ns).UpdateStatus(ctx, pdb, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return pdb
}

func evict(client kubernetes.Interface, ns, name string, dryRun bool) error {
	e := &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns}}
	if dryRun {
		e.DeleteOptions = &metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}}
	}
	// As client-go's Evict, without its retries of 429s (upstream asks for one after 10s).
	return client.PolicyV1().RESTClient().Post().AbsPath("/api/v1/namespaces", ns, "pods", name, "eviction").
		Body(e).MaxRetries(0).Do(context.Background()).Error()
}

// requireBudgetRefusal checks err is upstream's 429 with the given DisruptionBudget cause.
func requireBudgetRefusal(t *testing.T, err error, cause string) {
	t.Helper()
	if !apierrors.IsTooManyRequests(err) {
		t.Fatalf("want 429, got %v", err)
	}
	s := err.(apierrors.APIStatus).Status()
	if s.Message != "Cannot evict pod as it would violate the pod's disruption budget." {
		t.Errorf("message %q", s.Message)
	}
	if s.Details == nil || len(s.Details.Causes) != 1 || s.Details.Causes[0].Type != policyv1.DisruptionBudgetCause || s.Details.Causes[0].Message != cause {
		t.Errorf("causes %+v, want %q", s.Details, cause)
	}
}

// requireEvicted checks the pod is gone or going, with the DisruptionTarget condition.
func requireEvicted(t *testing.T, client kubernetes.Interface, ns, name string) {
	t.Helper()
	pod, err := client.CoreV1().Pods(ns).Get(context.Background(), name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if pod.DeletionTimestamp == nil {
		t.Fatalf("pod %s not being deleted", name)
	}
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.DisruptionTarget && c.Status == corev1.ConditionTrue && c.Reason == "EvictionByEvictionAPI" {
			return
		}
	}
	t.Errorf("pod %s has no DisruptionTarget condition: %+v", name, pod.Status.Conditions)
}

func requireNotEvicted(t *testing.T, client kubernetes.Interface, ns, name string) {
	t.Helper()
	pod, err := client.CoreV1().Pods(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pod.DeletionTimestamp != nil {
		t.Fatalf("pod %s is being deleted", name)
	}
}

func TestEvictionBlockedByBudget(t *testing.T) {
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	evictionPod(t, client, ns, "web-1", false, true)
	evictionBudget(t, client, ns, "web", 0, 1, 1, nil)

	requireBudgetRefusal(t, evict(client, ns, "web-1", false), "The disruption budget web needs 1 healthy pods and has 1 currently")
	requireNotEvicted(t, client, ns, "web-1")
}

func TestEvictionSpendsBudget(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	evictionPod(t, client, ns, "web-1", false, true)
	evictionPod(t, client, ns, "web-2", false, true)
	evictionBudget(t, client, ns, "web", 1, 2, 1, nil)

	// A dry run spends nothing.
	if err := evict(client, ns, "web-1", true); err != nil {
		t.Fatalf("dry-run eviction: %v", err)
	}
	requireNotEvicted(t, client, ns, "web-1")
	pdb, err := client.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pdb.Status.DisruptionsAllowed != 1 || len(pdb.Status.DisruptedPods) != 0 {
		t.Fatalf("dry run changed the budget: %+v", pdb.Status)
	}

	if err := evict(client, ns, "web-1", false); err != nil {
		t.Fatalf("eviction: %v", err)
	}
	requireEvicted(t, client, ns, "web-1")
	pdb, err = client.PolicyV1().PodDisruptionBudgets(ns).Get(ctx, "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if pdb.Status.DisruptionsAllowed != 0 {
		t.Errorf("disruptionsAllowed %d, want 0", pdb.Status.DisruptionsAllowed)
	}
	if _, ok := pdb.Status.DisruptedPods["web-1"]; !ok || len(pdb.Status.DisruptedPods) != 1 {
		t.Errorf("disruptedPods %v, want web-1", pdb.Status.DisruptedPods)
	}
	cond := meta.FindStatusCondition(pdb.Status.Conditions, policyv1.DisruptionAllowedCondition)
	if cond == nil || cond.Status != metav1.ConditionFalse || cond.Reason != policyv1.InsufficientPodsReason {
		t.Errorf("DisruptionAllowed condition %+v, want False/InsufficientPods", cond)
	}

	// The budget is spent: the next pod stays.
	requireBudgetRefusal(t, evict(client, ns, "web-2", false), "The disruption budget web does not allow evicting pods currently")
	requireNotEvicted(t, client, ns, "web-2")
}

func TestEvictionStaleBudget(t *testing.T) {
	ctx := context.Background()
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	evictionPod(t, client, ns, "web-1", false, true)
	pdb := evictionBudget(t, client, ns, "web", 1, 2, 1, nil)
	// A spec change the controller has not observed yet.
	pdb.Spec.MinAvailable = ptr.To(intstr.FromInt32(0))
	if _, err := client.PolicyV1().PodDisruptionBudgets(ns).Update(ctx, pdb, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	requireBudgetRefusal(t, evict(client, ns, "web-1", false), "The disruption budget web is still being processed by the server.")
	requireNotEvicted(t, client, ns, "web-1")
}

func TestEvictionSeveralBudgets(t *testing.T) {
	ns := testServer.Namespace(t)
	client := testServer.Client(t)
	evictionPod(t, client, ns, "web-1", false, true)
	evictionBudget(t, client, ns, "one", 1, 2, 1, nil)
	evictionBudget(t, client, ns, "two", 1, 2, 1, nil)

	err := evict(client, ns, "web-1", false)
	status, ok := err.(apierrors.APIStatus)
	if !ok || status.Status().Code != 500 ||
		status.Status().Message != "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support." {
		t.Fatalf("want upstream's 500, got %v", err)
	}
	requireNotEvicted(t, client, ns, "web-1")
}

func TestEvictionBypassesBudget(t *testing.T) {
	tests := []struct {
		name    string
		pending bool
		ready   bool
		policy  *policyv1.UnhealthyPodEvictionPolicyType
		current int32
		evicted bool
	}{
		{name: "pending pod", pending: true, evicted: true},
		{name: "unready pod, AlwaysAllow", policy: ptr.To(policyv1.AlwaysAllow), evicted: true},
		{name: "unready pod, budget whole", current: 1, evicted: true},
		{name: "unready pod, budget short", current: 0, evicted: false},
		{name: "unready pod, IfHealthyBudget short", policy: ptr.To(policyv1.IfHealthyBudget), current: 0, evicted: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := testServer.Namespace(t)
			client := testServer.Client(t)
			evictionPod(t, client, ns, "web-1", tt.pending, tt.ready)
			evictionBudget(t, client, ns, "web", 0, tt.current, 1, func(p *policyv1.PodDisruptionBudget) {
				p.Spec.UnhealthyPodEvictionPolicy = tt.policy
			})
			err := evict(client, ns, "web-1", false)
			if !tt.evicted {
				requireBudgetRefusal(t, err, "The disruption budget web needs 1 healthy pods and has 0 currently")
				requireNotEvicted(t, client, ns, "web-1")
				return
			}
			if err != nil {
				t.Fatalf("eviction: %v", err)
			}
			requireEvicted(t, client, ns, "web-1")
		})
	}
}
