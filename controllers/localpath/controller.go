package localpath

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/config"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "local-path-provisioner"

// Provisioner is the provisioner name StorageClasses use for these volumes (as k3s's
// rancher.io/local-path).
const Provisioner = "skiff.sh/local-path"

// DefaultClassName is the StorageClass made when the cluster has no default one.
const DefaultClassName = "standard"

// Setup adds the provisioner to mgr: a controller for claims (namespaced keys) and released
// volumes (keys without a namespace), and a runnable making the default StorageClass.
func Setup(mgr manager.Manager, cfg config.Config) error {
	r := &Reconciler{
		client:   mgr.GetClient(),
		reader:   mgr.GetAPIReader(),
		recorder: mgr.GetEventRecorderFor(Provisioner),
		dir:      cfg.LocalPathDir,
	}
	if err := mgr.Add(&defaultClass{client: mgr.GetClient()}); err != nil {
		return fmt.Errorf("adding the default StorageClass maker: %w", err)
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		For(&corev1.PersistentVolumeClaim{}).
		Watches(&corev1.PersistentVolume{}, handler.EnqueueRequestsFromMapFunc(ownVolume)).
		WithOptions(controller.Options{MaxConcurrentReconciles: cfg.ConcurrentSyncs}).
		Complete(r)
}

// ownVolume passes volumes this provisioner made.
func ownVolume(_ context.Context, o client.Object) []reconcile.Request {
	if o.GetAnnotations()[annProvisionedBy] != Provisioner {
		return nil
	}
	return []reconcile.Request{{NamespacedName: client.ObjectKeyFromObject(o)}}
}
