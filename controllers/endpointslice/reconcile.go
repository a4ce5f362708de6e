package endpointslice

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/cache"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// staleRetry is how soon a sync that met an out-of-date slice cache runs again.
const staleRetry = 100 * time.Millisecond

// Reconcile brings the EndpointSlices of the Service named in req up to date.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	if req == topologyRequest {
		return ctrl.Result{}, r.checkTopology(ctx)
	}
	logger := log.FromContext(ctx)
	var svc corev1.Service
	if err := r.client.Get(ctx, req.NamespacedName, &svc); err != nil {
		if !apierrors.IsNotFound(err) {
			return ctrl.Result{}, err
		}
		// The slices go with their owner, through the garbage collector.
		r.triggers.DeleteService(req.Namespace, req.Name)
		r.reconciler.DeleteService(req.Namespace, req.Name)
		r.tracker.DeleteService(req.Namespace, req.Name)
		return ctrl.Result{}, nil
	}
	if svc.Spec.Type == corev1.ServiceTypeExternalName || svc.Spec.Selector == nil {
		return ctrl.Result{}, nil
	}

	var podList corev1.PodList
	err := r.client.List(ctx, &podList, client.InNamespace(svc.Namespace),
		client.MatchingLabelsSelector{Selector: labels.Set(svc.Spec.Selector).AsSelectorPreValidated()})
	if err != nil {
		r.recorder.Eventf(&svc, corev1.EventTypeWarning, "FailedToListPods", "Error listing Pods for Service %s/%s: %v", svc.Namespace, svc.Name, err)
		return ctrl.Result{}, err
	}
	pods := make([]*corev1.Pod, len(podList.Items))
	for i := range podList.Items {
		pods[i] = &podList.Items[i]
	}

	var sliceList discoveryv1.EndpointSliceList
	err = r.client.List(ctx, &sliceList, client.InNamespace(svc.Namespace), client.MatchingLabels{
		discoveryv1.LabelServiceName: svc.Name,
		discoveryv1.LabelManagedBy:   r.reconciler.GetControllerName(),
	})
	if err != nil {
		r.recorder.Eventf(&svc, corev1.EventTypeWarning, "FailedToListEndpointSlices", "Error listing Endpoint Slices for Service %s/%s: %v", svc.Namespace, svc.Name, err)
		return ctrl.Result{}, err
	}
	slices := make([]*discoveryv1.EndpointSlice, 0, len(sliceList.Items))
	for i := range sliceList.Items {
		if sliceList.Items[i].DeletionTimestamp == nil {
			slices = append(slices, &sliceList.Items[i])
		}
	}
	if r.tracker.StaleSlices(&svc, slices) {
		// Writing now could duplicate slices the cache has not shown yet.
		logger.V(4).Info("EndpointSlice informer cache is out of date")
		return ctrl.Result{RequeueAfter: staleRetry}, nil
	}

	triggerTime := r.triggers.ComputeEndpointLastChangeTriggerTime(svc.Namespace, &svc, pods)
	if err := r.reconciler.Reconcile(logger, &svc, pods, slices, triggerTime); err != nil {
		r.recorder.Eventf(&svc, corev1.EventTypeWarning, "FailedToUpdateEndpointSlices", "Error updating Endpoint Slices for Service %s/%s: %v", svc.Namespace, svc.Name, err)
		return ctrl.Result{}, fmt.Errorf("endpoint slices of %s: %w", req, err)
	}
	return ctrl.Result{}, nil
}

// checkTopology hands the nodes to the topology cache and queues the Services whose hints the
// change overloads.
func (r *Reconciler) checkTopology(ctx context.Context) error {
	nodes, err := r.nodes.List(labels.Everything())
	if err != nil {
		return fmt.Errorf("listing nodes: %w", err)
	}
	r.topology.SetNodes(log.FromContext(ctx), nodes)
	for _, key := range r.topology.GetOverloadedServices() {
		ns, name, err := cache.SplitMetaNamespaceKey(key)
		if err != nil {
			continue
		}
		log.FromContext(ctx).V(2).Info("Queuing Service after Node change due to overloading", "key", key)
		r.enqueue(ctrl.Request{NamespacedName: types.NamespacedName{Namespace: ns, Name: name}})
	}
	return nil
}
