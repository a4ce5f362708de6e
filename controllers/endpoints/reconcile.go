package endpoints

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// staleRetry is how soon a sync that met an out-of-date cache runs again.
const staleRetry = 50 * time.Millisecond

// Reconcile writes the Endpoints of the Service named in req, or deletes them when the
// Service is gone.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	logger := log.FromContext(ctx)
	var svc corev1.Service
	if err := r.client.Get(ctx, req.NamespacedName, &svc); err != nil {
		if !apierrors.IsNotFound(err) {
			return ctrl.Result{}, err
		}
		return ctrl.Result{}, r.deleteEndpoints(ctx, req.NamespacedName)
	}
	// Endpoints of ExternalName Services and of Services without a selector are the user's.
	if svc.Spec.Type == corev1.ServiceTypeExternalName || svc.Spec.Selector == nil {
		return ctrl.Result{}, nil
	}

	var podList corev1.PodList
	if err := r.client.List(ctx, &podList, client.InNamespace(svc.Namespace),
		client.MatchingLabelsSelector{Selector: labels.Set(svc.Spec.Selector).AsSelectorPreValidated()}); err != nil {
		return ctrl.Result{}, err
	}
	pods := make([]*corev1.Pod, len(podList.Items))
	for i := range podList.Items {
		pods[i] = &podList.Items[i]
	}
	triggerTime := r.triggers.ComputeEndpointLastChangeTriggerTime(svc.Namespace, &svc, pods)
	subsets, ready, notReady := desiredSubsets(logger, &svc, pods)

	current := &corev1.Endpoints{}
	err := r.client.Get(ctx, req.NamespacedName, current)
	switch {
	case apierrors.IsNotFound(err):
		current = &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Namespace: svc.Namespace, Name: svc.Name}}
	case err != nil:
		return ctrl.Result{}, err
	case r.stale.IsStale(current):
		// Our own last write is not in the cache yet: look again shortly.
		logger.V(4).Info("endpoints informer cache is out of date", "resourceVersion", current.ResourceVersion)
		return ctrl.Result{RequeueAfter: staleRetry}, nil
	}
	create := current.ResourceVersion == ""
	if !create && upToDate(current, &svc, subsets) {
		logger.V(5).Info("endpoints are equal, skipping update")
		return ctrl.Result{}, nil
	}

	desired := desiredEndpoints(current, &svc, subsets, triggerTime)
	logger.V(4).Info("Update endpoints", "readyEndpoints", ready, "notreadyEndpoints", notReady)
	if create {
		err = r.client.Create(ctx, desired)
	} else {
		err = r.client.Update(ctx, desired)
	}
	if err != nil {
		if create && apierrors.IsForbidden(err) && apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
			// The namespace is going away: nothing to publish.
			return ctrl.Result{}, nil
		}
		if create {
			r.recorder.Eventf(desired, corev1.EventTypeWarning, "FailedToCreateEndpoint", "Failed to create endpoint for service %v/%v: %v", svc.Namespace, svc.Name, err)
		} else {
			r.recorder.Eventf(desired, corev1.EventTypeWarning, "FailedToUpdateEndpoint", "Failed to update endpoint %v/%v: %v", svc.Namespace, svc.Name, err)
		}
		return ctrl.Result{}, fmt.Errorf("writing endpoints %s: %w", req, err)
	}
	if !create && desired.ResourceVersion != current.ResourceVersion {
		r.stale.Stale(current)
	}
	return ctrl.Result{}, nil
}

// deleteEndpoints removes the Endpoints of a deleted Service.
func (r *Reconciler) deleteEndpoints(ctx context.Context, key types.NamespacedName) error {
	ep := &corev1.Endpoints{ObjectMeta: metav1.ObjectMeta{Namespace: key.Namespace, Name: key.Name}}
	if err := r.client.Delete(ctx, ep); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deleting endpoints %s: %w", key, err)
	}
	r.triggers.DeleteService(key.Namespace, key.Name)
	r.stale.Delete(key)
	return nil
}

// desiredEndpoints returns current updated to subsets, with the Service's labels and
// upstream's annotations.
func desiredEndpoints(current *corev1.Endpoints, svc *corev1.Service, subsets []corev1.EndpointSubset, triggerTime time.Time) *corev1.Endpoints {
	ep := current.DeepCopy()
	ep.Subsets = subsets
	if ep.Annotations == nil {
		ep.Annotations = map[string]string{}
	}
	if !triggerTime.IsZero() {
		ep.Annotations[corev1.EndpointsLastChangeTriggerTime] = triggerTime.UTC().Format(time.RFC3339Nano)
	} else {
		delete(ep.Annotations, corev1.EndpointsLastChangeTriggerTime)
	}
	if truncate(ep) {
		ep.Annotations[corev1.EndpointsOverCapacity] = "truncated"
	} else {
		delete(ep.Annotations, corev1.EndpointsOverCapacity)
	}
	ep.Labels = make(map[string]string, len(svc.Labels)+2)
	for k, v := range svc.Labels {
		ep.Labels[k] = v
	}
	if !isServiceIPSet(svc) {
		ep.Labels[corev1.IsHeadlessService] = ""
	} else {
		delete(ep.Labels, corev1.IsHeadlessService)
	}
	ep.Labels[LabelManagedBy] = ControllerName
	return ep
}

func isServiceIPSet(svc *corev1.Service) bool {
	return svc.Spec.ClusterIP != corev1.ClusterIPNone && svc.Spec.ClusterIP != ""
}
