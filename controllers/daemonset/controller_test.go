package daemonset_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/controllers/controllertest"
	"github.com/skiff-sh/skiff/controllers/daemonset"
	"github.com/skiff-sh/skiff/test/integration/framework"
)

var srv *framework.Server

func TestMain(m *testing.M) {
	var err error
	srv, err = framework.Start(context.Background(), "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the apiserver:", err)
		os.Exit(1)
	}
	code := m.Run()
	srv.Stop()
	os.Exit(code)
}

func poll(t *testing.T, what string, cond func(ctx context.Context) (bool, error)) {
	t.Helper()
	if err := wait.PollUntilContextTimeout(context.Background(), 50*time.Millisecond, controllertest.Timeout, true, cond); err != nil {
		t.Fatalf("waiting for %s: %v", what, err)
	}
}

// createNode makes a ready node labelled for the test (group) so other tests' sets ignore
// it. Admission taints a new node not-ready until the node lifecycle controller sees it ready;
// that controller does not run here, so the test lifts the taint itself.
func createNode(t *testing.T, c kubernetes.Interface, name, group string, taints ...corev1.Taint) {
	t.Helper()
	ctx := context.Background()
	node, err := c.CoreV1().Nodes().Create(ctx, &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"group": group}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatalf("creating node %s: %v", name, err)
	}
	node.Status.Conditions = []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionTrue,
		LastHeartbeatTime: metav1.Now(), LastTransitionTime: metav1.Now()}}
	if node, err = c.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("marking node %s ready: %v", name, err)
	}
	node.Spec.Taints = taints
	if _, err := c.CoreV1().Nodes().Update(ctx, node, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("setting the taints of node %s: %v", name, err)
	}
}

func newDS(ns, group string) *appsv1.DaemonSet {
	labels := map[string]string{"app": "agent"}
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "agent"},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					NodeSelector: map[string]string{"group": group},
					Containers:   []corev1.Container{{Name: "c", Image: "agent:1"}},
				},
			},
		},
	}
}

// podsByNode returns the set's live pods keyed by the node their affinity pins them to.
func podsByNode(ctx context.Context, c kubernetes.Interface, ns string) (map[string][]corev1.Pod, error) {
	pods, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := map[string][]corev1.Pod{}
	for _, p := range pods.Items {
		if p.DeletionTimestamp != nil {
			continue
		}
		a := p.Spec.Affinity
		if a == nil || a.NodeAffinity == nil || a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil {
			return nil, fmt.Errorf("pod %s has no required node affinity", p.Name)
		}
		term := a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0]
		out[term.MatchFields[0].Values[0]] = append(out[term.MatchFields[0].Values[0]], p)
	}
	return out, nil
}

func waitDS(t *testing.T, c kubernetes.Interface, ns, what string, cond func(*appsv1.DaemonSet) bool) *appsv1.DaemonSet {
	t.Helper()
	var ds *appsv1.DaemonSet
	defer func() {
		if t.Failed() && ds != nil {
			t.Logf("last status: generation %d, %+v", ds.Generation, ds.Status)
		}
	}()
	poll(t, what, func(ctx context.Context) (bool, error) {
		d, err := c.AppsV1().DaemonSets(ns).Get(ctx, "agent", metav1.GetOptions{})
		ds = d
		return err == nil && d.Status.ObservedGeneration == d.Generation && cond(d), err
	})
	return ds
}

