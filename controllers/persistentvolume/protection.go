package persistentvolume

import (
	"context"
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/component-helpers/storage/ephemeral"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// The finalizers the StorageObjectInUseProtection admission puts on claims and volumes, and
// upstream's controllers taking them off (pvc-protection and pv-protection, which run here
// with the binder as deleting a claim must end for its volume to be reclaimed).
const (
	pvcProtectionFinalizer = "kubernetes.io/pvc-protection"
	pvProtectionFinalizer  = "kubernetes.io/pv-protection"
	pvcProtectionName      = "pvc-protection"
	pvProtectionName       = "pv-protection"
)

func setupProtection(mgr manager.Manager, workers int) error {
	c := &protector{client: mgr.GetClient(), reader: mgr.GetAPIReader()}
	err := ctrl.NewControllerManagedBy(mgr).
		Named(pvcProtectionName).
		For(&corev1.PersistentVolumeClaim{}).
		Watches(&corev1.Pod{}, handler.EnqueueRequestsFromMapFunc(podClaims)).
		WithOptions(controller.Options{MaxConcurrentReconciles: workers}).
		Complete(reconcile.Func(c.reconcileClaim))
	if err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named(pvProtectionName).
		For(&corev1.PersistentVolume{}).
		WithOptions(controller.Options{MaxConcurrentReconciles: workers}).
		Complete(reconcile.Func(c.reconcileVolume))
}

// podClaims wakes the claims a pod uses (a pod going may free a claim being deleted).
func podClaims(_ context.Context, o client.Object) []reconcile.Request {
	pod := o.(*corev1.Pod)
	var out []reconcile.Request
	for _, v := range pod.Spec.Volumes {
		if name := pvcName(pod, v); name != "" {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKey{Namespace: pod.Namespace, Name: name}})
		}
	}
	return out
}

type protector struct {
	client client.Client
	reader client.Reader
}

// reconcileClaim lets a deleted claim go once no pod on a node uses it, and protects claims
// that lack the finalizer.
func (p *protector) reconcileClaim(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	claim := &corev1.PersistentVolumeClaim{}
	if err := p.client.Get(ctx, req.NamespacedName, claim); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	has := slices.Contains(claim.Finalizers, pvcProtectionFinalizer)
	switch {
	case claim.DeletionTimestamp != nil && has:
		// The cache may miss a pod just made: ask the server before letting go.
		for _, r := range []client.Reader{p.client, p.reader} {
			used, err := claimInUse(ctx, r, claim)
			if err != nil || used {
				return reconcile.Result{}, err
			}
		}
		return reconcile.Result{}, p.setFinalizer(ctx, claim, pvcProtectionFinalizer, false)
	case claim.DeletionTimestamp == nil && !has:
		return reconcile.Result{}, p.setFinalizer(ctx, claim, pvcProtectionFinalizer, true)
	}
	return reconcile.Result{}, nil
}

// claimInUse says whether a pod bound to a node uses the claim (a force-deleted pod no
// longer counts for a generic ephemeral volume).
func claimInUse(ctx context.Context, r client.Reader, claim *corev1.PersistentVolumeClaim) (bool, error) {
	pods := &corev1.PodList{}
	if err := r.List(ctx, pods, client.InNamespace(claim.Namespace)); err != nil {
		return false, fmt.Errorf("listing pods using claim %s: %w", claimKey(claim), err)
	}
	for i := range pods.Items {
		pod := &pods.Items[i]
		if pod.Spec.NodeName == "" {
			continue
		}
		shutDown := pod.DeletionTimestamp != nil && pod.DeletionGracePeriodSeconds != nil && *pod.DeletionGracePeriodSeconds == 0
		for _, v := range pod.Spec.Volumes {
			if v.PersistentVolumeClaim != nil && v.PersistentVolumeClaim.ClaimName == claim.Name {
				return true, nil
			}
			if v.Ephemeral != nil && !shutDown && ephemeral.VolumeClaimName(pod, &v) == claim.Name && ephemeral.VolumeIsForPod(pod, claim) == nil {
				return true, nil
			}
		}
	}
	return false, nil
}

// reconcileVolume lets a deleted volume go once it is not Bound, and protects volumes that
// lack the finalizer.
func (p *protector) reconcileVolume(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	v := &corev1.PersistentVolume{}
	if err := p.client.Get(ctx, req.NamespacedName, v); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	has := slices.Contains(v.Finalizers, pvProtectionFinalizer)
	switch {
	case v.DeletionTimestamp != nil && has && v.Status.Phase != corev1.VolumeBound:
		return reconcile.Result{}, p.setFinalizer(ctx, v, pvProtectionFinalizer, false)
	case v.DeletionTimestamp == nil && !has:
		return reconcile.Result{}, p.setFinalizer(ctx, v, pvProtectionFinalizer, true)
	}
	return reconcile.Result{}, nil
}

// setFinalizer adds or removes a finalizer with an update (a conflict retries the sync).
func (p *protector) setFinalizer(ctx context.Context, obj client.Object, finalizer string, add bool) error {
	updated := obj.DeepCopyObject().(client.Object)
	if add {
		updated.SetFinalizers(append(updated.GetFinalizers(), finalizer))
	} else {
		updated.SetFinalizers(slices.DeleteFunc(updated.GetFinalizers(), func(f string) bool { return f == finalizer }))
	}
	if err := p.client.Update(ctx, updated); err != nil {
		return fmt.Errorf("updating the finalizers of %s: %w", obj.GetName(), err)
	}
	return nil
}
