package queue

import (
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
)

// MoveAllToActiveOrBackoffQueue requeues the unschedulable pods the event may help and
// records it for pods in flight.
func (q *Queue) MoveAllToActiveOrBackoffQueue(logger klog.Logger, event fwk.ClusterEvent, oldObj, newObj any) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.recordInFlight(event, oldObj, newObj, "")
	if !isWildCard(event) && !q.anyInterested(event) {
		return
	}
	for _, p := range q.unschedulable {
		q.maybeMove(logger, p, event, oldObj, newObj)
	}
}

func (q *Queue) maybeMove(logger klog.Logger, p *QueuedPodInfo, event fwk.ClusterEvent, oldObj, newObj any) {
	if !q.worthRequeuing(logger, p, event, oldObj, newObj) {
		return
	}
	if p.GatingPlugin != "" {
		q.moveToActive(logger, p, event.Label())
		return
	}
	q.requeue(logger, p, event.Label())
}

// recordInFlight adds the event to the flights of pods being scheduled (except skip's).
func (q *Queue) recordInFlight(event fwk.ClusterEvent, oldObj, newObj any, skip string) {
	for uid, f := range q.inFlight {
		if string(uid) == skip || f.overflow {
			continue
		}
		if len(f.events) >= maxInFlightEvents {
			f.overflow = true
			f.events = f.events[:1]
			continue
		}
		f.events = append(f.events, inFlightEvent{event: event, old: oldObj, new: newObj})
	}
}

// Update replaces a pending pod; an unschedulable pod whose scheduling-relevant fields changed
// is requeued if the rejecting plugins' hints say the change may help.
func (q *Queue) Update(logger klog.Logger, oldPod, newPod *corev1.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	key := podKey(newPod)
	if f, ok := q.inFlight[newPod.UID]; ok {
		for _, e := range PodUpdateEvents(newPod, oldPod, true) {
			if len(f.events) < maxInFlightEvents {
				f.events = append(f.events, inFlightEvent{event: e, old: oldPod, new: newPod})
			}
		}
	}
	if p, ok := q.active.get(key); ok {
		p.update(newPod)
		q.UpdateNominatedPod(logger, oldPod, p.PodInfo)
		q.active.addOrUpdate(p)
		return
	}
	if p, ok := q.backoff.get(key); ok {
		p.update(newPod)
		q.UpdateNominatedPod(logger, oldPod, p.PodInfo)
		q.backoff.addOrUpdate(p)
		return
	}
	if p, ok := q.unschedulable[key]; ok {
		p.update(newPod)
		q.UpdateNominatedPod(logger, oldPod, p.PodInfo)
		if !podChanged(oldPod, newPod) {
			return
		}
		for _, e := range PodUpdateEvents(newPod, oldPod, true) {
			if q.worthRequeuing(logger, p, e, oldPod, newPod) {
				if p.GatingPlugin != "" {
					q.moveToActive(logger, p, e.Label())
				} else {
					q.requeue(logger, p, e.Label())
				}
				return
			}
		}
		return
	}
	if _, ok := q.inFlight[newPod.UID]; ok {
		return
	}
	pi := q.newQueuedPodInfo(newPod)
	q.AddNominatedPod(logger, pi.PodInfo, nil)
	q.moveToActive(logger, pi, "PodUpdate")
}

// podChanged ignores fields the scheduler does not look at.
func podChanged(oldPod, newPod *corev1.Pod) bool {
	strip := func(p *corev1.Pod) *corev1.Pod {
		c := p.DeepCopy()
		c.ResourceVersion, c.Generation, c.ManagedFields = "", 0, nil
		c.Status = corev1.PodStatus{}
		return c
	}
	return !equality.Semantic.DeepEqual(strip(oldPod), strip(newPod))
}

// Delete removes a pod from the queue.
func (q *Queue) Delete(pod *corev1.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	key := podKey(pod)
	q.active.delete(key)
	q.backoff.delete(key)
	delete(q.unschedulable, key)
	q.DeleteNominatedPodIfExists(pod)
}

// Activate moves the given pods ("namespace/name" keys) to the active queue.
func (q *Queue) Activate(logger klog.Logger, pods map[string]*corev1.Pod) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for key, pod := range pods {
		if p, ok := q.unschedulable[key]; ok {
			q.moveToActive(logger, p, ForceActivate.Label())
			continue
		}
		if p, ok := q.backoff.get(key); ok {
			q.moveToActive(logger, p, ForceActivate.Label())
			continue
		}
		if f, ok := q.inFlight[pod.UID]; ok {
			f.events = append(f.events, inFlightEvent{event: ForceActivate})
		}
	}
}

// FlushBackoffCompleted moves pods whose backoff ended to the active queue.
func (q *Queue) FlushBackoffCompleted(logger klog.Logger) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.opts.Clock.Now()
	for {
		p := q.backoff.peek()
		if p == nil || q.backoffTime(p).After(now) {
			return
		}
		q.backoff.pop()
		q.moveToActive(logger, p, "BackoffComplete")
	}
}

// FlushUnschedulableLeftover retries pods unschedulable for longer than the maximum.
func (q *Queue) FlushUnschedulableLeftover(logger klog.Logger) {
	q.mu.Lock()
	defer q.mu.Unlock()
	now := q.opts.Clock.Now()
	for _, p := range q.unschedulable {
		if now.Sub(p.Timestamp) > q.opts.MaxUnschedulableDuration {
			q.maybeMove(logger, p, UnschedulableTimeout, nil, nil)
		}
	}
}

// PendingCounts returns the number of pods in the active and backoff queues, the
// unschedulable pool and, of those, the gated ones.
func (q *Queue) PendingCounts() (active, backoff, unschedulable, gated int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, p := range q.unschedulable {
		if p.GatingPlugin != "" {
			gated++
		}
	}
	return q.active.Len(), q.backoff.Len(), len(q.unschedulable) - gated, gated
}

// PendingPods lists all pending pods (for debugging and tests).
func (q *Queue) PendingPods() []*corev1.Pod {
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []*corev1.Pod
	for _, p := range q.active.list() {
		out = append(out, p.Pod)
	}
	for _, p := range q.backoff.list() {
		out = append(out, p.Pod)
	}
	for _, p := range q.unschedulable {
		out = append(out, p.Pod)
	}
	return out
}

// anyInterested reports whether some plugin registered an event covering event (the
// queue's own gate handling listens to pod updates only, which Update handles).
func (q *Queue) anyInterested(event fwk.ClusterEvent) bool {
	for _, ps := range q.profiles {
		for _, hs := range ps.hints {
			for _, h := range hs {
				if matchEvent(h.Event, event) {
					return true
				}
			}
		}
	}
	return false
}
