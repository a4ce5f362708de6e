package nodeaffinity

import (
	"context"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

const (
	// Name is the plugin's name in the registry and in configurations.
	Name = "NodeAffinity"
	// ErrReasonPod is the Filter status reason when the pod's selector or affinity doesn't match.
	ErrReasonPod = "node(s) didn't match Pod's node affinity/selector"
	// ErrReasonEnforced is the Filter status reason when addedAffinity doesn't match.
	ErrReasonEnforced = "node(s) didn't match scheduler-enforced node affinity"
	// ErrReasonConflict is the PreFilter status reason when metadata.name terms exclude every node.
	ErrReasonConflict = "pod affinity terms conflict"

	preFilterStateKey fwk.StateKey = "PreFilter" + Name
	preScoreStateKey  fwk.StateKey = "PreScore" + Name
)

// Plugin matches pods' node selectors and node affinity against nodes.
type Plugin struct {
	addedNodeSelector   *nodeaffinity.NodeSelector
	addedPrefSchedTerms *nodeaffinity.PreferredSchedulingTerms
}

var (
	_ fwk.PreFilterPlugin   = &Plugin{}
	_ fwk.FilterPlugin      = &Plugin{}
	_ fwk.PreScorePlugin    = &Plugin{}
	_ fwk.ScorePlugin       = &Plugin{}
	_ fwk.ScoreExtensions   = &Plugin{}
	_ fwk.EnqueueExtensions = &Plugin{}
	_ fwk.SignPlugin        = &Plugin{}
)

// New builds the plugin from *configv1.NodeAffinityArgs (nil: no added affinity).
func New(_ context.Context, obj runtime.Object, _ fwk.Handle) (fwk.Plugin, error) {
	args, err := helper.Args[configv1.NodeAffinityArgs](obj, "NodeAffinityArgs")
	if err != nil {
		return nil, err
	}
	pl := &Plugin{}
	if args.AddedAffinity == nil {
		return pl, nil
	}
	path := field.NewPath("addedAffinity")
	var errs []error
	if ns := args.AddedAffinity.RequiredDuringSchedulingIgnoredDuringExecution; ns != nil {
		sel, err := nodeaffinity.NewNodeSelector(ns, field.WithPath(path.Child("requiredDuringSchedulingIgnoredDuringExecution")))
		if err != nil {
			errs = append(errs, err)
		}
		pl.addedNodeSelector = sel
	}
	if terms := args.AddedAffinity.PreferredDuringSchedulingIgnoredDuringExecution; len(terms) != 0 {
		pref, err := nodeaffinity.NewPreferredSchedulingTerms(terms, field.WithPath(path.Child("preferredDuringSchedulingIgnoredDuringExecution")))
		if err != nil {
			errs = append(errs, err)
		}
		pl.addedPrefSchedTerms = pref
	}
	if err := utilerrors.Flatten(utilerrors.NewAggregate(errs)); err != nil {
		return nil, err
	}
	return pl, nil
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// SignPod: the result depends on the pod's node affinity and node selector.
func (*Plugin) SignPod(_ context.Context, pod *corev1.Pod) ([]fwk.SignFragment, *fwk.Status) {
	aff, err := fwk.NodeAffinitySigner(pod)
	if err != nil {
		return nil, fwk.AsStatus(err)
	}
	return []fwk.SignFragment{
		{Key: fwk.NodeAffinitySignerName, Value: aff},
		{Key: fwk.NodeSelectorSignerName, Value: pod.Spec.NodeSelector},
	}, nil
}

// EventsToRegister: a node added or relabelled may start matching.
func (pl *Plugin) EventsToRegister(context.Context) ([]fwk.ClusterEventWithHint, error) {
	return []fwk.ClusterEventWithHint{
		{Event: fwk.ClusterEvent{Resource: fwk.Node, ActionType: fwk.Add | fwk.UpdateNodeLabel}, QueueingHintFn: pl.isSchedulableAfterNodeChange},
	}, nil
}

func (pl *Plugin) isSchedulableAfterNodeChange(logger klog.Logger, pod *corev1.Pod, oldObj, newObj any) (fwk.QueueingHint, error) {
	oldNode, newNode, err := helper.As[*corev1.Node](oldObj, newObj)
	if err != nil {
		return fwk.Queue, err
	}
	if pl.addedNodeSelector != nil && !pl.addedNodeSelector.Match(newNode) {
		return fwk.QueueSkip, nil
	}
	required := nodeaffinity.GetRequiredNodeAffinity(pod)
	matches, err := required.Match(newNode)
	if err != nil {
		return fwk.Queue, err
	}
	if !matches {
		return fwk.QueueSkip, nil
	}
	if oldNode == nil {
		logger.V(5).Info("node was created and matches the pod's node affinity", "pod", klog.KObj(pod), "node", klog.KObj(newNode))
		return fwk.Queue, nil
	}
	matched, err := required.Match(oldNode)
	if err != nil {
		return fwk.Queue, err
	}
	if matched {
		return fwk.QueueSkip, nil
	}
	logger.V(5).Info("node was updated to match the pod's node affinity", "pod", klog.KObj(pod), "node", klog.KObj(newNode))
	return fwk.Queue, nil
}

type preFilterState struct {
	required nodeaffinity.RequiredNodeAffinity
}

// Clone returns s: the state doesn't depend on other pods.
func (s *preFilterState) Clone() fwk.StateData { return s }

// PreFilter parses the pod's required affinity once, and narrows the candidates when every
// term pins metadata.name.
func (pl *Plugin) PreFilter(_ context.Context, cs fwk.CycleState, pod *corev1.Pod, _ []fwk.NodeInfo) (*fwk.PreFilterResult, *fwk.Status) {
	aff := pod.Spec.Affinity
	noAffinity := aff == nil || aff.NodeAffinity == nil || aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution == nil
	if noAffinity && pl.addedNodeSelector == nil && pod.Spec.NodeSelector == nil {
		return nil, fwk.NewStatus(fwk.Skip)
	}
	cs.Write(preFilterStateKey, &preFilterState{required: nodeaffinity.GetRequiredNodeAffinity(pod)})
	if noAffinity {
		return nil, nil
	}
	nodeNames, ok := pinnedNodeNames(aff.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms)
	switch {
	case !ok:
		return nil, nil
	case len(nodeNames) == 0:
		return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonConflict)
	default:
		return &fwk.PreFilterResult{NodeNames: nodeNames}, nil
	}
}

// pinnedNodeNames returns the node names the terms allow when every term has a
// metadata.name In requirement (ANDed within a term, ORed across terms); ok is false when some
// term leaves all nodes possible.
func pinnedNodeNames(terms []corev1.NodeSelectorTerm) (sets.Set[string], bool) {
	if len(terms) == 0 {
		return nil, false
	}
	var names sets.Set[string]
	for _, t := range terms {
		var termNames sets.Set[string]
		for _, r := range t.MatchFields {
			if r.Key != metav1.ObjectNameField || r.Operator != corev1.NodeSelectorOpIn {
				continue
			}
			if termNames == nil {
				termNames = sets.New(r.Values...)
			} else {
				termNames = termNames.Intersection(sets.New(r.Values...))
			}
		}
		if termNames == nil {
			return nil, false
		}
		names = names.Union(termNames)
	}
	return names, true
}

// PreFilterExtensions: none, the state doesn't depend on other pods.
func (*Plugin) PreFilterExtensions() fwk.PreFilterExtensions { return nil }

// Filter checks addedAffinity, then the pod's node selector and required node affinity.
func (pl *Plugin) Filter(_ context.Context, cs fwk.CycleState, pod *corev1.Pod, nodeInfo fwk.NodeInfo) *fwk.Status {
	node := nodeInfo.Node()
	if pl.addedNodeSelector != nil && !pl.addedNodeSelector.Match(node) {
		return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonEnforced)
	}
	s, err := helper.ReadState[*preFilterState](cs, preFilterStateKey)
	if err != nil {
		// PreFilter is disabled: parse here.
		s = &preFilterState{required: nodeaffinity.GetRequiredNodeAffinity(pod)}
	}
	// Parse errors are ignored, as upstream does, for backwards compatibility.
	if ok, _ := s.required.Match(node); !ok {
		return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonPod)
	}
	return nil
}
