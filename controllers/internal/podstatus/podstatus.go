package podstatus

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// UpdateCondition sets cond in status, adding it when missing. LastTransitionTime becomes now
// when the status changes and is kept otherwise. It reports whether anything changed.
func UpdateCondition(status *corev1.PodStatus, cond corev1.PodCondition, now metav1.Time) bool {
	cond.LastTransitionTime = now
	for i := range status.Conditions {
		old := &status.Conditions[i]
		if old.Type != cond.Type {
			continue
		}
		if cond.Status == old.Status {
			cond.LastTransitionTime = old.LastTransitionTime
		}
		same := cond.Status == old.Status && cond.Reason == old.Reason && cond.Message == old.Message &&
			cond.LastProbeTime.Equal(&old.LastProbeTime) && cond.LastTransitionTime.Equal(&old.LastTransitionTime)
		status.Conditions[i] = cond
		return !same
	}
	status.Conditions = append(status.Conditions, cond)
	return true
}

// Condition returns the condition of type t, or nil.
func Condition(status *corev1.PodStatus, t corev1.PodConditionType) *corev1.PodCondition {
	for i := range status.Conditions {
		if status.Conditions[i].Type == t {
			return &status.Conditions[i]
		}
	}
	return nil
}

// Patch sends the difference between pod.Status and newStatus as a strategic merge patch of the
// status subresource, with the pod's UID as precondition. pod is not modified.
func Patch(ctx context.Context, c client.Client, pod *corev1.Pod, newStatus corev1.PodStatus) error {
	patch, unchanged, err := statusPatch(pod.UID, pod.Status, newStatus)
	if err != nil {
		return fmt.Errorf("preparing the status patch of pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	if unchanged {
		return nil
	}
	target := pod.DeepCopy()
	if err := c.Status().Patch(ctx, target, client.RawPatch(types.StrategicMergePatchType, patch)); err != nil {
		return fmt.Errorf("patching the status of pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	return nil
}

func statusPatch(uid types.UID, oldStatus, newStatus corev1.PodStatus) ([]byte, bool, error) {
	oldData, err := json.Marshal(corev1.Pod{Status: oldStatus})
	if err != nil {
		return nil, false, err
	}
	// The UID in the new object makes it part of the patch: a precondition.
	newData, err := json.Marshal(corev1.Pod{ObjectMeta: metav1.ObjectMeta{UID: uid}, Status: newStatus})
	if err != nil {
		return nil, false, err
	}
	patch, err := strategicpatch.CreateTwoWayMergePatch(oldData, newData, corev1.Pod{})
	if err != nil {
		return nil, false, err
	}
	return patch, bytes.Equal(patch, fmt.Appendf(nil, `{"metadata":{"uid":%q}}`, uid)), nil
}
