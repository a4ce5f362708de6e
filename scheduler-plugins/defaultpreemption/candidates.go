package defaultpreemption

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
)

// candidate is a node where evicting victims (most important first) makes the pod fit.
type candidate struct {
	node          string
	victims       []*corev1.Pod
	pdbViolations int64
}

// candidateList collects up to limit candidates found by concurrent dry runs.
type candidateList struct {
	mu    sync.Mutex
	limit int32
	items []*candidate
}

func (l *candidateList) add(c *candidate) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if int32(len(l.items)) < l.limit {
		l.items = append(l.items, c)
	}
}

func (l *candidateList) size() int32 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return int32(len(l.items))
}

// dryRun simulates preemption on the potential nodes in parallel, starting at offset, and
// stops once it has enough candidates (at least one without PDB violations). Candidates
// without PDB violations come first; the statuses say why the other nodes didn't qualify.
func (pl *Plugin) dryRun(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, potential []fwk.NodeInfo,
	pdbs []*policyv1.PodDisruptionBudget, offset, numCandidates int32) ([]*candidate, *nodeStatuses, error) {
	logger := klog.FromContext(ctx)
	logger.V(5).Info("Dry run the preemption", "potentialNodesNumber", len(potential), "pdbsNumber", len(pdbs), "offset", offset, "candidatesNumber", numCandidates)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	nonViolating := &candidateList{limit: numCandidates}
	violating := &candidateList{limit: numCandidates}
	statuses := newNodeStatuses()
	var mu sync.Mutex
	var errs []error
	check := func(i int) {
		ni := potential[(int(offset)+i)%len(potential)]
		name := ni.Node().Name
		victims, violations, s := pl.selectVictimsOnNode(ctx, state.Clone(), pod, ni.Snapshot(), pdbs)
		if s.IsSuccess() && len(victims) > 0 {
			c := &candidate{node: name, victims: victims, pdbViolations: int64(violations)}
			if violations == 0 {
				nonViolating.add(c)
			} else {
				violating.add(c)
			}
			if nv := nonViolating.size(); nv > 0 && nv+violating.size() >= numCandidates {
				cancel()
			}
			return
		}
		if s.IsSuccess() {
			s = fwk.AsStatus(fmt.Errorf("expected at least one victim pod on node %q", name))
		}
		mu.Lock()
		defer mu.Unlock()
		if s.Code() == fwk.Error {
			errs = append(errs, s.AsError())
		}
		statuses.byNode[name] = s
	}
	pl.h.Parallelizer().Until(ctx, len(potential), check, Name)
	out := append(nonViolating.items, violating.items...)
	return out, statuses, utilerrors.NewAggregate(errs)
}

// selectCandidate picks the best candidate (see pickNode).
func (pl *Plugin) selectCandidate(logger klog.Logger, candidates []*candidate) *candidate {
	switch len(candidates) {
	case 0:
		return nil
	case 1:
		return candidates[0]
	}
	byNode := make(map[string]*candidate, len(candidates))
	for _, c := range candidates {
		byNode[c.node] = c
	}
	if c := byNode[pickNode(logger, pl.clock.Now(), byNode)]; c != nil {
		return c
	}
	return candidates[0]
}

// pickNode chooses, as upstream, the node with (in order of precedence) the fewest PDB
// violations, the lowest highest-victim priority, the smallest sum of victim priorities, the
// fewest victims and the latest start time of its highest-priority victims; ties go to
// the first one seen. Victims are ordered most important first.
func pickNode(logger klog.Logger, now time.Time, byNode map[string]*candidate) string {
	if len(byNode) == 0 {
		return ""
	}
	nodes := make([]string, 0, len(byNode))
	for n := range byNode {
		nodes = append(nodes, n)
	}
	scores := []func(*candidate) int64{
		func(c *candidate) int64 { return -c.pdbViolations },
		func(c *candidate) int64 { return -int64(corev1helpers.PodPriority(c.victims[0])) },
		func(c *candidate) int64 {
			var sum int64
			for _, p := range c.victims {
				// Shifted so all terms are >= 0: a few negative-priority victims must not
				// beat fewer of the same priority.
				sum += int64(corev1helpers.PodPriority(p)) + int64(math.MaxInt32+1)
			}
			return -sum
		},
		func(c *candidate) int64 { return -int64(len(c.victims)) },
		func(c *candidate) int64 {
			t := earliestStartTime(c.victims, now)
			if t.IsZero() {
				logger.Error(nil, "Unexpected nil earliestStartTime for node", "node", c.node)
				return math.MinInt64
			}
			return t.UnixNano()
		},
	}
	for _, score := range scores {
		best := int64(math.MinInt64)
		var kept []string
		for _, n := range nodes {
			s := score(byNode[n])
			if s > best {
				best, kept = s, kept[:0]
			}
			if s == best {
				kept = append(kept, n)
			}
		}
		if len(kept) == 1 {
			return kept[0]
		}
		nodes = kept
	}
	return nodes[0]
}

// earliestStartTime is the earliest start time among the highest-priority victims.
func earliestStartTime(victims []*corev1.Pod, now time.Time) time.Time {
	if len(victims) == 0 {
		return time.Time{}
	}
	earliest := startTime(victims[0], now)
	top := corev1helpers.PodPriority(victims[0])
	for _, p := range victims[1:] {
		switch prio := corev1helpers.PodPriority(p); {
		case prio == top:
			if t := startTime(p, now); t.Before(earliest) {
				earliest = t
			}
		case prio > top:
			top, earliest = prio, startTime(p, now)
		}
	}
	return earliest
}

// startTime is status.startTime, or now for pods that have not started.
func startTime(p *corev1.Pod, now time.Time) time.Time {
	if p.Status.StartTime != nil {
		return p.Status.StartTime.Time
	}
	return now
}
