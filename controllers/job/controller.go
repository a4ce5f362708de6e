package job

import (
	"fmt"
	"sync"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/internal/expectations"
	"github.com/skiff-sh/skiff/controllers/internal/index"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "job"

// component is the source of the controller's events, as upstream's.
const component = "job-controller"

// syncBatchPeriod delays syncs caused by pod events and status updates so bursts of them make
// one sync, as upstream's.
const syncBatchPeriod = time.Second

// API error back-off for a Job key, as upstream's (1s doubling to 1m).
const (
	apiBackoff    = time.Second
	maxAPIBackoff = time.Minute
)

var jobKind = batchv1.SchemeGroupVersion.WithKind("Job")

// Reconciler runs a Job's pods and keeps its status.
type Reconciler struct {
	client    client.Client
	apiReader client.Reader
	recorder  record.EventRecorder
	clock     clock.WithTicker
	// pods are creations and deletions not yet seen in the cache, per Job key.
	pods *expectations.Expectations
	// finalizers are pods whose tracking finalizer removal is not yet seen, per Job key.
	finalizers *uidExpectations
	backoff    *backoffStore
	// finished holds Job key -> UID of Jobs this controller marked finished while the cache
	// has not seen it yet: they are not synced again meanwhile.
	finished sync.Map
}

// Setup adds the controller to mgr, with the one that takes the tracking finalizer off pods
// no running Job accounts for.
func Setup(mgr manager.Manager, cfg config.Config) error {
	if err := index.ByControllerUID(mgr, &corev1.Pod{}); err != nil {
		return err
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.RealClock{}
	}
	r := &Reconciler{
		client:     mgr.GetClient(),
		apiReader:  mgr.GetAPIReader(),
		recorder:   mgr.GetEventRecorderFor(component), //nolint:staticcheck // core/v1 Events, as upstream records them.
		clock:      cfg.Clock,
		pods:       expectations.New(cfg.Clock),
		finalizers: newUIDExpectations(),
		backoff:    newBackoffStore(),
	}
	err := ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		Watches(&batchv1.Job{}, r.jobHandler()).
		Watches(&corev1.Pod{}, r.podHandler()).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: cfg.ConcurrentSyncs,
			RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](apiBackoff, maxAPIBackoff),
			NewQueue:                NewQueue(cfg.Clock),
		}).
		Complete(r)
	if err != nil {
		return fmt.Errorf("building the job controller: %w", err)
	}
	return setupOrphans(mgr, cfg)
}

// forget drops everything remembered about the Job key.
func (r *Reconciler) forget(key string) {
	r.pods.Forget(key)
	r.finalizers.forget(key)
	r.backoff.remove(key)
	r.finished.Delete(key)
}
