package daemonset

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/skiff-sh/skiff/controllers/internal/podready"
)

// excessPods settles several running pods on one node: without surge all but the oldest go;
// with surge an old pod goes once a new one is available (or itself is not ready). needsPod
// asks for a pod on a node that should have one and has none running.
func excessPods(ds *appsv1.DaemonSet, running []*corev1.Pod, hash string, shouldRun bool, now time.Time) (needsPod bool, toDelete []string) {
	if !allowsSurge(ds) {
		if len(running) <= 1 {
			return false, nil
		}
		sortPods(running)
		for _, pod := range running[1:] {
			toDelete = append(toDelete, pod.Name)
		}
		return false, toDelete
	}
	if len(running) <= 1 {
		return len(running) == 0 && shouldRun, nil
	}
	sortPods(running)
	var oldestNew, oldestOld *corev1.Pod
	for _, pod := range running {
		if pod.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] == hash {
			if oldestNew == nil {
				oldestNew = pod
				continue
			}
		} else if oldestOld == nil {
			oldestOld = pod
			continue
		}
		toDelete = append(toDelete, pod.Name)
	}
	if oldestNew != nil && oldestOld != nil &&
		(!podready.IsReady(oldestOld) || podready.IsAvailable(oldestNew, ds.Spec.MinReadySeconds, now)) {
		toDelete = append(toDelete, oldestOld.Name)
	}
	return false, toDelete
}

// updatedAndOld returns the one up-to-date and the one outdated live pod on a node; ok is
// false when there are more, which the core loop settles first.
func updatedAndOld(ds *appsv1.DaemonSet, pods []*corev1.Pod, hash string) (newPod, oldPod *corev1.Pod, ok bool) {
	generation := templateGeneration(ds)
	for _, pod := range pods {
		if pod.DeletionTimestamp != nil {
			continue
		}
		if isUpdated(pod, hash, generation) {
			if newPod != nil {
				return nil, nil, false
			}
			newPod = pod
		} else {
			if oldPod != nil {
				return nil, nil, false
			}
			oldPod = pod
		}
	}
	return newPod, oldPod, true
}

// rollingUpdate replaces outdated pods within maxUnavailable, or, with maxSurge, starts new
// pods beside old ones and deletes the old once the new are available.
func (r *Reconciler) rollingUpdate(ctx context.Context, ds *appsv1.DaemonSet, nodes []*corev1.Node, nodeToPods map[string][]*corev1.Pod, hash string) error {
	place := newPlacement(ds)
	nodeByName := make(map[string]*corev1.Node, len(nodes))
	desired := 0
	for _, n := range nodes {
		nodeByName[n.Name] = n
		if run, _ := place.shouldRun(n); run {
			desired++
			if _, ok := nodeToPods[n.Name]; !ok {
				nodeToPods[n.Name] = nil
			}
		}
	}
	maxSurge, maxUnavailable, err := updateBudget(ds, desired)
	if err != nil {
		return err
	}
	if desired > 0 && maxUnavailable == 0 && maxSurge == 0 {
		log.FromContext(ctx).Info("DaemonSet is not configured for surge or unavailability, defaulting to accepting unavailability")
		maxUnavailable = 1
	}
	now := r.clock.Now()
	var toDelete, toCreate []string
	if maxSurge == 0 {
		toDelete = replaceWithin(ds, nodeToPods, hash, maxUnavailable, now)
	} else {
		toDelete, toCreate = surgeWithin(ds, nodeToPods, nodeByName, place, hash, maxSurge, desired, now)
	}
	return r.syncNodes(ctx, ds, toDelete, toCreate, hash)
}

// updateBudget is maxSurge and maxUnavailable scaled against the nodes that should run a pod.
func updateBudget(ds *appsv1.DaemonSet, desired int) (maxSurge, maxUnavailable int, err error) {
	if maxUnavailable, err = unavailableCount(ds, desired); err != nil {
		return 0, 0, fmt.Errorf("invalid value for MaxUnavailable: %w", err)
	}
	if maxSurge, err = surgeCount(ds, desired); err != nil {
		return 0, 0, fmt.Errorf("invalid value for MaxSurge: %w", err)
	}
	return maxSurge, maxUnavailable, nil
}

// replaceWithin picks the outdated pods to delete without surge: unavailable ones always,
// available ones while fewer than maxUnavailable nodes are without an available pod.
func replaceWithin(ds *appsv1.DaemonSet, nodeToPods map[string][]*corev1.Pod, hash string, maxUnavailable int, now time.Time) []string {
	mrs := ds.Spec.MinReadySeconds
	unavailable := 0
	var allowed, candidates []string
	for _, node := range sortedKeys(nodeToPods) {
		newPod, oldPod, ok := updatedAndOld(ds, nodeToPods[node], hash)
		if !ok {
			unavailable++
			continue
		}
		switch {
		case oldPod == nil && newPod == nil, oldPod != nil && newPod != nil:
			unavailable++
		case newPod != nil:
			if !podready.IsAvailable(newPod, mrs, now) {
				unavailable++
			}
		default:
			switch {
			case !podready.IsAvailable(oldPod, mrs, now):
				allowed = append(allowed, oldPod.Name)
				unavailable++
			case unavailable >= maxUnavailable:
			default:
				candidates = append(candidates, oldPod.Name)
			}
		}
	}
	remaining := min(max(maxUnavailable-unavailable, 0), len(candidates))
	return append(allowed, candidates[:remaining]...)
}

// surgeWithin picks, with maxSurge, the nodes to start new pods on and the old pods to delete.
func surgeWithin(ds *appsv1.DaemonSet, nodeToPods map[string][]*corev1.Pod, nodes map[string]*corev1.Node, place placement,
	hash string, maxSurge, desired int, now time.Time) (toDelete, toCreate []string) {
	mrs := ds.Spec.MinReadySeconds
	var shouldNotRun, candidates, allowed []string
	surge, available := 0, 0
	for _, node := range sortedKeys(nodeToPods) {
		newPod, oldPod, ok := updatedAndOld(ds, nodeToPods[node], hash)
		if !ok {
			surge++
			continue
		}
		if (oldPod != nil && podready.IsAvailable(oldPod, mrs, now)) || (oldPod == nil && newPod != nil && podready.IsAvailable(newPod, mrs, now)) {
			available++
		}
		switch {
		case oldPod == nil:
		case newPod == nil:
			run := false
			if n := nodes[node]; n != nil {
				run, _ = place.shouldRun(n)
			}
			switch {
			case !podready.IsAvailable(oldPod, mrs, now) && !run:
				toDelete = append(toDelete, oldPod.Name)
			case !podready.IsAvailable(oldPod, mrs, now):
				allowed = append(allowed, node)
			case !run:
				shouldNotRun = append(shouldNotRun, oldPod.Name)
			case surge < maxSurge:
				candidates = append(candidates, node)
			}
		default:
			if !podready.IsAvailable(newPod, mrs, now) {
				surge++
				continue
			}
			toDelete = append(toDelete, oldPod.Name)
		}
	}
	// Pods on nodes they no longer fit go while enough pods elsewhere are available.
	if deletable := min(available-desired, len(shouldNotRun)); deletable > 0 {
		toDelete = append(toDelete, shouldNotRun[:deletable]...)
	}
	remaining := min(max(maxSurge-surge, 0), len(candidates))
	return toDelete, append(allowed, candidates[:remaining]...)
}
