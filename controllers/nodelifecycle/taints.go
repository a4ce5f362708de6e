package nodelifecycle

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

var (
	unreachableTaint = corev1.Taint{Key: corev1.TaintNodeUnreachable, Effect: corev1.TaintEffectNoExecute}
	notReadyTaint    = corev1.Taint{Key: corev1.TaintNodeNotReady, Effect: corev1.TaintEffectNoExecute}

	// conditionTaints maps a node condition in a status to the key of its NoSchedule taint
	// (TaintNodesByCondition).
	conditionTaints = map[corev1.NodeConditionType]map[corev1.ConditionStatus]string{
		corev1.NodeReady: {
			corev1.ConditionFalse:   corev1.TaintNodeNotReady,
			corev1.ConditionUnknown: corev1.TaintNodeUnreachable,
		},
		corev1.NodeMemoryPressure:     {corev1.ConditionTrue: corev1.TaintNodeMemoryPressure},
		corev1.NodeDiskPressure:       {corev1.ConditionTrue: corev1.TaintNodeDiskPressure},
		corev1.NodeNetworkUnavailable: {corev1.ConditionTrue: corev1.TaintNodeNetworkUnavailable},
		corev1.NodePIDPressure:        {corev1.ConditionTrue: corev1.TaintNodePIDPressure},
	}

	// conditionTaintKeys are the NoSchedule taint keys this controller owns.
	conditionTaintKeys = map[string]bool{
		corev1.TaintNodeNotReady:           true,
		corev1.TaintNodeUnreachable:        true,
		corev1.TaintNodeNetworkUnavailable: true,
		corev1.TaintNodeMemoryPressure:     true,
		corev1.TaintNodeDiskPressure:       true,
		corev1.TaintNodePIDPressure:        true,
		corev1.TaintNodeUnschedulable:      true,
	}
)

// noScheduleTaintDiff returns the NoSchedule taints the node's conditions and spec.unschedulable
// call for that it lacks, and those it has that they no longer call for.
func noScheduleTaintDiff(node *corev1.Node) (add, remove []corev1.Taint) {
	var want []corev1.Taint
	for _, c := range node.Status.Conditions {
		if key, ok := conditionTaints[c.Type][c.Status]; ok {
			want = append(want, corev1.Taint{Key: key, Effect: corev1.TaintEffectNoSchedule})
		}
	}
	if node.Spec.Unschedulable {
		want = append(want, corev1.Taint{Key: corev1.TaintNodeUnschedulable, Effect: corev1.TaintEffectNoSchedule})
	}
	var have []corev1.Taint
	for _, t := range node.Spec.Taints {
		if t.Effect == corev1.TaintEffectNoSchedule && conditionTaintKeys[t.Key] {
			have = append(have, t)
		}
	}
	for _, w := range want {
		if !hasTaint(have, w) {
			add = append(add, w)
		}
	}
	for _, h := range have {
		if !hasTaint(want, h) {
			remove = append(remove, h)
		}
	}
	return add, remove
}

// hasTaint reports whether taints hold one with t's key and effect.
func hasTaint(taints []corev1.Taint, t corev1.Taint) bool {
	for i := range taints {
		if taints[i].MatchTaint(&t) {
			return true
		}
	}
	return false
}

// noExecuteTaints returns the NoExecute taints among taints.
func noExecuteTaints(taints []corev1.Taint) []corev1.Taint {
	var out []corev1.Taint
	for _, t := range taints {
		if t.Effect == corev1.TaintEffectNoExecute {
			out = append(out, t)
		}
	}
	return out
}

// applyTaints returns taints with add added (replacing a taint of the same key and effect
// unless equal) and remove removed (by key and effect), and whether that changed anything.
func applyTaints(taints, add, remove []corev1.Taint) ([]corev1.Taint, bool) {
	out := append([]corev1.Taint(nil), taints...)
	changed := false
	for _, a := range add {
		replaced := false
		for i := range out {
			if out[i].MatchTaint(&a) {
				if !equality.Semantic.DeepEqual(out[i], a) {
					out[i] = a
					changed = true
				}
				replaced = true
				break
			}
		}
		if !replaced {
			out = append(out, a)
			changed = true
		}
	}
	for _, r := range remove {
		kept := out[:0]
		for _, t := range out {
			if t.MatchTaint(&r) {
				changed = true
				continue
			}
			kept = append(kept, t)
		}
		out = kept
	}
	return out, changed
}

// swapTaints adds add (stamped with now as timeAdded) to and removes remove from the node's
// taints, retrying on conflicts with a fresh read.
func swapTaints(ctx context.Context, c client.Client, reader client.Reader, name string, add, remove []corev1.Taint, now metav1.Time) error {
	stamped := make([]corev1.Taint, len(add))
	for i, t := range add {
		t.TimeAdded = &now
		stamped[i] = t
	}
	first := true
	err := retry.RetryOnConflict(retry.DefaultBackoff, func() error {
		node := &corev1.Node{}
		var r client.Reader = reader
		if first {
			r, first = c, false
		}
		if err := r.Get(ctx, types.NamespacedName{Name: name}, node); err != nil {
			return err
		}
		taints, changed := applyTaints(node.Spec.Taints, stamped, remove)
		if !changed {
			return nil
		}
		updated := node.DeepCopy()
		updated.Spec.Taints = taints
		return c.Patch(ctx, updated, client.MergeFromWithOptions(node, client.MergeFromWithOptimisticLock{}))
	})
	if err != nil {
		return fmt.Errorf("updating the taints of node %s: %w", name, err)
	}
	return nil
}
