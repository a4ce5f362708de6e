package main

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/hack/bench/internal/podwatch"
)

// podTimes are what a run saw of one pod, on this process's clock.
type podTimes struct {
	uid                         string
	sent, bound, running, ready time.Time
}

// tracker records when each pod was sent for creation and when a watch first showed it Running
// and Ready.
type tracker struct {
	mu      sync.Mutex
	pods    map[string]*podTimes
	ready   int
	changed chan struct{}
}

func newTracker() *tracker {
	return &tracker{pods: map[string]*podTimes{}, changed: make(chan struct{}, 1)}
}

func (t *tracker) sent(name string) {
	t.mu.Lock()
	t.pods[name] = &podTimes{sent: time.Now()}
	t.mu.Unlock()
}

// watch follows the namespace's pods until ctx ends.
func (t *tracker) watch(ctx context.Context, client kubernetes.Interface, ns string) error {
	return podwatch.Follow(ctx, client, ns, func(pod *corev1.Pod) { t.observe(pod, time.Now()) })
}

func (t *tracker) observe(pod *corev1.Pod, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.pods[pod.Name]
	if p == nil {
		return
	}
	p.uid = string(pod.UID)
	if p.bound.IsZero() && pod.Spec.NodeName != "" {
		p.bound = now
	}
	if p.running.IsZero() && pod.Status.Phase == corev1.PodRunning {
		p.running = now
	}
	if p.ready.IsZero() && podReady(pod) {
		p.ready = now
		t.ready++
		select {
		case t.changed <- struct{}{}:
		default:
		}
	}
}

func podReady(pod *corev1.Pod) bool {
	for _, c := range pod.Status.Conditions {
		if c.Type == corev1.PodReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}

func (t *tracker) readyCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.ready
}

// waitReady waits until n pods were seen Ready.
func (t *tracker) waitReady(ctx context.Context, n int) error {
	for t.readyCount() < n {
		select {
		case <-ctx.Done():
			return fmt.Errorf("%d of %d pods Ready: %w", t.readyCount(), n, ctx.Err())
		case <-t.changed:
		}
	}
	return nil
}

// snapshot copies the pods' times.
func (t *tracker) snapshot() map[string]podTimes {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]podTimes, len(t.pods))
	for name, p := range t.pods {
		out[name] = *p
	}
	return out
}

// benchPod is a busybox pod that sleeps, with the image already on the node.
func benchPod(name, image string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{"app": "podstartup"}},
		Spec: corev1.PodSpec{
			TerminationGracePeriodSeconds: ptr.To[int64](1),
			Containers: []corev1.Container{{
				Name: "sleep", Image: image, Command: []string{"sleep", "3600"},
				ImagePullPolicy: corev1.PullNever,
			}},
		},
	}
}

// createPods creates n pods named prefix-i, at rate per second (0: all at once, from n
// goroutines).
func createPods(ctx context.Context, client kubernetes.Interface, ns, prefix, image string, n int, rate float64, t *tracker) error {
	errs := make(chan error, n)
	var wg sync.WaitGroup
	var tick *time.Ticker
	if rate > 0 {
		tick = time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer tick.Stop()
	}
	for i := range n {
		if tick != nil && i > 0 {
			select {
			case <-tick.C:
			case <-ctx.Done():
				wg.Wait()
				return ctx.Err()
			}
		}
		name := fmt.Sprintf("%s-%03d", prefix, i)
		wg.Go(func() {
			t.sent(name)
			if _, err := client.CoreV1().Pods(ns).Create(ctx, benchPod(name, image), metav1.CreateOptions{}); err != nil {
				errs <- fmt.Errorf("creating pod %s: %w", name, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// deletePods deletes the namespace's pods (grace period 1 s: busybox sleep as PID 1 ignores
// SIGTERM) and waits until the API has none left.
func deletePods(ctx context.Context, client kubernetes.Interface, ns string) error {
	pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	sem := make(chan struct{}, 16)
	var wg sync.WaitGroup
	for _, p := range pods.Items {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			err := client.CoreV1().Pods(ns).Delete(ctx, p.Name, metav1.DeleteOptions{GracePeriodSeconds: ptr.To[int64](1)})
			if err != nil && !apierrors.IsNotFound(err) {
				logf("deleting pod %s: %v", p.Name, err)
			}
		})
	}
	wg.Wait()
	return wait.PollUntilContextTimeout(ctx, 500*time.Millisecond, 5*time.Minute, true, func(ctx context.Context) (bool, error) {
		left, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		return err == nil && len(left.Items) == 0, nil
	})
}

// waitNode waits for a Ready node and returns its name.
func waitNode(ctx context.Context, client kubernetes.Interface) (string, error) {
	var name string
	err := wait.PollUntilContextTimeout(ctx, time.Second, 3*time.Minute, true, func(ctx context.Context) (bool, error) {
		nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
		if err != nil {
			return false, nil
		}
		for _, n := range nodes.Items {
			for _, c := range n.Status.Conditions {
				if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
					name = n.Name
					return true, nil
				}
			}
		}
		return false, nil
	})
	return name, err
}

// waitServiceAccount waits a little for the namespace's default ServiceAccount, which pods need
// where ServiceAccount admission runs.
func waitServiceAccount(ctx context.Context, client kubernetes.Interface, ns string) {
	_ = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := client.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
}
