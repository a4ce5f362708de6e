package cronjob

import (
	"errors"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // spec.timeZone must not depend on the host's zoneinfo, as upstream

	"github.com/robfig/cron/v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
)

// nextScheduleDelta pads requeues past the scheduled time against clock skew, as upstream.
const nextScheduleDelta = 100 * time.Millisecond

// tooManyMissed is the count of missed start times past which the controller warns instead of
// trying to list them all.
const tooManyMissed = 100

// missed says how many start times went by unmet.
type missed int

const (
	noneMissed missed = iota
	fewMissed
	manyMissed
)

// formatSchedule is the schedule the cron library parses: with spec.timeZone (when it
// loads) as a TZ= prefix. A schedule that names a zone itself is used as it is, with a warning
// event when recorder is given.
func formatSchedule(cj *batchv1.CronJob, recorder record.EventRecorder) string {
	if strings.Contains(cj.Spec.Schedule, "TZ") {
		if recorder != nil {
			recorder.Eventf(cj, corev1.EventTypeWarning, "UnsupportedSchedule",
				"CRON_TZ or TZ used in schedule %q is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details", cj.Spec.Schedule)
		}
		return cj.Spec.Schedule
	}
	if cj.Spec.TimeZone != nil {
		if _, err := time.LoadLocation(*cj.Spec.TimeZone); err != nil {
			return cj.Spec.Schedule
		}
		return fmt.Sprintf("TZ=%s %s", *cj.Spec.TimeZone, cj.Spec.Schedule)
	}
	return cj.Spec.Schedule
}

// parseSchedule parses a standard cron schedule (five fields or a descriptor such as
// @hourly or @every 1h30m, optionally after TZ= or CRON_TZ=); the library panics on some
// malformed TZ= prefixes, which is reported as an error.
func parseSchedule(spec string) (sched cron.Schedule, err error) {
	defer func() {
		if r := recover(); r != nil {
			sched, err = nil, fmt.Errorf("invalid schedule format: %v", r)
		}
	}()
	return cron.ParseStandard(spec)
}

// mostRecentScheduleTime returns the time from which start times count (the last schedule
// time or the creation, moved up to now-startingDeadlineSeconds when asked), the latest start
// time not after now (nil when none), and whether few or many went by. It fails for a
// schedule that parses but never fires sensibly (the 31st of February).
func mostRecentScheduleTime(cj *batchv1.CronJob, now time.Time, sched cron.Schedule, withDeadline bool) (time.Time, *time.Time, missed, error) {
	earliest := cj.CreationTimestamp.Time
	if cj.Status.LastScheduleTime != nil {
		earliest = cj.Status.LastScheduleTime.Time
	}
	if withDeadline && cj.Spec.StartingDeadlineSeconds != nil {
		if deadline := now.Add(-time.Duration(*cj.Spec.StartingDeadlineSeconds) * time.Second); deadline.After(earliest) {
			earliest = deadline
		}
	}
	t1 := sched.Next(earliest)
	t2 := sched.Next(t1)
	if now.Before(t1) {
		return earliest, nil, noneMissed, nil
	}
	if now.Before(t2) {
		return earliest, &t1, noneMissed, nil
	}
	period := int64(t2.Sub(t1).Round(time.Second).Seconds())
	if period < 1 {
		return earliest, nil, noneMissed, errors.New("time difference between two schedules is less than 1 second")
	}
	// Count the periods that fit since t1, then let the library walk the last ones: this is
	// exact for regular schedules and @every, and close for irregular ones.
	count := int64(now.Sub(t1).Seconds())/period + 1
	var latest time.Time
	for t := sched.Next(t1.Add(time.Duration((count-2)*period) * time.Second)); !t.After(now); t = sched.Next(t) {
		latest = t
	}
	howMany := fewMissed
	if count > tooManyMissed {
		howMany = manyMissed
	}
	if latest.IsZero() {
		return earliest, nil, howMany, nil
	}
	return earliest, &latest, howMany, nil
}

// nextScheduleTimeDuration is how long until the next start time after the most recent one
// (after now when start times were missed or the schedule is broken), plus a small pad.
func nextScheduleTimeDuration(cj *batchv1.CronJob, now time.Time, sched cron.Schedule) time.Duration {
	earliest, latest, howMany, err := mostRecentScheduleTime(cj, now, sched, false)
	switch {
	case err != nil:
		latest = &now
	case latest == nil && howMany == noneMissed:
		latest = &earliest
	case latest == nil:
		latest = &now
	}
	return sched.Next(*latest).Add(nextScheduleDelta).Sub(now)
}

// nextScheduleTime returns the start time to act on now (nil when none is due), warning
// (when recorder is given) if too many went by.
func nextScheduleTime(cj *batchv1.CronJob, now time.Time, sched cron.Schedule, recorder record.EventRecorder) (*time.Time, error) {
	_, latest, howMany, err := mostRecentScheduleTime(cj, now, sched, true)
	if latest == nil || latest.After(now) {
		return nil, err
	}
	if howMany == manyMissed && recorder != nil {
		recorder.Eventf(cj, corev1.EventTypeWarning, "TooManyMissedTimes", "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew")
	}
	return latest, err
}

// jobName is <cronjob>-<scheduled time in minutes since the epoch>: one name per start time,
// so a start time never makes two Jobs.
func jobName(cj *batchv1.CronJob, scheduled time.Time) string {
	return fmt.Sprintf("%s-%d", cj.Name, scheduled.Unix()/60)
}
