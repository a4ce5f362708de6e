package podautoscaler

import (
	"context"
	"fmt"
	"time"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Reconcile syncs one HPA and looks at it again after syncPeriod, errors or not, as
// upstream's fixed-interval queue.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	hpa := &autoscalingv2.HorizontalPodAutoscaler{}
	if err := r.client.Get(ctx, req.NamespacedName, hpa); err != nil {
		if client.IgnoreNotFound(err) == nil {
			r.forget(req.NamespacedName)
		}
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	if err := r.reconcileAutoscaler(ctx, hpa.DeepCopy()); err != nil {
		log.FromContext(ctx).Error(err, "Syncing HorizontalPodAutoscaler")
	}
	return reconcile.Result{RequeueAfter: syncPeriod}, nil
}

func (r *Reconciler) forget(key types.NamespacedName) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.histories, key)
	delete(r.selectors, key)
}

func (r *Reconciler) history(key types.NamespacedName) *history {
	h := r.histories[key]
	if h == nil {
		h = &history{}
		r.histories[key] = h
	}
	return h
}

// reconcileAutoscaler is upstream's: read the target's scale, compute the desired replicas
// from the metrics, stabilize and limit them, rescale, write the status.
func (r *Reconciler) reconcileAutoscaler(ctx context.Context, hpa *autoscalingv2.HorizontalPodAutoscaler) error {
	original := hpa.Status.DeepCopy()
	key := client.ObjectKeyFromObject(hpa)
	reference := fmt.Sprintf("%s/%s/%s", hpa.Spec.ScaleTargetRef.Kind, hpa.Namespace, hpa.Spec.ScaleTargetRef.Name)

	sc, targetGR, err := r.getScale(ctx, hpa)
	if err != nil {
		r.recorder.Event(hpa, corev1.EventTypeWarning, "FailedGetScale", err.Error())
		r.setCondition(hpa, autoscalingv2.AbleToScale, corev1.ConditionFalse, "FailedGetScale", "the HPA controller was unable to get the target's current scale: %v", err)
		r.updateStatusIfNeeded(ctx, original, hpa)
		return fmt.Errorf("failed to query scale subresource for %s: %w", reference, err)
	}
	r.setCondition(hpa, autoscalingv2.AbleToScale, corev1.ConditionTrue, "SucceededGetScale", "the HPA controller was able to get the target's current scale")
	current := sc.Spec.Replicas
	now := r.clock.Now()
	r.mu.Lock()
	if h := r.history(key); h.recommendations == nil {
		h.recommendations = []recommendation{{current, now}}
	}
	r.mu.Unlock()

	minReplicas := int32(1)
	if hpa.Spec.MinReplicas != nil {
		minReplicas = *hpa.Spec.MinReplicas
	}
	var desired int32
	var reason string
	var statuses []autoscalingv2.MetricStatus
	rescale := true
	compute := true
	var retErr error
	scaledToZero := conditionTrue(hpa, autoscalingv2.ScaledToZero)
	objectOrExternal := hasObjectOrExternalMetrics(hpa)
	switch {
	case current == 0:
		if !((minReplicas != 0 && scaledToZero) || (scaledToZero && objectOrExternal)) {
			compute, rescale = false, false
			r.setCondition(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse, "ScalingDisabled", "scaling is disabled since the replica count of the target is zero")
		}
	case current > hpa.Spec.MaxReplicas:
		reason, desired, compute = "Current number of replicas above Spec.MaxReplicas", hpa.Spec.MaxReplicas, false
	case current < minReplicas:
		reason, desired, compute = "Current number of replicas below Spec.MinReplicas", minReplicas, false
	}
	if compute {
		proposal, metric, s, err := r.computeReplicasForMetrics(ctx, hpa, sc)
		statuses = s
		if err != nil && proposal == -1 {
			r.setStatus(hpa, current, hpa.Status.DesiredReplicas, statuses, false)
			r.updateStatusIfNeeded(ctx, original, hpa)
			r.recorder.Event(hpa, corev1.EventTypeWarning, "FailedComputeMetricsReplicas", err.Error())
			return fmt.Errorf("failed to compute desired number of replicas based on listed metrics for %s: %w", reference, err)
		}
		retErr = err
		rescaleMetric := ""
		if proposal > desired {
			desired, rescaleMetric = proposal, metric
		}
		if desired > current {
			reason = fmt.Sprintf("%s above target", rescaleMetric)
		}
		if desired < current {
			reason = "All metrics below target"
		}
		desired = r.normalize(hpa, key, current, desired, minReplicas, now)
		if current == 0 && minReplicas != 0 && scaledToZero && desired < minReplicas {
			desired = minReplicas
			if reason == "" {
				reason = "Current number of replicas below Spec.MinReplicas"
			}
		}
		rescale = desired != current
	}
	if rescale {
		if err := r.rescale(ctx, hpa, targetGR, sc, desired); err != nil {
			r.recorder.Eventf(hpa, corev1.EventTypeWarning, "FailedRescale", "New size: %d; reason: %s; error: %v", desired, reason, err.Error())
			r.setCondition(hpa, autoscalingv2.AbleToScale, corev1.ConditionFalse, "FailedUpdateScale", "the HPA controller was unable to update the target scale: %v", err)
			r.setStatus(hpa, current, hpa.Status.DesiredReplicas, statuses, false)
			r.updateStatusIfNeeded(ctx, original, hpa)
			return fmt.Errorf("failed to rescale %s: %w", reference, err)
		}
		r.setCondition(hpa, autoscalingv2.AbleToScale, corev1.ConditionTrue, "SucceededRescale", "the HPA controller was able to update the target scale to %d", desired)
		r.recorder.Eventf(hpa, corev1.EventTypeNormal, "SuccessfulRescale", "New size: %d; reason: %s", desired, reason)
		r.mu.Lock()
		r.history(key).recordScale(behavior(hpa), current, desired, now)
		r.mu.Unlock()
		if current > 0 && desired == 0 && minReplicas == 0 && objectOrExternal {
			r.setCondition(hpa, autoscalingv2.ScaledToZero, corev1.ConditionTrue, "ScaledToZero", "the HPA controller scaled the workload to zero")
		} else {
			r.setCondition(hpa, autoscalingv2.ScaledToZero, corev1.ConditionFalse, "NotScaledToZero", "the HPA controller did not scale the workload to zero")
		}
		log.FromContext(ctx).Info("Successfully rescaled", "currentReplicas", current, "desiredReplicas", desired, "reason", reason)
	} else {
		desired = current
	}
	r.setStatus(hpa, current, desired, statuses, rescale)
	if err := r.updateStatusIfNeeded(ctx, original, hpa); err != nil {
		return err
	}
	return retErr
}

