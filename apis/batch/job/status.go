package job

import (
	"fmt"
	"strconv"
	"strings"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

// ValidateStatusUpdate checks a status write as upstream does with JobManagedBy (GA): the
// rules that keep a Job's status consistent apply to the parts of it the write changes.
func ValidateStatusUpdate(job, old *batchv1.Job) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&job.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	s, o := &job.Status, &old.Status
	fldPath := field.NewPath("status")
	errs = append(errs, validateStatus(job, fldPath, statusChecks(job, old))...)

	for _, c := range []batchv1.JobConditionType{batchv1.JobFailed, batchv1.JobComplete, batchv1.JobFailureTarget} {
		if conditionTrue(o.Conditions, c) && !conditionTrue(s.Conditions, c) {
			errs = append(errs, field.Invalid(fldPath.Child("conditions"), field.OmitValueType{}, fmt.Sprintf("cannot disable the terminal %s=True condition", c)))
		}
	}
	if s.Failed < o.Failed {
		errs = append(errs, field.Invalid(fldPath.Child("failed"), s.Failed, "cannot decrease the failed counter"))
	}
	isIndexed := ptr.Deref(job.Spec.CompletionMode, batchv1.NonIndexedCompletion) == batchv1.IndexedCompletion
	if (!isIndexed || !ptr.Equal(job.Spec.Completions, job.Spec.Parallelism)) && s.Succeeded < o.Succeeded {
		errs = append(errs, field.Invalid(fldPath.Child("succeeded"), s.Succeeded, "cannot decrease the succeeded counter"))
	}
	if s.CompletionTime != nil && o.CompletionTime != nil && !ptr.Equal(s.CompletionTime, o.CompletionTime) {
		errs = append(errs, field.Invalid(fldPath.Child("completionTime"), s.CompletionTime, "field is immutable"))
	}
	resuming := conditionTrue(o.Conditions, batchv1.JobSuspended) && conditionFalse(s.Conditions, batchv1.JobSuspended)
	if !ptr.Equal(o.StartTime, s.StartTime) && !resuming && o.StartTime != nil && !ptr.Deref(job.Spec.Suspend, false) {
		errs = append(errs, field.Invalid(fldPath.Child("startTime"), s.StartTime, "field is immutable for unsuspended job once set"))
	}
	if conditionTrue(o.Conditions, batchv1.JobSuccessCriteriaMet) && !conditionTrue(s.Conditions, batchv1.JobSuccessCriteriaMet) {
		errs = append(errs, field.Invalid(fldPath.Child("conditions"), field.OmitValueType{}, "cannot disable the SuccessCriteriaMet=True condition"))
	}
	if isComplete(old) && !conditionTrue(o.Conditions, batchv1.JobSuccessCriteriaMet) && conditionTrue(s.Conditions, batchv1.JobSuccessCriteriaMet) {
		errs = append(errs, field.Invalid(fldPath.Child("conditions"), field.OmitValueType{}, "cannot set SuccessCriteriaMet=True for Job already has Complete=true conditions"))
	}
	return errs
}

// checks says which status rules apply to a write (upstream's JobStatusValidationOptions).
type checks struct {
	completeWithFailed, completeWithFailureTarget, notCompleteWithCompletionTime bool
	completeWithoutCompletionTime, completionTimeBeforeStartTime                 bool
	failedWithoutFailureTarget, completeWithoutSuccessCriteriaMet                bool
	finishedWithActivePods, finishedWithoutStartTime, finishedWithUncountedPods  bool
	invalidCompletedIndexes, invalidFailedIndexes, completedIndexesForNonIndexed bool
	failedIndexesWithoutBackoffLimitPerIndex, failedIndexesOverlapCompleted      bool
	finishedWithTerminatingPods, moreReadyThanActive                             bool
}

