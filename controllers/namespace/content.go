package namespace

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/client-go/discovery"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// finalizerEstimateSeconds is the time allowed for finalizers of remaining content.
const finalizerEstimateSeconds int64 = 15

var podsResource = corev1.SchemeGroupVersion.WithResource("pods")

// remainder is what is left of one resource after deleting it.
type remainder struct {
	// estimate is how many seconds it may still take; 0 makes no estimate.
	estimate int64
	count    int
	// finalizers counts the remaining instances per finalizer.
	finalizers map[string]int
}

// deleteAllContent deletes every namespaced resource in ns, pods first, records the outcome in
// the namespace's conditions and returns how many seconds the rest may take to go.
func (d *Deleter) deleteAllContent(ctx context.Context, ns *corev1.Namespace) (int64, error) {
	var errs []error
	var conds conditions
	resources, err := d.Discover()
	if err != nil {
		// Partial discovery still lets most content go.
		errs = append(errs, err)
		conds.discoveryFailed(err)
	}
	deletable := discovery.FilteredBy(discovery.SupportsAllVerbs{Verbs: []string{"delete"}}, resources)
	gvrs, err := discovery.GroupVersionResources(deletable)
	if err != nil {
		errs = append(errs, err)
		conds.groupVersionFailed(err)
	}
	verbs := resourceVerbs(deletable)

	var estimate int64
	byResource := map[schema.GroupVersionResource]int{}
	byFinalizer := map[string]int{}
	record := func(gvr schema.GroupVersionResource, r remainder, err error) {
		if err != nil {
			errs = append(errs, err)
			conds.deleteContentFailed(err)
		}
		estimate = max(estimate, r.estimate)
		if r.count > 0 {
			byResource[gvr] = r.count
			for f, n := range r.finalizers {
				byFinalizer[f] += n
			}
		}
	}
	if _, ok := gvrs[podsResource]; ok {
		r, err := d.deleteResource(ctx, podsResource, verbs[podsResource], ns)
		if err != nil {
			err = fmt.Errorf("failed to delete pods for namespace: %s, err: %w", ns.Name, err)
		}
		record(podsResource, r, err)
		// Everything else waits for the pods, which may still use it.
		if byResource[podsResource] > 0 {
			log.FromContext(ctx).V(5).Info("Pods still remain, delaying deletion of other resources", "namespace", ns.Name)
			d.updateConditions(ctx, ns, &conds)
			return estimate, utilerrors.NewAggregate(errs)
		}
	}
	for _, gvr := range sortedResources(gvrs) {
		if gvr == podsResource {
			continue
		}
		r, err := d.deleteResource(ctx, gvr, verbs[gvr], ns)
		record(gvr, r, err)
	}
	conds.remaining(byResource, byFinalizer)
	d.updateConditions(ctx, ns, &conds)
	return estimate, utilerrors.NewAggregate(errs)
}

// updateConditions writes the conditions when they changed; failing to is only logged.
func (d *Deleter) updateConditions(ctx context.Context, ns *corev1.Namespace, conds *conditions) {
	if !conds.apply(&ns.Status, metav1.NewTime(d.Clock.Now())) {
		return
	}
	if _, err := d.Namespaces.UpdateStatus(ctx, ns, metav1.UpdateOptions{}); err != nil {
		log.FromContext(ctx).Error(err, "Couldn't update status condition for namespace", "namespace", ns.Name)
	}
}

// deleteResource deletes all instances of gvr in ns (as a collection where the resource
// allows it) and reports what is left.
func (d *Deleter) deleteResource(ctx context.Context, gvr schema.GroupVersionResource, verbs sets.Set[string], ns *corev1.Namespace) (remainder, error) {
	estimate, err := d.estimate(ctx, gvr, ns)
	if err != nil {
		return remainder{}, err
	}
	deleted, err := d.deleteCollection(ctx, gvr, verbs, ns.Name)
	if err != nil {
		return remainder{estimate: estimate}, err
	}
	if !deleted {
		if err := d.deleteEach(ctx, gvr, verbs, ns.Name); err != nil {
			return remainder{estimate: estimate}, err
		}
	}
	list, listed, err := d.list(ctx, gvr, verbs, ns.Name)
	if err != nil || !listed {
		return remainder{estimate: estimate}, err
	}
	if len(list.Items) == 0 {
		return remainder{}, nil
	}
	finalizers := map[string]int{}
	for _, item := range list.Items {
		for _, f := range item.Finalizers {
			finalizers[f]++
		}
	}
	r := remainder{estimate: estimate, count: len(list.Items), finalizers: finalizers}
	switch {
	case estimate != 0:
		return r, nil
	case len(finalizers) > 0:
		// Finalizers are normal: give them time.
		r.estimate = finalizerEstimateSeconds
		return r, nil
	default:
		r.finalizers = nil
		return r, fmt.Errorf("unexpected items still remain in namespace: %s for gvr: %v", ns.Name, gvr)
	}
}