// behavior returns the HPA's behavior with defaults, nil without one.
func behavior(hpa *autoscalingv2.HorizontalPodAutoscaler) *autoscalingv2.HorizontalPodAutoscalerBehavior {
	if hpa.Spec.Behavior == nil {
		return nil
	}
	return withDefaults(hpa.Spec.Behavior)
}

// normalize stabilizes the proposal and applies limits, setting AbleToScale and ScalingLimited.
func (r *Reconciler) normalize(hpa *autoscalingv2.HorizontalPodAutoscaler, key types.NamespacedName, current, desired, minReplicas int32, t time.Time) int32 {
	r.mu.Lock()
	h := r.history(key)
	var stabilized, limited int32
	var stabReason, stabMsg, reason, msg string
	if b := behavior(hpa); b == nil {
		stabilized = h.stabilize(desired, t)
		stabReason, stabMsg = "ScaleDownStabilized", "recent recommendations were higher than current one, applying the highest recent recommendation"
		limited, reason, msg = limitWithRules(current, stabilized, minReplicas, hpa.Spec.MaxReplicas)
	} else {
		stabilized, stabReason, stabMsg = h.stabilizeWithBehavior(b, current, desired, t)
		limited, reason, msg = h.limitWithBehavior(b, current, stabilized, minReplicas, hpa.Spec.MaxReplicas, t)
	}
	r.mu.Unlock()
	if stabilized != desired {
		r.setCondition(hpa, autoscalingv2.AbleToScale, corev1.ConditionTrue, stabReason, "%s", stabMsg)
	} else {
		r.setCondition(hpa, autoscalingv2.AbleToScale, corev1.ConditionTrue, "ReadyForNewScale", "recommended size matches current size")
	}
	status := corev1.ConditionFalse
	if limited != stabilized {
		status = corev1.ConditionTrue
	}
	r.setCondition(hpa, autoscalingv2.ScalingLimited, status, reason, "%s", msg)
	return limited
}

// getScale reads the target's scale subresource through the mappings of its kind.
func (r *Reconciler) getScale(ctx context.Context, hpa *autoscalingv2.HorizontalPodAutoscaler) (*autoscalingv1.Scale, schema.GroupResource, error) {
	gv, err := schema.ParseGroupVersion(hpa.Spec.ScaleTargetRef.APIVersion)
	if err != nil {
		return nil, schema.GroupResource{}, err
	}
	mappings, err := r.mapper.RESTMappings(schema.GroupKind{Group: gv.Group, Kind: hpa.Spec.ScaleTargetRef.Kind})
	if err != nil {
		return nil, schema.GroupResource{}, err
	}
	return r.scaleForMappings(ctx, hpa.Namespace, hpa.Spec.ScaleTargetRef.Name, mappings)
}

