package podservices

import (
	"context"
	"sort"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// recordingQueue records what handlers queue.
type recordingQueue struct {
	workqueue.TypedRateLimitingInterface[reconcile.Request]
	added []string
}

func (q *recordingQueue) Add(r reconcile.Request) { q.added = append(q.added, r.String()) }
func (q *recordingQueue) AddAfter(r reconcile.Request, _ time.Duration) {
	q.added = append(q.added, r.String())
}

func TestEnqueueServices(t *testing.T) {
	indexer := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{})
	for _, svc := range []*corev1.Service{
		{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "web"}, Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"}}},
		{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "api"}, Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "api"}}},
		{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "manual"}},
		{ObjectMeta: metav1.ObjectMeta{Namespace: "other", Name: "web"}, Spec: corev1.ServiceSpec{Selector: map[string]string{"app": "web"}}},
	} {
		if err := indexer.Add(svc); err != nil {
			t.Fatal(err)
		}
	}
	h := EnqueueServices(corelisters.NewServiceLister(indexer), 0)
	pod := func(app, ip, rv string) *corev1.Pod {
		p := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "p", Labels: map[string]string{"app": app}, ResourceVersion: rv}}
		if ip != "" {
			p.Status.PodIP, p.Status.PodIPs = ip, []corev1.PodIP{{IP: ip}}
		}
		return p
	}
	tests := []struct {
		name string
		fire func(q *recordingQueue)
		want []string
	}{
		{"create", func(q *recordingQueue) {
			h.Create(context.Background(), event.CreateEvent{Object: pod("web", "", "1")}, q)
		}, []string{"ns/web"}},
		{"delete", func(q *recordingQueue) {
			h.Delete(context.Background(), event.DeleteEvent{Object: pod("api", "", "1")}, q)
		}, []string{"ns/api"}},
		{"IP change", func(q *recordingQueue) {
			h.Update(context.Background(), event.UpdateEvent{ObjectOld: pod("web", "", "1"), ObjectNew: pod("web", "10.0.0.1", "2")}, q)
		}, []string{"ns/web"}},
		{"label change queues both", func(q *recordingQueue) {
			h.Update(context.Background(), event.UpdateEvent{ObjectOld: pod("web", "10.0.0.1", "1"), ObjectNew: pod("api", "10.0.0.1", "2")}, q)
		}, []string{"ns/api", "ns/web"}},
		{"resync", func(q *recordingQueue) {
			h.Update(context.Background(), event.UpdateEvent{ObjectOld: pod("web", "", "1"), ObjectNew: pod("web", "", "1")}, q)
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &recordingQueue{}
			tt.fire(q)
			sort.Strings(q.added)
			if len(q.added) != len(tt.want) {
				t.Fatalf("queued %v, want %v", q.added, tt.want)
			}
			for i := range tt.want {
				if q.added[i] != tt.want[i] {
					t.Errorf("queued %v, want %v", q.added, tt.want)
				}
			}
		})
	}
}
