package podautoscaler

import (
	"errors"
	"fmt"
	"math"
	"time"

	corev1 "k8s.io/api/core/v1"
	resourcehelpers "k8s.io/component-helpers/resource"
)

// Upstream's defaults of --horizontal-pod-autoscaler-tolerance, -cpu-initialization-period and
// -initial-readiness-delay.
const (
	defaultTolerance              = 0.1
	cpuInitializationPeriod       = 5 * time.Minute
	delayOfInitialReadinessStatus = 30 * time.Second
)

// podMetric is one pod's usage (milli-units) and when and over what window it was measured.
type podMetric struct {
	Timestamp time.Time
	Window    time.Duration
	Value     int64
}

// podMetrics maps pod names to their metric.
type podMetrics map[string]podMetric

// tolerances are how far the usage ratio may be from 1 before scaling.
type tolerances struct{ scaleDown, scaleUp float64 }

func (t tolerances) isWithin(ratio float64) bool {
	return 1.0-t.scaleDown <= ratio && ratio <= 1.0+t.scaleUp
}

// podGroups sorts the pods for a calculation: counted (ready with a metric), unready (pending,
// or for CPU still starting up), missing a metric, ignored (deleted or failed).
type podGroups struct {
	ready                     int
	unready, missing, ignored map[string]bool
}

func groupPods(pods []*corev1.Pod, metrics podMetrics, resource corev1.ResourceName, now time.Time) podGroups {
	g := podGroups{unready: map[string]bool{}, missing: map[string]bool{}, ignored: map[string]bool{}}
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil || pod.Status.Phase == corev1.PodFailed {
			g.ignored[pod.Name] = true
			continue
		}
		if pod.Status.Phase == corev1.PodPending {
			g.unready[pod.Name] = true
			continue
		}
		metric, found := metrics[pod.Name]
		if !found {
			g.missing[pod.Name] = true
			continue
		}
		if resource == corev1.ResourceCPU && cpuUnready(pod, metric, now) {
			g.unready[pod.Name] = true
			continue
		}
		g.ready++
	}
	return g
}

// cpuUnready says whether a pod's CPU sample is not to be trusted yet: during the
// initialization period unless ready and sampled after becoming ready, later only if it never
// became ready since shortly after start.
func cpuUnready(pod *corev1.Pod, metric podMetric, now time.Time) bool {
	var ready *corev1.PodCondition
	for i := range pod.Status.Conditions {
		if pod.Status.Conditions[i].Type == corev1.PodReady {
			ready = &pod.Status.Conditions[i]
		}
	}
	if ready == nil || pod.Status.StartTime == nil {
		return true
	}
	if pod.Status.StartTime.Add(cpuInitializationPeriod).After(now) {
		return ready.Status == corev1.ConditionFalse || metric.Timestamp.Before(ready.LastTransitionTime.Add(metric.Window))
	}
	return ready.Status == corev1.ConditionFalse && pod.Status.StartTime.Add(delayOfInitialReadinessStatus).After(ready.LastTransitionTime.Time)
}

// podRequests returns each pod's request of resource (of one container when container is
// set; pod-level requests win when set), in milli-units.
func podRequests(pods []*corev1.Pod, container string, resource corev1.ResourceName) (map[string]int64, error) {
	out := make(map[string]int64, len(pods))
	for _, pod := range pods {
		if container == "" && resourcehelpers.IsPodLevelRequestsSet(pod) {
			q, ok := resourcehelpers.PodRequests(pod, resourcehelpers.PodResourcesOptions{})[resource]
			if !ok {
				return nil, fmt.Errorf("missing pod-level request for %s in Pod %s", resource, pod.Name)
			}
			out[pod.Name] = q.MilliValue()
			continue
		}
		containers := append([]corev1.Container{}, pod.Spec.Containers...)
		for _, c := range pod.Spec.InitContainers {
			if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
				containers = append(containers, c)
			}
		}
		var request int64
		found := false
		for _, c := range containers {
			if container != "" && c.Name != container {
				continue
			}
			q, ok := c.Resources.Requests[resource]
			if !ok {
				return nil, fmt.Errorf("missing request for %s in container %s of Pod %s", resource, c.Name, pod.Name)
			}
			request += q.MilliValue()
			found = true
			if container != "" {
				break
			}
		}
		if container != "" && !found {
			return nil, fmt.Errorf("container %s not found in Pod %s", container, pod.Name)
		}
		out[pod.Name] = request
	}
	return out, nil
}

// utilizationRatio returns usage over requests as a ratio to the target, the utilization in
// percent and the average raw usage.
func utilizationRatio(metrics podMetrics, requests map[string]int64, target int32) (float64, int32, int64, error) {
	var total, requested int64
	n := 0
	for name, m := range metrics {
		r, ok := requests[name]
		if !ok {
			continue
		}
		total += m.Value
		requested += r
		n++
	}
	if requested == 0 {
		return 0, 0, 0, errors.New("no metrics returned matched known pods")
	}
	utilization := int32(total * 100 / requested)
	return float64(utilization) / float64(target), utilization, total / int64(n), nil
}

