package podautoscaler

import (
	"context"
	"errors"
	"fmt"

	autoscalingv1 "k8s.io/api/autoscaling/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	metricsapi "k8s.io/metrics/pkg/apis/metrics/v1beta1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// errNoCustomMetrics is what Pods, Object and External metrics get: no custom or external
// metrics API is served here.
var errNoCustomMetrics = errors.New("the server could not find the requested resource")

// computeReplicasForMetrics returns the largest proposal of the metrics, or -1 and an error
// (with the ScalingActive condition set) when no usable proposal was made.
func (r *Reconciler) computeReplicasForMetrics(ctx context.Context, hpa *autoscalingv2.HorizontalPodAutoscaler, sc *autoscalingv1.Scale) (int32, string, []autoscalingv2.MetricStatus, error) {
	selector, err := r.validateSelector(ctx, hpa, sc.Status.Selector)
	if err != nil {
		return -1, "", nil, err
	}
	statuses := make([]autoscalingv2.MetricStatus, len(hpa.Spec.Metrics))
	var replicas int32
	var metric string
	invalid := 0
	var firstErr error
	var firstCondition autoscalingv2.HorizontalPodAutoscalerCondition
	for i, spec := range hpa.Spec.Metrics {
		proposal, name, cond, err := r.computeReplicasForMetric(ctx, hpa, spec, sc.Spec.Replicas, selector, &statuses[i])
		if err != nil {
			if invalid == 0 {
				firstErr, firstCondition = err, cond
			}
			invalid++
			continue
		}
		if replicas == 0 || proposal > replicas {
			replicas, metric = proposal, name
		}
	}
	if firstErr != nil {
		firstErr = fmt.Errorf("invalid metrics (%v invalid out of %v), first error is: %w", invalid, len(hpa.Spec.Metrics), firstErr)
	}
	if invalid >= len(hpa.Spec.Metrics) || (invalid > 0 && replicas < sc.Spec.Replicas) {
		r.setCondition(hpa, firstCondition.Type, firstCondition.Status, firstCondition.Reason, "%s", firstCondition.Message)
		return -1, "", statuses, firstErr
	}
	r.setCondition(hpa, autoscalingv2.ScalingActive, corev1.ConditionTrue, "ValidMetricFound", "the HPA was able to successfully calculate a replica count from %s", metric)
	return replicas, metric, statuses, firstErr
}

// validateSelector parses the target's selector and refuses one whose pods another HPA
// already scales.
func (r *Reconciler) validateSelector(ctx context.Context, hpa *autoscalingv2.HorizontalPodAutoscaler, raw string) (labels.Selector, error) {
	if raw == "" {
		msg := "selector is required"
		r.recorder.Event(hpa, corev1.EventTypeWarning, "SelectorRequired", msg)
		r.setCondition(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse, "InvalidSelector", "the HPA target's scale is missing a selector")
		return nil, errors.New(msg)
	}
	selector, err := labels.Parse(raw)
	if err != nil {
		msg := fmt.Sprintf("couldn't convert selector into a corresponding internal selector object: %v", err)
		r.recorder.Event(hpa, corev1.EventTypeWarning, "InvalidSelector", msg)
		r.setCondition(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse, "InvalidSelector", "%s", msg)
		return nil, errors.New(msg)
	}
	key := client.ObjectKeyFromObject(hpa)
	r.mu.Lock()
	r.selectors[key] = selector
	others := map[types.NamespacedName]labels.Selector{}
	for k, s := range r.selectors {
		if k.Namespace == key.Namespace && k != key {
			others[k] = s
		}
	}
	r.mu.Unlock()
	pods := &corev1.PodList{}
	if err := r.client.List(ctx, pods, client.InNamespace(hpa.Namespace), client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return nil, err
	}
	for i := range pods.Items {
		for k, s := range others {
			if s.Matches(labels.Set(pods.Items[i].Labels)) {
				msg := fmt.Sprintf("pods by selector %v are controlled by more than one HPA (e.g. %v)", raw, []string{key.String(), k.String()})
				r.recorder.Event(hpa, corev1.EventTypeWarning, "AmbiguousSelector", msg)
				r.setCondition(hpa, autoscalingv2.ScalingActive, corev1.ConditionFalse, "AmbiguousSelector", "%s", msg)
				return nil, errors.New(msg)
			}
		}
	}
	return selector, nil
}

// computeReplicasForMetric returns one metric's proposal, filling its status.
func (r *Reconciler) computeReplicasForMetric(ctx context.Context, hpa *autoscalingv2.HorizontalPodAutoscaler, spec autoscalingv2.MetricSpec, current int32, selector labels.Selector, status *autoscalingv2.MetricStatus) (int32, string, autoscalingv2.HorizontalPodAutoscalerCondition, error) {
	fail := func(reason string, err error, wrap string) (int32, string, autoscalingv2.HorizontalPodAutoscalerCondition, error) {
		return 0, "", r.unableToCompute(hpa, reason, err), fmt.Errorf(wrap, err)
	}
	switch spec.Type {
	case autoscalingv2.ResourceMetricSourceType:
		replicas, value, name, err := r.resourceMetric(ctx, hpa, current, spec.Resource.Target, spec.Resource.Name, "", selector, spec.Type)
		if err != nil {
			return fail("FailedGetResourceMetric", err, "failed to get "+string(spec.Resource.Name)+" resource metric value: %w")
		}
		*status = autoscalingv2.MetricStatus{Type: spec.Type, Resource: &autoscalingv2.ResourceMetricStatus{Name: spec.Resource.Name, Current: *value}}
		return replicas, name, autoscalingv2.HorizontalPodAutoscalerCondition{}, nil
	case autoscalingv2.ContainerResourceMetricSourceType:
		cr := spec.ContainerResource
		replicas, value, name, err := r.resourceMetric(ctx, hpa, current, cr.Target, cr.Name, cr.Container, selector, spec.Type)
		if err != nil {
			return fail("FailedGetContainerResourceMetric", err, "failed to get "+cr.Container+" container metric value: %w")
		}
		*status = autoscalingv2.MetricStatus{Type: spec.Type, ContainerResource: &autoscalingv2.ContainerResourceMetricStatus{Name: cr.Name, Container: cr.Container, Current: *value}}
		return replicas, name, autoscalingv2.HorizontalPodAutoscalerCondition{}, nil
	case autoscalingv2.PodsMetricSourceType:
		err := fmt.Errorf("unable to get metric %s: unable to fetch metrics from custom metrics API: %w", spec.Pods.Metric.Name, errNoCustomMetrics)
		return fail("FailedGetPodsMetric", err, "failed to get pods metric value: %w")
	case autoscalingv2.ObjectMetricSourceType:
		o := spec.Object
		err := fmt.Errorf("unable to get metric %s: %s on %s %s/%s: unable to fetch metrics from custom metrics API: %w", o.Metric.Name, o.DescribedObject.Kind, o.DescribedObject.Kind, hpa.Namespace, o.DescribedObject.Name, errNoCustomMetrics)
		return fail("FailedGetObjectMetric", err, "failed to get object metric value: %w")
	case autoscalingv2.ExternalMetricSourceType:
		err := fmt.Errorf("unable to get external metric %s/%s/%+v: unable to fetch metrics from external metrics API: %w", hpa.Namespace, spec.External.Metric.Name, spec.External.Metric.Selector, errNoCustomMetrics)
		return fail("FailedGetExternalMetric", err, "failed to get "+spec.External.Metric.Name+" external metric value: %w")
	default:
		err := fmt.Errorf("unknown metric source type %q", string(spec.Type))
		return 0, "", r.unableToCompute(hpa, "InvalidMetricSourceType", err), err
	}
}

// unableToCompute records why a metric gave no proposal and returns the condition to set.
func (r *Reconciler) unableToCompute(hpa *autoscalingv2.HorizontalPodAutoscaler, reason string, err error) autoscalingv2.HorizontalPodAutoscalerCondition {
	r.recorder.Event(hpa, corev1.EventTypeWarning, reason, err.Error())
	return autoscalingv2.HorizontalPodAutoscalerCondition{
		Type:    autoscalingv2.ScalingActive,
		Status:  corev1.ConditionFalse,
		Reason:  reason,
		Message: fmt.Sprintf("the HPA was unable to compute the replica count: %v", err),
	}
}

// resourceMetric computes a Resource or ContainerResource metric from metrics.k8s.io.
func (r *Reconciler) resourceMetric(ctx context.Context, hpa *autoscalingv2.HorizontalPodAutoscaler, current int32, target autoscalingv2.MetricTarget, res corev1.ResourceName, container string, selector labels.Selector, source autoscalingv2.MetricSourceType) (int32, *autoscalingv2.MetricValueStatus, string, error) {
	tol := tolerancesFor(hpa)
	if target.AverageValue == nil && target.AverageUtilization == nil {
		return 0, nil, "", errors.New("invalid resource metric source: neither an average utilization target nor an average value (usage) target was set")
	}
	what := "usage"
	if target.AverageValue == nil {
		what = "utilization"
	}
	metrics, pods, err := r.fetch(ctx, hpa.Namespace, res, selector, container)
	if err != nil {
		return 0, nil, "", fmt.Errorf("failed to get %s %s: %w", res, what, err)
	}
	now := r.clock.Now()
	if target.AverageValue != nil {
		replicas, raw, err := rawResourceReplicas(current, target.AverageValue.MilliValue(), res, tol, pods, metrics, now)
		if err != nil {
			return 0, nil, "", fmt.Errorf("failed to get %s usage: %w", res, err)
		}
		q := quantity(res, raw)
		return replicas, &autoscalingv2.MetricValueStatus{AverageValue: &q}, fmt.Sprintf("%s resource", res), nil
	}
	replicas, utilization, raw, err := resourceReplicas(current, *target.AverageUtilization, res, tol, pods, metrics, container, now)
	if err != nil {
		return 0, nil, "", fmt.Errorf("failed to get %s utilization: %w", res, err)
	}
	name := fmt.Sprintf("%s resource utilization (percentage of request)", res)
	if source == autoscalingv2.ContainerResourceMetricSourceType {
		name = fmt.Sprintf("%s container resource utilization (percentage of request)", res)
	}
	q := quantity(res, raw)
	return replicas, &autoscalingv2.MetricValueStatus{AverageUtilization: &utilization, AverageValue: &q}, name, nil
}

// fetch reads the pods' usage from metrics.k8s.io and the pods from the cache.
func (r *Reconciler) fetch(ctx context.Context, ns string, res corev1.ResourceName, selector labels.Selector, container string) (podMetrics, []*corev1.Pod, error) {
	list, err := r.metrics.PodMetricses(ns).List(ctx, metav1.ListOptions{LabelSelector: selector.String()})
	if err != nil {
		return nil, nil, fmt.Errorf("unable to get metrics for resource %s: unable to fetch metrics from resource metrics API: %w", res, err)
	}
	if len(list.Items) == 0 {
		return nil, nil, fmt.Errorf("unable to get metrics for resource %s: no metrics returned from resource metrics API", res)
	}
	metrics := toPodMetrics(list.Items, res, container)
	pods := &corev1.PodList{}
	if err := r.client.List(ctx, pods, client.InNamespace(ns), client.MatchingLabelsSelector{Selector: selector}); err != nil {
		return nil, nil, fmt.Errorf("unable to get pods while calculating replica count: %w", err)
	}
	out := make([]*corev1.Pod, len(pods.Items))
	for i := range pods.Items {
		out[i] = &pods.Items[i]
	}
	return metrics, out, nil
}

// toPodMetrics sums each pod's containers' usage of res (or takes one container's); pods with
// a container lacking it are left out.
func toPodMetrics(items []metricsapi.PodMetrics, res corev1.ResourceName, container string) podMetrics {
	out := make(podMetrics, len(items))
	for _, m := range items {
		var sum int64
		ok := len(m.Containers) > 0
		found := container == ""
		for _, c := range m.Containers {
			if container != "" && c.Name != container {
				continue
			}
			found = true
			v, has := c.Usage[res]
			if !has {
				ok = false
				break
			}
			sum += v.MilliValue()
		}
		if ok && found {
			out[m.Name] = podMetric{Timestamp: m.Timestamp.Time, Window: m.Window.Duration, Value: sum}
		}
	}
	return out
}

func quantity(res corev1.ResourceName, milli int64) resource.Quantity {
	format := resource.DecimalSI
	if res == corev1.ResourceMemory {
		format = resource.BinarySI
	}
	return *resource.NewMilliQuantity(milli, format)
}

// tolerancesFor returns the HPA's tolerances: its behavior's, else the default.
func tolerancesFor(hpa *autoscalingv2.HorizontalPodAutoscaler) tolerances {
	t := tolerances{defaultTolerance, defaultTolerance}
	if b := hpa.Spec.Behavior; b != nil {
		if b.ScaleDown != nil && b.ScaleDown.Tolerance != nil {
			t.scaleDown = b.ScaleDown.Tolerance.AsApproximateFloat64()
		}
		if b.ScaleUp != nil && b.ScaleUp.Tolerance != nil {
			t.scaleUp = b.ScaleUp.Tolerance.AsApproximateFloat64()
		}
	}
	return t
}
