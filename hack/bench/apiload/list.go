package main

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

type listOptions struct {
	pods    int
	limit   int64
	repeats int
	clients int
}

// runList creates o.pods Pods, then times full and paginated LISTs of them, then deletes them.
func runList(ctx context.Context, t *table, pool clientPool, ns string, o listOptions) {
	cs := pool.get(0)
	pods := newPodKind(pool, ns, "list", o.pods)
	total, rec := runParallel(ctx, o.pods, o.clients, pods.create)
	r := rowFrom("list-setup-create", "Pod", o.clients, total, rec)
	t.print(r)

	full := &recorder{}
	var fullTotal time.Duration
	items := 0
	for range o.repeats {
		if ctx.Err() != nil {
			break
		}
		start := time.Now()
		l, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
		d := time.Since(start)
		fullTotal += d
		full.observe(d, err)
		if err == nil {
			items = len(l.Items)
		}
	}
	fr := rowFrom("list-full", "Pod", 1, fullTotal, full)
	fr.noRate = true
	fr.note = joinNote(fmt.Sprintf("items=%d; p50/p99 = one whole LIST", items), fr.note)
	t.print(fr)

	paged := &recorder{}
	var pagedTotal time.Duration
	pages := 0
	items = 0
	for range o.repeats {
		if ctx.Err() != nil {
			break
		}
		start := time.Now()
		n, p, err := listPaged(ctx, cs, ns, o.limit)
		d := time.Since(start)
		pagedTotal += d
		paged.observe(d, err)
		items, pages = n, p
	}
	pr := rowFrom(fmt.Sprintf("list-paged limit=%d", o.limit), "Pod", 1, pagedTotal, paged)
	pr.noRate = true
	pr.note = joinNote(fmt.Sprintf("items=%d pages=%d; p50/p99 = walk of all pages", items, pages), pr.note)
	t.print(pr)

	total, rec = runParallel(ctx, o.pods, o.clients, pods.delete)
	t.print(rowFrom("list-teardown-delete", "Pod", o.clients, total, rec))
}

func listPaged(ctx context.Context, cs kubernetes.Interface, ns string, limit int64) (items, pages int, err error) {
	opts := metav1.ListOptions{Limit: limit}
	for {
		l, err := cs.CoreV1().Pods(ns).List(ctx, opts)
		if err != nil {
			return items, pages, err
		}
		pages++
		items += len(l.Items)
		if l.Continue == "" {
			return items, pages, nil
		}
		opts.Continue = l.Continue
	}
}

func joinNote(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}
