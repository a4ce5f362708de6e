package main

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/watch"
)

type watchOptions struct {
	watchers int
	events   int
	writers  int
	timeout  time.Duration
}

const (
	watchLabel     = "apiload.skiff.sh/watch"
	sentAnnotation = "apiload.skiff.sh/sent-unix-nano"
)

// runWatch opens o.watchers watches on ConfigMaps, creates o.events ConfigMaps and measures how long
// it takes until every watcher has seen every ADDED event.
func runWatch(ctx context.Context, t *table, pool clientPool, ns string, o watchOptions) {
	cs := pool.get(0)
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	sel := watchLabel + "=true"
	l, err := cs.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{LabelSelector: sel})
	if err != nil {
		t.print(row{test: "watch-fanout", kind: "ConfigMap", clients: o.watchers, errors: 1, note: "list: " + err.Error()})
		return
	}
	watches := make([]watch.Interface, 0, o.watchers)
	defer func() {
		for _, w := range watches {
			w.Stop()
		}
	}()
	for i := range o.watchers {
		w, err := pool.get(i).CoreV1().ConfigMaps(ns).Watch(ctx, metav1.ListOptions{LabelSelector: sel, ResourceVersion: l.ResourceVersion})
		if err != nil {
			t.print(row{test: "watch-fanout", kind: "ConfigMap", clients: o.watchers, errors: 1, note: "watch: " + err.Error()})
			return
		}
		watches = append(watches, w)
	}

	delivery := &recorder{}
	var mu sync.Mutex
	var done []time.Duration
	var failures []string
	var wg sync.WaitGroup
	start := time.Now()
	for _, w := range watches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seen := 0
			for seen < o.events {
				ev, ok := <-w.ResultChan()
				if !ok {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("watch closed after %d events", seen))
					mu.Unlock()
					return
				}
				if ev.Type == watch.Error {
					mu.Lock()
					failures = append(failures, fmt.Sprintf("watch error event: %v", ev.Object))
					mu.Unlock()
					return
				}
				cm, isCM := ev.Object.(*corev1.ConfigMap)
				if ev.Type != watch.Added || !isCM {
					continue
				}
				seen++
				if ns, err := strconv.ParseInt(cm.Annotations[sentAnnotation], 10, 64); err == nil {
					delivery.observe(time.Since(time.Unix(0, ns)), nil)
				}
			}
			mu.Lock()
			done = append(done, time.Since(start))
			mu.Unlock()
		}()
	}

	writeTotal, wrec := runParallel(ctx, o.events, o.writers, func(ctx context.Context, i int) error {
		cm := &corev1.ConfigMap{ObjectMeta: objectMeta(fmt.Sprintf("watch-%06d", i))}
		cm.Labels[watchLabel] = "true"
		cm.Annotations = map[string]string{sentAnnotation: strconv.FormatInt(time.Now().UnixNano(), 10)}
		_, err := pool.get(i).CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{})
		return err
	})
	wg.Wait()
	if ctx.Err() != nil {
		for _, w := range watches {
			w.Stop()
		}
	}

	sort.Slice(done, func(i, j int) bool { return done[i] < done[j] })
	r := rowFrom("watch-fanout", "ConfigMap", o.watchers, 0, delivery)
	r.ops = o.watchers * o.events
	r.errors = o.watchers*o.events - len(delivery.latencies)
	if len(done) > 0 {
		r.total = done[len(done)-1]
	}
	r.note = fmt.Sprintf("%d/%d watchers got all %d events; last watcher done %.2fs after first write; "+
		"median watcher %.2fs; writes (%d clients) took %.2fs with %d errors; p50/p99 = per-event create-to-delivery",
		len(done), o.watchers, o.events, r.total.Seconds(), percentile(done, 50).Seconds(),
		o.writers, writeTotal.Seconds(), wrec.errors)
	if len(failures) > 0 {
		r.note += "; " + truncate(failures[0], 120)
	}
	if wrec.firstErr != nil {
		r.note += "; write error: " + truncate(wrec.firstErr.Error(), 120)
	}
	t.print(r)
}