func statusChecks(job, old *batchv1.Job) checks {
	s, o := &job.Status, &old.Status
	changed := func(c batchv1.JobConditionType) bool {
		return conditionTrue(o.Conditions, c) != conditionTrue(s.Conditions, c)
	}
	finishedChanged := isFinished(old) != isFinished(job)
	completeChanged, failedChanged := changed(batchv1.JobComplete), changed(batchv1.JobFailed)
	completedIndexesChanged := o.CompletedIndexes != s.CompletedIndexes
	failedIndexesChanged := !ptr.Equal(o.FailedIndexes, s.FailedIndexes)
	activeChanged := o.Active != s.Active
	startTimeChanged := !ptr.Equal(o.StartTime, s.StartTime)
	completionTimeChanged := !ptr.Equal(o.CompletionTime, s.CompletionTime)
	suspendedWithZeroCompletions := ptr.Deref(job.Spec.Suspend, false) && ptr.Equal(job.Spec.Completions, ptr.To[int32](0))
	return checks{
		invalidCompletedIndexes:                  completedIndexesChanged,
		invalidFailedIndexes:                     failedIndexesChanged,
		completedIndexesForNonIndexed:            completedIndexesChanged,
		failedIndexesWithoutBackoffLimitPerIndex: failedIndexesChanged,
		failedIndexesOverlapCompleted:            failedIndexesChanged || completedIndexesChanged,
		failedWithoutFailureTarget:               failedChanged || failedIndexesChanged,
		completeWithoutSuccessCriteriaMet:        completeChanged || changed(batchv1.JobSuccessCriteriaMet),
		finishedWithActivePods:                   finishedChanged || activeChanged,
		finishedWithoutStartTime:                 (finishedChanged || startTimeChanged) && !suspendedWithZeroCompletions,
		finishedWithUncountedPods:                finishedChanged || !apiequality.Semantic.DeepEqual(o.UncountedTerminatedPods, s.UncountedTerminatedPods),
		completionTimeBeforeStartTime:            startTimeChanged || completionTimeChanged,
		notCompleteWithCompletionTime:            completeChanged || completionTimeChanged,
		completeWithoutCompletionTime:            completeChanged || completionTimeChanged,
		completeWithFailed:                       completeChanged || failedChanged,
		completeWithFailureTarget:                completeChanged || changed(batchv1.JobFailureTarget),
		moreReadyThanActive:                      !ptr.Equal(o.Ready, s.Ready) || activeChanged,
		finishedWithTerminatingPods:              finishedChanged || !ptr.Equal(o.Terminating, s.Terminating),
	}
}

