package prioritysort

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	fwk "k8s.io/kube-scheduler/framework"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "PrioritySort"

// Plugin orders the scheduling queue by priority, then by timestamp.
type Plugin struct{}

var _ fwk.QueueSortPlugin = &Plugin{}

// New returns the plugin; it takes no args.
func New(_ context.Context, _ runtime.Object, _ fwk.Handle) (fwk.Plugin, error) {
	return &Plugin{}, nil
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// Less reports whether a goes before b: higher priority, or equal priority and queued earlier.
func (*Plugin) Less(a, b fwk.QueuedEntityInfo) bool {
	pa, pb := a.GetPriority(), b.GetPriority()
	return pa > pb || (pa == pb && a.GetTimestamp().Before(b.GetTimestamp()))
}
