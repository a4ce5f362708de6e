package podtopologyspread

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

// constraint is a TopologySpreadConstraint with its selector parsed and defaults applied.
type constraint struct {
	MaxSkew            int32
	TopologyKey        string
	Selector           labels.Selector
	MinDomains         int32
	NodeAffinityPolicy corev1.NodeInclusionPolicy
	NodeTaintsPolicy   corev1.NodeInclusionPolicy
}

// includesNode reports whether node counts for c given the pod's node affinity and
// tolerations (nodeAffinityPolicy defaults to Honor, nodeTaintsPolicy to Ignore).
func (c *constraint) includesNode(logger klog.Logger, pod *corev1.Pod, node *corev1.Node, required nodeaffinity.RequiredNodeAffinity) bool {
	if c.NodeAffinityPolicy == corev1.NodeInclusionPolicyHonor {
		// Parse errors are ignored, as upstream does.
		if ok, _ := required.Match(node); !ok {
			return false
		}
	}
	if c.NodeTaintsPolicy == corev1.NodeInclusionPolicyHonor {
		if _, untolerated := helper.UntoleratedTaint(logger, node.Spec.Taints, pod.Spec.Tolerations, helper.DoNotScheduleTaint); untolerated {
			return false
		}
	}
	return true
}

// filterConstraints parses the constraints with the given whenUnsatisfiable action, merging
// matchLabelKeys' values from the pod's labels into the selector.
func filterConstraints(in []corev1.TopologySpreadConstraint, podLabels map[string]string, action corev1.UnsatisfiableConstraintAction) ([]constraint, error) {
	var out []constraint
	for _, c := range in {
		if c.WhenUnsatisfiable != action {
			continue
		}
		sel, err := metav1.LabelSelectorAsSelector(c.LabelSelector)
		if err != nil {
			return nil, err
		}
		if len(c.MatchLabelKeys) > 0 {
			matchLabels := labels.Set{}
			for _, k := range c.MatchLabelKeys {
				if v, ok := podLabels[k]; ok {
					matchLabels[k] = v
				}
			}
			if len(matchLabels) > 0 {
				sel = mergeSelector(matchLabels, sel)
			}
		}
		tc := constraint{
			MaxSkew:            c.MaxSkew,
			TopologyKey:        c.TopologyKey,
			Selector:           sel,
			MinDomains:         ptr.Deref(c.MinDomains, 1),
			NodeAffinityPolicy: ptr.Deref(c.NodeAffinityPolicy, corev1.NodeInclusionPolicyHonor),
			NodeTaintsPolicy:   ptr.Deref(c.NodeTaintsPolicy, corev1.NodeInclusionPolicyIgnore),
		}
		out = append(out, tc)
	}
	return out, nil
}

func mergeSelector(set labels.Set, s labels.Selector) labels.Selector {
	merged := labels.SelectorFromSet(set)
	reqs, selectable := s.Requirements()
	if !selectable {
		return s
	}
	for _, r := range reqs {
		merged = merged.Add(r)
	}
	return merged
}

// nodeHasAllKeys reports whether the node carries every constraint's topology key.
func nodeHasAllKeys(nodeLabels map[string]string, cs []constraint) bool {
	for i := range cs {
		if _, ok := nodeLabels[cs[i].TopologyKey]; !ok {
			return false
		}
	}
	return true
}

// countMatching counts the non-terminating pods in ns matching sel.
func countMatching(pods []fwk.PodInfo, sel labels.Selector, ns string) int {
	if sel.Empty() {
		return 0
	}
	n := 0
	for _, pi := range pods {
		p := pi.GetPod()
		// Terminating pods don't count (kubernetes#87621).
		if p.DeletionTimestamp != nil || p.Namespace != ns {
			continue
		}
		if sel.Matches(labels.Set(p.Labels)) {
			n++
		}
	}
	return n
}

// anySelects reports whether a constraint selects a pod with podLabels.
func anySelects(cs []constraint, podLabels labels.Set) bool {
	for i := range cs {
		if cs[i].Selector.Matches(podLabels) {
			return true
		}
	}
	return false
}
