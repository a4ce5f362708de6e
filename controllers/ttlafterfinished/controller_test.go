package ttlafterfinished

import (
	"context"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
)

func TestTimeLeft(t *testing.T) {
	now := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
	finished := func(ttl *int32, cond batchv1.JobConditionType, ago time.Duration) *batchv1.Job {
		j := &batchv1.Job{Spec: batchv1.JobSpec{TTLSecondsAfterFinished: ttl}}
		if cond != "" {
			j.Status.Conditions = []batchv1.JobCondition{{Type: cond, Status: corev1.ConditionTrue, LastTransitionTime: metav1.NewTime(now.Add(-ago))}}
		}
		return j
	}
	deleting := finished(ptr.To[int32](0), batchv1.JobComplete, time.Hour)
	deleting.DeletionTimestamp = ptr.To(metav1.NewTime(now))
	noTime := finished(ptr.To[int32](10), batchv1.JobFailed, 0)
	noTime.Status.Conditions[0].LastTransitionTime = metav1.Time{}
	tests := []struct {
		name    string
		job     *batchv1.Job
		want    time.Duration
		wantErr bool
	}{
		{name: "no TTL", job: finished(nil, batchv1.JobComplete, time.Hour), want: -1},
		{name: "not finished", job: finished(ptr.To[int32](0), "", 0), want: -1},
		{name: "being deleted", job: deleting, want: -1},
		{name: "expired", job: finished(ptr.To[int32](60), batchv1.JobComplete, 2*time.Minute), want: 0},
		{name: "TTL 0", job: finished(ptr.To[int32](0), batchv1.JobFailed, 0), want: 0},
		{name: "running", job: finished(ptr.To[int32](100), batchv1.JobFailed, 30*time.Second), want: 70 * time.Second},
		{name: "finished in the future", job: finished(ptr.To[int32](10), batchv1.JobComplete, -5*time.Second), want: 15 * time.Second},
		{name: "no finish time", job: noTime, want: -1, wantErr: true},
	}
	r := &Reconciler{clock: clocktesting.NewFakeClock(now)}
	for _, tt := range tests {
		got, err := r.timeLeft(context.Background(), tt.job)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("%s: timeLeft = %v, %v; want %v (error %v)", tt.name, got, err, tt.want, tt.wantErr)
		}
	}
}
