package defaultpreemption

import (
	"context"
	"sort"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
)

// selectVictimsOnNode finds the fewest lower-priority pods to evict from nodeInfo (a copy it
// may change) for pod to fit: it removes them all, checks the pod fits, then gives back
// as many as still let it fit, most important first and PDB-protected ones before the
// others. It returns the victims (most important first) and how many of them violate a PDB.
func (pl *Plugin) selectVictimsOnNode(ctx context.Context, state fwk.CycleState, pod *corev1.Pod, nodeInfo fwk.NodeInfo, pdbs []*policyv1.PodDisruptionBudget) ([]*corev1.Pod, int, *fwk.Status) {
	logger := klog.FromContext(ctx)
	remove := func(pi fwk.PodInfo) error {
		if err := nodeInfo.RemovePod(logger, pi.GetPod()); err != nil {
			return err
		}
		return pl.h.RunPreFilterExtensionRemovePod(ctx, state, pod, pi, nodeInfo).AsError()
	}
	add := func(pi fwk.PodInfo) error {
		nodeInfo.AddPodInfo(pi)
		return pl.h.RunPreFilterExtensionAddPod(ctx, state, pod, pi, nodeInfo).AsError()
	}

	prio := corev1helpers.PodPriority(pod)
	var potential []fwk.PodInfo
	for _, pi := range nodeInfo.GetPods() {
		if corev1helpers.PodPriority(pi.GetPod()) < prio {
			potential = append(potential, pi)
		}
	}
	if len(potential) == 0 {
		return nil, 0, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, msgNoVictims)
	}
	for _, pi := range potential {
		if err := remove(pi); err != nil {
			return nil, 0, fwk.AsStatus(err)
		}
	}
	// Affinity of the pod to the victims is not considered, as upstream.
	if s := pl.h.RunFilterPluginsWithNominatedPods(ctx, state, pod, nodeInfo); !s.IsSuccess() {
		return nil, 0, s
	}
	now := pl.clock.Now()
	sort.SliceStable(potential, func(i, j int) bool { return moreImportant(potential[i].GetPod(), potential[j].GetPod(), now) })
	violating, nonViolating := splitByPDBViolation(potential, pdbs)

	var victims []*corev1.Pod
	// reprieve puts pi back; if the pod no longer fits, pi is a victim after all.
	reprieve := func(pi fwk.PodInfo) (bool, error) {
		if err := add(pi); err != nil {
			return false, err
		}
		fits := pl.h.RunFilterPluginsWithNominatedPods(ctx, state, pod, nodeInfo).IsSuccess()
		if !fits {
			if err := remove(pi); err != nil {
				return false, err
			}
			victims = append(victims, pi.GetPod())
			logger.V(5).Info("Pod is a potential preemption victim on node", "pod", klog.KObj(pi.GetPod()), "node", klog.KObj(nodeInfo.Node()))
		}
		return fits, nil
	}
	numViolating := 0
	for _, pi := range violating {
		fits, err := reprieve(pi)
		if err != nil {
			return nil, 0, fwk.AsStatus(err)
		}
		if !fits {
			numViolating++
		}
	}
	for _, pi := range nonViolating {
		if _, err := reprieve(pi); err != nil {
			return nil, 0, fwk.AsStatus(err)
		}
	}
	if len(violating) > 0 && len(nonViolating) > 0 {
		sort.SliceStable(victims, func(i, j int) bool { return moreImportant(victims[i], victims[j], now) })
	}
	return victims, numViolating, nil
}

// moreImportant orders victims: higher priority first, then the one that started earlier.
func moreImportant(a, b *corev1.Pod, now time.Time) bool {
	pa, pb := corev1helpers.PodPriority(a), corev1helpers.PodPriority(b)
	if pa != pb {
		return pa > pb
	}
	return startTime(a, now).Before(startTime(b, now))
}

// splitByPDBViolation splits pods (keeping their order) into those whose eviction would
// exceed a matching PodDisruptionBudget's disruptionsAllowed and the others. Pods already in
// a budget's disruptedPods don't count against it.
func splitByPDBViolation(pods []fwk.PodInfo, pdbs []*policyv1.PodDisruptionBudget) (violating, nonViolating []fwk.PodInfo) {
	allowed := make([]int32, len(pdbs))
	selectors := make([]labels.Selector, len(pdbs))
	for i, pdb := range pdbs {
		allowed[i] = pdb.Status.DisruptionsAllowed
		if s, err := metav1.LabelSelectorAsSelector(pdb.Spec.Selector); err == nil {
			selectors[i] = s
		}
	}
	violates := func(pod *corev1.Pod) bool {
		if len(pod.Labels) == 0 {
			return false
		}
		for i, pdb := range pdbs {
			// An invalid, nil or empty selector matches nothing.
			if pdb.Namespace != pod.Namespace || selectors[i] == nil || selectors[i].Empty() || !selectors[i].Matches(labels.Set(pod.Labels)) {
				continue
			}
			if _, ok := pdb.Status.DisruptedPods[pod.Name]; ok {
				continue
			}
			allowed[i]--
			if allowed[i] < 0 {
				return true
			}
		}
		return false
	}
	for _, pi := range pods {
		if violates(pi.GetPod()) {
			violating = append(violating, pi)
		} else {
			nonViolating = append(nonViolating, pi)
		}
	}
	return violating, nonViolating
}
