package cronjob

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// syncCronJob reconciles the active list with the Jobs and starts the Job that is due, as
// upstream's syncCronJob. It returns when to sync again (nil: only on a change) and whether
// the status changed.
func (r *Reconciler) syncCronJob(ctx context.Context, cj *batchv1.CronJob, jobs []*batchv1.Job) (*time.Duration, bool, error) {
	now := r.clock.Now()
	logger := log.FromContext(ctx)
	updated := false
	children := map[string]bool{}
	for _, j := range jobs {
		children[string(j.UID)] = true
		found := inActive(cj, j.UID)
		finished := finishedType(j)
		switch {
		case !found && finished == "":
			fresh := &batchv1.CronJob{}
			if err := r.apiReader.Get(ctx, client.ObjectKeyFromObject(cj), fresh); err != nil {
				return nil, updated, err
			}
			if inActive(fresh, j.UID) {
				*cj = *fresh
				continue
			}
			r.recorder.Eventf(cj, corev1.EventTypeWarning, "UnexpectedJob", "Saw a job that the controller did not create or forgot: %s", j.Name)
		case finished != "":
			if found {
				removeActive(cj, j.UID)
				r.recorder.Eventf(cj, corev1.EventTypeNormal, "SawCompletedJob", "Saw completed job: %s, condition: %v", j.Name, finished)
				updated = true
			}
			if finished == batchv1.JobComplete && j.Status.CompletionTime != nil &&
				(cj.Status.LastSuccessfulTime == nil || j.Status.CompletionTime.After(cj.Status.LastSuccessfulTime.Time)) {
				cj.Status.LastSuccessfulTime = j.Status.CompletionTime
				updated = true
			}
		}
	}
	// A Job in the active list that is gone must not keep the CronJob active for ever; the
	// cache may lag, so the API decides.
	for _, ref := range slices.Clone(cj.Status.Active) {
		if children[string(ref.UID)] {
			continue
		}
		_, err := r.getJob(ctx, ref.Namespace, ref.Name)
		switch {
		case apierrors.IsNotFound(err):
			r.recorder.Eventf(cj, corev1.EventTypeNormal, "MissingJob", "Active job went missing: %v", ref.Name)
			removeActive(cj, ref.UID)
			updated = true
		case err != nil:
			return nil, updated, err
		}
	}
	if cj.DeletionTimestamp != nil {
		return nil, updated, nil
	}
	if tz := cj.Spec.TimeZone; tz != nil {
		if _, err := time.LoadLocation(*tz); err != nil {
			logger.V(4).Info("Not starting job because timeZone is invalid", "timeZone", *tz, "err", err)
			r.recorder.Eventf(cj, corev1.EventTypeWarning, "UnknownTimeZone", "invalid timeZone: %q: %s", *tz, err)
			return nil, updated, nil
		}
	}
	if ptr.Deref(cj.Spec.Suspend, false) {
		logger.V(4).Info("Not starting job because the cron is suspended")
		return nil, updated, nil
	}
	sched, err := parseSchedule(formatSchedule(cj, r.recorder))
	if err != nil {
		logger.V(2).Info("Unparseable schedule", "schedule", cj.Spec.Schedule, "err", err)
		r.recorder.Eventf(cj, corev1.EventTypeWarning, "UnparseableSchedule", "unparseable schedule: %q : %s", cj.Spec.Schedule, err)
		return nil, updated, nil
	}
	scheduled, err := nextScheduleTime(cj, now, sched, r.recorder)
	if err != nil {
		logger.V(2).Info("Invalid schedule", "schedule", cj.Spec.Schedule, "err", err)
		r.recorder.Eventf(cj, corev1.EventTypeWarning, "InvalidSchedule", "invalid schedule: %s : %s", cj.Spec.Schedule, err)
		return nil, updated, nil
	}
	next := func() *time.Duration { return ptr.To(nextScheduleTimeDuration(cj, now, sched)) }
	if scheduled == nil {
		logger.V(4).Info("No unmet start times")
		return next(), updated, nil
	}
	if d := cj.Spec.StartingDeadlineSeconds; d != nil && scheduled.Add(time.Duration(*d)*time.Second).Before(now) {
		logger.V(4).Info("Missed starting window")
		r.recorder.Eventf(cj, corev1.EventTypeWarning, "MissSchedule", "Missed scheduled time to start a job: %s", scheduled.UTC().Format(time.RFC1123Z))
		return next(), updated, nil
	}
	if inActiveByName(cj, jobName(cj, *scheduled)) || cj.Status.LastScheduleTime.Equal(&metav1.Time{Time: *scheduled}) {
		logger.V(4).Info("Not starting job because the scheduled time is already processed", "schedule", scheduled)
		return next(), updated, nil
	}
	if cj.Spec.ConcurrencyPolicy == batchv1.ForbidConcurrent && len(cj.Status.Active) > 0 {
		logger.V(4).Info("Not starting job because prior execution is still running and concurrency policy is Forbid")
		r.recorder.Eventf(cj, corev1.EventTypeNormal, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid")
		return next(), updated, nil
	}
	if cj.Spec.ConcurrencyPolicy == batchv1.ReplaceConcurrent {
		for _, ref := range slices.Clone(cj.Status.Active) {
			logger.V(4).Info("Deleting job that was still running at next scheduled start time", "job", ref.Name)
			j, err := r.getJob(ctx, ref.Namespace, ref.Name)
			if err != nil {
				r.recorder.Eventf(cj, corev1.EventTypeWarning, "FailedGet", "Get job: %v", err)
				return nil, updated, err
			}
			if !r.deleteJob(ctx, cj, j) {
				return nil, updated, fmt.Errorf("could not replace job %s/%s", j.Namespace, j.Name)
			}
			updated = true
		}
	}
	started, err := r.startJob(ctx, cj, *scheduled)
	if err != nil || started == nil {
		return nil, updated, err
	}
	cj.Status.Active = append(cj.Status.Active, corev1.ObjectReference{
		Kind:            "Job",
		APIVersion:      batchv1.SchemeGroupVersion.String(),
		Namespace:       started.Namespace,
		Name:            started.Name,
		UID:             started.UID,
		ResourceVersion: started.ResourceVersion,
	})
	cj.Status.LastScheduleTime = &metav1.Time{Time: *scheduled}
	return next(), true, nil
}

// startJob creates the Job for a start time. A Job of that name the controller already made
// (its status write was lost) is taken as started, unless it is already active; one made by
// someone else is left alone. It returns the Job to add to the active list, or nil.
func (r *Reconciler) startJob(ctx context.Context, cj *batchv1.CronJob, scheduled time.Time) (*batchv1.Job, error) {
	want, err := jobFromTemplate(cj, scheduled)
	if err != nil {
		log.FromContext(ctx).Error(err, "Unable to make Job from template")
		return nil, err
	}
	err = r.client.Create(ctx, want)
	switch {
	case err == nil:
		log.FromContext(ctx).V(4).Info("Created Job", "job", want.Name)
		r.recorder.Eventf(cj, corev1.EventTypeNormal, "SuccessfulCreate", "Created job %v", want.Name)
		return want, nil
	case apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause):
		return nil, err
	case apierrors.IsAlreadyExists(err):
		existing, err := r.getJob(ctx, cj.Namespace, want.Name)
		if err != nil {
			return nil, err
		}
		if !metav1.IsControlledBy(existing, cj) || inActive(cj, existing.UID) {
			return nil, nil
		}
		log.FromContext(ctx).Info("Job already exists", "job", existing.Name)
		return existing, nil
	default:
		r.recorder.Eventf(cj, corev1.EventTypeWarning, "FailedCreate", "Error creating job: %v", err)
		return nil, err
	}
}

