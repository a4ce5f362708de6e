package job

import (
	"slices"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/utils/ptr"
)

// Pod failure back-off, as upstream: a failed pod's replacement waits 10s, doubling with each
// failure since the last success, up to 10 minutes. Variables so tests may shorten them.
var (
	podFailureBackoff    = 10 * time.Second
	maxPodFailureBackoff = 10 * time.Minute
)

// backoffRecord is what the controller remembers of a Job's recent failures.
type backoffRecord struct {
	failuresAfterLastSuccess int32
	lastFailureTime          *time.Time
}

// backoffStore keeps a record per Job key, in memory as upstream does.
type backoffStore struct {
	mu      sync.Mutex
	records map[string]backoffRecord
}

func newBackoffStore() *backoffStore { return &backoffStore{records: map[string]backoffRecord{}} }

func (s *backoffStore) get(key string) backoffRecord {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.records[key]
}

func (s *backoffStore) set(key string, r backoffRecord) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[key] = r
}

func (s *backoffStore) remove(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, key)
}

// nextBackoffRecord folds the pods that finished since the last sync into rec: a success
// resets the count, failures after the last success add up.
func nextBackoffRecord(rec backoffRecord, succeeded, failed []*corev1.Pod) backoffRecord {
	if len(failed) == 0 {
		if len(succeeded) > 0 {
			return backoffRecord{}
		}
		return rec
	}
	failedTimes := finishTimes(failed)
	if len(succeeded) == 0 {
		last := failedTimes[len(failedTimes)-1]
		return backoffRecord{failuresAfterLastSuccess: rec.failuresAfterLastSuccess + int32(len(failed)), lastFailureTime: &last}
	}
	succeededTimes := finishTimes(succeeded)
	lastSuccess := succeededTimes[len(succeededTimes)-1]
	out := backoffRecord{}
	for i := len(failedTimes) - 1; i >= 0 && failedTimes[i].After(lastSuccess); i-- {
		if out.lastFailureTime == nil {
			out.lastFailureTime = &failedTimes[i]
		}
		out.failuresAfterLastSuccess++
	}
	return out
}

func finishTimes(pods []*corev1.Pod) []time.Time {
	out := make([]time.Time, len(pods))
	for i, p := range pods {
		out[i] = podFinishTime(p)
	}
	slices.SortFunc(out, func(a, b time.Time) int { return a.Compare(b) })
	return out
}

// podFinishTime is when the pod finished: the latest container termination (regular and
// sidecar containers), else the Ready=False transition, else the deletion time less the grace
// period, else its creation.
func podFinishTime(p *corev1.Pod) time.Time {
	if t := containersFinishTime(p); t != nil {
		return *t
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.PodReady && c.Status == corev1.ConditionFalse && !c.LastTransitionTime.IsZero() {
			return c.LastTransitionTime.Time
		}
	}
	if p.DeletionTimestamp != nil {
		return p.DeletionTimestamp.Add(-time.Duration(ptr.Deref(p.DeletionGracePeriodSeconds, 0)) * time.Second)
	}
	return p.CreationTimestamp.Time
}

// containersFinishTime is the latest finishedAt of the regular and sidecar containers, or nil
// when one of them has not terminated.
func containersFinishTime(p *corev1.Pod) *time.Time {
	sidecars := map[string]bool{}
	for _, c := range p.Spec.InitContainers {
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			sidecars[c.Name] = true
		}
	}
	statuses := slices.Clone(p.Status.ContainerStatuses)
	for _, s := range p.Status.InitContainerStatuses {
		if sidecars[s.Name] {
			statuses = append(statuses, s)
		}
	}
	var latest *time.Time
	for _, s := range statuses {
		t := s.State.Terminated
		if t == nil || t.FinishedAt.IsZero() {
			return nil
		}
		if latest == nil || latest.Before(t.FinishedAt.Time) {
			latest = &t.FinishedAt.Time
		}
	}
	return latest
}

// backoffDelay is how long to wait before replacing a pod after failures consecutive failures,
// the last at lastFailure: base doubled per failure after the first, capped at max.
func backoffDelay(failures int32, lastFailure *time.Time, now time.Time) time.Duration {
	if failures == 0 || lastFailure == nil {
		return 0
	}
	d := podFailureBackoff
	for i := int32(1); i < failures && d < maxPodFailureBackoff; i++ {
		d *= 2
	}
	d = min(d, maxPodFailureBackoff)
	if elapsed := now.Sub(*lastFailure); elapsed < d {
		return d - elapsed
	}
	return 0
}
