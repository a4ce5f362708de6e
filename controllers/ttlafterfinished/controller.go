package ttlafterfinished

import (
	"context"
	"errors"
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/job"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "ttl-after-finished"

// Reconciler deletes finished Jobs whose ttlSecondsAfterFinished has passed.
type Reconciler struct {
	client    client.Client
	apiReader client.Reader
	clock     clock.WithTicker
}

// Setup adds the controller to mgr. Its queue runs on cfg.Clock, so the wait for a TTL follows
// a fake clock in tests.
func Setup(mgr manager.Manager, cfg config.Config) error {
	if cfg.Clock == nil {
		cfg.Clock = clock.RealClock{}
	}
	r := &Reconciler{client: mgr.GetClient(), apiReader: mgr.GetAPIReader(), clock: cfg.Clock}
	err := ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		For(&batchv1.Job{}, builder.WithPredicates(predicate.NewPredicateFuncs(func(obj client.Object) bool {
			j := obj.(*batchv1.Job)
			return j.DeletionTimestamp == nil && needsCleanup(j)
		}))).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: cfg.ConcurrentSyncs,
			RateLimiter:             workqueue.DefaultTypedControllerRateLimiter[reconcile.Request](),
			NewQueue:                job.NewQueue(cfg.Clock),
		}).
		Complete(r)
	if err != nil {
		return fmt.Errorf("building the ttl-after-finished controller: %w", err)
	}
	return nil
}

// Reconcile deletes the Job (in the foreground, so its pods go first) once its TTL expired,
// checking the TTL again on a fresh read first; until then it requeues for the expiry.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	logger := log.FromContext(ctx)
	logger.V(4).Info("Checking if Job is ready for cleanup")
	cached := &batchv1.Job{}
	if err := r.client.Get(ctx, req.NamespacedName, cached); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if wait, err := r.timeLeft(ctx, cached); err != nil || wait != 0 {
		return ctrl.Result{RequeueAfter: max(wait, 0)}, err
	}
	// The TTL may have changed since the cache saw the Job.
	fresh := &batchv1.Job{}
	if err := r.apiReader.Get(ctx, req.NamespacedName, fresh); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	if wait, err := r.timeLeft(ctx, fresh); err != nil || wait != 0 {
		return ctrl.Result{RequeueAfter: max(wait, 0)}, err
	}
	logger.V(4).Info("Cleaning up Job")
	err := r.client.Delete(ctx, fresh, client.PropagationPolicy(metav1.DeletePropagationForeground), client.Preconditions{UID: &fresh.UID})
	if err := client.IgnoreNotFound(err); err != nil {
		return ctrl.Result{}, fmt.Errorf("deleting Job %s: %w", req, err)
	}
	return ctrl.Result{}, nil
}

// timeLeft is 0 when the Job's TTL expired, positive while it runs, and negative when the Job
// needs no clean-up (not finished, no TTL, or already being deleted).
func (r *Reconciler) timeLeft(ctx context.Context, j *batchv1.Job) (time.Duration, error) {
	if j.DeletionTimestamp != nil || !needsCleanup(j) {
		return -1, nil
	}
	finishedAt, err := finishTime(j)
	if err != nil {
		return -1, err
	}
	now := r.clock.Now()
	if finishedAt.After(now) {
		log.FromContext(ctx).Info("Warning: Found Job finished in the future. This is likely due to time skew in the cluster. Job cleanup will be deferred.")
	}
	left := finishedAt.Add(time.Duration(*j.Spec.TTLSecondsAfterFinished) * time.Second).Sub(now)
	return max(left, 0), nil
}

// needsCleanup: the Job finished and has a TTL.
func needsCleanup(j *batchv1.Job) bool {
	return j.Spec.TTLSecondsAfterFinished != nil && job.IsFinished(j)
}

// finishTime is when the Job's Complete or Failed condition turned True.
func finishTime(j *batchv1.Job) (time.Time, error) {
	c := job.FinishedCondition(j)
	if c == nil {
		return time.Time{}, fmt.Errorf("unable to find the status of the finished Job %s/%s", j.Namespace, j.Name)
	}
	if c.LastTransitionTime.IsZero() {
		return time.Time{}, errors.New("unable to find the time when the Job " + j.Namespace + "/" + j.Name + " finished")
	}
	return c.LastTransitionTime.Time, nil
}
