package endpointslice

import (
	"context"
	"sort"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	endpointslicerec "k8s.io/endpointslice"
	endpointsliceutil "k8s.io/endpointslice/util"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

type recordingQueue struct {
	workqueue.TypedRateLimitingInterface[reconcile.Request]
	added []string
}

func (q *recordingQueue) Add(r reconcile.Request) { q.added = append(q.added, r.String()) }
func (q *recordingQueue) AddAfter(r reconcile.Request, _ time.Duration) {
	q.added = append(q.added, r.String())
}

func slice(name, svc, manager string, generation int64) *discoveryv1.EndpointSlice {
	return &discoveryv1.EndpointSlice{ObjectMeta: metav1.ObjectMeta{
		Namespace: "ns", Name: name, Generation: generation, UID: types.UID("uid-" + name),
		Labels: map[string]string{discoveryv1.LabelServiceName: svc, discoveryv1.LabelManagedBy: manager},
	}}
}

func TestSliceHandler(t *testing.T) {
	newReconciler := func() *Reconciler {
		r := &Reconciler{tracker: endpointsliceutil.NewEndpointSliceTracker()}
		r.reconciler = endpointslicerec.NewReconciler(nil, nil, maxEndpointsPerSlice, r.tracker, nil, nil, ControllerName)
		return r
	}
	ctx := context.Background()
	tests := []struct {
		name string
		fire func(r *Reconciler, q *recordingQueue)
		want []string
	}{
		{"slice someone else made", func(r *Reconciler, q *recordingQueue) {
			r.sliceHandler().Create(ctx, event.CreateEvent{Object: slice("a", "web", ControllerName, 1)}, q)
		}, []string{"ns/web"}},
		{"other manager's slice", func(r *Reconciler, q *recordingQueue) {
			r.sliceHandler().Create(ctx, event.CreateEvent{Object: slice("a", "web", "someone", 1)}, q)
		}, nil},
		{"our own write", func(r *Reconciler, q *recordingQueue) {
			s := slice("a", "web", ControllerName, 2)
			r.tracker.Update(s)
			r.sliceHandler().Update(ctx, event.UpdateEvent{ObjectOld: slice("a", "web", ControllerName, 1), ObjectNew: s}, q)
		}, nil},
		{"changed by someone else", func(r *Reconciler, q *recordingQueue) {
			r.tracker.Update(slice("a", "web", ControllerName, 2))
			r.sliceHandler().Update(ctx, event.UpdateEvent{ObjectOld: slice("a", "web", ControllerName, 2), ObjectNew: slice("a", "web", ControllerName, 3)}, q)
		}, []string{"ns/web"}},
		{"service label changed", func(r *Reconciler, q *recordingQueue) {
			r.sliceHandler().Update(ctx, event.UpdateEvent{ObjectOld: slice("a", "web", ControllerName, 1), ObjectNew: slice("a", "api", ControllerName, 1)}, q)
		}, []string{"ns/api", "ns/web"}},
		{"expected deletion", func(r *Reconciler, q *recordingQueue) {
			s := slice("a", "web", ControllerName, 2)
			r.tracker.Update(s)
			r.tracker.ExpectDeletion(s)
			r.sliceHandler().Delete(ctx, event.DeleteEvent{Object: s}, q)
		}, nil},
		{"unexpected deletion", func(r *Reconciler, q *recordingQueue) {
			s := slice("a", "web", ControllerName, 2)
			r.tracker.Update(s)
			r.sliceHandler().Delete(ctx, event.DeleteEvent{Object: s}, q)
		}, []string{"ns/web"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := &recordingQueue{}
			tt.fire(newReconciler(), q)
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

func TestNodeHandler(t *testing.T) {
	node := func(zone string, ready corev1.ConditionStatus) *corev1.Node {
		return &corev1.Node{
			ObjectMeta: metav1.ObjectMeta{Name: "n", Labels: map[string]string{corev1.LabelTopologyZone: zone}},
			Status:     corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: ready}}},
		}
	}
	tests := []struct {
		name     string
		old, cur *corev1.Node
		want     bool
	}{
		{"heartbeat", node("a", corev1.ConditionTrue), node("a", corev1.ConditionTrue), false},
		{"readiness", node("a", corev1.ConditionTrue), node("a", corev1.ConditionUnknown), true},
		{"zone", node("a", corev1.ConditionTrue), node("b", corev1.ConditionTrue), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Reconciler{}
			q := &recordingQueue{}
			r.nodeHandler().Update(context.Background(), event.UpdateEvent{ObjectOld: tt.old, ObjectNew: tt.cur}, q)
			if got := len(q.added) == 1 && q.added[0] == topologyRequest.String(); got != tt.want {
				t.Errorf("queued %v, want topology check %v", q.added, tt.want)
			}
		})
	}
}
