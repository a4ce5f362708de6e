package defaultpreemption

import (
	"context"
	"errors"
	"math/rand/v2"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	listersv1 "k8s.io/client-go/listers/core/v1"
	policylisters "k8s.io/client-go/listers/policy/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/utils/clock"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "DefaultPreemption"

// Plugin is the PostFilter plugin that preempts lower-priority pods. It preempts
// synchronously (upstream's SchedulerAsyncPreemption off): victims are deleted within the
// scheduling cycle, so it needs no PreEnqueue gate.
type Plugin struct {
	h         fwk.Handle
	args      args
	podLister listersv1.PodLister
	pdbLister policylisters.PodDisruptionBudgetLister
	clock     clock.PassiveClock
	// offset picks where in the potential nodes a dry run starts (rand.Int32N by default).
	offset func(n int32) int32
}

var _ fwk.PostFilterPlugin = &Plugin{}

// New builds the plugin from *configv1.DefaultPreemptionArgs (nil: the defaults). It reads
// pods and PodDisruptionBudgets from the handle's informer factory.
func New(_ context.Context, obj runtime.Object, h fwk.Handle) (fwk.Plugin, error) {
	a, err := parseArgs(obj)
	if err != nil {
		return nil, err
	}
	f := h.SharedInformerFactory()
	if f == nil {
		return nil, errors.New("SharedInformerFactory is nil")
	}
	return &Plugin{
		h:         h,
		args:      a,
		podLister: f.Core().V1().Pods().Lister(),
		pdbLister: f.Policy().V1().PodDisruptionBudgets().Lister(),
		clock:     clock.RealClock{},
		offset:    rand.Int32N,
	}, nil
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// PostFilter tries to make room for pod by preemption; messages are prefixed "preemption: "
// as upstream's.
func (pl *Plugin) PostFilter(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, m fwk.NodeToStatusReader) (*fwk.PostFilterResult, *fwk.Status) {
	result, status := pl.preempt(ctx, state, pod, m)
	if msg := status.Message(); msg != "" {
		return result, fwk.NewStatus(status.Code(), "preemption: "+msg)
	}
	return result, status
}

// nominate is the PostFilter result that sets (or, with "", clears) nominatedNodeName.
func nominate(node string) *fwk.PostFilterResult {
	return &fwk.PostFilterResult{NominatingInfo: &fwk.NominatingInfo{NominatedNodeName: node, NominatingMode: fwk.ModeOverride}}
}
