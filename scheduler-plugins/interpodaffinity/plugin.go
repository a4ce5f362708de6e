package interpodaffinity

import (
	"context"
	"errors"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/klog/v2"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

// Name is the plugin's name in the registry and in configurations.
const Name = "InterPodAffinity"

// Plugin checks and scores inter-pod affinity.
type Plugin struct {
	parallelizer fwk.Parallelizer
	// hardPodAffinityWeight scores existing pods' required affinity terms the incoming pod matches.
	hardPodAffinityWeight int32
	// ignorePreferredTermsOfExistingPods skips scoring pods without preferred terms of their own.
	ignorePreferredTermsOfExistingPods bool
	sharedLister                       fwk.SharedLister
	nsLister                           corelisters.NamespaceLister
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

// New builds the plugin from *configv1.InterPodAffinityArgs (nil: hardPodAffinityWeight 1). It
// needs the handle's snapshot and a Namespace lister from its informer factory.
func New(_ context.Context, obj runtime.Object, h fwk.Handle) (fwk.Plugin, error) {
	if h.SnapshotSharedLister() == nil {
		return nil, errors.New("SnapshotSharedlister is nil")
	}
	if h.SharedInformerFactory() == nil {
		return nil, errors.New("SharedInformerFactory is nil")
	}
	args, err := helper.Args[configv1.InterPodAffinityArgs](obj, "InterPodAffinityArgs")
	if err != nil {
		return nil, err
	}
	weight := ptr.Deref(args.HardPodAffinityWeight, 1)
	if weight < 0 || weight > 100 {
		return nil, field.Invalid(field.NewPath("hardPodAffinityWeight"), weight, "not in valid range [0, 100]")
	}
	return &Plugin{
		parallelizer:                       h.Parallelizer(),
		hardPodAffinityWeight:              weight,
		ignorePreferredTermsOfExistingPods: args.IgnorePreferredTermsOfExistingPods,
		sharedLister:                       h.SnapshotSharedLister(),
		nsLister:                           h.SharedInformerFactory().Core().V1().Namespaces().Lister(),
	}, nil
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// SignPod: pods with inter-pod affinity depend on other pods' placement and aren't signable;
// others depend on their labels (existing pods' terms may select them) unless existing pods'
// preferred terms are ignored.
func (pl *Plugin) SignPod(_ context.Context, pod *corev1.Pod) ([]fwk.SignFragment, *fwk.Status) {
	if a := pod.Spec.Affinity; a != nil && (a.PodAffinity != nil || a.PodAntiAffinity != nil) {
		return nil, fwk.NewStatus(fwk.Unschedulable, "pods with InterPodAffinity are not signable")
	}
	if pl.ignorePreferredTermsOfExistingPods {
		return nil, nil
	}
	return []fwk.SignFragment{{Key: fwk.LabelsSignerName, Value: pod.Labels}}, nil
}

// mergeNamespaces resolves a term's namespace selector into its namespace set, so matching
// the incoming pod's terms needs no namespace labels. An empty selector (all namespaces) stays.
func (pl *Plugin) mergeNamespaces(t *fwk.AffinityTerm) error {
	if t.NamespaceSelector.Empty() {
		return nil
	}
	nss, err := pl.nsLister.List(t.NamespaceSelector)
	if err != nil {
		return err
	}
	for _, ns := range nss {
		t.Namespaces.Insert(ns.Name)
	}
	t.NamespaceSelector = labels.Nothing()
	return nil
}

// namespaceLabels returns a copy of namespace ns's labels (none when it isn't found).
func (pl *Plugin) namespaceLabels(logger klog.Logger, ns string) labels.Set {
	n, err := pl.nsLister.Get(ns)
	if err != nil {
		logger.V(3).Info("getting namespace, assuming empty set of namespace labels", "namespace", ns, "err", err)
		return nil
	}
	return labels.Merge(n.Labels, nil)
}

// podMatchesAllTerms reports whether the terms are non-empty and pod matches all of them.
func podMatchesAllTerms(terms []fwk.AffinityTerm, pod *corev1.Pod) bool {
	if len(terms) == 0 {
		return false
	}
	for i := range terms {
		// The incoming pod's namespace selectors are merged into Namespaces.
		if !terms[i].Matches(pod, nil) {
			return false
		}
	}
	return true
}

// podMatchesAnyTerm reports whether pod matches one of the terms.
func podMatchesAnyTerm(terms []fwk.AffinityTerm, pod *corev1.Pod) bool {
	for i := range terms {
		if terms[i].Matches(pod, nil) {
			return true
		}
	}
	return false
}
