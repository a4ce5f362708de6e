package nodelifecycle

import (
	"context"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
)

// timedWorkers runs one piece of work per pod at a set time (upstream's TimedWorkerQueue). A
// key whose work succeeded stays, holding nil, so the work is not added again until cancelled.
type timedWorkers struct {
	clock clock.Clock
	work  func(ctx context.Context, key types.NamespacedName) error

	mu      sync.Mutex
	ctx     context.Context // ends all waiting work
	stopped bool
	wg      sync.WaitGroup
	workers map[types.NamespacedName]*timedWorker
}

type timedWorker struct {
	createdAt time.Time
	fireAt    time.Time
	cancel    chan struct{}
}

func newTimedWorkers(ctx context.Context, c clock.Clock, work func(context.Context, types.NamespacedName) error) *timedWorkers {
	return &timedWorkers{clock: c, work: work, ctx: ctx, workers: map[types.NamespacedName]*timedWorker{}}
}

// add schedules work for key at fireAt unless key already has work (pending or done).
func (q *timedWorkers) add(key types.NamespacedName, createdAt, fireAt time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if _, ok := q.workers[key]; ok || q.stopped {
		return
	}
	w := &timedWorker{createdAt: createdAt, fireAt: fireAt, cancel: make(chan struct{})}
	q.workers[key] = w
	delay := fireAt.Sub(q.clock.Now())
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		if delay > 0 {
			t := q.clock.NewTimer(delay)
			defer t.Stop()
			select {
			case <-t.C():
			case <-w.cancel:
				return
			case <-q.ctx.Done():
				return
			}
		}
		err := q.work(q.ctx, key)
		q.mu.Lock()
		defer q.mu.Unlock()
		if q.workers[key] == w {
			if err == nil {
				q.workers[key] = nil
			} else {
				delete(q.workers, key)
			}
		}
	}()
}

// cancel drops key's work; it reports whether work was still pending.
func (q *timedWorkers) cancel(key types.NamespacedName) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	w, ok := q.workers[key]
	if !ok {
		return false
	}
	delete(q.workers, key)
	if w == nil {
		return false
	}
	close(w.cancel)
	return true
}

// get returns key's pending work, nil when there is none.
func (q *timedWorkers) get(key types.NamespacedName) *timedWorker {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.workers[key]
}

// stop waits for all work to end; ctx must be done already or work may still be waiting.
func (q *timedWorkers) stop() {
	q.mu.Lock()
	q.stopped = true
	q.mu.Unlock()
	q.wg.Wait()
}
