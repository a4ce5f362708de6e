package nodelifecycle

import (
	"context"
	"fmt"
	"sync"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"k8s.io/client-go/util/workqueue"
	nodetopology "k8s.io/component-helpers/node/topology"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/skiff-sh/skiff/controllers/internal/index"
)

// monitor watches nodes' heartbeats (their Ready condition and their Lease in kube-node-lease),
// marks silent nodes Unknown, queues not-ready nodes for NoExecute taints at the zone's eviction
// rate and marks the pods of nodes that stop being Ready not ready.
type monitor struct {
	client       client.Client
	reader       client.Reader
	recorder     record.EventRecorder
	clock        clock.WithTicker
	grace        time.Duration
	startupGrace time.Duration

	healthMu sync.Mutex
	health   map[string]*nodeHealth

	// The rest is touched by the monitor pass only, except for zones (tainting pass too).
	known      map[string]*corev1.Node
	zoneStates map[string]zoneState
	retry      sync.Map // node name → pods still to be marked not ready

	zonesMu sync.Mutex
	zones   map[string]*taintQueue
}

// NeedLeaderElection makes the monitor run on the leader only.
func (m *monitor) NeedLeaderElection() bool { return true }

// Start runs the monitor pass every nodeMonitorPeriod and the tainting pass every
// evictionPeriod until ctx ends.
func (m *monitor) Start(ctx context.Context) error {
	logger := log.FromContext(ctx).WithName(Name)
	ctx = log.IntoContext(ctx, logger)
	monitorTick := m.clock.NewTicker(nodeMonitorPeriod)
	defer monitorTick.Stop()
	taintTick := m.clock.NewTicker(evictionPeriod)
	defer taintTick.Stop()
	m.pass(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-monitorTick.C():
			m.pass(ctx)
		case <-taintTick.C():
			m.taintPass(ctx)
		}
	}
}

func (m *monitor) now() metav1.Time { return metav1.NewTime(m.clock.Now()) }

func (m *monitor) getHealth(name string) *nodeHealth {
	m.healthMu.Lock()
	defer m.healthMu.Unlock()
	return m.health[name]
}

func (m *monitor) setHealth(name string, h *nodeHealth) {
	m.healthMu.Lock()
	defer m.healthMu.Unlock()
	m.health[name] = h
}

func (m *monitor) zone(name string) *taintQueue {
	m.zonesMu.Lock()
	defer m.zonesMu.Unlock()
	return m.zones[name]
}

// pass is upstream's monitorNodeHealth.
func (m *monitor) pass(ctx context.Context) {
	logger := log.FromContext(ctx)
	// Read-only: checkNode works on its own copy. Copying 5,000 nodes every 5 s was a good part of
	// a large cluster's garbage.
	nodes := &corev1.NodeList{}
	if err := m.client.List(ctx, nodes, client.UnsafeDisableDeepCopy); err != nil {
		logger.Error(err, "Listing nodes")
		return
	}
	m.classify(ctx, nodes.Items)

	var mu sync.Mutex
	zoneConditions := map[string][]*corev1.NodeCondition{}
	workqueue.ParallelizeUntil(ctx, nodeUpdateWorkers, len(nodes.Items), func(i int) {
		node := nodes.Items[i].DeepCopy()
		ready, ok := m.checkNode(ctx, node)
		if !ok {
			return
		}
		if _, excluded := node.Labels[labelNodeDisruptionExclusion]; !excluded {
			mu.Lock()
			zone := nodetopology.GetZoneKey(node)
			zoneConditions[zone] = append(zoneConditions[zone], ready)
			mu.Unlock()
		}
	})
	m.handleDisruption(ctx, zoneConditions, nodes.Items)
}

// classify records nodes seen for the first time and nodes gone, with upstream's events.
func (m *monitor) classify(ctx context.Context, nodes []corev1.Node) {
	seen := make(map[string]bool, len(nodes))
	for i := range nodes {
		node := &nodes[i]
		seen[node.Name] = true
		m.addZone(nodetopology.GetZoneKey(node))
		if _, ok := m.known[node.Name]; ok {
			continue
		}
		m.recordNodeEvent(node, "RegisteredNode", fmt.Sprintf("Registered Node %v in Controller", node.Name))
		m.known[node.Name] = node.DeepCopy()
		if err := m.markReachable(ctx, node); err != nil {
			log.FromContext(ctx).Error(err, "Removing NoExecute taints from a newly seen node", "node", node.Name)
		}
	}
	for name, node := range m.known {
		if !seen[name] {
			m.recordNodeEvent(node, "RemovingNode", fmt.Sprintf("Removing Node %v from Controller", name))
			delete(m.known, name)
			m.retry.Delete(name)
		}
	}
}

func (m *monitor) addZone(zone string) {
	m.zonesMu.Lock()
	defer m.zonesMu.Unlock()
	if _, ok := m.zones[zone]; !ok {
		m.zones[zone] = newTaintQueue(m.clock, evictionRate)
		m.zoneStates[zone] = stateInitial
	}
}

func (m *monitor) recordNodeEvent(node *corev1.Node, reason, message string) {
	ref := &corev1.ObjectReference{APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID}
	m.recorder.Eventf(ref, corev1.EventTypeNormal, reason, "Node %s event: %s", node.Name, message)
}

