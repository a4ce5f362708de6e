package podtopologyspread

import (
	"context"
	"errors"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

const (
	// Name is the plugin's name in the registry and in configurations.
	Name = "PodTopologySpread"
	// ErrReasonConstraintsNotMatch is the Filter status reason when placing the pod would
	// exceed maxSkew.
	ErrReasonConstraintsNotMatch = "node(s) didn't match pod topology spread constraints"
	// ErrReasonNodeLabelNotMatch is the Filter status reason when the node lacks a topology key.
	ErrReasonNodeLabelNotMatch = ErrReasonConstraintsNotMatch + " (missing required label)"
)

// Plugin spreads pods over topology domains.
type Plugin struct {
	systemDefaulted    bool
	defaultConstraints []corev1.TopologySpreadConstraint
	parallelizer       fwk.Parallelizer
	sharedLister       fwk.SharedLister
	listers            *listers
}

var (
	_ fwk.PreFilterPlugin     = &Plugin{}
	_ fwk.PreFilterExtensions = &Plugin{}
	_ fwk.FilterPlugin        = &Plugin{}
	_ fwk.PreScorePlugin      = &Plugin{}
	_ fwk.ScorePlugin         = &Plugin{}
	_ fwk.ScoreExtensions     = &Plugin{}
	_ fwk.EnqueueExtensions   = &Plugin{}
	_ fwk.SignPlugin          = &Plugin{}
)

// New builds the plugin from *configv1.PodTopologySpreadArgs (nil: System defaulting). Default
// constraints need Service, ReplicationController, ReplicaSet and StatefulSet listers from the
// handle's informer factory.
func New(_ context.Context, obj runtime.Object, h fwk.Handle) (fwk.Plugin, error) {
	if h.SnapshotSharedLister() == nil {
		return nil, errors.New("SnapshotSharedlister is nil")
	}
	args, err := helper.Args[configv1.PodTopologySpreadArgs](obj, "PodTopologySpreadArgs")
	if err != nil {
		return nil, err
	}
	defaulting := args.DefaultingType
	if defaulting == "" {
		defaulting = configv1.SystemDefaulting
	}
	if err := validateArgs(defaulting, args.DefaultConstraints).ToAggregate(); err != nil {
		return nil, err
	}
	pl := &Plugin{
		parallelizer:       h.Parallelizer(),
		sharedLister:       h.SnapshotSharedLister(),
		defaultConstraints: args.DefaultConstraints,
	}
	if defaulting == configv1.SystemDefaulting {
		pl.defaultConstraints, pl.systemDefaulted = systemDefaultConstraints, true
	}
	if len(pl.defaultConstraints) != 0 {
		f := h.SharedInformerFactory()
		if f == nil {
			return nil, errors.New("SharedInformerFactory is nil")
		}
		pl.listers = &listers{
			services:     f.Core().V1().Services().Lister(),
			rcs:          f.Core().V1().ReplicationControllers().Lister(),
			replicaSets:  f.Apps().V1().ReplicaSets().Lister(),
			statefulSets: f.Apps().V1().StatefulSets().Lister(),
		}
	}
	return pl, nil
}

// validateArgs checks the args as upstream does: default constraints are only for List
// defaulting and must not carry selectors.
func validateArgs(defaulting configv1.PodTopologySpreadConstraintsDefaulting, cs []corev1.TopologySpreadConstraint) field.ErrorList {
	var errs field.ErrorList
	var root *field.Path
	switch {
	case defaulting != configv1.SystemDefaulting && defaulting != configv1.ListDefaulting:
		errs = append(errs, field.NotSupported(root.Child("defaultingType"), defaulting, []string{string(configv1.SystemDefaulting), string(configv1.ListDefaulting)}))
	case defaulting == configv1.SystemDefaulting && len(cs) > 0:
		errs = append(errs, field.Invalid(root.Child("defaultingType"), defaulting, "when .defaultConstraints are not empty"))
	}
	p := root.Child("defaultConstraints")
	actions := sets.New(string(corev1.DoNotSchedule), string(corev1.ScheduleAnyway))
	for i, c := range cs {
		ip := p.Index(i)
		if c.MaxSkew <= 0 {
			errs = append(errs, field.Invalid(ip.Child("maxSkew"), c.MaxSkew, "not in valid range (0, inf)"))
		}
		if c.TopologyKey == "" {
			errs = append(errs, field.Required(ip.Child("topologyKey"), "can not be empty"))
		} else {
			errs = append(errs, metav1validation.ValidateLabelName(c.TopologyKey, ip.Child("topologyKey"))...)
		}
		switch {
		case c.WhenUnsatisfiable == "":
			errs = append(errs, field.Required(ip.Child("whenUnsatisfiable"), "can not be empty"))
		case !actions.Has(string(c.WhenUnsatisfiable)):
			errs = append(errs, field.NotSupported(ip.Child("whenUnsatisfiable"), c.WhenUnsatisfiable, sets.List(actions)))
		}
		if c.LabelSelector != nil {
			errs = append(errs, field.Forbidden(ip.Child("labelSelector"), "constraint must not define a selector, as they deduced for each pod"))
		}
		for j := range cs[:i] {
			if cs[j].TopologyKey == c.TopologyKey && cs[j].WhenUnsatisfiable == c.WhenUnsatisfiable {
				errs = append(errs, field.Duplicate(ip, fmt.Sprintf("{%v, %v}", c.TopologyKey, c.WhenUnsatisfiable)))
				break
			}
		}
	}
	return errs
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// SignPod: spreading depends on other pods' placement, so pods with constraints (their own or
// the defaults) can't share a signature.
func (pl *Plugin) SignPod(_ context.Context, pod *corev1.Pod) ([]fwk.SignFragment, *fwk.Status) {
	if len(pod.Spec.TopologySpreadConstraints) > 0 {
		return nil, fwk.NewStatus(fwk.Unschedulable, "pods with topology constraints are not signable")
	}
	if len(pl.defaultConstraints) > 0 {
		return nil, fwk.NewStatus(fwk.Unschedulable, "pods with default topology constraints are not signable")
	}
	return nil, nil
}

// constraints returns the pod's constraints with the given action, or the default ones when
// the pod has none.
func (pl *Plugin) constraints(pod *corev1.Pod, action corev1.UnsatisfiableConstraintAction) ([]constraint, error) {
	if len(pod.Spec.TopologySpreadConstraints) > 0 {
		cs, err := filterConstraints(pod.Spec.TopologySpreadConstraints, pod.Labels, action)
		if err != nil {
			return nil, fmt.Errorf("obtaining pod's topology spread constraints: %w", err)
		}
		return cs, nil
	}
	cs, err := filterConstraints(pl.defaultConstraints, pod.Labels, action)
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	sel := pl.listers.defaultSelector(pod)
	if sel.Empty() {
		return nil, nil
	}
	for i := range cs {
		cs[i].Selector = sel
	}
	return cs, nil
}
