package main

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// runParallel calls fn for every index in [0,n) from `clients` goroutines and records each call's latency.
// It stops early when ctx is done; indices not reached are not counted.
func runParallel(ctx context.Context, n, clients int, fn func(ctx context.Context, i int) error) (time.Duration, *recorder) {
	rec := &recorder{}
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				t := time.Now()
				err := fn(ctx, i)
				rec.observe(time.Since(t), err)
			}
		}()
	}
	wg.Wait()
	return time.Since(start), rec
}
