package main

import (
	"fmt"
	"io"
	"sort"
	"sync"
	"time"
)

// recorder collects the latencies of one measurement from several goroutines.
type recorder struct {
	mu        sync.Mutex
	latencies []time.Duration
	errors    int
	firstErr  error
}

func (r *recorder) observe(d time.Duration, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.errors++
		if r.firstErr == nil {
			r.firstErr = err
		}
		return
	}
	r.latencies = append(r.latencies, d)
}

// percentile returns the nearest-rank percentile p (0-100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p/100+0.999999) - 1
	if rank < 0 {
		rank = 0
	}
	if rank >= len(sorted) {
		rank = len(sorted) - 1
	}
	return sorted[rank]
}

// row is one line of the result table.
type row struct {
	test    string
	kind    string
	clients int
	ops     int
	errors  int
	total   time.Duration
	p50     time.Duration
	p99     time.Duration
	note    string
	noRate  bool
}

func rowFrom(test, kind string, clients int, total time.Duration, r *recorder) row {
	sorted := append([]time.Duration(nil), r.latencies...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	rw := row{test: test, kind: kind, clients: clients, ops: len(sorted) + r.errors, errors: r.errors,
		total: total, p50: percentile(sorted, 50), p99: percentile(sorted, 99)}
	if r.firstErr != nil {
		rw.note = "first error: " + truncate(r.firstErr.Error(), 120)
	}
	return rw
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// table prints the header once and then rows as they are measured.
type table struct {
	w      io.Writer
	server string
}

func (t *table) header() {
	fmt.Fprintln(t.w, "| server | test | kind | clients | ops | errors | ops/s | p50 ms | p99 ms | total s | note |")
	fmt.Fprintln(t.w, "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
}

func (t *table) print(r row) {
	rate := "-"
	if !r.noRate && r.total > 0 {
		rate = fmt.Sprintf("%.0f", float64(r.ops-r.errors)/r.total.Seconds())
	}
	fmt.Fprintf(t.w, "| %s | %s | %s | %d | %d | %d | %s | %s | %s | %.2f | %s |\n",
		t.server, r.test, r.kind, r.clients, r.ops, r.errors, rate, ms(r.p50), ms(r.p99), r.total.Seconds(), r.note)
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.2f", float64(d.Microseconds())/1000)
}
