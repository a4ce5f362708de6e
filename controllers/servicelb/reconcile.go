package servicelb

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// retryAfter is when a Service that got no address (pool exhausted, requested address taken)
// is tried again: another Service may have released one.
const retryAfter = 15 * time.Second

// Reconcile gives svc an address while it wants a load balancer, and releases it, clears its
// status and removes the cleanup finalizer once it does not (type changed, being deleted).
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	svc := &corev1.Service{}
	if err := r.client.Get(ctx, req.NamespacedName, svc); err != nil {
		if apierrors.IsNotFound(err) {
			r.release(req.NamespacedName)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, err
	}
	if !served(svc) {
		return ctrl.Result{}, nil
	}
	if !wantsLoadBalancer(svc) {
		return ctrl.Result{}, r.cleanup(ctx, svc)
	}
	return r.ensure(ctx, svc)
}

// ensure adds the finalizer, picks the address and writes it to the status, with upstream's
// events when something changes.
func (r *Reconciler) ensure(ctx context.Context, svc *corev1.Service) (ctrl.Result, error) {
	ensuring := false
	if !hasFinalizer(svc) {
		r.recorder.Event(svc, corev1.EventTypeNormal, "EnsuringLoadBalancer", "Ensuring load balancer")
		ensuring = true
		orig := svc.DeepCopy()
		controllerutil.AddFinalizer(svc, LoadBalancerCleanupFinalizer)
		if err := r.client.Patch(ctx, svc, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); err != nil {
			return ctrl.Result{}, fmt.Errorf("failed to add load balancer cleanup finalizer: %w", err)
		}
	}
	addr, err := r.assign(ctx, svc)
	if err != nil {
		r.recorder.Eventf(svc, corev1.EventTypeWarning, "SyncLoadBalancerFailed", "Error syncing load balancer: failed to ensure load balancer: %v", err)
		log.FromContext(ctx).Info("No load balancer address", "reason", err.Error(), "retryAfter", retryAfter)
		return ctrl.Result{RequeueAfter: retryAfter}, nil
	}
	want := statusFor(addr)
	if statusEqual(svc.Status.LoadBalancer, want) {
		return ctrl.Result{}, nil
	}
	if !ensuring {
		r.recorder.Event(svc, corev1.EventTypeNormal, "EnsuringLoadBalancer", "Ensuring load balancer")
	}
	orig := svc.DeepCopy()
	svc.Status.LoadBalancer = want
	if err := r.client.Status().Patch(ctx, svc, client.MergeFrom(orig)); err != nil {
		return ctrl.Result{}, fmt.Errorf("failed to update load balancer status: %w", err)
	}
	log.FromContext(ctx).V(2).Info("Assigned load balancer address", "address", addr)
	r.recorder.Event(svc, corev1.EventTypeNormal, "EnsuredLoadBalancer", "Ensured load balancer")
	return ctrl.Result{}, nil
}

// cleanup releases svc's address, clears its status and removes the finalizer.
func (r *Reconciler) cleanup(ctx context.Context, svc *corev1.Service) error {
	key := client.ObjectKeyFromObject(svc)
	if !hasFinalizer(svc) {
		r.release(key)
		return nil
	}
	r.recorder.Event(svc, corev1.EventTypeNormal, "DeletingLoadBalancer", "Deleting load balancer")
	r.release(key)
	if len(svc.Status.LoadBalancer.Ingress) > 0 {
		orig := svc.DeepCopy()
		svc.Status.LoadBalancer = corev1.LoadBalancerStatus{}
		if err := r.client.Status().Patch(ctx, svc, client.MergeFrom(orig)); err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("failed to update load balancer status: %w", err)
		}
	}
	orig := svc.DeepCopy()
	controllerutil.RemoveFinalizer(svc, LoadBalancerCleanupFinalizer)
	if err := r.client.Patch(ctx, svc, client.MergeFromWithOptions(orig, client.MergeFromWithOptimisticLock{})); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("failed to remove load balancer cleanup finalizer: %w", err)
	}
	r.recorder.Event(svc, corev1.EventTypeNormal, "DeletedLoadBalancer", "Deleted load balancer")
	return nil
}

// assign picks svc's address and records it, with every other Service's addresses as used.
func (r *Reconciler) assign(ctx context.Context, svc *corev1.Service) (netip.Addr, error) {
	var list corev1.ServiceList
	if err := r.client.List(ctx, &list); err != nil {
		return netip.Addr{}, err
	}
	key := client.ObjectKeyFromObject(svc)
	r.mu.Lock()
	defer r.mu.Unlock()
	used := map[netip.Addr]bool{}
	listed := map[types.NamespacedName]bool{}
	for i := range list.Items {
		other := &list.Items[i]
		k := client.ObjectKeyFromObject(other)
		listed[k] = true
		if k == key {
			continue
		}
		for _, a := range ingressAddrs(other) {
			if r.released[k] != a {
				used[a] = true
			}
		}
	}
	for k := range r.released {
		if !listed[k] {
			delete(r.released, k)
		}
	}
	delete(r.released, key)
	for k, a := range r.assigned {
		if k != key {
			used[a] = true
		}
	}
	current, ok := r.assigned[key]
	if !ok {
		if addrs := ingressAddrs(svc); len(addrs) > 0 {
			current = addrs[0]
		}
	}
	addr, err := choose(r.pool, svc, current, used)
	if err != nil {
		r.waiting[key] = true
		return netip.Addr{}, err
	}
	delete(r.waiting, key)
	r.assigned[key] = addr
	return addr, nil
}

// release forgets key's address and, if it had one, retries the Services waiting for one.
func (r *Reconciler) release(key types.NamespacedName) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.waiting, key)
	a, ok := r.assigned[key]
	if !ok {
		return
	}
	delete(r.assigned, key)
	r.released[key] = a
	for w := range r.waiting {
		select {
		case r.retry <- event.TypedGenericEvent[*corev1.Service]{Object: &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: w.Namespace, Name: w.Name}}}:
		default: // full: it is retried after retryAfter
		}
	}
}

// choose picks svc's address: spec.loadBalancerIP when set (it must be in the pool and free),
// else current when it is in the pool and free, else the lowest free address of svc's family.
func choose(pool *Pool, svc *corev1.Service, current netip.Addr, used map[netip.Addr]bool) (netip.Addr, error) {
	if req := svc.Spec.LoadBalancerIP; req != "" {
		a, err := netip.ParseAddr(req)
		if err != nil {
			return netip.Addr{}, fmt.Errorf("requested loadBalancerIP %q is not an IP address", req)
		}
		a = a.Unmap()
		switch {
		case !pool.Contains(a):
			return netip.Addr{}, fmt.Errorf("requested loadBalancerIP %s is not in the pool %s", a, pool)
		case used[a]:
			return netip.Addr{}, fmt.Errorf("requested loadBalancerIP %s is in use by another Service", a)
		}
		return a, nil
	}
	if current.IsValid() && pool.Contains(current) && !used[current] && current.Is6() == wantsIPv6(svc) {
		return current, nil
	}
	a, ok := pool.Allocate(used, wantsIPv6(svc))
	if !ok {
		return netip.Addr{}, fmt.Errorf("no address left in the pool %s", pool)
	}
	return a, nil
}
