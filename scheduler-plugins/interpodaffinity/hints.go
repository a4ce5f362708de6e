package interpodaffinity

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

// EventsToRegister: bound pods added, relabelled or deleted; the pod's own labels changing;
// nodes added or relabelled.
func (pl *Plugin) EventsToRegister(context.Context) ([]fwk.ClusterEventWithHint, error) {
	return []fwk.ClusterEventWithHint{
		{Event: fwk.ClusterEvent{Resource: fwk.AssignedPod, ActionType: fwk.Add | fwk.UpdatePodLabel | fwk.Delete}, QueueingHintFn: isSchedulableAfterAssignedPodChange},
		// Another pod's anti-affinity may have selected the old labels.
		{Event: fwk.ClusterEvent{Resource: fwk.TargetPod, ActionType: fwk.UpdatePodLabel}, QueueingHintFn: queue},
		{Event: fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add | fwk.UpdateNodeLabel}, QueueingHintFn: isSchedulableAfterNodeChange},
	}, nil
}

func queue(klog.Logger, *corev1.Pod, any, any) (fwk.QueueingHint, error) { return fwk.Queue, nil }

func requiredTerms(pod *corev1.Pod) (affinity, anti []fwk.AffinityTerm, err error) {
	if affinity, err = fwk.GetAffinityTerms(pod, fwk.GetPodAffinityTerms(pod.Spec.Affinity)); err != nil {
		return nil, nil, err
	}
	anti, err = fwk.GetAffinityTerms(pod, fwk.GetPodAntiAffinityTerms(pod.Spec.Affinity))
	return affinity, anti, err
}

func isSchedulableAfterAssignedPodChange(logger klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	oldPod, newPod, err := helper.As[*corev1.Pod](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	unbound := func(p *corev1.Pod) bool { return p != nil && p.Spec.NodeName == "" && p.Status.NominatedNodeName == "" }
	if unbound(newPod) || unbound(oldPod) {
		return fwk.QueueSkip, nil
	}
	terms, antiTerms, err := requiredTerms(pod)
	if err != nil {
		return fwk.Queue, err
	}
	switch {
	case oldPod != nil && newPod != nil:
		// Affinity needs one pod matching all terms; anti-affinity is violated by any term.
		if !podMatchesAllTerms(terms, oldPod) && podMatchesAllTerms(terms, newPod) {
			return fwk.Queue, nil
		}
		if podMatchesAnyTerm(antiTerms, oldPod) && !podMatchesAnyTerm(antiTerms, newPod) {
			return fwk.Queue, nil
		}
		return fwk.QueueSkip, nil
	case newPod != nil:
		if podMatchesAllTerms(terms, newPod) {
			logger.V(5).Info("a scheduled pod was added and it matches the target pod's affinity", "pod", klog.KObj(pod), "modifiedPod", klog.KObj(newPod))
			return fwk.Queue, nil
		}
		return fwk.QueueSkip, nil
	}
	if podMatchesAnyTerm(antiTerms, oldPod) {
		return fwk.Queue, nil
	}
	oldAnti, err := fwk.GetAffinityTerms(oldPod, fwk.GetPodAntiAffinityTerms(oldPod.Spec.Affinity))
	if err != nil {
		return fwk.Queue, err
	}
	if podMatchesAnyTerm(oldAnti, pod) {
		logger.V(5).Info("a scheduled pod whose anti-affinity matched the target pod was deleted", "pod", klog.KObj(pod), "originalPod", klog.KObj(oldPod))
		return fwk.Queue, nil
	}
	return fwk.QueueSkip, nil
}

func isSchedulableAfterNodeChange(_ klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	oldNode, newNode, err := helper.As[*corev1.Node](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	terms, antiTerms, err := requiredTerms(pod)
	if err != nil {
		return fwk.Queue, err
	}
	for _, t := range terms {
		newVal, newHas := newNode.Labels[t.TopologyKey]
		if oldNode == nil {
			if newHas {
				return fwk.Queue, nil
			}
			continue
		}
		oldVal, oldHas := oldNode.Labels[t.TopologyKey]
		if newHas && (!oldHas || oldVal != newVal) {
			return fwk.Queue, nil
		}
	}
	for _, t := range antiTerms {
		// A node without the key always accepts; a new node may be in an empty domain.
		if oldNode == nil {
			return fwk.Queue, nil
		}
		oldVal, oldHas := oldNode.Labels[t.TopologyKey]
		newVal, newHas := newNode.Labels[t.TopologyKey]
		if oldHas && (!newHas || oldVal != newVal) {
			return fwk.Queue, nil
		}
	}
	return fwk.QueueSkip, nil
}
