package nodelifecycle

import (
	"context"
	"fmt"
	"maps"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Reconciler keeps a node's NoSchedule condition taints and beta OS/arch labels in line (keys
// without a namespace), and marks pods newly bound to a not-Ready node not ready (pod keys).
type Reconciler struct {
	client   client.Client
	reader   client.Reader
	recorder record.EventRecorder
	clock    clock.PassiveClock
	monitor  *monitor
}

// Reconcile handles one node or one pod.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	if req.Namespace != "" {
		return reconcile.Result{}, r.reconcilePod(ctx, req.NamespacedName)
	}
	node := &corev1.Node{}
	if err := r.client.Get(ctx, req.NamespacedName, node); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if add, remove := noScheduleTaintDiff(node); len(add)+len(remove) > 0 {
		if err := swapTaints(ctx, r.client, r.reader, node.Name, add, remove, metav1.NewTime(r.clock.Now())); err != nil {
			return reconcile.Result{}, err
		}
	}
	if labels := betaLabels(node.Labels); len(labels) > 0 {
		patched := node.DeepCopy()
		maps.Copy(patched.Labels, labels)
		if err := r.client.Patch(ctx, patched, client.MergeFrom(node)); err != nil {
			return reconcile.Result{}, fmt.Errorf("updating the labels of node %s: %w", node.Name, err)
		}
	}
	return reconcile.Result{}, nil
}

// betaLabels returns the beta OS and arch labels that must be set to match the stable ones.
func betaLabels(labels map[string]string) map[string]string {
	out := map[string]string{}
	for stable, beta := range map[string]string{
		corev1.LabelOSStable:   "beta.kubernetes.io/os",
		corev1.LabelArchStable: "beta.kubernetes.io/arch",
	} {
		v, ok := labels[stable]
		if !ok {
			continue
		}
		if old, ok := labels[beta]; !ok || old != v {
			out[beta] = v
		}
	}
	return out
}

// reconcilePod marks a pod just bound to a node the monitor knows as not Ready not ready.
func (r *Reconciler) reconcilePod(ctx context.Context, key types.NamespacedName) error {
	pod := &corev1.Pod{}
	if err := r.client.Get(ctx, key, pod); err != nil {
		return client.IgnoreNotFound(err)
	}
	h := r.monitor.getHealth(pod.Spec.NodeName)
	if pod.Spec.NodeName == "" || h == nil {
		return nil
	}
	if err := r.client.Get(ctx, types.NamespacedName{Name: pod.Spec.NodeName}, &corev1.Node{}); err != nil {
		if apierrors.IsNotFound(err) {
			return nil
		}
		return err
	}
	ready := nodeCondition(h.status, corev1.NodeReady)
	if ready == nil || ready.Status == corev1.ConditionTrue {
		return nil
	}
	return markPodsNotReady(ctx, r.client, r.recorder, []corev1.Pod{*pod}, pod.Spec.NodeName, metav1.NewTime(r.clock.Now()))
}