func TestPodPerEligibleNode(t *testing.T) {
	controllertest.StartManager(t, srv.ClientConfig, nil, daemonset.Setup)
	c, ns, ctx := srv.Client(t), srv.Namespace(t), context.Background()
	a, b, tainted := ns+"-a", ns+"-b", ns+"-tainted"
	createNode(t, c, a, ns)
	createNode(t, c, b, ns)
	createNode(t, c, tainted, ns, corev1.Taint{Key: "dedicated", Value: "db", Effect: corev1.TaintEffectNoSchedule})
	createNode(t, c, ns+"-other", "elsewhere")
	if _, err := c.AppsV1().DaemonSets(ns).Create(ctx, newDS(ns, ns), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitDS(t, c, ns, "two pods scheduled", func(d *appsv1.DaemonSet) bool {
		return d.Status.DesiredNumberScheduled == 2 && d.Status.CurrentNumberScheduled == 2
	})
	byNode, err := podsByNode(ctx, c, ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(byNode) != 2 || len(byNode[a]) != 1 || len(byNode[b]) != 1 {
		t.Fatalf("pods by node = %v, want one on each of %s and %s", byNode, a, b)
	}
	pod := byNode[a][0]
	if pod.Spec.NodeName != "" {
		t.Errorf("pod bound by the controller to %s; the scheduler binds daemon pods", pod.Spec.NodeName)
	}
	if pod.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] == "" || pod.Labels["pod-template-generation"] != "1" {
		t.Errorf("pod labels = %v", pod.Labels)
	}
	tolerated := map[string]bool{}
	for _, tol := range pod.Spec.Tolerations {
		tolerated[tol.Key+"/"+string(tol.Effect)] = true
	}
	for _, want := range []string{"node.kubernetes.io/not-ready/NoExecute", "node.kubernetes.io/unreachable/NoExecute",
		"node.kubernetes.io/disk-pressure/NoSchedule", "node.kubernetes.io/memory-pressure/NoSchedule",
		"node.kubernetes.io/pid-pressure/NoSchedule", "node.kubernetes.io/unschedulable/NoSchedule"} {
		if !tolerated[want] {
			t.Errorf("pod lacks toleration %s: %+v", want, pod.Spec.Tolerations)
		}
	}
	if ref := metav1.GetControllerOf(&pod); ref == nil || ref.Kind != "DaemonSet" {
		t.Errorf("controller ref = %+v", ref)
	}

	// A node that appears gets its pod.
	d := ns + "-d"
	createNode(t, c, d, ns)
	poll(t, "pod on the new node", func(ctx context.Context) (bool, error) {
		byNode, err := podsByNode(ctx, c, ns)
		return err == nil && len(byNode[d]) == 1, err
	})

	// Once the kubelet reports them ready, the set is available.
	byNode, err = podsByNode(ctx, c, ns)
	if err != nil {
		t.Fatal(err)
	}
	for node, pods := range byNode {
		controllertest.MarkPodRunning(t, c, &pods[0], node, true)
	}
	ds := waitDS(t, c, ns, "all available", func(d *appsv1.DaemonSet) bool {
		return d.Status.DesiredNumberScheduled == 3 && d.Status.NumberAvailable == 3 && d.Status.NumberReady == 3 &&
			d.Status.UpdatedNumberScheduled == 3 && d.Status.NumberUnavailable == 0
	})
	if ds.Status.NumberMisscheduled != 0 {
		t.Errorf("misscheduled = %d", ds.Status.NumberMisscheduled)
	}
	if byNode[tainted] != nil {
		t.Errorf("pod created on the tainted node")
	}

	// Tolerating the taint brings a pod to the tainted node too.
	if _, err := c.AppsV1().DaemonSets(ns).Patch(ctx, "agent", types.MergePatchType,
		[]byte(`{"spec":{"template":{"spec":{"tolerations":[{"key":"dedicated","operator":"Exists"}]}}}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	poll(t, "pod on the tainted node", func(ctx context.Context) (bool, error) {
		byNode, err := podsByNode(ctx, c, ns)
		return err == nil && len(byNode[tainted]) == 1, err
	})
}

// kubelet plays the node agent for the set's pods until done: pods being deleted are removed,
// new ones reported running and ready.
func kubelet(t *testing.T, c kubernetes.Interface, ns string, done func(*appsv1.DaemonSet) bool) *appsv1.DaemonSet {
	t.Helper()
	var ds *appsv1.DaemonSet
	poll(t, "rollout", func(ctx context.Context) (bool, error) {
		pods, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for i := range pods.Items {
			p := &pods.Items[i]
			switch {
			case p.DeletionTimestamp != nil:
				err := c.CoreV1().Pods(ns).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](0)})
				if err != nil && !apierrors.IsNotFound(err) {
					return false, err
				}
			case p.Status.Phase != corev1.PodRunning:
				node := p.Spec.Affinity.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms[0].MatchFields[0].Values[0]
				controllertest.MarkPodRunning(t, c, p, node, true)
			}
		}
		ds, err = c.AppsV1().DaemonSets(ns).Get(ctx, "agent", metav1.GetOptions{})
		return err == nil && ds.Status.ObservedGeneration == ds.Generation && done(ds), err
	})
	return ds
}

func TestRollingUpdate(t *testing.T) {
	controllertest.StartManager(t, srv.ClientConfig, nil, daemonset.Setup)
	c, ns, ctx := srv.Client(t), srv.Namespace(t), context.Background()
	for _, n := range []string{"a", "b", "c"} {
		createNode(t, c, ns+"-"+n, ns)
	}
	ds := newDS(ns, ns)
	ds.Spec.UpdateStrategy = appsv1.DaemonSetUpdateStrategy{
		Type:          appsv1.RollingUpdateDaemonSetStrategyType,
		RollingUpdate: &appsv1.RollingUpdateDaemonSet{MaxUnavailable: ptr.To(intstr.FromInt32(1))},
	}
	if _, err := c.AppsV1().DaemonSets(ns).Create(ctx, ds, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	before := kubelet(t, c, ns, func(d *appsv1.DaemonSet) bool {
		return d.Status.DesiredNumberScheduled == 3 && d.Status.NumberAvailable == 3
	})
	old, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	oldNames := map[string]bool{}
	for _, p := range old.Items {
		oldNames[p.Name] = true
	}

	if _, err := c.AppsV1().DaemonSets(ns).Patch(ctx, "agent", types.MergePatchType,
		[]byte(`{"spec":{"template":{"spec":{"containers":[{"name":"c","image":"agent:2"}]}}}}`), metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	// Never more than maxUnavailable (1) of the three nodes without an available pod.
	after := kubelet(t, c, ns, func(d *appsv1.DaemonSet) bool {
		if d.Status.NumberUnavailable > 1 && d.Status.ObservedGeneration == d.Generation {
			t.Errorf("%d pods unavailable during the rollout", d.Status.NumberUnavailable)
		}
		return d.Status.UpdatedNumberScheduled == 3 && d.Status.NumberAvailable == 3
	})
	if after.Generation == before.Generation {
		t.Fatal("generation did not move")
	}
	pods, err := c.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) != 3 {
		t.Errorf("%d pods after the rollout, want 3", len(pods.Items))
	}
	for _, p := range pods.Items {
		if oldNames[p.Name] || p.Spec.Containers[0].Image != "agent:2" {
			t.Errorf("pod %s (image %s) not replaced", p.Name, p.Spec.Containers[0].Image)
		}
	}
	revs, err := c.AppsV1().ControllerRevisions(ns).List(ctx, metav1.ListOptions{})
	if err != nil || len(revs.Items) != 2 {
		t.Errorf("controller revisions: %v, %d, want 2", err, len(revs.Items))
	}
	poll(t, "SuccessfulDelete event", func(ctx context.Context) (bool, error) {
		evs, err := c.CoreV1().Events(ns).List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, err
		}
		for _, e := range evs.Items {
			if e.Reason == "SuccessfulDelete" && oldNames[strings.TrimPrefix(e.Message, "Deleted pod: ")] && e.Source.Component == "daemonset-controller" {
				return true, nil
			}
		}
		return false, nil
	})
}
