package job

import (
	"time"

	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

type request = reconcile.Request

// NewQueue returns a controller work queue whose delayed adds (RequeueAfter, the handlers'
// AddAfter) wait on c, so that tests driving a fake clock drive requeues too; retries after
// errors keep real-time back-off so a test never has to step the clock for them.
func NewQueue(c clock.WithTicker) func(string, workqueue.TypedRateLimiter[request]) workqueue.TypedRateLimitingInterface[request] {
	return func(name string, rl workqueue.TypedRateLimiter[request]) workqueue.TypedRateLimitingInterface[request] {
		q := workqueue.NewTypedRateLimitingQueueWithConfig(rl, workqueue.TypedRateLimitingQueueConfig[request]{Name: name})
		if _, real := c.(clock.RealClock); real || c == nil {
			return q
		}
		cq := &clockQueue{
			TypedRateLimitingInterface: q,
			delayed:                    workqueue.NewTypedDelayingQueueWithConfig(workqueue.TypedDelayingQueueConfig[request]{Clock: c}),
		}
		go cq.pump()
		return cq
	}
}

// clockQueue sends delayed adds through a delaying queue on another clock.
type clockQueue struct {
	workqueue.TypedRateLimitingInterface[request]
	delayed workqueue.TypedDelayingInterface[request]
}

// pump moves items whose delay passed into the work queue, until shut down.
func (q *clockQueue) pump() {
	for {
		item, shutdown := q.delayed.Get()
		if shutdown {
			return
		}
		q.TypedRateLimitingInterface.Add(item)
		q.delayed.Done(item)
	}
}

func (q *clockQueue) AddAfter(item request, d time.Duration) {
	if d <= 0 {
		q.TypedRateLimitingInterface.Add(item)
		return
	}
	q.delayed.AddAfter(item, d)
}

func (q *clockQueue) ShutDown() {
	q.delayed.ShutDown()
	q.TypedRateLimitingInterface.ShutDown()
}

func (q *clockQueue) ShutDownWithDrain() {
	q.delayed.ShutDown()
	q.TypedRateLimitingInterface.ShutDownWithDrain()
}