// jobFromTemplate builds the Job for a start time: the template's labels, annotations and
// spec, the batch.kubernetes.io/cronjob-scheduled-timestamp annotation (RFC 3339 in the
// CronJob's time zone) and the CronJob as controller.
func jobFromTemplate(cj *batchv1.CronJob, scheduled time.Time) (*batchv1.Job, error) {
	loc, err := time.LoadLocation(ptr.Deref(cj.Spec.TimeZone, ""))
	if err != nil {
		return nil, err
	}
	annotations := map[string]string{}
	for k, v := range cj.Spec.JobTemplate.Annotations {
		annotations[k] = v
	}
	annotations[batchv1.CronJobScheduledTimestampAnnotation] = scheduled.In(loc).Format(time.RFC3339)
	labels := map[string]string{}
	for k, v := range cj.Spec.JobTemplate.Labels {
		labels[k] = v
	}
	j := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{
			Namespace:         cj.Namespace,
			Name:              jobName(cj, scheduled),
			Labels:            labels,
			Annotations:       annotations,
			CreationTimestamp: metav1.NewTime(scheduled),
			OwnerReferences:   []metav1.OwnerReference{*metav1.NewControllerRef(cj, cronJobKind)},
		},
	}
	cj.Spec.JobTemplate.Spec.DeepCopyInto(&j.Spec)
	return j, nil
}

// cleanupFinishedJobs deletes the oldest finished Jobs past the CronJob's successful and
// failed history limits; it reports whether the status changed.
func (r *Reconciler) cleanupFinishedJobs(ctx context.Context, cj *batchv1.CronJob, jobs []*batchv1.Job) bool {
	if cj.Spec.SuccessfulJobsHistoryLimit == nil && cj.Spec.FailedJobsHistoryLimit == nil {
		return false
	}
	var succeeded, failed []*batchv1.Job
	for _, j := range jobs {
		switch finishedType(j) {
		case batchv1.JobComplete:
			succeeded = append(succeeded, j)
		case batchv1.JobFailed:
			failed = append(failed, j)
		}
	}
	updated := false
	if l := cj.Spec.SuccessfulJobsHistoryLimit; l != nil && r.removeOldestJobs(ctx, cj, succeeded, int(*l)) {
		updated = true
	}
	if l := cj.Spec.FailedJobsHistoryLimit; l != nil && r.removeOldestJobs(ctx, cj, failed, int(*l)) {
		updated = true
	}
	return updated
}

func (r *Reconciler) removeOldestJobs(ctx context.Context, cj *batchv1.CronJob, jobs []*batchv1.Job, keep int) bool {
	n := len(jobs) - keep
	if n <= 0 {
		return false
	}
	log.FromContext(ctx).V(4).Info("Cleaning up jobs from CronJob list", "deletejobnum", n, "jobnum", len(jobs))
	sortByStartTime(jobs)
	updated := false
	for _, j := range jobs[:n] {
		if r.deleteJob(ctx, cj, j) {
			updated = true
		}
	}
	return updated
}

// sortByStartTime orders Jobs by status.startTime, those without one last, then by name.
func sortByStartTime(jobs []*batchv1.Job) {
	slices.SortStableFunc(jobs, func(a, b *batchv1.Job) int {
		sa, sb := a.Status.StartTime, b.Status.StartTime
		switch {
		case sa == nil && sb != nil:
			return 1
		case sa != nil && sb == nil:
			return -1
		case sa == nil || sa.Equal(sb):
			return strings.Compare(a.Name, b.Name)
		}
		return sa.Compare(sb.Time)
	})
}
