package podgc

import (
	"fmt"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/skiff-sh/skiff/controllers/config"
)

// Name is the controller's name, as kube-controller-manager's --controllers flag knows it.
const Name = "pod-garbage-collector"

// Upstream's gcCheckPeriod, quarantineTime and --terminated-pod-gc-threshold default.
const (
	gcCheckPeriod          = 20 * time.Second
	quarantineTime         = 40 * time.Second
	terminatedPodThreshold = 12500
)

// Setup adds the pod garbage collector to mgr: a loop, not a reconciler, as upstream.
func Setup(mgr manager.Manager, cfg config.Config) error {
	gc := &collector{
		client:    mgr.GetClient(),
		reader:    mgr.GetAPIReader(),
		clock:     cfg.Clock,
		threshold: terminatedPodThreshold,
		missing:   map[string]time.Time{},
	}
	if err := mgr.Add(gc); err != nil {
		return fmt.Errorf("adding the pod garbage collector: %w", err)
	}
	return nil
}
