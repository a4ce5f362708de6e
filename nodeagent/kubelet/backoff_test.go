package kubelet

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	testclock "k8s.io/utils/clock/testing"
)

// TestCrashLoopBackoff follows one container through crashes: the first restart is immediate,
// then the wait doubles from 10s up to 5 minutes, and a container that ran 10 minutes starts over.
func TestCrashLoopBackoff(t *testing.T) {
	clk := testclock.NewFakeClock(time.Unix(1_000_000, 0))
	b := newBackoffs(clk)
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns", UID: "u1"}}
	c := &corev1.Container{Name: "main"}

	crash := func(ranFor time.Duration) (bool, string) {
		clk.Step(ranFor)
		return b.crashLoop(pod, c, clk.Now())
	}
	if wait, _ := crash(time.Second); wait {
		t.Fatal("first restart waits")
	}
	for _, want := range []string{"10s", "20s", "40s", "1m20s", "2m40s", "5m0s", "5m0s"} {
		wait, msg := crash(time.Second)
		if !wait || msg != "back-off "+want+" restarting failed container=main pod=p_ns(u1)" {
			t.Fatalf("wait %v msg %q, want back-off %s", wait, msg, want)
		}
		// Once the back-off passed, the restart goes ahead and the next back-off doubles.
		finished := clk.Now()
		d, _ := time.ParseDuration(want)
		clk.Step(d)
		if wait, _ := b.crashLoop(pod, c, finished); wait {
			t.Fatalf("still waiting after %s", want)
		}
	}
	// Running for more than 10 minutes resets the back-off.
	if wait, _ := crash(11 * time.Minute); wait {
		t.Error("back-off not reset after 10 minutes of running")
	}
	wait, msg := crash(time.Second)
	if !wait || !strings.HasPrefix(msg, "back-off 10s ") {
		t.Errorf("after reset: wait %v msg %q", wait, msg)
	}
	b.forgetPod(&corev1.Pod{ObjectMeta: pod.ObjectMeta, Spec: corev1.PodSpec{Containers: []corev1.Container{*c}}})
	if b.crash.IsInBackOffSince(crashKey(pod, c), clk.Now()) {
		t.Error("back-off kept after forgetPod")
	}
}
