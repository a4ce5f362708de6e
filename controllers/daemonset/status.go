package daemonset

import (
	"context"
	"fmt"
	"sort"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/skiff-sh/skiff/controllers/internal/podready"
)

// counts are the DaemonSet status counters.
type counts struct {
	desired, current, misscheduled, ready, updated, available, unavailable int32
}

// countPods computes the status counters: per node that should run a pod, its oldest pod
// counts; pods on nodes that should not run one are misscheduled.
func countPods(ds *appsv1.DaemonSet, nodes []*corev1.Node, nodeToPods map[string][]*corev1.Pod, hash string, now time.Time) counts {
	var c counts
	place := newPlacement(ds)
	generation := templateGeneration(ds)
	for _, node := range nodes {
		run, _ := place.shouldRun(node)
		pods := nodeToPods[node.Name]
		if !run {
			if len(pods) > 0 {
				c.misscheduled++
			}
			continue
		}
		c.desired++
		if len(pods) == 0 {
			continue
		}
		c.current++
		sortPods(pods)
		pod := pods[0]
		if podready.IsReady(pod) {
			c.ready++
			if podready.IsAvailable(pod, ds.Spec.MinReadySeconds, now) {
				c.available++
			}
		}
		if isUpdated(pod, hash, generation) {
			c.updated++
		}
	}
	c.unavailable = c.desired - c.available
	return c
}

// writeStatus stores the counters (and, when observed, the generation) if they changed,
// retrying once on a conflict with a fresh read.
func (r *Reconciler) writeStatus(ctx context.Context, ds *appsv1.DaemonSet, c counts, observed bool) error {
	s := ds.Status
	if s.DesiredNumberScheduled == c.desired && s.CurrentNumberScheduled == c.current &&
		s.NumberMisscheduled == c.misscheduled && s.NumberReady == c.ready &&
		s.UpdatedNumberScheduled == c.updated && s.NumberAvailable == c.available &&
		s.NumberUnavailable == c.unavailable && s.ObservedGeneration >= ds.Generation {
		return nil
	}
	toUpdate := ds.DeepCopy()
	var err error
	for i := 0; i < 2; i++ {
		if observed {
			toUpdate.Status.ObservedGeneration = ds.Generation
		}
		toUpdate.Status.DesiredNumberScheduled = c.desired
		toUpdate.Status.CurrentNumberScheduled = c.current
		toUpdate.Status.NumberMisscheduled = c.misscheduled
		toUpdate.Status.NumberReady = c.ready
		toUpdate.Status.UpdatedNumberScheduled = c.updated
		toUpdate.Status.NumberAvailable = c.available
		toUpdate.Status.NumberUnavailable = c.unavailable
		if err = r.client.Status().Update(ctx, toUpdate); err == nil {
			return nil
		}
		fresh := &appsv1.DaemonSet{}
		if getErr := r.live.Get(ctx, client.ObjectKeyFromObject(ds), fresh); getErr != nil {
			return fmt.Errorf("error storing status for daemon set: %w", getErr)
		}
		toUpdate = fresh
	}
	return fmt.Errorf("error storing status for daemon set: %w", err)
}

func sortedKeys(m map[string][]*corev1.Pod) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
