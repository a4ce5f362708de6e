package cronjob

import (
	"context"
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/internal/index"
	"github.com/skiff-sh/skiff/controllers/job"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "cronjob"

// component is the source of the controller's events, as upstream's.
const component = "cronjob-controller"

var cronJobKind = batchv1.SchemeGroupVersion.WithKind("CronJob")

type queue = workqueue.TypedRateLimitingInterface[reconcile.Request]

// Reconciler starts a CronJob's Jobs on its schedule and keeps its status and history.
type Reconciler struct {
	client client.Client
	// apiReader reads past the cache where upstream reads from the API.
	apiReader client.Reader
	recorder  record.EventRecorder
	clock     clock.WithTicker
}

// Setup adds the controller to mgr. Its queue runs on cfg.Clock, so requeues at the next
// schedule time follow a fake clock in tests.
func Setup(mgr manager.Manager, cfg config.Config) error {
	if err := index.ByControllerUID(mgr, &batchv1.Job{}); err != nil {
		return err
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.RealClock{}
	}
	r := &Reconciler{
		client:    mgr.GetClient(),
		apiReader: mgr.GetAPIReader(),
		recorder:  mgr.GetEventRecorderFor(component), //nolint:staticcheck // core/v1 Events, as upstream records them.
		clock:     cfg.Clock,
	}
	err := ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		Watches(&batchv1.CronJob{}, r.cronJobHandler()).
		Watches(&batchv1.Job{}, jobHandler()).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: cfg.ConcurrentSyncs,
			RateLimiter:             workqueue.NewTypedItemExponentialFailureRateLimiter[reconcile.Request](5*time.Millisecond, 1000*time.Second),
			NewQueue:                job.NewQueue(cfg.Clock),
		}).
		Complete(r)
	if err != nil {
		return fmt.Errorf("building the cronjob controller: %w", err)
	}
	return nil
}

func requestFor(namespace, name string) reconcile.Request {
	return reconcile.Request{NamespacedName: types.NamespacedName{Namespace: namespace, Name: name}}
}

// cronJobHandler syncs a CronJob when it appears or changes; when its schedule or time zone
// changed it waits for the new schedule's next time instead, as upstream does.
func (r *Reconciler) cronJobHandler() handler.Funcs {
	add := func(obj client.Object, q queue) { q.Add(requestFor(obj.GetNamespace(), obj.GetName())) }
	return handler.Funcs{
		CreateFunc: func(_ context.Context, e event.CreateEvent, q queue) { add(e.Object, q) },
		DeleteFunc: func(_ context.Context, e event.DeleteEvent, q queue) { add(e.Object, q) },
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q queue) {
			old, cur := e.ObjectOld.(*batchv1.CronJob), e.ObjectNew.(*batchv1.CronJob)
			if old.Spec.Schedule == cur.Spec.Schedule && ptr.Equal(old.Spec.TimeZone, cur.Spec.TimeZone) {
				add(cur, q)
				return
			}
			sched, err := parseSchedule(formatSchedule(cur, nil))
			if err != nil {
				log.FromContext(ctx).V(2).Info("Unparseable schedule for cronjob", "cronjob", client.ObjectKeyFromObject(cur), "schedule", cur.Spec.Schedule, "err", err)
				r.recorder.Eventf(cur, corev1.EventTypeWarning, "UnParseableCronJobSchedule", "unparseable schedule for cronjob: %s", cur.Spec.Schedule)
				return
			}
			q.AddAfter(requestFor(cur.Namespace, cur.Name), nextScheduleTimeDuration(cur, r.clock.Now(), sched))
		},
	}
}

// jobHandler wakes the CronJob that controls a Job whenever the Job changes.
func jobHandler() handler.Funcs {
	enqueue := func(obj client.Object, q queue) {
		if ref := metav1.GetControllerOf(obj); ref != nil && ref.Kind == cronJobKind.Kind && ref.APIVersion == cronJobKind.GroupVersion().String() {
			q.Add(requestFor(obj.GetNamespace(), ref.Name))
		}
	}
	return handler.Funcs{
		CreateFunc: func(_ context.Context, e event.CreateEvent, q queue) { enqueue(e.Object, q) },
		UpdateFunc: func(_ context.Context, e event.UpdateEvent, q queue) {
			if e.ObjectNew.GetResourceVersion() == e.ObjectOld.GetResourceVersion() {
				return
			}
			enqueue(e.ObjectOld, q)
			enqueue(e.ObjectNew, q)
		},
		DeleteFunc: func(_ context.Context, e event.DeleteEvent, q queue) { enqueue(e.Object, q) },
	}
}
