package daemonset

import (
	"context"
	"errors"
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	extensionsv1beta1 "k8s.io/api/extensions/v1beta1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/skiff-sh/skiff/controllers/internal/history"
	"github.com/skiff-sh/skiff/controllers/internal/index"
)

const (
	// burstReplicas bounds the creations and deletions of one sync.
	burstReplicas = 250
	// slowStartInitialBatchSize is the first batch of creations; batches double while they succeed.
	slowStartInitialBatchSize = 1
)

// claimPods returns the pods ds owns, adopting orphans it selects and releasing owned pods it
// no longer selects.
func (r *Reconciler) claimPods(ctx context.Context, ds *appsv1.DaemonSet, claimer *history.Claimer) ([]*corev1.Pod, error) {
	var owned, matching corev1.PodList
	if err := r.client.List(ctx, &owned, client.InNamespace(ds.Namespace),
		client.MatchingFields{index.ControllerUID: string(ds.UID)}); err != nil {
		return nil, fmt.Errorf("listing pods: %w", err)
	}
	if err := r.client.List(ctx, &matching, client.InNamespace(ds.Namespace),
		client.MatchingLabelsSelector{Selector: claimer.Selector}); err != nil {
		return nil, fmt.Errorf("listing pods: %w", err)
	}
	candidates := make([]*corev1.Pod, 0, len(owned.Items))
	for i := range owned.Items {
		candidates = append(candidates, &owned.Items[i])
	}
	for i := range matching.Items {
		if metav1.GetControllerOfNoCopy(&matching.Items[i]) == nil {
			candidates = append(candidates, &matching.Items[i])
		}
	}
	var claimed []*corev1.Pod
	var errs []error
	for _, pod := range candidates {
		ok, err := claimer.Claim(ctx, pod, nil)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if ok {
			claimed = append(claimed, pod)
		}
	}
	return claimed, errors.Join(errs...)
}

// nodeToPods groups ds's pods by the node they run on or are pinned to. Pods both terminal and
// deleting are left out unless includeDeletedTerminal.
func (r *Reconciler) nodeToPods(ctx context.Context, ds *appsv1.DaemonSet, claimer *history.Claimer, includeDeletedTerminal bool) (map[string][]*corev1.Pod, error) {
	pods, err := r.claimPods(ctx, ds, claimer)
	if err != nil {
		return nil, err
	}
	out := map[string][]*corev1.Pod{}
	for _, pod := range pods {
		if !includeDeletedTerminal && isTerminal(pod) && pod.DeletionTimestamp != nil {
			continue
		}
		node, err := targetNode(pod)
		if err != nil {
			log.FromContext(ctx).V(4).Info("Failed to get target node name of Pod in DaemonSet", "pod", pod.Name)
			continue
		}
		out[node] = append(out[node], pod)
	}
	return out, nil
}

func isTerminal(pod *corev1.Pod) bool {
	return pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded
}

// podsShouldBeOnNode says whether node needs a new daemon pod and which of its pods go.
func (r *Reconciler) podsShouldBeOnNode(ctx context.Context, node *corev1.Node, nodeToPods map[string][]*corev1.Pod,
	ds *appsv1.DaemonSet, hash string, place placement) (needsPod bool, toDelete []string) {
	logger := log.FromContext(ctx)
	shouldRun, shouldContinue := place.shouldRun(node)
	pods, exists := nodeToPods[node.Name]
	switch {
	case shouldRun && !exists:
		return true, nil
	case shouldContinue:
		var running []*corev1.Pod
		for _, pod := range pods {
			if pod.DeletionTimestamp != nil {
				continue
			}
			switch pod.Status.Phase {
			case corev1.PodFailed:
				// Failed pods are replaced, no faster than the backoff allows.
				key := fmt.Sprintf("%s/%d/%s", ds.UID, ds.Status.ObservedGeneration, node.Name)
				now := r.backoff.Clock.Now()
				if r.backoff.IsInBackOffSinceUpdate(key, now) {
					delay := r.backoff.Get(key)
					logger.V(4).Info("Deleting failed pod on node has been limited by backoff", "pod", pod.Name, "node", node.Name, "currentDelay", delay)
					r.requeueAfter(ds, delay)
					continue
				}
				r.backoff.Next(key, now)
				r.recorder.Eventf(ds, corev1.EventTypeWarning, "FailedDaemonPod",
					"Found failed daemon pod %s/%s on node %s, will try to kill it", pod.Namespace, pod.Name, node.Name)
				toDelete = append(toDelete, pod.Name)
			case corev1.PodSucceeded:
				r.recorder.Eventf(ds, corev1.EventTypeNormal, "SucceededDaemonPod",
					"Found succeeded daemon pod %s/%s on node %s, will try to delete it", pod.Namespace, pod.Name, node.Name)
				toDelete = append(toDelete, pod.Name)
			default:
				running = append(running, pod)
			}
		}
		more, del := excessPods(ds, running, hash, shouldRun, r.clock.Now())
		return more, append(toDelete, del...)
	case exists:
		// The node no longer fits: its pods go.
		for _, pod := range pods {
			if pod.DeletionTimestamp == nil {
				toDelete = append(toDelete, pod.Name)
			}
		}
	}
	return false, toDelete
}

