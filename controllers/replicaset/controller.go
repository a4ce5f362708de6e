package replicaset

import (
	"context"

	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/internal/index"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "replicaset"

// BurstReplicas caps the pods created or deleted in one sync, as upstream's.
const BurstReplicas = 500

// Reconciler keeps the pods of one owner kind at the owners' replica counts.
type Reconciler struct {
	kind     Kind
	client   client.Client
	reader   client.Reader // uncached, for the adoption recheck and status retries
	recorder record.EventRecorder
	clock    clock.PassiveClock
	exp      *podExpectations
	burst    int
	pods     *index.ControlledPods // the pods each owner controls, and the orphans
}

// Setup adds the controller to mgr.
func Setup(mgr manager.Manager, cfg config.Config) error {
	return SetupKind(mgr, cfg, Name, ReplicaSetKind)
}

// SetupKind adds a controller called name for the owners of kind to mgr.
func SetupKind(mgr manager.Manager, cfg config.Config, name string, kind Kind) error {
	if err := index.ByControllerUID(mgr, kind.New()); err != nil {
		return err
	}
	pods, err := index.NewControlledPods(context.Background(), mgr)
	if err != nil {
		return err
	}
	var clk clock.PassiveClock = clock.RealClock{}
	if cfg.Clock != nil {
		clk = cfg.Clock
	}
	r := &Reconciler{
		pods:     pods,
		kind:     kind,
		client:   mgr.GetClient(),
		reader:   mgr.GetAPIReader(),
		recorder: mgr.GetEventRecorderFor(kind.Component), //nolint:staticcheck // upstream records core/v1 events
		clock:    clk,
		exp:      newPodExpectations(clk),
		burst:    BurstReplicas,
	}
	err = ctrl.NewControllerManagedBy(mgr).
		Named(name).
		Watches(kind.New(), r.ownerHandler()).
		Watches(&corev1.Pod{}, r.podHandler()).
		WithOptions(controller.Options{MaxConcurrentReconciles: cfg.ConcurrentSyncs}).
		Complete(r)
	if err != nil {
		return fmt.Errorf("building the %s controller: %w", name, err)
	}
	return nil
}
