package volumebinding

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	listersv1 "k8s.io/client-go/listers/core/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/internal/helper"
)

const (
	// Name is the plugin's name in the registry and in configurations.
	Name = "VolumeBinding"

	stateKey fwk.StateKey = Name
)

// Plugin checks, assumes and binds pods' PersistentVolumeClaims.
type Plugin struct {
	client          kubernetes.Interface
	pvcLister       listersv1.PersistentVolumeClaimLister
	classLister     storagelisters.StorageClassLister
	nodeLister      listersv1.NodeLister
	podLister       listersv1.PodLister
	csiDriverLister storagelisters.CSIDriverLister
	capacityLister  storagelisters.CSIStorageCapacityLister
	pvCache         *assumeCache[*corev1.PersistentVolume]
	pvcCache        *assumeCache[*corev1.PersistentVolumeClaim]
	bindTimeout     time.Duration
	// pollInterval is how often PreBind checks that the volume controller finished binding.
	pollInterval time.Duration
	scorer       scorer
}

var (
	_ fwk.PreFilterPlugin   = &Plugin{}
	_ fwk.FilterPlugin      = &Plugin{}
	_ fwk.PreScorePlugin    = &Plugin{}
	_ fwk.ScorePlugin       = &Plugin{}
	_ fwk.ReservePlugin     = &Plugin{}
	_ fwk.PreBindPlugin     = &Plugin{}
	_ fwk.EnqueueExtensions = &Plugin{}
	_ fwk.SignPlugin        = &Plugin{}
)

// New builds the plugin from *configv1.VolumeBindingArgs (nil: the defaults) with listers
// from the handle's informer factory.
func New(_ context.Context, obj runtime.Object, h fwk.Handle) (fwk.Plugin, error) {
	a, err := parseArgs(obj)
	if err != nil {
		return nil, err
	}
	f := h.SharedInformerFactory()
	if f == nil {
		return nil, errors.New("SharedInformerFactory is nil")
	}
	pvs := f.Core().V1().PersistentVolumes().Lister()
	pvcs := f.Core().V1().PersistentVolumeClaims().Lister()
	// CSINodes are read for in-tree volume migration upstream; skiff has no in-tree cloud
	// volumes, but the informer is kept so CSINode events are delivered as upstream.
	_ = f.Storage().V1().CSINodes().Informer()
	return &Plugin{
		client:          h.ClientSet(),
		pvcLister:       pvcs,
		classLister:     f.Storage().V1().StorageClasses().Lister(),
		nodeLister:      f.Core().V1().Nodes().Lister(),
		podLister:       f.Core().V1().Pods().Lister(),
		csiDriverLister: f.Storage().V1().CSIDrivers().Lister(),
		capacityLister:  f.Storage().V1().CSIStorageCapacities().Lister(),
		pvCache: newAssumeCache("PersistentVolume", pvs.Get, func() ([]*corev1.PersistentVolume, error) {
			return pvs.List(labels.Everything())
		}),
		pvcCache:     newAssumeCache("PersistentVolumeClaim", pvcGetter(pvcs), nil),
		bindTimeout:  a.bindTimeout,
		pollInterval: time.Second,
		scorer:       newScorer(a.shape),
	}, nil
}

// pvcGetter reads claims by "namespace/name".
func pvcGetter(l listersv1.PersistentVolumeClaimLister) func(string) (*corev1.PersistentVolumeClaim, error) {
	return func(key string) (*corev1.PersistentVolumeClaim, error) {
		ns, name, _ := strings.Cut(key, "/")
		return l.PersistentVolumeClaims(ns).Get(name)
	}
}

// Name returns Name.
func (*Plugin) Name() string { return Name }

// SignPod: the result depends on the pod's volumes.
func (*Plugin) SignPod(_ context.Context, pod *corev1.Pod) ([]fwk.SignFragment, *fwk.Status) {
	return []fwk.SignFragment{{Key: fwk.VolumesSignerName, Value: fwk.VolumesSigner(pod)}}, nil
}

// stateData is shared (not copied) by Clone: Filter fills it for each node concurrently.
type stateData struct {
	sync.Mutex
	allBound          bool
	claims            *podClaims
	byNode            map[string]*podVolumes
	hasStaticBindings bool
}

func (d *stateData) Clone() fwk.StateData { return d }

func getState(cs fwk.CycleState) (*stateData, error) {
	return helper.ReadState[*stateData](cs, stateKey)
}

