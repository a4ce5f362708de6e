package defaultpreemption

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/labels"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
)

const (
	msgNotHelpful      = "Preemption is not helpful for scheduling"
	msgNoVictims       = "No preemption victims found for incoming pod"
	msgPolicyNever     = "not eligible due to preemptionPolicy=Never."
	msgTerminatingPod  = "not eligible due to a terminating pod on the nominated node."
	msgNoCandidateNode = "no candidate node for preemption"
)

// preempt runs upstream's Evaluator.Preempt: a nil result keeps the pod's nomination, a
// non-nil one overrides it (empty when preemption cannot help).
func (pl *Plugin) preempt(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, m fwk.NodeToStatusReader) (*fwk.PostFilterResult, *fwk.Status) {
	best, result, status := pl.evaluate(ctx, state, pod, m)
	if !status.IsSuccess() {
		return result, status
	}
	klog.FromContext(ctx).V(2).Info("the target node for the preemption is determined", "node", best.node, "pod", klog.KObj(pod))
	if s := pl.prepareCandidate(ctx, best, pod); !s.IsSuccess() {
		return nil, s
	}
	return nominate(best.node), fwk.NewStatus(fwk.Success, fmt.Sprintf("found a potential placement for pod on node %v, preempting %d victims", best.node, len(best.victims)))
}

// evaluate finds the best candidate without evicting anything.
func (pl *Plugin) evaluate(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, m fwk.NodeToStatusReader) (*candidate, *fwk.PostFilterResult, *fwk.Status) {
	logger := klog.FromContext(ctx)
	// The informer's copy carries the latest nominatedNodeName.
	latest, err := pl.podLister.Pods(pod.Namespace).Get(pod.Name)
	if err != nil {
		logger.Error(err, "Could not get the updated preemptor pod object", "pod", klog.KObj(pod))
		return nil, nil, fwk.AsStatus(err)
	}
	pod = latest
	if ok, msg := pl.eligible(pod, m.Get(pod.Status.NominatedNodeName)); !ok {
		logger.V(5).Info("Pod is not eligible for preemption", "pod", klog.KObj(pod), "reason", msg)
		return nil, nil, fwk.NewStatus(fwk.Unschedulable, msg)
	}
	lister := pl.h.SnapshotSharedLister().NodeInfos()
	allNodes, err := lister.List()
	if err != nil {
		return nil, nil, fwk.AsStatus(err)
	}
	candidates, statuses, err := pl.findCandidates(ctx, state, lister, allNodes, pod, m)
	if err != nil && len(candidates) == 0 {
		return nil, nil, fwk.AsStatus(err)
	}
	if len(candidates) == 0 {
		logger.V(2).Info("No preemption candidate is found; preemption is not helpful for scheduling", "pod", klog.KObj(pod))
		statuses.absent = fwk.NewStatus(fwk.UnschedulableAndUnresolvable, msgNotHelpful)
		return nil, nominate(""), fwk.NewStatus(fwk.Unschedulable, statuses.fitError(len(allNodes)))
	}
	best := pl.selectCandidate(logger, candidates)
	if best == nil || best.node == "" {
		return nil, nil, fwk.NewStatus(fwk.Unschedulable, msgNoCandidateNode)
	}
	return best, nil, nil
}

// eligible reports whether pod may preempt: not with preemptionPolicy Never, nor while a
// lower-priority pod it preempted is still terminating on its nominated node (unless that
// node became unusable for it).
func (pl *Plugin) eligible(pod *corev1.Pod, nominatedStatus *fwk.Status) (bool, string) {
	if pod.Spec.PreemptionPolicy != nil && *pod.Spec.PreemptionPolicy == corev1.PreemptNever {
		return false, msgPolicyNever
	}
	nominated := pod.Status.NominatedNodeName
	if nominated == "" {
		return true, ""
	}
	if nominatedStatus.Code() == fwk.UnschedulableAndUnresolvable {
		return true, ""
	}
	ni, _ := pl.h.SnapshotSharedLister().NodeInfos().Get(nominated)
	if ni == nil {
		return true, ""
	}
	prio := corev1helpers.PodPriority(pod)
	for _, p := range ni.GetPods() {
		if corev1helpers.PodPriority(p.GetPod()) < prio && terminatingByPreemption(p.GetPod()) {
			return false, msgTerminatingPod
		}
	}
	return true, ""
}

// terminatingByPreemption reports whether p is being deleted after the scheduler preempted it.
func terminatingByPreemption(p *corev1.Pod) bool {
	if p.DeletionTimestamp == nil {
		return false
	}
	for _, c := range p.Status.Conditions {
		if c.Type == corev1.DisruptionTarget {
			return c.Status == corev1.ConditionTrue && c.Reason == corev1.PodReasonPreemptionByScheduler
		}
	}
	return false
}

// findCandidates dry-runs preemption on the nodes that failed Filter with Unschedulable
// (UnschedulableAndUnresolvable ones can't be helped by evicting pods).
func (pl *Plugin) findCandidates(ctx context.Context, state fwk.CycleState, lister fwk.NodeInfoLister, allNodes []fwk.NodeInfo, pod *corev1.Pod, m fwk.NodeToStatusReader) ([]*candidate, *nodeStatuses, error) {
	if len(allNodes) == 0 {
		return nil, nil, errors.New("no nodes available")
	}
	potential, err := m.NodesForStatusCode(lister, fwk.Unschedulable)
	if err != nil {
		return nil, nil, err
	}
	if len(potential) == 0 {
		klog.FromContext(ctx).V(3).Info("Preemption will not help schedule pod on any node", "pod", klog.KObj(pod))
		return nil, newNodeStatuses(), nil
	}
	var pdbs []*policyv1.PodDisruptionBudget
	if pl.pdbLister != nil {
		if pdbs, err = pl.pdbLister.List(labels.Everything()); err != nil {
			return nil, nil, err
		}
	}
	n := int32(len(potential))
	return pl.dryRun(ctx, state, pod, potential, pdbs, pl.offset(n), pl.args.numCandidates(n))
}
