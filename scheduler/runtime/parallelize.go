package runtime

import (
	"context"
	"math"
	"sync"

	"k8s.io/client-go/util/workqueue"
	fwk "k8s.io/kube-scheduler/framework"
)

// DefaultParallelism is upstream's default number of goroutines per parallel operation.
const DefaultParallelism = 16

// Parallelizer runs work pieces in parallel chunks; it implements framework.Parallelizer.
type Parallelizer struct {
	parallelism int
}

var _ fwk.Parallelizer = Parallelizer{}

// NewParallelizer returns a Parallelizer with at most parallelism goroutines.
func NewParallelizer(parallelism int) Parallelizer {
	if parallelism < 1 {
		parallelism = DefaultParallelism
	}
	return Parallelizer{parallelism: parallelism}
}

// chunkSizeFor is upstream's: sqrt(n), at most n/parallelism+1, at least 1.
func chunkSizeFor(n, parallelism int) int {
	s := int(math.Sqrt(float64(n)))
	if r := n/parallelism + 1; s > r {
		s = r
	}
	return max(s, 1)
}

// Until runs doWorkPiece for 0..pieces-1 until done or ctx ends.
func (p Parallelizer) Until(ctx context.Context, pieces int, doWorkPiece workqueue.DoWorkPieceFunc, operation string) {
	workqueue.ParallelizeUntil(ctx, p.parallelism, pieces, doWorkPiece, workqueue.WithChunkSize(chunkSizeFor(pieces, p.parallelism)))
}

// resultChannel keeps the first result sent from parallel workers.
type resultChannel[T any] struct {
	once sync.Once
	ch   chan T
}

func newResultChannel[T any]() *resultChannel[T] { return &resultChannel[T]{ch: make(chan T, 1)} }

// sendWithCancel records v if it is the first and calls cancel.
func (r *resultChannel[T]) sendWithCancel(v T, cancel func()) {
	r.once.Do(func() { r.ch <- v })
	cancel()
}

// receive returns the first value sent, or the zero value.
func (r *resultChannel[T]) receive() T {
	select {
	case v := <-r.ch:
		return v
	default:
		var zero T
		return zero
	}
}
