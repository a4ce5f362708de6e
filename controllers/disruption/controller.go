package disruption

import (
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/scale"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/skiff-sh/skiff/controllers/config"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "disruption"

const (
	// eventSource is the component upstream's disruption controller reports events as.
	eventSource = "controllermanager"
	// DeletionTimeout is how long an eviction's entry in status.disruptedPods keeps the pod
	// out of the healthy count while it is expected to go away.
	DeletionTimeout = 2 * time.Minute
	// stalePodDisruptionTimeout is how long a pod keeps a DisruptionTarget condition that no
	// deletion followed.
	stalePodDisruptionTimeout = 2 * time.Minute
)

// Reconciler computes PodDisruptionBudgets' status from the pods they select and the scale
// of those pods' controllers.
type Reconciler struct {
	client   client.Client
	recorder record.EventRecorder
	clock    clock.PassiveClock
	// mapper, scales and discovery find the scale of custom controllers through /scale.
	mapper    meta.RESTMapper
	scales    scale.ScalesGetter
	discovery discovery.DiscoveryInterface
}

// Setup adds the controller, and the one clearing stale DisruptionTarget conditions, to mgr.
func Setup(mgr manager.Manager, cfg config.Config) error {
	disc, err := discovery.NewDiscoveryClientForConfig(mgr.GetConfig())
	if err != nil {
		return fmt.Errorf("disruption discovery client: %w", err)
	}
	scales, err := scale.NewForConfig(mgr.GetConfig(), mgr.GetRESTMapper(), dynamic.LegacyAPIPathResolverFunc,
		scale.NewDiscoveryScaleKindResolver(disc))
	if err != nil {
		return fmt.Errorf("disruption scale client: %w", err)
	}
	recorder := mgr.GetEventRecorderFor(eventSource) //nolint:staticcheck // upstream's core/v1 events
	r := &Reconciler{
		client: mgr.GetClient(), recorder: recorder, clock: cfg.Clock,
		mapper: mgr.GetRESTMapper(), scales: scales, discovery: disc,
	}
	err = ctrl.NewControllerManagedBy(mgr).
		Named(Name).
		For(&policyv1.PodDisruptionBudget{}).
		Watches(&corev1.Pod{}, r.podHandler()).
		WithOptions(controller.Options{MaxConcurrentReconciles: cfg.ConcurrentSyncs}).
		Complete(r)
	if err != nil {
		return err
	}
	stale := &staleConditionReconciler{client: mgr.GetClient(), clock: cfg.Clock}
	return ctrl.NewControllerManagedBy(mgr).
		Named(Name+"-stale-pod-disruption").
		For(&corev1.Pod{}, builder.WithPredicates(stale.predicate())).
		WithOptions(controller.Options{MaxConcurrentReconciles: 1}).
		Complete(stale)
}
