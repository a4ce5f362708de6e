package scheduler

import (
	"strconv"
	"time"

	"k8s.io/component-base/metrics"
)

// Metrics are the scheduler's metrics, with upstream's names, on their own registry.
type Metrics struct {
	Registry          metrics.KubeRegistry
	scheduleAttempts  *metrics.CounterVec
	attemptDuration   *metrics.HistogramVec
	algorithmDuration *metrics.Histogram
	podAttempts       *metrics.Histogram
	podSLIDuration    *metrics.HistogramVec
	pendingPods       *metrics.GaugeVec
}

func newMetrics() *Metrics {
	m := &Metrics{
		Registry: metrics.NewKubeRegistry(),
		scheduleAttempts: metrics.NewCounterVec(&metrics.CounterOpts{
			Subsystem: "scheduler", Name: "schedule_attempts_total", StabilityLevel: metrics.STABLE,
			Help: "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
		}, []string{"result", "profile"}),
		attemptDuration: metrics.NewHistogramVec(&metrics.HistogramOpts{
			Subsystem: "scheduler", Name: "scheduling_attempt_duration_seconds", StabilityLevel: metrics.STABLE,
			Help:    "Scheduling attempt latency in seconds (scheduling algorithm + binding)",
			Buckets: metrics.ExponentialBuckets(0.001, 2, 15),
		}, []string{"result", "profile"}),
		algorithmDuration: metrics.NewHistogram(&metrics.HistogramOpts{
			Subsystem: "scheduler", Name: "scheduling_algorithm_duration_seconds", StabilityLevel: metrics.BETA,
			Help: "Scheduling algorithm latency in seconds", Buckets: metrics.ExponentialBuckets(0.001, 2, 15),
		}),
		podAttempts: metrics.NewHistogram(&metrics.HistogramOpts{
			Subsystem: "scheduler", Name: "pod_scheduling_attempts", StabilityLevel: metrics.STABLE,
			Help: "Number of attempts to successfully schedule a pod.", Buckets: metrics.ExponentialBuckets(1, 2, 5),
		}),
		podSLIDuration: metrics.NewHistogramVec(&metrics.HistogramOpts{
			Subsystem: "scheduler", Name: "pod_scheduling_sli_duration_seconds", StabilityLevel: metrics.BETA,
			Help:    "E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.",
			Buckets: metrics.ExponentialBuckets(0.01, 2, 20),
		}, []string{"attempts"}),
		pendingPods: metrics.NewGaugeVec(&metrics.GaugeOpts{
			Subsystem: "scheduler", Name: "pending_pods", StabilityLevel: metrics.STABLE,
			Help: "Number of pending pods, by the queue type. 'active' means number of pods in activeQ; 'backoff' means number of pods in backoffQ; 'unschedulable' means number of pods in unschedulableEntities that the scheduler attempted to schedule and failed; 'gated' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.",
		}, []string{"queue"}),
	}
	m.Registry.MustRegister(m.scheduleAttempts, m.attemptDuration, m.algorithmDuration, m.podAttempts, m.podSLIDuration, m.pendingPods)
	return m
}

func (m *Metrics) observeAttempt(result, profile string, d time.Duration) {
	m.scheduleAttempts.WithLabelValues(result, profile).Inc()
	m.attemptDuration.WithLabelValues(result, profile).Observe(d.Seconds())
}

func (m *Metrics) observeScheduled(attempts int, sinceFirst time.Duration) {
	m.podAttempts.Observe(float64(attempts))
	label := strconv.Itoa(attempts)
	if attempts >= 15 {
		label = "15+"
	}
	m.podSLIDuration.WithLabelValues(label).Observe(sinceFirst.Seconds())
}

func (m *Metrics) setPending(active, backoff, unschedulable, gated int) {
	m.pendingPods.WithLabelValues("active").Set(float64(active))
	m.pendingPods.WithLabelValues("backoff").Set(float64(backoff))
	m.pendingPods.WithLabelValues("unschedulable").Set(float64(unschedulable))
	m.pendingPods.WithLabelValues("gated").Set(float64(gated))
}
