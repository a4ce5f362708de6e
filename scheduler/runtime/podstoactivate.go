package runtime

import (
	"sync"

	corev1 "k8s.io/api/core/v1"
	fwk "k8s.io/kube-scheduler/framework"
)

// PodsToActivateKey is the CycleState key under which plugins stash pods (*PodsToActivate)
// to move to the active queue when the scheduling or binding cycle succeeds.
const PodsToActivateKey fwk.StateKey = "kubernetes.io/pods-to-activate"

// PodsToActivate maps "namespace/name" to pods to activate.
type PodsToActivate struct {
	sync.Mutex
	Map map[string]*corev1.Pod
}

// NewPodsToActivate returns an empty set.
func NewPodsToActivate() *PodsToActivate { return &PodsToActivate{Map: map[string]*corev1.Pod{}} }

// Clone returns the same object: the set is shared by design, as upstream.
func (p *PodsToActivate) Clone() fwk.StateData { return p }
