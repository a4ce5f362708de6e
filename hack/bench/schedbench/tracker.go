package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"

	"github.com/skiff-sh/skiff/hack/bench/internal/podwatch"
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
	return podwatch.Follow(ctx, client, ns, func(pod *corev1.Pod) {
		if pod.Spec.NodeName == "" {
			return
		}
		i, ok := indexOf(pod.Name)
		if !ok {
			return
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
	})
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
