package kubelet

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/util/flowcontrol"
	"k8s.io/utils/clock"
)

// Upstream's container restart back-off: 10s doubling to 5 minutes; a container that ran for
// 10 minutes (twice the maximum) starts again from 10s.
const (
	crashBackoffInitial = 10 * time.Second
	crashBackoffMax     = 5 * time.Minute
	pullBackoffInitial  = 10 * time.Second
	pullBackoffMax      = 5 * time.Minute
	setupBackoffInitial = time.Second
	setupBackoffMax     = 2 * time.Minute
)

// backoffs are the kubelet's crash-loop, image-pull and pod setup (sandbox, volumes) back-offs.
type backoffs struct {
	crash, pull, setup *flowcontrol.Backoff
}

func newBackoffs(clk clock.Clock) *backoffs {
	return &backoffs{
		crash: flowcontrol.NewFakeBackOff(crashBackoffInitial, crashBackoffMax, clk),
		pull:  flowcontrol.NewFakeBackOff(pullBackoffInitial, pullBackoffMax, clk),
		setup: flowcontrol.NewFakeBackOff(setupBackoffInitial, setupBackoffMax, clk),
	}
}

func crashKey(pod *corev1.Pod, c *corev1.Container) string {
	return fmt.Sprintf("%s_%s_%s_%s", pod.Name, pod.Namespace, pod.UID, c.Name)
}

// crashLoop reports whether container c, which finished at finishedAt, must still wait before it
// restarts, with upstream's status message; when it need not, the back-off grows for next time.
func (b *backoffs) crashLoop(pod *corev1.Pod, c *corev1.Container, finishedAt time.Time) (bool, string) {
	key := crashKey(pod, c)
	if b.crash.IsInBackOffSince(key, finishedAt) {
		return true, fmt.Sprintf("back-off %s restarting failed container=%s pod=%s", b.crash.Get(key), c.Name, podDesc(pod))
	}
	b.crash.Next(key, finishedAt)
	return false, ""
}

// podDesc is upstream's format.Pod: name_namespace(uid).
func podDesc(pod *corev1.Pod) string {
	return fmt.Sprintf("%s_%s(%s)", pod.Name, pod.Namespace, pod.UID)
}

// forgetPod drops a removed pod's back-offs.
func (b *backoffs) forgetPod(pod *corev1.Pod) {
	for _, list := range [][]corev1.Container{pod.Spec.InitContainers, pod.Spec.Containers} {
		for i := range list {
			b.crash.DeleteEntry(crashKey(pod, &list[i]))
		}
	}
}

// retryLater reports whether a pod setup step that failed (key) must wait before it is retried.
func (b *backoffs) retryLater(key string) bool {
	return b.setup.IsInBackOffSinceUpdate(key, b.setup.Clock.Now())
}

// failed and succeeded record the outcome of a pod setup step.
func (b *backoffs) failed(key string)    { b.setup.Next(key, b.setup.Clock.Now()) }
func (b *backoffs) succeeded(key string) { b.setup.DeleteEntry(key) }
