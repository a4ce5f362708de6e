package statefulset

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/skiff-sh/skiff/controllers/internal/podready"
)

// maxBatchSize bounds how many pods a Parallel set creates or deletes at once.
const maxBatchSize = 500

// syncPods brings set's pods towards its spec, one step at a time under OrderedReady, and
// returns the status the pods give.
func (r *Reconciler) syncPods(ctx context.Context, set *appsv1.StatefulSet, current, update *appsv1.ControllerRevision,
	collisionCount int32, pods []*corev1.Pod, now time.Time) (*appsv1.StatefulSetStatus, error) {
	logger := log.FromContext(ctx)
	currentSet, err := applyRevision(set, current)
	if err != nil {
		return nil, err
	}
	updateSet, err := applyRevision(set, update)
	if err != nil {
		return nil, err
	}
	if set.Spec.UpdateStrategy.Type == appsv1.RecreateStatefulSetStrategyType {
		// The StatefulSetRecreateStrategy gate is alpha and off in 1.37.
		err := fmt.Errorf("statefulset %s/%s uses Recreate strategy but feature gate StatefulSetRecreateStrategy is disabled", set.Namespace, set.Name)
		r.recorder.Event(set, corev1.EventTypeWarning, "UnknownStrategy", err.Error())
		return nil, err
	}

	status := &appsv1.StatefulSetStatus{
		ObservedGeneration: set.Generation,
		CurrentRevision:    current.Name,
		UpdateRevision:     update.Name,
		CollisionCount:     &collisionCount,
		Conditions:         append([]appsv1.StatefulSetCondition(nil), set.Status.Conditions...),
	}
	mrs := set.Spec.MinReadySeconds
	countReplicas(status, mrs, current.Name, update.Name, now, pods)

	// replicas are the pods in the ordinal range (made up where missing), condemned the rest.
	start, end := startOrdinal(set), endOrdinal(set)
	replicas := make([]*corev1.Pod, end-start+1)
	var condemned []*corev1.Pod
	for _, pod := range pods {
		if inOrdinalRange(pod, set) {
			replicas[ordinalOf(pod)-start] = pod
		} else if ordinalOf(pod) >= 0 {
			condemned = append(condemned, pod)
		}
	}
	for ord := start; ord <= end; ord++ {
		if replicas[ord-start] == nil {
			replicas[ord-start] = newVersionedPod(currentSet, updateSet, current.Name, update.Name, ord)
		}
	}
	sort.Slice(condemned, func(i, j int) bool { return ordinalOf(condemned[i]) > ordinalOf(condemned[j]) })

	// The first unhealthy pod, looking at replicas upwards and then condemned pods upwards.
	var firstUnhealthy *corev1.Pod
	for _, pod := range replicas {
		if isUnavailable(pod, mrs, now) {
			firstUnhealthy = pod
			break
		}
	}
	for i := len(condemned) - 1; i >= 0 && firstUnhealthy == nil; i-- {
		if isUnavailable(condemned[i], mrs, now) {
			firstUnhealthy = condemned[i]
		}
	}
	if set.DeletionTimestamp != nil {
		return status, nil
	}

	monotonic := set.Spec.PodManagementPolicy != appsv1.ParallelPodManagement
	recount := func() { countReplicas(status, mrs, current.Name, update.Name, now, replicas, condemned) }

	if exit, err := runForAll(replicas, monotonic, func(i int) (bool, error) {
		return r.processReplica(ctx, set, updateSet, monotonic, replicas[i], now)
	}); exit || err != nil {
		recount()
		return status, err
	}
	// Claims of pods about to be scaled away get the owners the policy wants first.
	if exit, err := runForAll(condemned, monotonic, func(i int) (bool, error) {
		match, err := r.claimsMatchPolicy(ctx, updateSet, condemned[i])
		if err != nil {
			return true, err
		}
		if !match {
			if err := r.updateClaimsForPolicy(ctx, updateSet, condemned[i]); err != nil {
				return true, err
			}
		}
		return false, nil
	}); exit || err != nil {
		recount()
		return status, err
	}
	if exit, err := runForAll(condemned, monotonic, func(i int) (bool, error) {
		return r.processCondemned(ctx, set, firstUnhealthy, monotonic, condemned[i], now)
	}); exit || err != nil {
		recount()
		return status, err
	}
	recount()

	if set.Spec.UpdateStrategy.Type == appsv1.OnDeleteStatefulSetStrategyType {
		return status, nil
	}
	logger.V(4).Info("Rolling update", "statefulSet", set.Name, "updateRevision", update.Name)
	return status, r.rollingUpdate(ctx, set, replicas, update.Name, status, now)
}