// checkNode updates the node's health and acts on it; it returns the node's current Ready
// condition and false when the node was skipped.
func (m *monitor) checkNode(ctx context.Context, node *corev1.Node) (*corev1.NodeCondition, bool) {
	logger := log.FromContext(ctx).WithValues("node", node.Name)
	var observed corev1.NodeCondition
	var current *corev1.NodeCondition
	var err error
	for attempt := 0; ; attempt++ {
		observed, current, err = m.updateHealth(ctx, node)
		if err == nil {
			break
		}
		var skip skipError
		if asSkip(err, &skip) || attempt+1 >= nodeHealthUpdateRetry {
			logger.Error(err, "Updating node health, skipping - no pods will be evicted")
			return nil, false
		}
		fresh := &corev1.Node{}
		if err := m.reader.Get(ctx, types.NamespacedName{Name: node.Name}, fresh); err != nil {
			logger.Error(err, "Getting node to retry updating its health. Probably it was deleted")
			return nil, false
		}
		node = fresh
	}
	if current == nil {
		m.retry.Delete(node.Name)
		return current, true
	}
	m.processTaintBasedEviction(ctx, node, current)
	_, needsRetry := m.retry.Load(node.Name)
	becameNotReady := current.Status != corev1.ConditionTrue && observed.Status == corev1.ConditionTrue
	if becameNotReady {
		ref := &corev1.ObjectReference{APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID}
		m.recorder.Eventf(ref, corev1.EventTypeNormal, "NodeNotReady", "Node %s status is now: %s", node.Name, "NodeNotReady")
	}
	if becameNotReady || (needsRetry && observed.Status != corev1.ConditionTrue) {
		// The node's pods are read only when they are to be marked, and without copies
		// (markPodsNotReady copies the ones it changes): a pass over every node's pods every 5 s
		// was most of a 50,000-pod cluster's garbage.
		pods := &corev1.PodList{}
		if err := m.client.List(ctx, pods, client.MatchingFields{index.PodNodeName: node.Name}, client.UnsafeDisableDeepCopy); err != nil {
			logger.Error(err, "Listing pods of node")
			m.retry.Store(node.Name, true)
			return current, true
		}
		if err := markPodsNotReady(ctx, m.client, m.recorder, pods.Items, node.Name, m.now()); err != nil {
			logger.Error(err, "Marking pods of node not ready; will retry")
			m.retry.Store(node.Name, true)
			return current, true
		}
	}
	m.retry.Delete(node.Name)
	return current, true
}

// updateHealth is upstream's tryUpdateNodeHealth: it returns the Ready condition as observed
// and as it is now (after marking the node Unknown when its heartbeats stopped).
func (m *monitor) updateHealth(ctx context.Context, node *corev1.Node) (corev1.NodeCondition, *corev1.NodeCondition, error) {
	var lease *coordinationv1.Lease
	l := &coordinationv1.Lease{}
	switch err := m.client.Get(ctx, types.NamespacedName{Namespace: corev1.NamespaceNodeLease, Name: node.Name}, l); {
	case err == nil:
		lease = l
	case !apierrors.IsNotFound(err):
		return corev1.NodeCondition{}, nil, skipError{fmt.Errorf("reading the lease of node %s: %w", node.Name, err)}
	}
	now := m.now()
	h, gracePeriod, observed := observe(m.getHealth(node.Name), node, lease, now, m.grace, m.startupGrace)
	m.setHealth(node.Name, h)
	current := nodeCondition(&node.Status, corev1.NodeReady)
	if !now.After(h.probeTimestamp.Add(gracePeriod)) {
		return observed, current, nil
	}
	if err := m.checkLeaseIsCurrent(ctx, node.Name, lease); err != nil {
		return corev1.NodeCondition{}, nil, err
	}
	markUnknown(node, now)
	current = nodeCondition(&node.Status, corev1.NodeReady)
	if equality.Semantic.DeepEqual(current, &observed) {
		return observed, current, nil
	}
	if err := m.client.Status().Update(ctx, node); err != nil {
		return observed, current, fmt.Errorf("updating the status of node %s: %w", node.Name, err)
	}
	m.setHealth(node.Name, &nodeHealth{status: node.Status.DeepCopy(), probeTimestamp: h.probeTimestamp, readyTransitionTimestamp: now, lease: lease})
	return observed, current, nil
}

// checkLeaseIsCurrent reads the lease from the server before a node is declared dead: when the
// cache is behind (upstream's NodeControllerLeaseCircuitBreaker), the node is skipped this pass.
func (m *monitor) checkLeaseIsCurrent(ctx context.Context, name string, cached *coordinationv1.Lease) error {
	live := &coordinationv1.Lease{}
	err := m.reader.Get(ctx, types.NamespacedName{Namespace: corev1.NamespaceNodeLease, Name: name}, live)
	switch {
	case apierrors.IsNotFound(err):
		return nil
	case err != nil:
		return skipError{fmt.Errorf("looking up the lease of node %s: %w", name, err)}
	}
	if cached == nil || cached.ResourceVersion != live.ResourceVersion {
		return skipError{fmt.Errorf("the cached lease of node %s is behind the server's", name)}
	}
	return nil
}
