package volumezone

import (
	"context"
	"errors"
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	listersv1 "k8s.io/client-go/listers/core/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	"k8s.io/component-helpers/storage/volume"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

const (
	// Name is the plugin's name in the registry and in configurations.
	Name = "VolumeZone"
	// ErrReasonConflict is the Filter reason for a volume in another zone or region.
	ErrReasonConflict = "node(s) had no available volume zone"

	preFilterStateKey fwk.StateKey = "PreFilter" + Name
)

// topologyLabels are the volume labels checked against the node's.
var topologyLabels = []string{
	corev1.LabelFailureDomainBetaZone,
	corev1.LabelFailureDomainBetaRegion,
	corev1.LabelTopologyZone,
	corev1.LabelTopologyRegion,
}

// Plugin checks volume zones.
type Plugin struct {
	pvLister    listersv1.PersistentVolumeLister
	pvcLister   listersv1.PersistentVolumeClaimLister
	classLister storagelisters.StorageClassLister
}

var (
	_ fwk.PreFilterPlugin   = &Plugin{}
	_ fwk.FilterPlugin      = &Plugin{}
	_ fwk.EnqueueExtensions = &Plugin{}
	_ fwk.SignPlugin        = &Plugin{}
)

// New returns the plugin; it takes no args and reads from the informer factory.
func New(_ context.Context, _ runtime.Object, h fwk.Handle) (fwk.Plugin, error) {
	f := h.SharedInformerFactory()
	if f == nil {
		return nil, errors.New("SharedInformerFactory is nil")
	}
	return &Plugin{
		pvLister:    f.Core().V1().PersistentVolumes().Lister(),
		pvcLister:   f.Core().V1().PersistentVolumeClaims().Lister(),
		classLister: f.Storage().V1().StorageClasses().Lister(),
	}, nil
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// SignPod: the result depends on the pod's volumes.
func (*Plugin) SignPod(_ context.Context, pod *corev1.Pod) ([]fwk.SignFragment, *fwk.Status) {
	return []fwk.SignFragment{{Key: fwk.VolumesSignerName, Value: fwk.VolumesSigner(pod)}}, nil
}

// pvTopology is one topology label of a volume: the values it allows.
type pvTopology struct {
	pvName string
	key    string
	values sets.Set[string]
}

type stateData struct{ topologies []pvTopology }

func (d *stateData) Clone() fwk.StateData { return d }

// PreFilter collects the topology labels of the pod's bound volumes; Skip when none.
func (pl *Plugin) PreFilter(ctx context.Context, cs fwk.CycleState, pod *corev1.Pod, _ []fwk.NodeInfo) (*fwk.PreFilterResult, *fwk.Status) {
	tops, s := pl.podTopologies(klog.FromContext(ctx), pod)
	if !s.IsSuccess() {
		return nil, s
	}
	if len(tops) == 0 {
		return nil, fwk.NewStatus(fwk.Skip)
	}
	cs.Write(preFilterStateKey, &stateData{topologies: tops})
	return nil, nil
}

// PreFilterExtensions: none.
func (*Plugin) PreFilterExtensions() fwk.PreFilterExtensions { return nil }

// podTopologies reads the pod's claims and their volumes. Unbound claims of
// WaitForFirstConsumer classes are skipped; other unbound claims, and missing objects,
// make the pod unschedulable.
func (pl *Plugin) podTopologies(logger klog.Logger, pod *corev1.Pod) ([]pvTopology, *fwk.Status) {
	var out []pvTopology
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		name := v.PersistentVolumeClaim.ClaimName
		if name == "" {
			return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "PersistentVolumeClaim had no name")
		}
		pvc, err := pl.pvcLister.PersistentVolumeClaims(pod.Namespace).Get(name)
		if s := asStatus(err); !s.IsSuccess() {
			return nil, s
		}
		if pvc.Spec.VolumeName == "" {
			className := volume.GetPersistentVolumeClaimClass(pvc)
			if className == "" {
				return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "PersistentVolumeClaim had no pv name and storageClass name")
			}
			class, err := pl.classLister.Get(className)
			if s := asStatus(err); !s.IsSuccess() {
				return nil, s
			}
			if class.VolumeBindingMode == nil {
				return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, fmt.Sprintf("VolumeBindingMode not set for StorageClass %q", className))
			}
			if *class.VolumeBindingMode == storagev1.VolumeBindingWaitForFirstConsumer {
				continue
			}
			return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "PersistentVolume had no name")
		}
		pv, err := pl.pvLister.Get(pvc.Spec.VolumeName)
		if s := asStatus(err); !s.IsSuccess() {
			return nil, s
		}
		out = append(out, pvTopologies(logger, pv)...)
	}
	return out, nil
}

