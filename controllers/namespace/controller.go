package namespace

import (
	"context"
	"fmt"
	"time"

	"golang.org/x/time/rate"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/metadata"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/config"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "namespace"

// deletionGracePeriod is how long after a namespace is seen deleting its content is first
// deleted, as upstream.
const deletionGracePeriod = 5 * time.Second

// Reconciler empties namespaces being deleted and finalizes them.
type Reconciler struct {
	// Client reads namespaces from the manager's cache.
	Client  client.Client
	Deleter *Deleter
}

// Setup adds the controller to mgr.
func Setup(mgr manager.Manager, cfg config.Config) error {
	// Namespace cleanup makes many discovery, list and delete calls: like upstream, its client
	// gets 20 times the QPS and 100 times the burst.
	rc := rest.CopyConfig(mgr.GetConfig())
	if rc.QPS == 0 {
		rc.QPS, rc.Burst = 20, 30
	}
	rc.QPS *= 20
	rc.Burst *= 100
	rc.UserAgent = rest.DefaultKubernetesUserAgent() + "/namespace-controller"
	// Deprecation warnings of resources deleted generically mean nothing here.
	rc.WarningHandler = rest.NoWarnings{}
	kube, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return fmt.Errorf("creating the namespace controller's client: %w", err)
	}
	meta, err := metadata.NewForConfig(rc)
	if err != nil {
		return fmt.Errorf("creating the namespace controller's metadata client: %w", err)
	}
	r := &Reconciler{
		Client: mgr.GetClient(),
		Deleter: &Deleter{
			Namespaces: kube.CoreV1().Namespaces(),
			Pods:       kube.CoreV1(),
			Metadata:   meta,
			Discover:   kube.Discovery().ServerPreferredNamespacedResources,
			Finalizer:  corev1.FinalizerKubernetes,
			Clock:      cfg.Clock,
		},
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		Watches(&corev1.Namespace{}, handler.Funcs{
			CreateFunc: func(_ context.Context, e event.CreateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
				enqueueDeleting(e.Object, q)
			},
			UpdateFunc: func(_ context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
				enqueueDeleting(e.ObjectNew, q)
			},
		}).
		WithOptions(controller.Options{MaxConcurrentReconciles: cfg.ConcurrentSyncs, RateLimiter: rateLimiter()}).
		Complete(r)
}

// enqueueDeleting queues a namespace being deleted, after the grace period.
func enqueueDeleting(obj client.Object, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
	if obj.GetDeletionTimestamp().IsZero() {
		return
	}
	q.AddAfter(reconcile.Request{NamespacedName: types.NamespacedName{Name: obj.GetName()}}, deletionGracePeriod)
}

// rateLimiter is upstream's: per-item exponential backoff from 5ms to 60s, at most 10 retries
// a second overall with bursts of 100.
func rateLimiter() workqueue.TypedRateLimiter[reconcile.Request] {
	return workqueue.NewTypedMaxOfRateLimiter(
		workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](5*time.Millisecond, 60*time.Second),
		&workqueue.TypedBucketRateLimiter[reconcile.Request]{Limiter: rate.NewLimiter(rate.Limit(10), 100)},
	)
}
