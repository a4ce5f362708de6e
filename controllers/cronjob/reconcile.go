package cronjob

import (
	"context"
	"fmt"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/skiff-sh/skiff/controllers/internal/index"
	"github.com/skiff-sh/skiff/controllers/job"
)

// Reconcile trims the CronJob's finished Jobs to its history limits, starts the Job that is
// due, writes the status once and requeues at the next schedule time.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	cj := &batchv1.CronJob{}
	if err := r.client.Get(ctx, req.NamespacedName, cj); err != nil {
		return ctrl.Result{}, client.IgnoreNotFound(err)
	}
	var list batchv1.JobList
	if err := r.client.List(ctx, &list, client.InNamespace(cj.Namespace), client.MatchingFields{index.ControllerUID: string(cj.UID)}); err != nil {
		return ctrl.Result{}, fmt.Errorf("listing the CronJob's jobs: %w", err)
	}
	jobs := make([]*batchv1.Job, len(list.Items))
	for i := range list.Items {
		jobs[i] = &list.Items[i]
	}
	updated := r.cleanupFinishedJobs(ctx, cj, jobs)
	requeue, synced, syncErr := r.syncCronJob(ctx, cj, jobs)
	if syncErr != nil {
		log.FromContext(ctx).V(2).Info("Error reconciling cronjob", "err", syncErr)
	}
	if updated || synced {
		if err := r.client.Status().Update(ctx, cj); err != nil {
			return ctrl.Result{}, fmt.Errorf("updating the CronJob's status: %w", err)
		}
	}
	if requeue != nil {
		return ctrl.Result{RequeueAfter: max(*requeue, time.Millisecond)}, nil
	}
	return ctrl.Result{}, syncErr
}

// getJob reads a Job from the API, as upstream does before acting on one.
func (r *Reconciler) getJob(ctx context.Context, namespace, name string) (*batchv1.Job, error) {
	j := &batchv1.Job{}
	if err := r.apiReader.Get(ctx, types.NamespacedName{Namespace: namespace, Name: name}, j); err != nil {
		return nil, err
	}
	return j, nil
}

// deleteJob deletes a Job (its pods follow in the background) and drops it from the active
// list; it reports whether that worked.
func (r *Reconciler) deleteJob(ctx context.Context, cj *batchv1.CronJob, j *batchv1.Job) bool {
	if err := r.client.Delete(ctx, j, client.PropagationPolicy("Background")); err != nil {
		r.recorder.Eventf(cj, corev1.EventTypeWarning, "FailedDelete", "Deleted job: %v", err)
		log.FromContext(ctx).Error(err, "Error deleting job from cronjob", "job", j.Name)
		return false
	}
	removeActive(cj, j.UID)
	r.recorder.Eventf(cj, corev1.EventTypeNormal, "SuccessfulDelete", "Deleted job %v", j.Name)
	return true
}

func removeActive(cj *batchv1.CronJob, uid types.UID) {
	active := []corev1.ObjectReference{}
	for _, ref := range cj.Status.Active {
		if ref.UID != uid {
			active = append(active, ref)
		}
	}
	cj.Status.Active = active
}

func inActive(cj *batchv1.CronJob, uid types.UID) bool {
	for _, ref := range cj.Status.Active {
		if ref.UID == uid {
			return true
		}
	}
	return false
}

func inActiveByName(cj *batchv1.CronJob, name string) bool {
	for _, ref := range cj.Status.Active {
		if ref.Name == name && ref.Namespace == cj.Namespace {
			return true
		}
	}
	return false
}

// finishedType is Complete or Failed for a finished Job, "" otherwise.
func finishedType(j *batchv1.Job) batchv1.JobConditionType {
	if c := job.FinishedCondition(j); c != nil {
		return c.Type
	}
	return ""
}
