package nodelifecycle

import (
	"context"
	"errors"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	nodetopology "k8s.io/component-helpers/node/topology"
	"sigs.k8s.io/controller-runtime/pkg/log"
)

// labelNodeDisruptionExclusion keeps a node out of its zone's disruption counts.
const labelNodeDisruptionExclusion = "node.kubernetes.io/exclude-disruption"

// skipError marks a node to be skipped this pass without retries.
type skipError struct{ error }

func (e skipError) Unwrap() error { return e.error }

func asSkip(err error, target *skipError) bool { return errors.As(err, target) }

// processTaintBasedEviction swaps the not-ready and unreachable NoExecute taints at once when the
// node flips between them, queues a not-ready node for its first NoExecute taint and takes
// them off a Ready node.
func (m *monitor) processTaintBasedEviction(ctx context.Context, node *corev1.Node, ready *corev1.NodeCondition) {
	logger := log.FromContext(ctx).WithValues("node", node.Name)
	var add, opposite corev1.Taint
	switch ready.Status {
	case corev1.ConditionFalse:
		add, opposite = notReadyTaint, unreachableTaint
	case corev1.ConditionUnknown:
		add, opposite = unreachableTaint, notReadyTaint
	case corev1.ConditionTrue:
		if err := m.markReachable(ctx, node); err != nil {
			logger.Error(err, "Removing NoExecute taints from a Ready node; will retry")
		}
		return
	default:
		return
	}
	if hasTaint(node.Spec.Taints, opposite) {
		if err := swapTaints(ctx, m.client, m.reader, node.Name, []corev1.Taint{add}, []corev1.Taint{opposite}, m.now()); err != nil {
			logger.Error(err, "Swapping NoExecute taints; will retry next pass")
		}
		return
	}
	q := m.zone(nodetopology.GetZoneKey(node))
	m.zonesMu.Lock()
	defer m.zonesMu.Unlock()
	if !hasTaint(node.Spec.Taints, add) {
		q.remove(node.Name)
	}
	if q.add(node.Name) {
		logger.V(2).Info("Node is not ready, queued for a NoExecute taint", "taint", add.Key)
	}
}

// markReachable takes the unreachable and not-ready NoExecute taints off the node and out of
// the queue.
func (m *monitor) markReachable(ctx context.Context, node *corev1.Node) error {
	remove := []corev1.Taint{unreachableTaint, notReadyTaint}
	if hasTaint(node.Spec.Taints, unreachableTaint) || hasTaint(node.Spec.Taints, notReadyTaint) {
		if err := swapTaints(ctx, m.client, m.reader, node.Name, nil, remove, m.now()); err != nil {
			return err
		}
	}
	if q := m.zone(nodetopology.GetZoneKey(node)); q != nil {
		m.zonesMu.Lock()
		q.remove(node.Name)
		m.zonesMu.Unlock()
	}
	return nil
}

// taintPass gives queued nodes their NoExecute taint at each zone's rate (upstream's
// doNoExecuteTaintingPass).
func (m *monitor) taintPass(ctx context.Context) {
	logger := log.FromContext(ctx)
	m.zonesMu.Lock()
	defer m.zonesMu.Unlock()
	for _, q := range m.zones {
		q.try(func(name string) (bool, time.Duration) {
			node := &corev1.Node{}
			err := m.client.Get(ctx, types.NamespacedName{Name: name}, node)
			if apierrors.IsNotFound(err) {
				return true, 0
			} else if err != nil {
				return false, 50 * time.Millisecond
			}
			ready := nodeCondition(&node.Status, corev1.NodeReady)
			if ready == nil {
				return false, 50 * time.Millisecond
			}
			var add, opposite corev1.Taint
			switch ready.Status {
			case corev1.ConditionFalse:
				add, opposite = notReadyTaint, unreachableTaint
			case corev1.ConditionUnknown:
				add, opposite = unreachableTaint, notReadyTaint
			default:
				return true, 0 // Ready again
			}
			if err := swapTaints(ctx, m.client, m.reader, name, []corev1.Taint{add}, []corev1.Taint{opposite}, m.now()); err != nil {
				logger.Error(err, "Adding NoExecute taint", "node", name)
				return false, 0
			}
			return true, 0
		})
	}
}

// handleDisruption moves zones between states and sets their tainting rates; when every zone
// is fully disrupted (the control plane is likely the one cut off) it stops tainting and
// takes the NoExecute taints off all nodes, as upstream.
func (m *monitor) handleDisruption(ctx context.Context, zoneConditions map[string][]*corev1.NodeCondition, nodes []corev1.Node) {
	logger := log.FromContext(ctx)
	newStates := map[string]zoneState{}
	allAreFully := true
	for zone, conds := range zoneConditions {
		_, state := computeZoneState(conds)
		if state != stateFullDisruption {
			allAreFully = false
		}
		newStates[zone] = state
		if _, ok := m.zoneStates[zone]; !ok {
			m.zoneStates[zone] = stateInitial
		}
	}
	allWereFully := true
	for zone, state := range m.zoneStates {
		if _, ok := zoneConditions[zone]; !ok {
			delete(m.zoneStates, zone)
			continue
		}
		if state != stateFullDisruption {
			allWereFully = false
			break
		}
	}
	if allAreFully && allWereFully {
		return
	}
	switch {
	case allAreFully:
		logger.Info("Controller detected that all Nodes are not-Ready. Entering master disruption mode")
		for i := range nodes {
			if err := m.markReachable(ctx, &nodes[i]); err != nil {
				logger.Error(err, "Removing taints from node", "node", nodes[i].Name)
			}
		}
		m.zonesMu.Lock()
		for zone := range m.zoneStates {
			if q := m.zones[zone]; q != nil {
				q.setRate(0)
			}
			m.zoneStates[zone] = stateFullDisruption
		}
		m.zonesMu.Unlock()
	case allWereFully:
		logger.Info("Controller detected that some Nodes are Ready. Exiting master disruption mode")
		now := m.now()
		m.healthMu.Lock()
		for i := range nodes {
			if h := m.health[nodes[i].Name]; h != nil {
				copied := *h
				copied.probeTimestamp, copied.readyTransitionTimestamp = now, now
				m.health[nodes[i].Name] = &copied
			}
		}
		m.healthMu.Unlock()
		m.setZoneRates(zoneConditions, newStates, true)
	default:
		m.setZoneRates(zoneConditions, newStates, false)
	}
}

func (m *monitor) setZoneRates(zoneConditions map[string][]*corev1.NodeCondition, newStates map[string]zoneState, all bool) {
	m.zonesMu.Lock()
	defer m.zonesMu.Unlock()
	for zone, state := range m.zoneStates {
		next := newStates[zone]
		if !all && state == next {
			continue
		}
		if q := m.zones[zone]; q != nil && (next == stateNormal || next == statePartialDisruption || next == stateFullDisruption) {
			q.setRate(zoneEvictionRate(next, len(zoneConditions[zone])))
		}
		m.zoneStates[zone] = next
	}
}