func asStatus(err error) *fwk.Status {
	switch {
	case err == nil:
		return nil
	case apierrors.IsNotFound(err):
		return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, err.Error())
	}
	return fwk.AsStatus(err)
}

// pvTopologies returns pv's topology labels; a label whose value doesn't parse is ignored.
func pvTopologies(logger klog.Logger, pv *corev1.PersistentVolume) []pvTopology {
	var out []pvTopology
	for _, key := range topologyLabels {
		value, ok := pv.Labels[key]
		if !ok {
			continue
		}
		zones, err := labelZonesToSet(value)
		if err != nil {
			logger.V(5).Info("failed to parse PV's topology label, ignoring the label", "label", fmt.Sprintf("%s:%s", key, value), "err", err)
			continue
		}
		out = append(out, pvTopology{pvName: pv.Name, key: key, values: zones})
	}
	return out
}

// Filter rejects a node whose zone/region labels don't match the volumes'; a node without
// any such label accepts every volume (single-zone clusters).
func (pl *Plugin) Filter(ctx context.Context, cs fwk.CycleState, pod *corev1.Pod, nodeInfo fwk.NodeInfo) *fwk.Status {
	if len(pod.Spec.Volumes) == 0 {
		return nil
	}
	logger := klog.FromContext(ctx)
	var tops []pvTopology
	if st, err := helper.ReadState[*stateData](cs, preFilterStateKey); err == nil {
		tops = st.topologies
	} else {
		var s *fwk.Status
		if tops, s = pl.podTopologies(logger, pod); !s.IsSuccess() {
			return s
		}
	}
	node := nodeInfo.Node()
	constrained := false
	for _, l := range topologyLabels {
		if _, ok := node.Labels[l]; ok {
			constrained = true
			break
		}
	}
	if !constrained {
		return nil
	}
	for _, t := range tops {
		v, ok := node.Labels[t.key]
		if !ok {
			// A volume's beta label matches the node's GA one.
			v, ok = node.Labels[toGA(t.key)]
		}
		if !ok || !t.values.Has(v) {
			logger.V(10).Info("Won't schedule pod onto node due to volume (mismatch on label key)", "pod", klog.KObj(pod), "node", klog.KObj(node), "PV", klog.KRef("", t.pvName), "PVLabelKey", t.key)
			return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonConflict)
		}
	}
	return nil
}

func toGA(label string) string {
	switch label {
	case corev1.LabelFailureDomainBetaRegion:
		return corev1.LabelTopologyRegion
	case corev1.LabelFailureDomainBetaZone:
		return corev1.LabelTopologyZone
	}
	return label
}

// labelZonesToSet splits a zone label value on "__" (several zones); no part may be empty.
func labelZonesToSet(value string) (sets.Set[string], error) {
	out := sets.New[string]()
	for _, z := range strings.Split(value, "__") {
		z = strings.TrimSpace(z)
		if z == "" {
			return sets.New[string](), fmt.Errorf("%q separated list (%q) must not contain an empty string", "__", value)
		}
		out.Insert(z)
	}
	return out, nil
}