func (r *Reconciler) scaleForMappings(ctx context.Context, ns, name string, mappings []*meta.RESTMapping) (*autoscalingv1.Scale, schema.GroupResource, error) {
	var firstErr error
	for i, m := range mappings {
		gr := m.Resource.GroupResource()
		sc, err := r.scales.Scales(ns).Get(ctx, gr, name, metav1.GetOptions{})
		if err == nil {
			return sc, gr, nil
		}
		if i == 0 {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("unrecognized resource")
	}
	// A kind new since discovery was cached (a CRD) is found next time.
	r.discovery.Invalidate()
	return nil, schema.GroupResource{}, firstErr
}

// rescale writes the desired replicas to the scale, re-reading it on conflicts.
func (r *Reconciler) rescale(ctx context.Context, hpa *autoscalingv2.HorizontalPodAutoscaler, gr schema.GroupResource, sc *autoscalingv1.Scale, desired int32) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		sc.Spec.Replicas = desired
		_, err := r.scales.Scales(hpa.Namespace).Update(ctx, gr, sc, metav1.UpdateOptions{})
		if err == nil {
			return nil
		}
		if latest, getErr := r.scales.Scales(hpa.Namespace).Get(ctx, gr, hpa.Spec.ScaleTargetRef.Name, metav1.GetOptions{}); getErr == nil {
			sc = latest
		}
		return err
	})
}

// setStatus replaces the status, keeping conditions and the last scale time (now on rescale).
func (r *Reconciler) setStatus(hpa *autoscalingv2.HorizontalPodAutoscaler, current, desired int32, statuses []autoscalingv2.MetricStatus, rescale bool) {
	generation := hpa.Generation
	hpa.Status = autoscalingv2.HorizontalPodAutoscalerStatus{
		ObservedGeneration: &generation,
		CurrentReplicas:    current,
		DesiredReplicas:    desired,
		LastScaleTime:      hpa.Status.LastScaleTime,
		CurrentMetrics:     statuses,
		Conditions:         hpa.Status.Conditions,
	}
	if rescale {
		now := metav1.NewTime(r.clock.Now())
		hpa.Status.LastScaleTime = &now
	}
}

// updateStatusIfNeeded writes the status when it changed.
func (r *Reconciler) updateStatusIfNeeded(ctx context.Context, original *autoscalingv2.HorizontalPodAutoscalerStatus, hpa *autoscalingv2.HorizontalPodAutoscaler) error {
	if equality.Semantic.DeepEqual(original, &hpa.Status) {
		return nil
	}
	if err := r.client.Status().Update(ctx, hpa); err != nil {
		r.recorder.Event(hpa, corev1.EventTypeWarning, "FailedUpdateStatus", err.Error())
		log.FromContext(ctx).Error(err, "Updating HorizontalPodAutoscaler status")
		return fmt.Errorf("failed to update status for %s: %w", hpa.Name, err)
	}
	return nil
}

// setCondition sets a condition, moving its transition time only when the status changes.
func (r *Reconciler) setCondition(hpa *autoscalingv2.HorizontalPodAutoscaler, t autoscalingv2.HorizontalPodAutoscalerConditionType, status corev1.ConditionStatus, reason, format string, args ...any) {
	hpa.Status.Conditions = setConditionInList(hpa.Status.Conditions, t, status, reason, fmt.Sprintf(format, args...), metav1.NewTime(r.clock.Now()))
}

func setConditionInList(list []autoscalingv2.HorizontalPodAutoscalerCondition, t autoscalingv2.HorizontalPodAutoscalerConditionType, status corev1.ConditionStatus, reason, msg string, now metav1.Time) []autoscalingv2.HorizontalPodAutoscalerCondition {
	i := 0
	for ; i < len(list) && list[i].Type != t; i++ {
	}
	if i == len(list) {
		list = append(list, autoscalingv2.HorizontalPodAutoscalerCondition{Type: t})
	}
	c := &list[i]
	if c.Status != status {
		c.LastTransitionTime = now
	}
	c.Status, c.Reason, c.Message = status, reason, msg
	return list
}

func conditionTrue(hpa *autoscalingv2.HorizontalPodAutoscaler, t autoscalingv2.HorizontalPodAutoscalerConditionType) bool {
	for _, c := range hpa.Status.Conditions {
		if c.Type == t {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func hasObjectOrExternalMetrics(hpa *autoscalingv2.HorizontalPodAutoscaler) bool {
	for _, m := range hpa.Spec.Metrics {
		if m.Type == autoscalingv2.ObjectMetricSourceType || m.Type == autoscalingv2.ExternalMetricSourceType {
			return true
		}
	}
	return false
}
