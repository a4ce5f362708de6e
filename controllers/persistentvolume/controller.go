package persistentvolume

import (
	"context"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/config"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "persistentvolume-binder"

// syncPeriod is upstream's --pvclaimbinder-sync-period: unbound claims and volumes are looked
// at again this often.
const syncPeriod = 15 * time.Second

// eventSource is the component upstream's events carry.
const eventSource = "persistentvolume-controller"

// Setup adds the controller to mgr, with the pvc-protection and pv-protection controllers. The
// binder serves both kinds: keys with a namespace are claims, keys without one volumes.
func Setup(mgr manager.Manager, cfg config.Config) error {
	r := &Reconciler{
		client:   mgr.GetClient(),
		reader:   mgr.GetAPIReader(),
		recorder: mgr.GetEventRecorderFor(eventSource),
	}
	if err := setupProtection(mgr, cfg.ConcurrentSyncs); err != nil {
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		For(&corev1.PersistentVolumeClaim{}).
		Watches(&corev1.PersistentVolumeClaim{}, handler.EnqueueRequestsFromMapFunc(claimToVolume)).
		Watches(&corev1.PersistentVolume{}, &handler.EnqueueRequestForObject{}).
		Watches(&corev1.PersistentVolume{}, handler.EnqueueRequestsFromMapFunc(r.volumeToClaims)).
		Watches(&storagev1.StorageClass{}, handler.EnqueueRequestsFromMapFunc(r.pendingClaimsOfClass)).
		WithOptions(controller.Options{MaxConcurrentReconciles: cfg.ConcurrentSyncs}).
		Complete(r)
}

// claimToVolume wakes the volume a claim names (upstream syncs it when the claim goes).
func claimToVolume(_ context.Context, o client.Object) []reconcile.Request {
	if name := o.(*corev1.PersistentVolumeClaim).Spec.VolumeName; name != "" {
		return []reconcile.Request{{NamespacedName: types.NamespacedName{Name: name}}}
	}
	return nil
}

// volumeToClaims wakes the claim a volume points at or, for a free Available volume, the
// unbound claims (rather than leaving them to the periodic resync).
func (r *Reconciler) volumeToClaims(ctx context.Context, o client.Object) []reconcile.Request {
	v := o.(*corev1.PersistentVolume)
	if ref := v.Spec.ClaimRef; ref != nil && ref.Namespace != "" {
		return []reconcile.Request{{NamespacedName: types.NamespacedName{Namespace: ref.Namespace, Name: ref.Name}}}
	}
	if v.Spec.ClaimRef == nil && v.Status.Phase == corev1.VolumeAvailable {
		return r.unboundClaims(ctx, func(*corev1.PersistentVolumeClaim) bool { return true })
	}
	return nil
}

// pendingClaimsOfClass wakes the unbound claims of a class that appeared or changed (and all
// unbound claims without a class when it may be a new default).
func (r *Reconciler) pendingClaimsOfClass(ctx context.Context, o client.Object) []reconcile.Request {
	return r.unboundClaims(ctx, func(c *corev1.PersistentVolumeClaim) bool {
		return c.Spec.StorageClassName == nil || *c.Spec.StorageClassName == o.GetName()
	})
}

// unboundClaims returns the keys of the claims without a volume that match.
func (r *Reconciler) unboundClaims(ctx context.Context, match func(*corev1.PersistentVolumeClaim) bool) []reconcile.Request {
	claims := &corev1.PersistentVolumeClaimList{}
	if err := r.client.List(ctx, claims); err != nil {
		return nil
	}
	var out []reconcile.Request
	for i := range claims.Items {
		c := &claims.Items[i]
		if c.Spec.VolumeName != "" {
			continue
		}
		if match(c) {
			out = append(out, reconcile.Request{NamespacedName: client.ObjectKeyFromObject(c)})
		}
	}
	return out
}