func validateStatus(job *batchv1.Job, fldPath *field.Path, c checks) field.ErrorList {
	s := &job.Status
	var errs field.ErrorList
	nonNegative := func(v int32, name string) {
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(v), fldPath.Child(name))...)
	}
	nonNegative(s.Active, "active")
	nonNegative(s.Succeeded, "succeeded")
	nonNegative(s.Failed, "failed")
	if s.Ready != nil {
		nonNegative(*s.Ready, "ready")
	}
	if s.Terminating != nil {
		nonNegative(*s.Terminating, "terminating")
	}
	if u := s.UncountedTerminatedPods; u != nil {
		path := fldPath.Child("uncountedTerminatedPods")
		seen := sets.New[types.UID]()
		for _, list := range []struct {
			name string
			uids []types.UID
		}{{"succeeded", u.Succeeded}, {"failed", u.Failed}} {
			for i, uid := range list.uids {
				p := path.Child(list.name).Index(i)
				switch {
				case uid == "":
					errs = append(errs, field.Invalid(p, uid, "must not be empty"))
				case seen.Has(uid):
					errs = append(errs, field.Duplicate(p, uid))
				default:
					seen.Insert(uid)
				}
			}
		}
	}
	conditions := fldPath.Child("conditions")
	complete, failed := isComplete(job), conditionTrue(s.Conditions, batchv1.JobFailed)
	failureTarget := conditionTrue(s.Conditions, batchv1.JobFailureTarget)
	successCriteriaMet := conditionTrue(s.Conditions, batchv1.JobSuccessCriteriaMet)
	if c.completeWithFailed && complete && failed {
		errs = append(errs, field.Invalid(conditions, field.OmitValueType{}, "cannot set Complete=True and Failed=true conditions"))
	}
	if c.completeWithFailureTarget && complete && failureTarget {
		errs = append(errs, field.Invalid(conditions, field.OmitValueType{}, "cannot set Complete=True and FailureTarget=true conditions"))
	}
	if c.notCompleteWithCompletionTime && s.CompletionTime != nil && !complete {
		errs = append(errs, field.Invalid(fldPath.Child("completionTime"), s.CompletionTime, "cannot set completionTime when there is no Complete=True condition"))
	}
	if c.completeWithoutCompletionTime && s.CompletionTime == nil && complete {
		errs = append(errs, field.Required(fldPath.Child("completionTime"), "completionTime is required for Complete jobs"))
	}
	if c.completionTimeBeforeStartTime && s.StartTime != nil && s.CompletionTime != nil && s.CompletionTime.Before(s.StartTime) {
		errs = append(errs, field.Invalid(fldPath.Child("completionTime"), s.CompletionTime, "must be equal to or after `startTime`"))
	}
	if c.failedWithoutFailureTarget && failed && !failureTarget {
		errs = append(errs, field.Invalid(conditions, field.OmitValueType{}, "cannot set Failed=True condition without the FailureTarget=true condition"))
	}
	if c.completeWithoutSuccessCriteriaMet && complete && !successCriteriaMet {
		errs = append(errs, field.Invalid(conditions, field.OmitValueType{}, "cannot set Complete=True condition without the SuccessCriteriaMet=true condition"))
	}
	finished := isFinished(job)
	if c.finishedWithActivePods && s.Active > 0 && finished {
		errs = append(errs, field.Invalid(fldPath.Child("active"), s.Active, "active>0 is invalid for finished job"))
	}
	if c.finishedWithoutStartTime && s.StartTime == nil && finished {
		errs = append(errs, field.Required(fldPath.Child("startTime"), "startTime is required for finished job"))
	}
	if c.finishedWithUncountedPods && finished && s.UncountedTerminatedPods != nil && len(s.UncountedTerminatedPods.Failed)+len(s.UncountedTerminatedPods.Succeeded) > 0 {
		errs = append(errs, field.Invalid(fldPath.Child("uncountedTerminatedPods"), corevalidation.InternalJSON(s.UncountedTerminatedPods), "must be empty for finished job"))
	}
	if c.invalidCompletedIndexes && job.Spec.Completions != nil {
		if _, err := validateIndexesFormat(s.CompletedIndexes, *job.Spec.Completions); err != nil {
			errs = append(errs, field.Invalid(fldPath.Child("completedIndexes"), s.CompletedIndexes, fmt.Sprintf("error parsing completedIndexes: %s", err.Error())))
		}
	}
	if c.invalidFailedIndexes && job.Spec.Completions != nil && job.Spec.BackoffLimitPerIndex != nil && s.FailedIndexes != nil {
		if _, err := validateIndexesFormat(*s.FailedIndexes, *job.Spec.Completions); err != nil {
			errs = append(errs, field.Invalid(fldPath.Child("failedIndexes"), s.FailedIndexes, fmt.Sprintf("error parsing failedIndexes: %s", err.Error())))
		}
	}
	isIndexed := ptr.Deref(job.Spec.CompletionMode, batchv1.NonIndexedCompletion) == batchv1.IndexedCompletion
	if c.completedIndexesForNonIndexed && len(s.CompletedIndexes) != 0 && !isIndexed {
		errs = append(errs, field.Invalid(fldPath.Child("completedIndexes"), s.CompletedIndexes, "cannot set non-empty completedIndexes when non-indexed completion mode"))
	}
	if c.failedIndexesWithoutBackoffLimitPerIndex && job.Spec.BackoffLimitPerIndex == nil && s.FailedIndexes != nil {
		errs = append(errs, field.Invalid(fldPath.Child("failedIndexes"), *s.FailedIndexes, "cannot set non-null failedIndexes when backoffLimitPerIndex is null"))
	}
	if c.failedIndexesOverlapCompleted && job.Spec.Completions != nil && s.FailedIndexes != nil {
		if err := validateFailedIndexesNotOverlapCompleted(s.CompletedIndexes, *s.FailedIndexes, *job.Spec.Completions); err != nil {
			errs = append(errs, field.Invalid(fldPath.Child("failedIndexes"), *s.FailedIndexes, err.Error()))
		}
	}
	if c.finishedWithTerminatingPods && s.Terminating != nil && *s.Terminating > 0 && finished {
		errs = append(errs, field.Invalid(fldPath.Child("terminating"), s.Terminating, "terminating>0 is invalid for finished job"))
	}
	if c.moreReadyThanActive && s.Ready != nil && *s.Ready > s.Active {
		errs = append(errs, field.Invalid(fldPath.Child("ready"), *s.Ready, "cannot set more ready pods than active"))
	}
	if successCriteriaMet && failed {
		errs = append(errs, field.Invalid(conditions, field.OmitValueType{}, "cannot set SuccessCriteriaMet=True and Failed=true conditions"))
	}
	if successCriteriaMet && failureTarget {
		errs = append(errs, field.Invalid(conditions, field.OmitValueType{}, "cannot set SuccessCriteriaMet=True and FailureTarget=true conditions"))
	}
	if job.Spec.SuccessPolicy != nil && !successCriteriaMet && complete {
		errs = append(errs, field.Invalid(conditions, field.OmitValueType{}, "cannot set Complete=True for Job with SuccessPolicy unless SuccessCriteriaMet=True"))
	}
	return errs
}