// processReplica creates, waits for or repairs one pod in the ordinal range. It reports
// whether the sync should stop here (OrderedReady waits for each pod in turn).
func (r *Reconciler) processReplica(ctx context.Context, set, updateSet *appsv1.StatefulSet, monotonic bool, pod *corev1.Pod, now time.Time) (bool, error) {
	logger := log.FromContext(ctx)
	if isTerminal(pod) {
		// A failed or succeeded pod is deleted and created again by a later sync.
		if pod.DeletionTimestamp == nil {
			if err := r.deletePod(ctx, set, pod); err != nil {
				return true, err
			}
		}
		return true, nil
	}
	if !isCreated(pod) {
		stale, err := r.claimIsStale(ctx, set, pod)
		if err != nil || stale {
			return true, err
		}
		if err := r.createPod(ctx, set, pod); err != nil {
			return true, err
		}
		if monotonic {
			return true, nil
		}
	}
	if isPending(pod) {
		if err := r.createMissingClaims(ctx, set, pod); err != nil {
			return true, err
		}
	}
	if monotonic {
		switch {
		case isTerminating(pod):
			logger.V(4).Info("StatefulSet is waiting for Pod to Terminate", "pod", pod.Name)
			return true, nil
		case !isRunningAndReady(pod):
			logger.V(4).Info("StatefulSet is waiting for Pod to be Running and Ready", "pod", pod.Name)
			return true, nil
		case !podready.IsAvailable(pod, set.Spec.MinReadySeconds, now):
			logger.V(4).Info("StatefulSet is waiting for Pod to be Available", "pod", pod.Name)
			return true, nil
		}
	}
	match, err := r.claimsMatchPolicy(ctx, updateSet, pod)
	if err != nil {
		match = true // checked again next time
	}
	if identityMatches(set, pod) && storageMatches(set, pod) && match {
		return false, nil
	}
	return false, r.updatePod(ctx, updateSet, pod.DeepCopy())
}

// processCondemned deletes one pod beyond the ordinal range; OrderedReady deletes one at a
// time, highest ordinal first, and only while the others are healthy.
func (r *Reconciler) processCondemned(ctx context.Context, set *appsv1.StatefulSet, firstUnhealthy *corev1.Pod, monotonic bool, pod *corev1.Pod, now time.Time) (bool, error) {
	logger := log.FromContext(ctx)
	if isTerminating(pod) {
		return monotonic, nil
	}
	if monotonic && pod != firstUnhealthy {
		if !isRunningAndReady(pod) || !podready.IsAvailable(pod, set.Spec.MinReadySeconds, now) {
			logger.V(4).Info("StatefulSet is waiting for Pod to be healthy prior to scale down", "pod", firstUnhealthy.Name)
			return true, nil
		}
	}
	logger.V(2).Info("Pod of StatefulSet is terminating for scale down", "pod", pod.Name)
	return true, r.deletePod(ctx, set, pod)
}

// rollingUpdate deletes the pods updateTargets picks so they come back at the update revision.
func (r *Reconciler) rollingUpdate(ctx context.Context, set *appsv1.StatefulSet, replicas []*corev1.Pod, updateRevision string, status *appsv1.StatefulSetStatus, now time.Time) error {
	targets, err := updateTargets(set, replicas, updateRevision, now)
	if err != nil {
		return err
	}
	for _, pod := range targets {
		log.FromContext(ctx).V(2).Info("StatefulSet terminating Pod for update", "pod", pod.Name)
		if err := r.deletePod(ctx, set, pod); err != nil {
			return err
		}
		status.CurrentReplicas--
	}
	return nil
}

