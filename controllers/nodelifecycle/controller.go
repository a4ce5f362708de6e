package nodelifecycle

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/internal/index"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "node-lifecycle"

// Upstream's defaults of --node-monitor-period and --node-startup-grace-period, and its
// constants for the tainting pass and the workers of the monitor pass.
const (
	nodeMonitorPeriod      = 5 * time.Second
	nodeStartupGracePeriod = 60 * time.Second
	evictionPeriod         = 100 * time.Millisecond
	nodeUpdateWorkers      = 8
	nodeHealthUpdateRetry  = 5
)

// Setup adds the node lifecycle controller to mgr: the heartbeat monitor (a runnable), the
// NoSchedule condition taints (a controller named Name) and the taint eviction manager (a
// controller named taint-eviction-controller, a separate controller upstream).
func Setup(mgr manager.Manager, cfg config.Config) error {
	if err := index.PodsByNodeName(mgr); err != nil {
		return err
	}
	m := &monitor{
		client:       mgr.GetClient(),
		reader:       mgr.GetAPIReader(),
		recorder:     mgr.GetEventRecorderFor("node-controller"),
		clock:        cfg.Clock,
		grace:        cfg.NodeMonitorGracePeriod,
		startupGrace: nodeStartupGracePeriod,
		health:       map[string]*nodeHealth{},
		known:        map[string]*corev1.Node{},
		zoneStates:   map[string]zoneState{},
		zones:        map[string]*taintQueue{},
	}
	if err := mgr.Add(m); err != nil {
		return fmt.Errorf("adding the node health monitor: %w", err)
	}
	r := &Reconciler{client: mgr.GetClient(), reader: mgr.GetAPIReader(), recorder: m.recorder, clock: cfg.Clock, monitor: m}
	err := ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		For(&corev1.Node{}).
		Watches(&corev1.Pod{}, &handler.EnqueueRequestForObject{}, builder.WithPredicates(podNewlyBound)).
		WithOptions(controller.Options{MaxConcurrentReconciles: cfg.ConcurrentSyncs}).
		Complete(r)
	if err != nil {
		return err
	}
	return setupTaintEviction(mgr, cfg)
}

// podNewlyBound passes pods created bound to a node or bound since.
var podNewlyBound = predicate.Funcs{
	CreateFunc: func(e event.CreateEvent) bool { return e.Object.(*corev1.Pod).Spec.NodeName != "" },
	UpdateFunc: func(e event.UpdateEvent) bool {
		n := e.ObjectNew.(*corev1.Pod).Spec.NodeName
		return n != "" && n != e.ObjectOld.(*corev1.Pod).Spec.NodeName
	},
	DeleteFunc:  func(event.DeleteEvent) bool { return false },
	GenericFunc: func(event.GenericEvent) bool { return false },
}

func setupTaintEviction(mgr manager.Manager, cfg config.Config) error {
	ctx, cancel := context.WithCancel(context.Background())
	t := &taintEvictor{
		client:   mgr.GetClient(),
		reader:   mgr.GetAPIReader(),
		recorder: mgr.GetEventRecorderFor(taintEvictionName),
		clock:    cfg.Clock,
	}
	t.workers = newTimedWorkers(ctx, cfg.Clock, t.evict)
	// Scheduled evictions end with the manager.
	err := mgr.Add(manager.RunnableFunc(func(runCtx context.Context) error {
		<-runCtx.Done()
		cancel()
		t.workers.stop()
		return nil
	}))
	if err != nil {
		cancel()
		return err
	}
	return ctrl.NewControllerManagedBy(mgr).
		Named(taintEvictionName).
		For(&corev1.Node{}, builder.WithPredicates(noExecuteTaintsChanged)).
		Watches(&corev1.Pod{}, &handler.EnqueueRequestForObject{}, builder.WithPredicates(podPlacementChanged)).
		WithOptions(controller.Options{MaxConcurrentReconciles: cfg.ConcurrentSyncs}).
		Complete(t)
}

// noExecuteTaintsChanged passes node updates that change NoExecute taints, and all else.
var noExecuteTaintsChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		return !equality.Semantic.DeepEqual(
			noExecuteTaints(e.ObjectOld.(*corev1.Node).Spec.Taints),
			noExecuteTaints(e.ObjectNew.(*corev1.Node).Spec.Taints))
	},
}

// podPlacementChanged passes pod updates that change the node or the tolerations, and all else.
var podPlacementChanged = predicate.Funcs{
	UpdateFunc: func(e event.UpdateEvent) bool {
		old, cur := e.ObjectOld.(*corev1.Pod), e.ObjectNew.(*corev1.Pod)
		return old.Spec.NodeName != cur.Spec.NodeName || !equality.Semantic.DeepEqual(old.Spec.Tolerations, cur.Spec.Tolerations)
	},
}
