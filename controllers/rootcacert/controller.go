package rootcacert

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
	"sigs.k8s.io/controller-runtime/pkg/source"

	"github.com/skiff-sh/skiff/controllers/config"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "root-ca-certificate-publisher"

const (
	// ConfigMapName is the ConfigMap published in every namespace.
	ConfigMapName = "kube-root-ca.crt"
	// DataKey holds the PEM bundle.
	DataKey = "ca.crt"
	// DescriptionAnnotation carries Description.
	DescriptionAnnotation = "kubernetes.io/description"
	// Description is upstream's text of DescriptionAnnotation.
	Description = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. " +
		"No other usage is guaranteed across distributions of Kubernetes clusters."
)

// Reconciler keeps the kube-root-ca.crt ConfigMap of a namespace.
type Reconciler struct {
	// ConfigMaps reads only kube-root-ca.crt ConfigMaps (a cache of its own, so other
	// ConfigMaps are not held in memory).
	ConfigMaps client.Reader
	// Client creates and updates them.
	Client client.Client
	// RootCA is the published bundle.
	RootCA []byte
}

// Setup adds the controller to mgr.
func Setup(mgr manager.Manager, cfg config.Config) error {
	configMaps, err := cache.New(mgr.GetConfig(), cache.Options{
		HTTPClient: mgr.GetHTTPClient(),
		Scheme:     mgr.GetScheme(),
		Mapper:     mgr.GetRESTMapper(),
		ByObject: map[client.Object]cache.ByObject{
			&corev1.ConfigMap{}: {Field: fields.OneTermEqualSelector("metadata.name", ConfigMapName)},
		},
		DefaultTransform: cache.TransformStripManagedFields(),
	})
	if err != nil {
		return fmt.Errorf("creating the %s cache: %w", ConfigMapName, err)
	}
	if err := mgr.Add(configMaps); err != nil {
		return err
	}
	r := &Reconciler{ConfigMaps: configMaps, Client: mgr.GetClient(), RootCA: cfg.RootCA}
	enqueue := func(cm *corev1.ConfigMap, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
		if cm.Name == ConfigMapName {
			q.Add(reconcile.Request{NamespacedName: types.NamespacedName{Name: cm.Namespace}})
		}
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		// New namespaces, and namespaces that are (still) active when they change.
		For(&corev1.Namespace{}, builder.WithPredicates(predicate.Funcs{
			UpdateFunc: func(e event.UpdateEvent) bool {
				return e.ObjectNew.(*corev1.Namespace).Status.Phase == corev1.NamespaceActive
			},
			DeleteFunc: func(event.DeleteEvent) bool { return false },
		})).
		// Changed or deleted ConfigMaps are restored.
		WatchesRawSource(source.Kind(configMaps, &corev1.ConfigMap{}, handler.TypedFuncs[*corev1.ConfigMap, reconcile.Request]{
			UpdateFunc: func(_ context.Context, e event.TypedUpdateEvent[*corev1.ConfigMap], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
				enqueue(e.ObjectNew, q)
			},
			DeleteFunc: func(_ context.Context, e event.TypedDeleteEvent[*corev1.ConfigMap], q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
				enqueue(e.Object, q)
			},
		})).
		WithOptions(controller.Options{MaxConcurrentReconciles: cfg.ConcurrentSyncs}).
		Complete(r)
}