// updateTargets picks the pods of older revisions to delete now, from the highest ordinal
// down to the partition, keeping at most maxUnavailable pods unavailable (upstream's
// MaxUnavailableStatefulSet, on by default in 1.37).
func updateTargets(set *appsv1.StatefulSet, replicas []*corev1.Pod, updateRevision string, now time.Time) ([]*corev1.Pod, error) {
	updateMin, maxUnavailable := 0, 1
	if ru := set.Spec.UpdateStrategy.RollingUpdate; ru != nil {
		if ru.Partition != nil {
			updateMin = int(*ru.Partition)
		}
		var err error
		if maxUnavailable, err = statefulSetMaxUnavailable(ru.MaxUnavailable, len(replicas)); err != nil {
			return nil, err
		}
	}
	mrs := set.Spec.MinReadySeconds
	parallel := set.Spec.PodManagementPolicy == appsv1.ParallelPodManagement
	outdated := func(pod *corev1.Pod) bool { return podRevision(pod) != updateRevision }
	unavailable, unavailableNeedingUpdate := 0, 0
	for _, pod := range replicas {
		if isUnavailable(pod, mrs, now) {
			unavailable++
			if parallel && outdated(pod) && !isTerminating(pod) {
				unavailableNeedingUpdate++
			}
		}
	}
	if unavailable >= maxUnavailable && unavailableNeedingUpdate == 0 {
		return nil, nil
	}
	var targets []*corev1.Pod
	if parallel {
		// Unavailable outdated pods are replaced at once: they cost no availability.
		for t := len(replicas) - 1; t >= updateMin; t-- {
			pod := replicas[t]
			if outdated(pod) && !podready.IsAvailable(pod, mrs, now) && !isTerminating(pod) {
				targets = append(targets, pod)
			}
		}
		budget := maxUnavailable - unavailable
		for t := len(replicas) - 1; t >= updateMin && budget > 0; t-- {
			pod := replicas[t]
			if outdated(pod) && !isUnavailable(pod, mrs, now) {
				targets = append(targets, pod)
				budget--
			}
		}
		return targets, nil
	}
	budget := maxUnavailable - unavailable
	for t := len(replicas) - 1; t >= updateMin && budget > 0; t-- {
		pod := replicas[t]
		if outdated(pod) && !isTerminating(pod) {
			targets = append(targets, pod)
			budget--
		}
	}
	return targets, nil
}

// statefulSetMaxUnavailable scales maxUnavailable (default 1) against replicas, rounding
// down, and never below 1.
func statefulSetMaxUnavailable(maxUnavailable *intstr.IntOrString, replicas int) (int, error) {
	def := intstr.FromInt32(1)
	n, err := intstr.GetScaledValueFromIntOrPercent(intstr.ValueOrDefault(maxUnavailable, def), replicas, false)
	if err != nil {
		return 0, fmt.Errorf("invalid maxUnavailable: %w", err)
	}
	return max(n, 1), nil
}

// runForAll runs fn over pods: in order, stopping at the first that asks to (monotonic), or
// all at once in slow-start batches.
func runForAll(pods []*corev1.Pod, monotonic bool, fn func(i int) (bool, error)) (bool, error) {
	if monotonic {
		for i := range pods {
			if exit, err := fn(i); exit || err != nil {
				return true, err
			}
		}
		return false, nil
	}
	if _, err := slowStartBatch(1, len(pods), fn); err != nil {
		return true, err
	}
	return false, nil
}

// slowStartBatch calls fn for 0..remaining-1 in concurrent batches of 1, 2, 4... items,
// stopping after the first batch with an error. It returns how many calls succeeded.
func slowStartBatch(initial, remaining int, fn func(int) (bool, error)) (int, error) {
	successes, next := 0, 0
	for batch := min(remaining, initial); batch > 0; batch = min(2*batch, remaining, maxBatchSize) {
		var (
			wg   sync.WaitGroup
			mu   sync.Mutex
			errs []error
		)
		for i := 0; i < batch; i++ {
			wg.Add(1)
			go func(k int) {
				defer wg.Done()
				if _, err := fn(k); err != nil {
					mu.Lock()
					errs = append(errs, err)
					mu.Unlock()
				}
			}(next)
			next++
		}
		wg.Wait()
		successes += batch - len(errs)
		if len(errs) > 0 {
			return successes, errors.Join(errs...)
		}
		remaining -= batch
	}
	return successes, nil
}
