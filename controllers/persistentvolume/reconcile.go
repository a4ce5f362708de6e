package persistentvolume

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"k8s.io/component-helpers/storage/volume"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// Reconciler binds claims to volumes and releases volumes whose claims are gone (upstream's
// PersistentVolumeController without in-tree volume plugins: every provisioner and deleter
// is external).
type Reconciler struct {
	client   client.Client
	reader   client.Reader
	recorder record.EventRecorder
}

// Reconcile syncs one claim (namespaced key) or one volume.
func (r *Reconciler) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	if req.Namespace == "" {
		v := &corev1.PersistentVolume{}
		if err := r.client.Get(ctx, req.NamespacedName, v); err != nil {
			return reconcile.Result{}, client.IgnoreNotFound(err)
		}
		if err := r.syncVolume(ctx, v); err != nil {
			return reconcile.Result{}, err
		}
		return r.resync(v.Status.Phase != corev1.VolumeBound), nil
	}
	claim := &corev1.PersistentVolumeClaim{}
	if err := r.client.Get(ctx, req.NamespacedName, claim); err != nil {
		return reconcile.Result{}, client.IgnoreNotFound(err)
	}
	var err error
	if _, bound := claim.Annotations[volume.AnnBindCompleted]; bound {
		err = r.syncBoundClaim(ctx, claim)
	} else {
		err = r.syncUnboundClaim(ctx, claim)
	}
	if err != nil {
		return reconcile.Result{}, err
	}
	return r.resync(claim.Spec.VolumeName == "" || claim.Status.Phase != corev1.ClaimBound), nil
}

// resync looks again after syncPeriod at objects not settled, as upstream's periodic resync.
func (r *Reconciler) resync(unsettled bool) reconcile.Result {
	if unsettled {
		return reconcile.Result{RequeueAfter: syncPeriod}
	}
	return reconcile.Result{}
}

// volumes lists all volumes from the cache.
func (r *Reconciler) volumes(ctx context.Context) ([]*corev1.PersistentVolume, error) {
	list := &corev1.PersistentVolumeList{}
	if err := r.client.List(ctx, list); err != nil {
		return nil, fmt.Errorf("listing persistent volumes: %w", err)
	}
	out := make([]*corev1.PersistentVolume, len(list.Items))
	for i := range list.Items {
		out[i] = &list.Items[i]
	}
	return out, nil
}

// storageClass returns the named class, nil when it does not exist.
func (r *Reconciler) storageClass(ctx context.Context, name string) (*storagev1.StorageClass, error) {
	class := &storagev1.StorageClass{}
	if err := r.client.Get(ctx, types.NamespacedName{Name: name}, class); err != nil {
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		return nil, err
	}
	return class, nil
}

// isDelayBinding says whether the claim's class waits for the first consumer.
func (r *Reconciler) isDelayBinding(ctx context.Context, claim *corev1.PersistentVolumeClaim) (bool, error) {
	name := volume.GetPersistentVolumeClaimClass(claim)
	if name == "" {
		return false, nil
	}
	class, err := r.storageClass(ctx, name)
	if err != nil || class == nil {
		return false, err
	}
	if class.VolumeBindingMode == nil {
		return false, fmt.Errorf("VolumeBindingMode not set for StorageClass %q", name)
	}
	return *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer, nil
}