// usageRatio returns the average usage and its ratio to the target.
func usageRatio(metrics podMetrics, target int64) (float64, int64) {
	var total int64
	for _, m := range metrics {
		total += m.Value
	}
	avg := total / int64(len(metrics))
	return float64(avg) / float64(target), avg
}

// resourceReplicas is upstream's GetResourceReplicas after the metrics are fetched: replicas
// for a target utilization (percent of requests), the utilization and the raw average.
func resourceReplicas(current, target int32, resource corev1.ResourceName, tol tolerances, pods []*corev1.Pod, metrics podMetrics, container string, now time.Time) (int32, int32, int64, error) {
	if len(pods) == 0 {
		return 0, 0, 0, errors.New("no pods returned by selector while calculating replica count")
	}
	g := groupPods(pods, metrics, resource, now)
	dropMetrics(metrics, g.ignored)
	dropMetrics(metrics, g.unready)
	if len(metrics) == 0 {
		return 0, 0, 0, errors.New("did not receive metrics for targeted pods (pods might be unready)")
	}
	requests, err := podRequests(pods, container, resource)
	if err != nil {
		return 0, 0, 0, err
	}
	ratio, utilization, raw, err := utilizationRatio(metrics, requests, target)
	if err != nil {
		return 0, 0, 0, err
	}
	scaleUpWithUnready := len(g.unready) > 0 && ratio > 1.0
	if !scaleUpWithUnready && len(g.missing) == 0 {
		if tol.isWithin(ratio) {
			return current, utilization, raw, nil
		}
		return int32(math.Ceil(ratio * float64(g.ready))), utilization, raw, nil
	}
	// Be conservative: pods without metrics count as at the target (100% when scaling down)
	// when scaling down and as idle when scaling up; unready pods as idle.
	for name := range g.missing {
		if ratio < 1.0 {
			metrics[name] = podMetric{Value: requests[name] * int64(max(100, target)) / 100}
		} else if ratio > 1.0 {
			metrics[name] = podMetric{Value: 0}
		}
	}
	if scaleUpWithUnready {
		for name := range g.unready {
			metrics[name] = podMetric{Value: 0}
		}
	}
	newRatio, _, _, err := utilizationRatio(metrics, requests, target)
	if err != nil {
		return 0, utilization, raw, err
	}
	return rebalanced(current, ratio, newRatio, len(metrics), tol), utilization, raw, nil
}

// rawResourceReplicas is upstream's calcPlainMetricReplicas for a target average value.
func rawResourceReplicas(current int32, target int64, resource corev1.ResourceName, tol tolerances, pods []*corev1.Pod, metrics podMetrics, now time.Time) (int32, int64, error) {
	if len(pods) == 0 {
		return 0, 0, errors.New("no pods returned by selector while calculating replica count")
	}
	g := groupPods(pods, metrics, resource, now)
	dropMetrics(metrics, g.ignored)
	dropMetrics(metrics, g.unready)
	if len(metrics) == 0 {
		return 0, 0, errors.New("did not receive metrics for targeted pods (pods might be unready)")
	}
	ratio, usage := usageRatio(metrics, target)
	scaleUpWithUnready := len(g.unready) > 0 && ratio > 1.0
	if !scaleUpWithUnready && len(g.missing) == 0 {
		if tol.isWithin(ratio) {
			return current, usage, nil
		}
		return int32(math.Ceil(ratio * float64(g.ready))), usage, nil
	}
	for name := range g.missing {
		if ratio < 1.0 {
			metrics[name] = podMetric{Value: target}
		} else if ratio > 1.0 {
			metrics[name] = podMetric{Value: 0}
		}
	}
	if scaleUpWithUnready {
		for name := range g.unready {
			metrics[name] = podMetric{Value: 0}
		}
	}
	newRatio, _ := usageRatio(metrics, target)
	return rebalanced(current, ratio, newRatio, len(metrics), tol), usage, nil
}

// rebalanced returns the replicas for the ratio recomputed with missing and unready pods: no
// change when within tolerance, when the direction flipped, or when it would move against the
// ratio.
func rebalanced(current int32, ratio, newRatio float64, n int, tol tolerances) int32 {
	if tol.isWithin(newRatio) || (ratio < 1.0 && newRatio > 1.0) || (ratio > 1.0 && newRatio < 1.0) {
		return current
	}
	replicas := int32(math.Ceil(newRatio * float64(n)))
	if (newRatio < 1.0 && replicas > current) || (newRatio > 1.0 && replicas < current) {
		return current
	}
	return replicas
}

func dropMetrics(metrics podMetrics, names map[string]bool) {
	for name := range names {
		delete(metrics, name)
	}
}
