package queue

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/sets"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

// QueuedPodInfo is a pod in the queue with its scheduling history; it implements
// framework.QueuedEntityInfo.
type QueuedPodInfo struct {
	*nodeinfo.PodInfo
	// Timestamp is when the pod was last added to the queue.
	Timestamp               time.Time
	Attempts                int
	UnschedulableCount      int
	ConsecutiveErrorsCount  int
	InitialAttemptTimestamp *time.Time
	// UnschedulablePlugins rejected the pod at PreFilter, Filter, Reserve or Permit.
	UnschedulablePlugins sets.Set[string]
	// PendingPlugins returned Pending.
	PendingPlugins sets.Set[string]
	// GatingPlugin is the PreEnqueue plugin that gates the pod ("" when not gated).
	GatingPlugin      string
	backoffExpiration time.Time
	// Profile is the scheduler profile (schedulerName) that owns the pod.
	Profile string
}

var _ fwk.QueuedEntityInfo = &QueuedPodInfo{}

func (q *QueuedPodInfo) key() string { return q.Pod.Namespace + "/" + q.Pod.Name }

func (q *QueuedPodInfo) Type() fwk.EntityKeyType                   { return fwk.PodKeyType }
func (q *QueuedPodInfo) GetPriority() int32                        { return corev1helpers.PodPriority(q.Pod) }
func (q *QueuedPodInfo) GetTimestamp() time.Time                   { return q.Timestamp }
func (q *QueuedPodInfo) GetAttempts() int                          { return q.Attempts }
func (q *QueuedPodInfo) GetBackoffExpiration() time.Time           { return q.backoffExpiration }
func (q *QueuedPodInfo) GetUnschedulableCount() int                { return q.UnschedulableCount }
func (q *QueuedPodInfo) GetConsecutiveErrorsCount() int            { return q.ConsecutiveErrorsCount }
func (q *QueuedPodInfo) GetInitialAttemptTimestamp() *time.Time    { return q.InitialAttemptTimestamp }
func (q *QueuedPodInfo) GetUnschedulablePlugins() sets.Set[string] { return q.UnschedulablePlugins }
func (q *QueuedPodInfo) GetPendingPlugins() sets.Set[string]       { return q.PendingPlugins }
func (q *QueuedPodInfo) GetGatingPlugin() string                   { return q.GatingPlugin }
func (q *QueuedPodInfo) GetGatingPluginEvents() []fwk.ClusterEvent { return nil }

// update replaces the pod, keeping the history.
func (q *QueuedPodInfo) update(pod *corev1.Pod) {
	pi, _ := nodeinfo.NewPodInfo(pod)
	q.PodInfo = pi
}

// podKey is the queue key of a pod.
func podKey(pod *corev1.Pod) string { return pod.Namespace + "/" + pod.Name }