func conditionTrue(list []batchv1.JobCondition, t batchv1.JobConditionType) bool {
	for _, c := range list {
		if c.Type == t && c.Status == corev1.ConditionTrue {
			return true
		}
	}
	return false
}

func conditionFalse(list []batchv1.JobCondition, t batchv1.JobConditionType) bool {
	for _, c := range list {
		if c.Type == t && c.Status == corev1.ConditionFalse {
			return true
		}
	}
	return false
}

func isComplete(job *batchv1.Job) bool {
	return conditionTrue(job.Status.Conditions, batchv1.JobComplete)
}

func isFinished(job *batchv1.Job) bool {
	return isComplete(job) || conditionTrue(job.Status.Conditions, batchv1.JobFailed)
}

// validateIndexesFormat parses a list of indexes and ranges ("1,3-5") below completions and
// returns how many indexes it holds.
func validateIndexesFormat(indexes string, completions int32) (int32, error) {
	if indexes == "" {
		return 0, nil
	}
	var last *int32
	var total int32
	for _, interval := range strings.Split(indexes, ",") {
		x, y, err := parseIndexInterval(interval, completions)
		if err != nil {
			return 0, err
		}
		if last != nil && *last >= x {
			return 0, fmt.Errorf("non-increasing order, previous: %d, current: %d", *last, x)
		}
		total += y - x + 1
		last = &y
	}
	return total, nil
}

func parseIndexInterval(interval string, completions int32) (int32, int32, error) {
	limits := strings.Split(interval, "-")
	if len(limits) > 2 {
		return 0, 0, fmt.Errorf("the fragment %q violates the requirement that an index interval can have at most two parts separated by '-'", interval)
	}
	parse := func(s string) (int32, error) {
		v, err := strconv.Atoi(s)
		if err != nil {
			return 0, fmt.Errorf("cannot convert string to integer for index: %q", s)
		}
		if v >= int(completions) {
			return 0, fmt.Errorf("too large index: %q", s)
		}
		return int32(v), nil
	}
	x, err := parse(limits[0])
	if err != nil {
		return 0, 0, err
	}
	if len(limits) == 1 {
		return x, x, nil
	}
	y, err := parse(limits[1])
	if err != nil {
		return 0, 0, err
	}
	if x >= y {
		return 0, 0, fmt.Errorf("non-increasing order, previous: %d, current: %d", x, y)
	}
	return x, y, nil
}

// validateFailedIndexesNotOverlapCompleted walks both interval lists in order and reports the
// first index in both; unparsable intervals are skipped (the format checks report them).
func validateFailedIndexesNotOverlapCompleted(completed, failed string, completions int32) error {
	if completed == "" || failed == "" {
		return nil
	}
	cIntervals, fIntervals := strings.Split(completed, ","), strings.Split(failed, ",")
	ci, fi := 0, 0
	cx, cy, cErr := parseIndexInterval(cIntervals[0], completions)
	fx, fy, fErr := parseIndexInterval(fIntervals[0], completions)
	for ci < len(cIntervals) && fi < len(fIntervals) {
		switch {
		case cErr != nil:
			if ci++; ci < len(cIntervals) {
				cx, cy, cErr = parseIndexInterval(cIntervals[ci], completions)
			}
		case fErr != nil:
			if fi++; fi < len(fIntervals) {
				fx, fy, fErr = parseIndexInterval(fIntervals[fi], completions)
			}
		case cx <= fy && fx <= cy:
			return fmt.Errorf("failedIndexes and completedIndexes overlap at index: %d", max(cx, fx))
		case cx <= fx:
			if ci++; ci < len(cIntervals) {
				cx, cy, cErr = parseIndexInterval(cIntervals[ci], completions)
			}
		default:
			if fi++; fi < len(fIntervals) {
				fx, fy, fErr = parseIndexInterval(fIntervals[fi], completions)
			}
		}
	}
	return nil
}
