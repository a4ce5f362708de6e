package defaultpreemption

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/util/strategicpatch"
	"k8s.io/client-go/util/retry"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
)

// prepareCandidate evicts c's victims (in parallel; the first failure stops the rest) and
// clears the nomination of lower-priority pods nominated to c's node.
func (pl *Plugin) prepareCandidate(ctx context.Context, c *candidate, preemptor *corev1.Pod) *fwk.Status {
	logger := klog.FromContext(ctx)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var once sync.Once
	var firstErr error
	pl.h.Parallelizer().Until(ctx, len(c.victims), func(i int) {
		victim := c.victims[i]
		if victim.DeletionTimestamp != nil {
			logger.V(2).Info("Victim Pod is already being deleted, skipping the API call for it", "preemptor", klog.KObj(preemptor), "node", c.node, "victim", klog.KObj(victim))
			return
		}
		if err := pl.preemptPod(ctx, c.node, preemptor, victim); err != nil {
			once.Do(func() { firstErr = err; cancel() })
		}
	}, Name)
	if firstErr != nil {
		return fwk.AsStatus(firstErr)
	}
	prio := corev1helpers.PodPriority(preemptor)
	var errs []error
	for _, pi := range pl.h.NominatedPodsForNode(c.node) {
		p := pi.GetPod()
		if corev1helpers.PodPriority(p) >= prio || p.Status.NominatedNodeName == "" {
			continue
		}
		st := p.Status.DeepCopy()
		st.NominatedNodeName = ""
		if err := patchPodStatus(ctx, pl.h, p, st); err != nil {
			errs = append(errs, err)
		}
	}
	if err := utilerrors.NewAggregate(errs); err != nil {
		logger.Error(err, "Cannot clear 'NominatedNodeName' field")
	}
	return nil
}

// preemptPod evicts victim: a pod waiting at Permit is rejected in memory, a pod in PreBind
// has its binding cancelled; any other gets a DisruptionTarget condition and is deleted.
// A victim already gone is not an error.
func (pl *Plugin) preemptPod(ctx context.Context, node string, preemptor, victim *corev1.Pod) error {
	logger := klog.FromContext(ctx)
	msg := fmt.Sprintf("Preempted by %s %v on node %v", fwk.PodKeyType, preemptor.UID, node)
	inMemory := false
	if wp := pl.h.GetWaitingPod(victim.UID); wp != nil {
		if wp.Preempt(Name, "preempted") {
			logger.V(2).Info("Preemptor preempted a waiting pod", "preemptor", klog.KObj(preemptor), "waitingPod", klog.KObj(victim), "node", node)
			inMemory = true
		}
	} else if pb := pl.h.GetPodInPreBind(victim.UID); pb != nil {
		if pb.CancelPod("preempted by " + Name) {
			logger.V(2).Info("Preemptor rejected a pod in preBind", "preemptor", klog.KObj(preemptor), "podInPreBind", klog.KObj(victim), "node", node)
			inMemory = true
		}
	}
	if inMemory {
		msg += " (in kube-scheduler memory)."
	} else {
		st := victim.Status.DeepCopy()
		cond := corev1.PodCondition{
			Type:               corev1.DisruptionTarget,
			ObservedGeneration: victim.Generation,
			Status:             corev1.ConditionTrue,
			Reason:             corev1.PodReasonPreemptionByScheduler,
			Message:            fmt.Sprintf("%s: preempting to accommodate a higher priority %s", preemptor.Spec.SchedulerName, fwk.PodKeyType),
		}
		if setCondition(st, cond) {
			if err := patchPodStatus(ctx, pl.h, victim, st); err != nil {
				if apierrors.IsNotFound(err) {
					logger.V(2).Info("Victim Pod is already deleted", "preemptor", klog.KObj(preemptor), "victim", klog.KObj(victim), "node", node)
					return nil
				}
				logger.Error(err, "Could not add DisruptionTarget condition due to preemption", "preemptor", klog.KObj(preemptor), "victim", klog.KObj(victim))
				return err
			}
		}
		if err := pl.h.ClientSet().CoreV1().Pods(victim.Namespace).Delete(ctx, victim.Name, metav1.DeleteOptions{}); err != nil {
			if apierrors.IsNotFound(err) {
				logger.V(2).Info("Victim Pod is already deleted", "preemptor", klog.KObj(preemptor), "victim", klog.KObj(victim), "node", node)
				return nil
			}
			logger.Error(err, "Tried to preempted pod", "pod", klog.KObj(victim), "preemptor", klog.KObj(preemptor))
			return err
		}
		logger.V(2).Info("Preemptor Pod preempted victim Pod", "preemptor", klog.KObj(preemptor), "victim", klog.KObj(victim), "node", node)
	}
	if r := pl.h.EventRecorder(); r != nil {
		r.WithLogger(logger).Eventf(victim, preemptor, corev1.EventTypeNormal, "Preempted", "Preempting", "%s", msg)
	}
	return nil
}

// setCondition sets cond in st (keeping the transition time when its status is unchanged)
// and reports whether anything changed.
func setCondition(st *corev1.PodStatus, cond corev1.PodCondition) bool {
	cond.LastTransitionTime = metav1.Now()
	for i := range st.Conditions {
		old := &st.Conditions[i]
		if old.Type != cond.Type {
			continue
		}
		if old.Status == cond.Status {
			cond.LastTransitionTime = old.LastTransitionTime
		}
		same := old.Status == cond.Status && old.Reason == cond.Reason && old.Message == cond.Message &&
			old.LastProbeTime.Equal(&cond.LastProbeTime) && old.LastTransitionTime.Equal(&cond.LastTransitionTime)
		st.Conditions[i] = cond
		return !same
	}
	st.Conditions = append(st.Conditions, cond)
	return true
}

// patchPodStatus sends the change from pod's status to st as a strategic merge patch,
// retrying conflicts, internal errors and refused connections as upstream.
func patchPodStatus(ctx context.Context, h fwk.Handle, pod *corev1.Pod, st *corev1.PodStatus) error {
	oldData, err := json.Marshal(corev1.Pod{Status: pod.Status})
	if err != nil {
		return err
	}
	newData, err := json.Marshal(corev1.Pod{Status: *st})
	if err != nil {
		return err
	}
	patch, err := strategicpatch.CreateTwoWayMergePatch(oldData, newData, &corev1.Pod{})
	if err != nil {
		return fmt.Errorf("failed to create merge patch for pod %q/%q: %w", pod.Namespace, pod.Name, err)
	}
	if string(patch) == "{}" {
		return nil
	}
	retriable := func(err error) bool {
		return apierrors.IsConflict(err) || apierrors.IsInternalError(err) || apierrors.IsServiceUnavailable(err) || utilnet.IsConnectionRefused(err)
	}
	return retry.OnError(retry.DefaultBackoff, retriable, func() error {
		_, err := h.ClientSet().CoreV1().Pods(pod.Namespace).Patch(ctx, pod.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{}, "status")
		return err
	})
}