// PreFilter sorts the pod's claims; Skip without claims. A missing, lost or deleting claim
// or an unbound Immediate one makes the pod unschedulable until the claim changes.
func (pl *Plugin) PreFilter(ctx context.Context, cs fwk.CycleState, pod *corev1.Pod, _ []fwk.NodeInfo) (*fwk.PreFilterResult, *fwk.Status) {
	has, err := pl.podHasPVCs(pod)
	if err != nil {
		return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, err.Error())
	}
	if !has {
		cs.Write(stateKey, &stateData{})
		return nil, fwk.NewStatus(fwk.Skip)
	}
	claims, err := pl.podVolumeClaims(klog.FromContext(ctx), pod)
	if err != nil {
		return nil, fwk.AsStatus(err)
	}
	if len(claims.unboundImmediate) > 0 {
		return nil, fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "pod has unbound immediate PersistentVolumeClaims")
	}
	cs.Write(stateKey, &stateData{claims: claims, byNode: map[string]*podVolumes{}})
	return nil, nil
}

// PreFilterExtensions: none.
func (*Plugin) PreFilterExtensions() fwk.PreFilterExtensions { return nil }

// Filter checks the pod's claims against the node and remembers how to bind them there.
func (pl *Plugin) Filter(ctx context.Context, cs fwk.CycleState, pod *corev1.Pod, nodeInfo fwk.NodeInfo) *fwk.Status {
	state, err := getState(cs)
	if err != nil {
		return fwk.AsStatus(err)
	}
	node := nodeInfo.Node()
	vols, reasons, err := pl.findPodVolumes(klog.FromContext(ctx), pod, state.claims, node)
	if err != nil {
		return fwk.AsStatus(err)
	}
	if len(reasons) > 0 {
		return fwk.NewStatus(fwk.UnschedulableAndUnresolvable, reasons...)
	}
	state.Lock()
	defer state.Unlock()
	state.byNode[node.Name] = vols
	state.hasStaticBindings = state.hasStaticBindings || len(vols.static) > 0
	return nil
}

// PreScore: with StorageCapacityScoring on (upstream v1.37's default) Score always runs.
func (pl *Plugin) PreScore(_ context.Context, cs fwk.CycleState, _ *corev1.Pod, _ []fwk.NodeInfo) *fwk.Status {
	if pl.scorer == nil {
		return fwk.NewStatus(fwk.Skip)
	}
	if _, err := getState(cs); err != nil {
		return fwk.AsStatus(err)
	}
	return nil
}

// Score prefers nodes by the storage utilization binding would cause: of the chosen static
// volumes if any, else of the CSI capacity volumes would be provisioned from.
func (pl *Plugin) Score(_ context.Context, cs fwk.CycleState, _ *corev1.Pod, nodeInfo fwk.NodeInfo) (int64, *fwk.Status) {
	if pl.scorer == nil {
		return 0, nil
	}
	state, err := getState(cs)
	if err != nil {
		return 0, fwk.AsStatus(err)
	}
	state.Lock()
	vols, ok := state.byNode[nodeInfo.Node().Name]
	state.Unlock()
	if !ok {
		return 0, nil
	}
	classes := map[string]*storageResource{}
	at := func(class string) *storageResource {
		if classes[class] == nil {
			classes[class] = &storageResource{}
		}
		return classes[class]
	}
	if len(vols.static) > 0 {
		for _, b := range vols.static {
			r := at(b.pv.Spec.StorageClassName)
			req, capacity := b.pvc.Spec.Resources.Requests[corev1.ResourceStorage], b.pv.Spec.Capacity[corev1.ResourceStorage]
			r.requested += req.Value()
			r.capacity += capacity.Value()
		}
	} else {
		for _, p := range vols.dynamic {
			if p.capacity == nil {
				continue
			}
			r := at(*p.pvc.Spec.StorageClassName)
			// Several claims may come from the same capacity: it counts once.
			r.capacity = 0
			if p.capacity.Capacity != nil {
				r.capacity = p.capacity.Capacity.Value()
			}
			req := p.pvc.Spec.Resources.Requests[corev1.ResourceStorage]
			r.requested += req.Value()
		}
	}
	return pl.scorer(classes), nil
}

// ScoreExtensions: none.
func (*Plugin) ScoreExtensions() fwk.ScoreExtensions { return nil }