var background = metav1.DeletePropagationBackground

// deleteCollection deletes all of gvr in namespace at once; false means the resource does not
// support that. Background propagation keeps the garbage collector from orphaning.
func (d *Deleter) deleteCollection(ctx context.Context, gvr schema.GroupVersionResource, verbs sets.Set[string], namespace string) (bool, error) {
	if !verbs.Has("deletecollection") {
		return false, nil
	}
	err := d.Metadata.Resource(gvr).Namespace(namespace).DeleteCollection(ctx,
		metav1.DeleteOptions{PropagationPolicy: &background}, metav1.ListOptions{})
	switch {
	case err == nil:
		return true, nil
	case apierrors.IsMethodNotSupported(err) || apierrors.IsNotFound(err):
		return false, nil
	default:
		return true, err
	}
}

// deleteEach lists gvr in namespace and deletes the items one by one.
func (d *Deleter) deleteEach(ctx context.Context, gvr schema.GroupVersionResource, verbs sets.Set[string], namespace string) error {
	list, listed, err := d.list(ctx, gvr, verbs, namespace)
	if err != nil || !listed {
		return err
	}
	client := d.Metadata.Resource(gvr).Namespace(namespace)
	for _, item := range list.Items {
		err := client.Delete(ctx, item.Name, metav1.DeleteOptions{PropagationPolicy: &background})
		if err != nil && !apierrors.IsNotFound(err) && !apierrors.IsMethodNotSupported(err) {
			return err
		}
	}
	return nil
}

// list lists gvr in namespace; false means the resource cannot be listed.
func (d *Deleter) list(ctx context.Context, gvr schema.GroupVersionResource, verbs sets.Set[string], namespace string) (*metav1.PartialObjectMetadataList, bool, error) {
	if !verbs.Has("list") {
		return nil, false, nil
	}
	list, err := d.Metadata.Resource(gvr).Namespace(namespace).List(ctx, metav1.ListOptions{})
	switch {
	case err == nil:
		return list, true, nil
	case apierrors.IsMethodNotSupported(err) || apierrors.IsNotFound(err):
		return nil, false, nil
	default:
		return nil, true, err
	}
}

// estimate is the longest grace period of the namespace's running pods still to come, for
// pods; 0 otherwise.
func (d *Deleter) estimate(ctx context.Context, gvr schema.GroupVersionResource, ns *corev1.Namespace) (int64, error) {
	if gvr.GroupResource() != podsResource.GroupResource() {
		return 0, nil
	}
	pods, err := d.Pods.Pods(ns.Name).List(ctx, metav1.ListOptions{})
	if err != nil {
		return 0, err
	}
	var estimate int64
	for _, pod := range pods.Items {
		if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
			continue
		}
		if g := pod.Spec.TerminationGracePeriodSeconds; g != nil && *g > estimate {
			estimate = *g
		}
	}
	if d.Clock.Since(ns.DeletionTimestamp.Time) >= time.Duration(estimate)*time.Second {
		return 0, nil
	}
	return estimate, nil
}

// resourceVerbs maps every resource of lists to its verbs.
func resourceVerbs(lists []*metav1.APIResourceList) map[schema.GroupVersionResource]sets.Set[string] {
	out := map[schema.GroupVersionResource]sets.Set[string]{}
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range l.APIResources {
			out[gv.WithResource(r.Name)] = sets.New[string](r.Verbs...)
		}
	}
	return out
}

func sortedResources(gvrs map[schema.GroupVersionResource]struct{}) []schema.GroupVersionResource {
	out := make([]schema.GroupVersionResource, 0, len(gvrs))
	for gvr := range gvrs {
		out = append(out, gvr)
	}
	slices.SortFunc(out, func(a, b schema.GroupVersionResource) int {
		return cmp.Or(strings.Compare(a.Group, b.Group), strings.Compare(a.Resource, b.Resource), strings.Compare(a.Version, b.Version))
	})
	return out
}
