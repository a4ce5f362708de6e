package nodelifecycle

import (
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/utils/clock"
)

// zoneState is the health of a zone, as upstream's.
type zoneState string

const (
	stateInitial           zoneState = "Initial"
	stateNormal            zoneState = "Normal"
	stateFullDisruption    zoneState = "FullDisruption"
	statePartialDisruption zoneState = "PartialDisruption"
)

// Upstream's defaults of --node-eviction-rate, --secondary-node-eviction-rate,
// --large-cluster-size-threshold and --unhealthy-zone-threshold.
const (
	evictionRate           = 0.1
	secondaryEvictionRate  = 0.01
	largeClusterThreshold  = 50
	unhealthyZoneThreshold = 0.55
)

// computeZoneState counts the zone's not-Ready nodes (a nil condition is not Ready) and says
// whether the zone is fully disrupted (none Ready), partially (at least three and at least
// unhealthyZoneThreshold of them not Ready) or normal.
func computeZoneState(ready []*corev1.NodeCondition) (int, zoneState) {
	readyNodes, notReady := 0, 0
	for _, c := range ready {
		if c != nil && c.Status == corev1.ConditionTrue {
			readyNodes++
		} else {
			notReady++
		}
	}
	switch {
	case readyNodes == 0 && notReady > 0:
		return notReady, stateFullDisruption
	case notReady > 2 && float32(notReady)/float32(notReady+readyNodes) >= unhealthyZoneThreshold:
		return notReady, statePartialDisruption
	default:
		return notReady, stateNormal
	}
}

// zoneEvictionRate is the rate at which nodes of a zone in state get NoExecute taints.
func zoneEvictionRate(state zoneState, zoneSize int) float32 {
	switch state {
	case statePartialDisruption:
		if zoneSize > largeClusterThreshold {
			return secondaryEvictionRate
		}
		return 0
	default:
		return evictionRate
	}
}

// taintQueue holds the nodes of one zone waiting for a NoExecute taint, handed out at a
// limited rate (upstream's RateLimitedTimedQueue). A processed node stays remembered, so that it
// is not queued again until removed.
type taintQueue struct {
	clock   clock.PassiveClock
	limiter flowcontrol.PassiveRateLimiter // nil: stopped
	known   map[string]bool
	pending []queuedNode
}

type queuedNode struct {
	name      string
	processAt time.Time
}

func newTaintQueue(c clock.PassiveClock, qps float32) *taintQueue {
	q := &taintQueue{clock: c, known: map[string]bool{}}
	q.setRate(qps)
	return q
}

// setRate replaces the limiter; 0 stops the queue.
func (q *taintQueue) setRate(qps float32) {
	if q.limiter != nil && q.limiter.QPS() == qps {
		return
	}
	if qps <= 0 {
		q.limiter = nil
		return
	}
	q.limiter = flowcontrol.NewTokenBucketPassiveRateLimiterWithClock(qps, 1, q.clock)
}

// add queues name unless it is already queued or processed.
func (q *taintQueue) add(name string) bool {
	if q.known[name] {
		return false
	}
	q.known[name] = true
	q.pending = append(q.pending, queuedNode{name: name, processAt: q.clock.Now()})
	return true
}

// remove forgets name; it reports whether it was known.
func (q *taintQueue) remove(name string) bool {
	if !q.known[name] {
		return false
	}
	delete(q.known, name)
	for i, n := range q.pending {
		if n.name == name {
			q.pending = append(q.pending[:i], q.pending[i+1:]...)
			break
		}
	}
	return true
}

// try hands due nodes to fn while the limiter allows; fn returns false and a delay to retry.
func (q *taintQueue) try(fn func(name string) (bool, time.Duration)) {
	for len(q.pending) > 0 {
		if q.limiter == nil || !q.limiter.TryAccept() {
			return
		}
		now := q.clock.Now()
		head := &q.pending[0]
		if now.Before(head.processAt) {
			return
		}
		if ok, wait := fn(head.name); !ok {
			head.processAt = now.Add(wait + 1)
			sort.SliceStable(q.pending, func(i, j int) bool { return q.pending[i].processAt.Before(q.pending[j].processAt) })
			continue
		}
		q.pending = q.pending[1:]
	}
}
