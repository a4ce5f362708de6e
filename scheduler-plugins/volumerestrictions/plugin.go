package volumerestrictions

import (
	"context"
	"errors"
	"slices"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/sets"
	listersv1 "k8s.io/client-go/listers/core/v1"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

const (
	// Name is the plugin's name in the registry and in configurations.
	Name = "VolumeRestrictions"
	// ErrReasonDiskConflict is the Filter reason for a conflicting disk.
	ErrReasonDiskConflict = "node(s) had no available disk"
	// ErrReasonReadWriteOncePodConflict is the Filter reason for a ReadWriteOncePod claim in use.
	ErrReasonReadWriteOncePodConflict = "node(s) unavailable due to PersistentVolumeClaim with ReadWriteOncePod access mode already in-use by another pod"

	preFilterStateKey fwk.StateKey = "PreFilter" + Name
)

// Plugin checks volume restrictions.
type Plugin struct {
	pvcLister listersv1.PersistentVolumeClaimLister
	h         fwk.Handle
}

var (
	_ fwk.PreFilterPlugin     = &Plugin{}
	_ fwk.PreFilterExtensions = &Plugin{}
	_ fwk.FilterPlugin        = &Plugin{}
	_ fwk.EnqueueExtensions   = &Plugin{}
	_ fwk.SignPlugin          = &Plugin{}
)

// New returns the plugin; it takes no args and reads claims from the informer factory.
func New(_ context.Context, _ runtime.Object, h fwk.Handle) (fwk.Plugin, error) {
	f := h.SharedInformerFactory()
	if f == nil {
		return nil, errors.New("SharedInformerFactory is nil")
	}
	return &Plugin{pvcLister: f.Core().V1().PersistentVolumeClaims().Lister(), h: h}, nil
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// SignPod: the result depends on the pod's volumes.
func (*Plugin) SignPod(_ context.Context, pod *corev1.Pod) ([]fwk.SignFragment, *fwk.Status) {
	return []fwk.SignFragment{{Key: fwk.VolumesSignerName, Value: fwk.VolumesSigner(pod)}}, nil
}

// preFilterState is the pod's ReadWriteOncePod claims and how many scheduled pods use them.
type preFilterState struct {
	rwopClaims sets.Set[string]
	conflicts  int
}

func (s *preFilterState) Clone() fwk.StateData {
	if s == nil {
		return nil
	}
	c := *s
	return &c
}

// countFor is how many of the pod's ReadWriteOncePod claims pod uses.
func (s *preFilterState) countFor(pod *corev1.Pod) int {
	n := 0
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim != nil && s.rwopClaims.Has(v.PersistentVolumeClaim.ClaimName) {
			n++
		}
	}
	return n
}

// PreFilter finds the pod's ReadWriteOncePod claims already used by scheduled pods. A
// missing claim makes the pod unschedulable; Skip when there is nothing to check.
func (pl *Plugin) PreFilter(_ context.Context, cs fwk.CycleState, pod *corev1.Pod, _ []fwk.NodeInfo) (*fwk.PreFilterResult, *fwk.Status) {
	needsDiskCheck := slices.ContainsFunc(pod.Spec.Volumes, needsRestrictionsCheck)
	s := &preFilterState{rwopClaims: sets.New[string]()}
	for _, v := range pod.Spec.Volumes {
		if v.PersistentVolumeClaim == nil {
			continue
		}
		pvc, err := pl.pvcLister.PersistentVolumeClaims(pod.Namespace).Get(v.PersistentVolumeClaim.ClaimName)
		if err != nil {
			if apierrors.IsNotFound(err) {
				return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, err.Error())
			}
			return nil, fwk.AsStatus(err)
		}
		if slices.Contains(pvc.Spec.AccessModes, corev1.ReadWriteOncePod) {
			s.rwopClaims.Insert(pvc.Name)
		}
	}
	storage := pl.h.SnapshotSharedLister().StorageInfos()
	for name := range s.rwopClaims {
		// At most one pod can be using a ReadWriteOncePod claim.
		if storage.IsPVCUsedByPods(pod.Namespace + "/" + name) {
			s.conflicts++
		}
	}
	if !needsDiskCheck && s.conflicts == 0 {
		return nil, fwk.NewStatus(fwk.Skip)
	}
	cs.Write(preFilterStateKey, s)
	return nil, nil
}

// PreFilterExtensions returns the plugin: preemption's pod removals change the count.
func (pl *Plugin) PreFilterExtensions() fwk.PreFilterExtensions { return pl }

// AddPod counts the pod's uses of the ReadWriteOncePod claims.
func (*Plugin) AddPod(_ context.Context, cs fwk.CycleState, _ *corev1.Pod, add fwk.PodInfo, _ fwk.NodeInfo) *fwk.Status {
	s, err := helper.ReadState[*preFilterState](cs, preFilterStateKey)
	if err != nil {
		return fwk.AsStatus(err)
	}
	s.conflicts += s.countFor(add.GetPod())
	return nil
}

// RemovePod uncounts the pod's uses of the ReadWriteOncePod claims.
func (*Plugin) RemovePod(_ context.Context, cs fwk.CycleState, _ *corev1.Pod, remove fwk.PodInfo, _ fwk.NodeInfo) *fwk.Status {
	s, err := helper.ReadState[*preFilterState](cs, preFilterStateKey)
	if err != nil {
		return fwk.AsStatus(err)
	}
	s.conflicts -= s.countFor(remove.GetPod())
	return nil
}

// Filter rejects a node where a pod mounts one of the pod's disks in a conflicting way, and
// every node while a ReadWriteOncePod claim of the pod is in use.
func (*Plugin) Filter(_ context.Context, cs fwk.CycleState, pod *corev1.Pod, nodeInfo fwk.NodeInfo) *fwk.Status {
	pods := nodeInfo.GetPods()
	for i := range pod.Spec.Volumes {
		v := &pod.Spec.Volumes[i]
		if !needsRestrictionsCheck(*v) {
			continue
		}
		for _, e := range pods {
			if volumeConflict(v, e.GetPod()) {
				return fwk.NewStatus(fwk.Unschedulable, ErrReasonDiskConflict)
			}
		}
	}
	s, err := helper.ReadState[*preFilterState](cs, preFilterStateKey)
	if err != nil {
		return fwk.AsStatus(err)
	}
	if s.conflicts > 0 {
		return fwk.NewStatus(fwk.Unschedulable, ErrReasonReadWriteOncePodConflict)
	}
	return nil
}
