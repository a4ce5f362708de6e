package volumezone

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	listersv1 "k8s.io/client-go/listers/core/v1"
	storagelisters "k8s.io/client-go/listers/storage/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
)

func newPlugin(t *testing.T, objs ...runtime.Object) *Plugin {
	t.Helper()
	idx := func() cache.Indexer {
		return cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	}
	pvs, pvcs, classes := idx(), idx(), idx()
	for _, o := range objs {
		target := pvs
		switch o.(type) {
		case *corev1.PersistentVolumeClaim:
			target = pvcs
		case *storagev1.StorageClass:
			target = classes
		}
		if err := target.Add(o); err != nil {
			t.Fatal(err)
		}
	}
	return &Plugin{pvLister: listersv1.NewPersistentVolumeLister(pvs), pvcLister: listersv1.NewPersistentVolumeClaimLister(pvcs), classLister: storagelisters.NewStorageClassLister(classes)}
}

func claim(name, volume, class string) *corev1.PersistentVolumeClaim {
	c := &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"}, Spec: corev1.PersistentVolumeClaimSpec{VolumeName: volume}}
	if class != "" {
		c.Spec.StorageClassName = &class
	}
	return c
}

func pv(name string, labels map[string]string) *corev1.PersistentVolume {
	return &corev1.PersistentVolume{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
}

func sc(name string, mode *storagev1.VolumeBindingMode) *storagev1.StorageClass {
	return &storagev1.StorageClass{ObjectMeta: metav1.ObjectMeta{Name: name}, VolumeBindingMode: mode}
}

func podWith(claims ...string) *corev1.Pod {
	p := pt.MakePod("p").Obj()
	for _, c := range claims {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: c, VolumeSource: corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: c}}})
	}
	return p
}

func TestFilter(t *testing.T) {
	wffc, imm := storagev1.VolumeBindingWaitForFirstConsumer, storagev1.VolumeBindingImmediate
	zoneA := pt.MakeNode("a").Label(corev1.LabelTopologyZone, "us-a").Label(corev1.LabelTopologyRegion, "us").Obj()
	betaB := pt.MakeNode("b").Label(corev1.LabelFailureDomainBetaZone, "us-b").Obj()
	plain := pt.MakeNode("plain").Obj()
	conflict := fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonConflict)
	tests := []struct {
		name    string
		pod     *corev1.Pod
		objs    []runtime.Object
		wantPre *fwk.Status
		want    map[string]*fwk.Status
	}{
		{name: "no claims", pod: pt.MakePod("p").Obj(), wantPre: fwk.NewStatus(fwk.Skip)},
		{name: "missing claim", pod: podWith("data"), wantPre: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, `persistentvolumeclaim "data" not found`)},
		{name: "missing volume", pod: podWith("data"), objs: []runtime.Object{claim("data", "pv1", "")},
			wantPre: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, `persistentvolume "pv1" not found`)},
		{name: "unbound, no class", pod: podWith("data"), objs: []runtime.Object{claim("data", "", "")},
			wantPre: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "PersistentVolumeClaim had no pv name and storageClass name")},
		{name: "unbound, WaitForFirstConsumer", pod: podWith("data"), objs: []runtime.Object{claim("data", "", "local"), sc("local", &wffc)},
			wantPre: fwk.NewStatus(fwk.Skip)},
		{name: "unbound, Immediate", pod: podWith("data"), objs: []runtime.Object{claim("data", "", "std"), sc("std", &imm)},
			wantPre: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "PersistentVolume had no name")},
		{name: "unbound, class without mode", pod: podWith("data"), objs: []runtime.Object{claim("data", "", "odd"), sc("odd", nil)},
			wantPre: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, `VolumeBindingMode not set for StorageClass "odd"`)},
		{name: "volume without topology", pod: podWith("data"), objs: []runtime.Object{claim("data", "pv1", ""), pv("pv1", nil)},
			wantPre: fwk.NewStatus(fwk.Skip)},
		{name: "volume in zone us-a", pod: podWith("data"),
			objs: []runtime.Object{claim("data", "pv1", ""), pv("pv1", map[string]string{corev1.LabelTopologyZone: "us-a"})},
			want: map[string]*fwk.Status{"b": conflict}},
		{name: "beta volume label matches the GA node label", pod: podWith("data"),
			objs: []runtime.Object{claim("data", "pv1", ""), pv("pv1", map[string]string{corev1.LabelFailureDomainBetaZone: "us-a"})},
			want: map[string]*fwk.Status{"b": conflict}},
		{name: "multi-zone volume", pod: podWith("data"),
			objs: []runtime.Object{claim("data", "pv1", ""), pv("pv1", map[string]string{corev1.LabelFailureDomainBetaZone: "us-a__us-b"})}},
		{name: "region mismatch", pod: podWith("data"),
			objs: []runtime.Object{claim("data", "pv1", ""), pv("pv1", map[string]string{corev1.LabelTopologyRegion: "eu"})},
			want: map[string]*fwk.Status{"a": conflict, "b": conflict}},
		{name: "unparsable label ignored", pod: podWith("data"),
			objs: []runtime.Object{claim("data", "pv1", ""), pv("pv1", map[string]string{corev1.LabelTopologyZone: "us-a__"})}, wantPre: fwk.NewStatus(fwk.Skip)},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := newPlugin(t, tt.objs...)
			cs := cyclestate.New()
			_, s := pl.PreFilter(ctx, cs, tt.pod, nil)
			if tt.wantPre != nil {
				if !s.Equal(tt.wantPre) {
					t.Fatalf("PreFilter = %v, want %v", s, tt.wantPre)
				}
				return
			}
			if !s.IsSuccess() {
				t.Fatalf("PreFilter = %v", s)
			}
			for _, n := range []*corev1.Node{zoneA, betaB, plain} {
				if got := pl.Filter(ctx, cs, tt.pod, pt.NodeInfo(n)); !got.Equal(tt.want[n.Name]) {
					t.Errorf("Filter(%s) = %v, want %v", n.Name, got, tt.want[n.Name])
				}
			}
		})
	}
}

func TestHints(t *testing.T) {
	logger := klog.Background()
	pod := podWith("data")
	wffc := storagev1.VolumeBindingWaitForFirstConsumer
	if h, _ := isSchedulableAfterStorageClassAdded(logger, pod, nil, sc("x", &wffc)); h != fwk.Queue {
		t.Errorf("WaitForFirstConsumer class: %v", h)
	}
	if h, _ := isSchedulableAfterStorageClassAdded(logger, pod, nil, sc("x", nil)); h != fwk.QueueSkip {
		t.Errorf("class without mode: %v", h)
	}
	if h, _ := isSchedulableAfterPVCChange(logger, pod, nil, claim("data", "", "")); h != fwk.Queue {
		t.Errorf("pod's claim: %v", h)
	}
	if h, _ := isSchedulableAfterPVCChange(logger, pod, nil, claim("x", "", "")); h != fwk.QueueSkip {
		t.Errorf("other claim: %v", h)
	}
	a := pv("pv", map[string]string{corev1.LabelTopologyZone: "a"})
	b := pv("pv", map[string]string{corev1.LabelTopologyZone: "b"})
	if h, _ := isSchedulableAfterPVChange(logger, pod, a, b); h != fwk.Queue {
		t.Errorf("zone change: %v", h)
	}
	if h, _ := isSchedulableAfterPVChange(logger, pod, a, a.DeepCopy()); h != fwk.QueueSkip {
		t.Errorf("no topology change: %v", h)
	}
}
