package replicaset

import (
	"context"
	"reflect"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/skiff-sh/skiff/controllers/internal/podready"
)

// calculateStatus is the owner's status given its claimed active and terminating pods and the
// error of the last create or delete round, as upstream computes it.
func calculateStatus(rs *appsv1.ReplicaSet, active, terminating []*corev1.Pod, manageErr error, withTerminating bool, now time.Time) appsv1.ReplicaSetStatus {
	status := *rs.Status.DeepCopy()
	templateLabels := labels.SelectorFromValidatedSet(rs.Spec.Template.Labels)
	var fullyLabeled, ready, available int32
	for _, p := range active {
		if templateLabels.Matches(labels.Set(p.Labels)) {
			fullyLabeled++
		}
		if podready.IsReady(p) {
			ready++
			if podready.IsAvailable(p, rs.Spec.MinReadySeconds, now) {
				available++
			}
		}
	}
	failure := GetCondition(rs.Status, appsv1.ReplicaSetReplicaFailure)
	switch {
	case manageErr != nil && failure == nil:
		reason := ""
		if diff := len(active) - int(ptr.Deref(rs.Spec.Replicas, 1)); diff < 0 {
			reason = "FailedCreate"
		} else if diff > 0 {
			reason = "FailedDelete"
		}
		SetCondition(&status, appsv1.ReplicaSetCondition{
			Type: appsv1.ReplicaSetReplicaFailure, Status: corev1.ConditionTrue,
			Reason: reason, Message: manageErr.Error(), LastTransitionTime: metav1.NewTime(now),
		})
	case manageErr == nil && failure != nil:
		RemoveCondition(&status, appsv1.ReplicaSetReplicaFailure)
	}
	status.Replicas = int32(len(active))
	status.FullyLabeledReplicas = fullyLabeled
	status.ReadyReplicas = ready
	status.AvailableReplicas = available
	status.TerminatingReplicas = nil
	if withTerminating {
		status.TerminatingReplicas = ptr.To(int32(len(terminating)))
	}
	return status
}

// GetCondition returns a copy of status's condition of type t, or nil.
func GetCondition(status appsv1.ReplicaSetStatus, t appsv1.ReplicaSetConditionType) *appsv1.ReplicaSetCondition {
	for _, c := range status.Conditions {
		if c.Type == t {
			return &c
		}
	}
	return nil
}

// SetCondition puts c into status, unless a condition of its type with the same status and
// reason is there already.
func SetCondition(status *appsv1.ReplicaSetStatus, c appsv1.ReplicaSetCondition) {
	if cur := GetCondition(*status, c.Type); cur != nil && cur.Status == c.Status && cur.Reason == c.Reason {
		return
	}
	RemoveCondition(status, c.Type)
	status.Conditions = append(status.Conditions, c)
}

// RemoveCondition drops status's condition of type t.
func RemoveCondition(status *appsv1.ReplicaSetStatus, t appsv1.ReplicaSetConditionType) {
	var kept []appsv1.ReplicaSetCondition
	for _, c := range status.Conditions {
		if c.Type != t {
			kept = append(kept, c)
		}
	}
	status.Conditions = kept
}

// statusUnchanged reports whether writing status would change nothing.
func statusUnchanged(rs *appsv1.ReplicaSet, status appsv1.ReplicaSetStatus) bool {
	return rs.Status.Replicas == status.Replicas &&
		rs.Status.FullyLabeledReplicas == status.FullyLabeledReplicas &&
		rs.Status.ReadyReplicas == status.ReadyReplicas &&
		rs.Status.AvailableReplicas == status.AvailableReplicas &&
		ptr.Equal(rs.Status.TerminatingReplicas, status.TerminatingReplicas) &&
		rs.Generation == rs.Status.ObservedGeneration &&
		reflect.DeepEqual(rs.Status.Conditions, status.Conditions)
}

// updateStatus writes status (with the observed generation) unless nothing changed, retrying
// once on a freshly read owner. It returns the owner as a ReplicaSet after the write.
func (r *Reconciler) updateStatus(ctx context.Context, owner client.Object, rs *appsv1.ReplicaSet, status appsv1.ReplicaSetStatus) (*appsv1.ReplicaSet, error) {
	if statusUnchanged(rs, status) {
		return rs, nil
	}
	status.ObservedGeneration = rs.Generation
	obj := owner.DeepCopyObject().(client.Object)
	for attempt := 0; ; attempt++ {
		cur := r.kind.ToReplicaSet(obj)
		log.FromContext(ctx).V(4).Info("Updating status",
			"replicas", cur.Status.Replicas, "newReplicas", status.Replicas, "need", ptr.Deref(cur.Spec.Replicas, 1),
			"fullyLabeledReplicas", status.FullyLabeledReplicas, "readyReplicas", status.ReadyReplicas,
			"availableReplicas", status.AvailableReplicas, "observedGeneration", status.ObservedGeneration)
		r.kind.SetStatus(obj, status)
		err := r.client.Status().Update(ctx, obj)
		if err == nil {
			return r.kind.ToReplicaSet(obj), nil
		}
		if attempt >= 1 {
			return nil, err
		}
		obj = r.kind.New()
		if getErr := r.reader.Get(ctx, client.ObjectKeyFromObject(owner), obj); getErr != nil {
			return nil, getErr
		}
	}
}
