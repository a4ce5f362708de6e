package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
	toolswatch "k8s.io/client-go/tools/watch"
)

// tracker records when each pod was sent for creation and when a watch first showed it bound.
type tracker struct {
	mu      sync.Mutex
	sent    map[int]time.Time
	bound   map[int]time.Time
	last    time.Time
	changed chan struct{}
}

func newTracker() *tracker {
	return &tracker{sent: map[int]time.Time{}, bound: map[int]time.Time{}, changed: make(chan struct{}, 1)}
}

func (t *tracker) created(_ string, i int) {
	t.mu.Lock()
	t.sent[i] = time.Now()
	t.mu.Unlock()
}

func indexOf(name string) (int, bool) {
	i, err := strconv.Atoi(strings.TrimPrefix(name, "pod-"))
	return i, err == nil
}

// watch follows the namespace's pods (a retry watcher: a long run outlives one watch).
func (t *tracker) watch(ctx context.Context, client kubernetes.Interface, ns string) error {
	list, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	w, err := toolswatch.NewRetryWatcherWithContext(ctx, list.ResourceVersion, &cache.ListWatch{
		WatchFuncWithContext: func(ctx context.Context, lo metav1.ListOptions) (watch.Interface, error) {
			return client.CoreV1().Pods(ns).Watch(ctx, lo)
		},
	})
	if err != nil {
		return err
	}
	go func() {
		defer w.Stop()
		for ev := range w.ResultChan() {
			pod, ok := ev.Object.(*corev1.Pod)
			if !ok || pod.Spec.NodeName == "" {
				continue
			}
			i, ok := indexOf(pod.Name)
			if !ok {
				continue
			}
			now := time.Now()
			t.mu.Lock()
			if _, seen := t.bound[i]; !seen {
				t.bound[i] = now
				t.last = now
			}
			t.mu.Unlock()
			select {
			case t.changed <- struct{}{}:
			default:
			}
		}
	}()
	return nil
}

func (t *tracker) boundCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.bound)
}

func (t *tracker) lastBound() time.Time {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last
}

func (t *tracker) waitBound(ctx context.Context, n int) error {
	return wait.PollUntilContextCancel(ctx, 20*time.Millisecond, true, func(context.Context) (bool, error) {
		return t.boundCount() >= n, nil
	})
}

// latencies are send-to-bound times of pods [from, to), sorted.
func (t *tracker) latencies(from, to int) []time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	var ds []time.Duration
	for i := from; i < to; i++ {
		b, ok := t.bound[i]
		if !ok {
			panic(fmt.Sprintf("pod %d not bound", i))
		}
		ds = append(ds, b.Sub(t.sent[i]))
	}
	return sortDurations(ds)
}