// syncNodes creates a pod on each of nodes and deletes the named pods, bounded by
// burstReplicas, with expectations set so the next sync waits for the cache to see them.
func (r *Reconciler) syncNodes(ctx context.Context, ds *appsv1.DaemonSet, podsToDelete, nodes []string, hash string) error {
	logger := log.FromContext(ctx)
	key := keyOf(ds)
	creates, deletes := min(len(nodes), burstReplicas), min(len(podsToDelete), burstReplicas)
	r.expectations.Expect(key, creates, deletes)

	template := ds.Spec.Template.DeepCopy()
	addDaemonTolerations(&template.Spec)
	if template.Labels == nil {
		template.Labels = map[string]string{}
	}
	if g := templateGeneration(ds); g != nil {
		template.Labels[extensionsv1beta1.DaemonSetTemplateGenerationKey] = fmt.Sprint(*g)
	}
	if hash != "" {
		template.Labels[appsv1.DefaultDaemonSetUniqueLabelKey] = hash
	}

	var mu sync.Mutex
	var errs []error
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	failures := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(errs)
	}
	batch := min(creates, slowStartInitialBatchSize)
	for pos := 0; pos < creates; batch, pos = min(2*batch, creates-(pos+batch)), pos+batch {
		before := failures()
		var wg sync.WaitGroup
		for i := pos; i < pos+batch; i++ {
			wg.Add(1)
			go func(node string) {
				defer wg.Done()
				if err := r.createPod(ctx, ds, template, node); err != nil {
					if apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
						// The namespace is going away; its pods are not coming.
						return
					}
					r.expectations.Observed(key, true)
					fail(err)
				}
			}(nodes[i])
		}
		wg.Wait()
		if skipped := creates - (pos + batch); failures() > before && skipped > 0 {
			logger.V(2).Info("Slow-start failure. Skipping creation of pods", "skippedPods", skipped)
			for range skipped {
				r.expectations.Observed(key, true)
			}
			break
		}
	}

	var wg sync.WaitGroup
	for _, name := range podsToDelete[:deletes] {
		wg.Add(1)
		go func(name string) {
			defer wg.Done()
			if err := r.deletePod(ctx, ds, name); err != nil {
				r.expectations.Observed(key, false)
				if !apierrors.IsNotFound(err) {
					fail(err)
				}
			}
		}(name)
	}
	wg.Wait()
	return errors.Join(errs...)
}

// createPod creates ds's pod pinned to node, recording upstream's events.
func (r *Reconciler) createPod(ctx context.Context, ds *appsv1.DaemonSet, template *corev1.PodTemplateSpec, node string) error {
	t := template.DeepCopy()
	t.Spec.Affinity = nodeAffinityFor(t.Spec.Affinity, node)
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			GenerateName:    podPrefix(ds.Name),
			Namespace:       ds.Namespace,
			Labels:          t.Labels,
			Annotations:     t.Annotations,
			Finalizers:      t.Finalizers,
			OwnerReferences: []metav1.OwnerReference{*metav1.NewControllerRef(ds, controllerKind)},
		},
		Spec: t.Spec,
	}
	if err := r.client.Create(ctx, pod); err != nil {
		if !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			r.recorder.Eventf(ds, corev1.EventTypeWarning, "FailedCreate", "Error creating: %v", err)
		}
		return fmt.Errorf("creating pod on node %s: %w", node, err)
	}
	log.FromContext(ctx).V(4).Info("Controller created pod", "pod", pod.Name, "node", node)
	r.recorder.Eventf(ds, corev1.EventTypeNormal, "SuccessfulCreate", "Created pod: %v", pod.Name)
	return nil
}

// deletePod deletes ds's pod called name, recording upstream's events.
func (r *Reconciler) deletePod(ctx context.Context, ds *appsv1.DaemonSet, name string) error {
	log.FromContext(ctx).V(2).Info("Deleting pod", "pod", name)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: ds.Namespace, Name: name}}
	if err := r.client.Delete(ctx, pod); err != nil {
		if apierrors.IsNotFound(err) {
			return err
		}
		r.recorder.Eventf(ds, corev1.EventTypeWarning, "FailedDelete", "Error deleting: %v", err)
		return fmt.Errorf("unable to delete pods: %w", err)
	}
	r.recorder.Eventf(ds, corev1.EventTypeNormal, "SuccessfulDelete", "Deleted pod: %v", name)
	return nil
}

// podPrefix is the generateName of a controller's pods: its name and a dash, when valid.
func podPrefix(name string) string {
	prefix := name + "-"
	if len(apivalidation.NameIsDNSSubdomain(prefix, true)) != 0 {
		return name
	}
	return prefix
}

// unscheduledPodsWithoutNode are pods pinned to nodes that no longer exist and not yet bound.
func unscheduledPodsWithoutNode(nodes []*corev1.Node, nodeToPods map[string][]*corev1.Pod) []string {
	exists := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		exists[n.Name] = true
	}
	var out []string
	for node, pods := range nodeToPods {
		if exists[node] {
			continue
		}
		for _, pod := range pods {
			if pod.Spec.NodeName == "" {
				out = append(out, pod.Name)
			}
		}
	}
	return out
}
