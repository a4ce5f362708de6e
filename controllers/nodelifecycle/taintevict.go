package nodelifecycle

import (
	"context"
	"fmt"
	"math"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/skiff-sh/skiff/controllers/internal/index"
	"github.com/skiff-sh/skiff/controllers/internal/podstatus"
)

// taintEvictionName is upstream's name of the controller deleting pods from NoExecute-tainted
// nodes; its events carry it.
const taintEvictionName = "taint-eviction-controller"

// taintEvictor deletes pods that don't tolerate their node's NoExecute taints, at once or when
// their tolerationSeconds run out. Keys without a namespace are nodes, the others pods.
type taintEvictor struct {
	client   client.Client
	reader   client.Reader
	recorder record.EventRecorder
	clock    clock.Clock
	workers  *timedWorkers
}

// Reconcile handles one node or one pod.
func (t *taintEvictor) Reconcile(ctx context.Context, req reconcile.Request) (reconcile.Result, error) {
	if req.Namespace == "" {
		return reconcile.Result{}, t.reconcileNode(ctx, req.Name)
	}
	return reconcile.Result{}, t.reconcilePod(ctx, req.NamespacedName)
}

func (t *taintEvictor) reconcileNode(ctx context.Context, name string) error {
	node := &corev1.Node{}
	if err := t.client.Get(ctx, types.NamespacedName{Name: name}, node); err != nil {
		return client.IgnoreNotFound(err)
	}
	taints := noExecuteTaints(node.Spec.Taints)
	pods := &corev1.PodList{}
	// Read-only (tolerations are only read), so no copies: this runs on every update of the node.
	if err := t.client.List(ctx, pods, client.MatchingFields{index.PodNodeName: name}, client.UnsafeDisableDeepCopy); err != nil {
		return fmt.Errorf("listing pods of node %s: %w", name, err)
	}
	now := t.clock.Now()
	for i := range pods.Items {
		pod := &pods.Items[i]
		key := client.ObjectKeyFromObject(pod)
		if len(taints) == 0 {
			t.cancel(key)
			continue
		}
		t.processPod(ctx, key, pod.Spec.Tolerations, taints, now)
	}
	return nil
}

func (t *taintEvictor) reconcilePod(ctx context.Context, key types.NamespacedName) error {
	pod := &corev1.Pod{}
	if err := t.client.Get(ctx, key, pod); err != nil {
		if apierrors.IsNotFound(err) {
			t.cancel(key)
			return nil
		}
		return err
	}
	if pod.Spec.NodeName == "" {
		return nil
	}
	node := &corev1.Node{}
	if err := t.client.Get(ctx, types.NamespacedName{Name: pod.Spec.NodeName}, node); err != nil {
		return client.IgnoreNotFound(err)
	}
	if taints := noExecuteTaints(node.Spec.Taints); len(taints) > 0 {
		t.processPod(ctx, key, pod.Spec.Tolerations, taints, t.clock.Now())
	}
	return nil
}

// processPod schedules, keeps or cancels the pod's deletion for the node's NoExecute taints.
func (t *taintEvictor) processPod(ctx context.Context, key types.NamespacedName, tolerations []corev1.Toleration, taints []corev1.Taint, now time.Time) {
	wait, tolerated := evictionDelay(klog.FromContext(ctx), tolerations, taints)
	if !tolerated {
		t.cancel(key)
		t.workers.add(key, now, now)
		return
	}
	if wait < 0 {
		t.cancel(key) // tolerated forever
		return
	}
	start, trigger := now, now.Add(wait)
	if w := t.workers.get(key); w != nil {
		start = w.createdAt
		if start.Add(wait).Before(trigger) {
			return // keep the eviction already scheduled
		}
		t.cancel(key)
	}
	t.workers.add(key, start, trigger)
}

// evictionDelay says whether a pod with tolerations tolerates all the NoExecute taints and, if
// so, for how long: the shortest tolerationSeconds of the tolerations used, negative for ever.
func evictionDelay(logger klog.Logger, tolerations []corev1.Toleration, taints []corev1.Taint) (time.Duration, bool) {
	if len(taints) == 0 {
		return -1, true
	}
	least := int64(math.MaxInt64)
	for i := range taints {
		tolerated := false
		for j := range tolerations {
			if !tolerations[j].ToleratesTaint(logger, &taints[i], false) {
				continue
			}
			tolerated = true
			if s := tolerations[j].TolerationSeconds; s != nil {
				least = min(least, max(*s, 0))
			}
			break
		}
		if !tolerated {
			return 0, false
		}
	}
	if least == math.MaxInt64 {
		return -1, true
	}
	return time.Duration(least) * time.Second, true
}

func (t *taintEvictor) cancel(key types.NamespacedName) {
	if t.workers.cancel(key) {
		t.recorder.Eventf(podRef(key), corev1.EventTypeNormal, "TaintManagerEviction", "Cancelling deletion of Pod %s", key)
	}
}

func podRef(key types.NamespacedName) *corev1.ObjectReference {
	return &corev1.ObjectReference{APIVersion: "v1", Kind: "Pod", Name: key.Name, Namespace: key.Namespace}
}

// evict is the scheduled work: a DisruptionTarget condition, then the delete, tried 5 times.
func (t *taintEvictor) evict(ctx context.Context, key types.NamespacedName) error {
	log.FromContext(ctx).Info("Deleting pod", "controller", taintEvictionName, "pod", key)
	t.recorder.Eventf(podRef(key), corev1.EventTypeNormal, "TaintManagerEviction", "Marking for deletion Pod %s", key)
	var err error
	for range 5 {
		if err = t.deleteWithCondition(ctx, key); err == nil || ctx.Err() != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(10 * time.Millisecond):
		}
	}
	return err
}

func (t *taintEvictor) deleteWithCondition(ctx context.Context, key types.NamespacedName) error {
	pod := &corev1.Pod{}
	if err := t.reader.Get(ctx, key, pod); err != nil {
		return err
	}
	status := pod.Status.DeepCopy()
	if podstatus.UpdateCondition(status, corev1.PodCondition{
		Type:               corev1.DisruptionTarget,
		ObservedGeneration: pod.Generation,
		Status:             corev1.ConditionTrue,
		Reason:             "DeletionByTaintManager",
		Message:            "Taint manager: deleting due to NoExecute taint",
	}, metav1.NewTime(t.clock.Now())) {
		if err := podstatus.Patch(ctx, t.client, pod, *status); err != nil {
			return err
		}
	}
	if err := t.client.Delete(ctx, pod); err != nil {
		return fmt.Errorf("deleting pod %s: %w", key, err)
	}
	return nil
}
