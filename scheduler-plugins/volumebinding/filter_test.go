package volumebinding

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	configv1 "k8s.io/kube-scheduler/config/v1"
	fwk "k8s.io/kube-scheduler/framework"
	"k8s.io/utils/ptr"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
)

const (
	wffc      = storagev1.VolumeBindingWaitForFirstConsumer
	immediate = storagev1.VolumeBindingImmediate
)

func TestPreFilterAndFilter(t *testing.T) {
	n1 := pt.MakeNode("n1").Label(corev1.LabelTopologyZone, "a").Obj()
	n2 := pt.MakeNode("n2").Label(corev1.LabelTopologyZone, "b").Obj()
	deleting := claim("data", "local")
	deleting.DeletionTimestamp = &metav1.Time{}
	lost := claim("data", "local")
	lost.Spec.VolumeName, lost.Status.Phase = "gone", corev1.ClaimLost
	selected := claim("data", "local")
	selected.Annotations = map[string]string{"volume.kubernetes.io/selected-node": "n2"}
	zonal := class("zonal", "skiff.sh/local-path", wffc)
	zonal.AllowedTopologies = []corev1.TopologySelectorTerm{{MatchLabelExpressions: []corev1.TopologySelectorLabelRequirement{{Key: corev1.LabelTopologyZone, Values: []string{"b"}}}}}
	big := claim("data", "csi")
	big.Spec.Resources.Requests[corev1.ResourceStorage] = resource.MustParse("10Gi")
	capacity := func(size string) *storagev1.CSIStorageCapacity {
		return &storagev1.CSIStorageCapacity{ObjectMeta: metav1.ObjectMeta{Name: "cap-" + size, Namespace: "kube-system"}, StorageClassName: "csi",
			NodeTopology: &metav1.LabelSelector{MatchLabels: map[string]string{corev1.LabelTopologyZone: "a"}}, Capacity: ptr.To(resource.MustParse(size))}
	}
	csiDriver := &storagev1.CSIDriver{ObjectMeta: metav1.ObjectMeta{Name: "csi.example.com"}, Spec: storagev1.CSIDriverSpec{StorageCapacity: ptr.To(true)}}

	tests := []struct {
		name     string
		pod      *corev1.Pod
		objs     []runtime.Object
		wantPre  *fwk.Status
		want     map[string]*fwk.Status // per node; missing means success
		wantVols map[string]string      // node -> "static:<pv>" or "dynamic"
	}{
		{name: "no claims", pod: pt.MakePod("p").Obj(), wantPre: fwk.NewStatus(fwk.Skip)},
		{name: "missing claim", pod: podWithClaims("data"),
			wantPre: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, `persistentvolumeclaim "data" not found`)},
		{name: "claim being deleted", pod: podWithClaims("data"), objs: []runtime.Object{deleting},
			wantPre: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, `persistentvolumeclaim "data" is being deleted`)},
		{name: "lost claim", pod: podWithClaims("data"), objs: []runtime.Object{lost},
			wantPre: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, `persistentvolumeclaim "data" bound to non-existent persistentvolume "gone"`)},
		{name: "unbound immediate claim", pod: podWithClaims("data"), objs: []runtime.Object{class("std", "p", immediate), claim("data", "std")},
			wantPre: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "pod has unbound immediate PersistentVolumeClaims")},
		{name: "unbound claim without class is immediate", pod: podWithClaims("data"), objs: []runtime.Object{claim("data", "")},
			wantPre: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, "pod has unbound immediate PersistentVolumeClaims")},
		{name: "bound claim, volume pinned to n1", pod: podWithClaims("data"),
			objs: []runtime.Object{boundTo(claim("data", "local"), "pv1"), pv("pv1", "local", "1Gi", "n1")},
			want: map[string]*fwk.Status{"n2": fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonNodeConflict)}},
		{name: "bound claim, volume gone", pod: podWithClaims("data"),
			objs: []runtime.Object{boundTo(claim("data", "local"), "pv1")},
			want: map[string]*fwk.Status{"n1": fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonPVNotExist), "n2": fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonPVNotExist)}},
		{name: "WaitForFirstConsumer, static volume on n1 only", pod: podWithClaims("data"),
			objs:     []runtime.Object{class("local", "kubernetes.io/no-provisioner", wffc), claim("data", "local"), pv("pv1", "local", "2Gi", "n1")},
			want:     map[string]*fwk.Status{"n2": fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonBindConflict)},
			wantVols: map[string]string{"n1": "static:pv1"}},
		{name: "WaitForFirstConsumer, smallest fitting volume", pod: podWithClaims("data"),
			objs:     []runtime.Object{class("local", "kubernetes.io/no-provisioner", wffc), claim("data", "local"), pv("big", "local", "5Gi"), pv("small", "local", "1Gi"), pv("tiny", "local", "500Mi")},
			wantVols: map[string]string{"n1": "static:small", "n2": "static:small"}},
		{name: "WaitForFirstConsumer, provisioned anywhere", pod: podWithClaims("data"),
			objs:     []runtime.Object{class("local", "skiff.sh/local-path", wffc), claim("data", "local")},
			wantVols: map[string]string{"n1": "dynamic", "n2": "dynamic"}},
		{name: "WaitForFirstConsumer, provisioning started for n2", pod: podWithClaims("data"),
			objs: []runtime.Object{class("local", "skiff.sh/local-path", wffc), selected},
			want: map[string]*fwk.Status{"n1": fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonBindConflict)}},
		{name: "allowed topologies", pod: podWithClaims("data"),
			objs: []runtime.Object{zonal, claim("data", "zonal")},
			want: map[string]*fwk.Status{"n1": fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonBindConflict)}},
		{name: "CSI capacity too small", pod: podWithClaims("data"),
			objs: []runtime.Object{class("csi", "csi.example.com", wffc), big, csiDriver, capacity("5Gi")},
			want: map[string]*fwk.Status{"n1": fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonNotEnoughSpace), "n2": fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonNotEnoughSpace)}},
		{name: "CSI capacity in zone a", pod: podWithClaims("data"),
			objs: []runtime.Object{class("csi", "csi.example.com", wffc), big, csiDriver, capacity("20Gi")},
			want: map[string]*fwk.Status{"n2": fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonNotEnoughSpace)}},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := newTestPlugin(t, tt.objs...)
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
			for _, n := range []*corev1.Node{n1, n2} {
				got := pl.Filter(ctx, cs, tt.pod, pt.NodeInfo(n))
				if want := tt.want[n.Name]; !got.Equal(want) {
					t.Errorf("Filter(%s) = %v, want %v", n.Name, got, want)
				}
			}
			state, _ := getState(cs)
			for node, want := range tt.wantVols {
				vols := state.byNode[node]
				got := "dynamic"
				if len(vols.static) > 0 {
					got = "static:" + vols.static[0].pv.Name
				} else if len(vols.dynamic) == 0 {
					got = "none"
				}
				if got != want {
					t.Errorf("volumes on %s = %s, want %s", node, got, want)
				}
			}
		})
	}
}

func TestReserveAssumesVolumes(t *testing.T) {
	ctx := context.Background()
	objs := []runtime.Object{class("local", "kubernetes.io/no-provisioner", wffc), claim("a", "local"), claim("b", "local"), pv("pv1", "local", "1Gi")}
	pl := newTestPlugin(t, objs...)
	node := pt.NodeInfo(pt.MakeNode("n1").Obj())

	podA := podWithClaims("a")
	cs := cyclestate.New()
	if _, s := pl.PreFilter(ctx, cs, podA, nil); !s.IsSuccess() {
		t.Fatal(s)
	}
	if s := pl.Filter(ctx, cs, podA, node); !s.IsSuccess() {
		t.Fatal(s)
	}
	if s := pl.Reserve(ctx, cs, podA, "n1"); !s.IsSuccess() {
		t.Fatal(s)
	}
	if r, s := pl.PreBindPreFlight(ctx, cs, podA, "n1"); !s.IsSuccess() || !r.AllowParallel {
		t.Errorf("PreBindPreFlight = %v, %v; want Success", r, s)
	}
	got, err := pl.pvCache.Get("pv1")
	if err != nil || got.Spec.ClaimRef == nil || got.Spec.ClaimRef.Name != "a" || got.Annotations["pv.kubernetes.io/bound-by-controller"] != "yes" {
		t.Fatalf("assumed pv1 = %+v, %v", got, err)
	}

	// The volume is taken for the next pod until Unreserve.
	podB := podWithClaims("b")
	podB.Name, podB.UID = "q", "q"
	csB := cyclestate.New()
	pl.PreFilter(ctx, csB, podB, nil)
	if s := pl.Filter(ctx, csB, podB, node); !s.Equal(fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonBindConflict)) {
		t.Errorf("Filter for the second pod = %v, want bind conflict", s)
	}
	pl.Unreserve(ctx, cs, podA, "n1")
	if got, _ := pl.pvCache.Get("pv1"); got.Spec.ClaimRef != nil {
		t.Errorf("Unreserve kept the assumed claimRef")
	}
	csB = cyclestate.New()
	pl.PreFilter(ctx, csB, podB, nil)
	if s := pl.Filter(ctx, csB, podB, node); !s.IsSuccess() {
		t.Errorf("Filter after Unreserve = %v", s)
	}
}

func TestReserveProvisioning(t *testing.T) {
	ctx := context.Background()
	pl := newTestPlugin(t, class("local", "skiff.sh/local-path", wffc), claim("data", "local"))
	pod := podWithClaims("data")
	cs := cyclestate.New()
	pl.PreFilter(ctx, cs, pod, nil)
	if s := pl.Filter(ctx, cs, pod, pt.NodeInfo(pt.MakeNode("n1").Obj())); !s.IsSuccess() {
		t.Fatal(s)
	}
	if s := pl.Reserve(ctx, cs, pod, "n1"); !s.IsSuccess() {
		t.Fatal(s)
	}
	got, _ := pl.pvcCache.Get("default/data")
	if got.Annotations["volume.kubernetes.io/selected-node"] != "n1" {
		t.Errorf("assumed claim annotations = %v", got.Annotations)
	}
	// Another pod using the same claim now may only go to n1.
	other := podWithClaims("data")
	other.Name, other.UID = "q", "q"
	cs2 := cyclestate.New()
	pl.PreFilter(ctx, cs2, other, nil)
	if s := pl.Filter(ctx, cs2, other, pt.NodeInfo(pt.MakeNode("n2").Obj())); !s.Equal(fwk.NewStatus(fwk.UnschedulableAndUnresolvable, ErrReasonBindConflict)) {
		t.Errorf("Filter(n2) = %v", s)
	}
}

func TestAllBoundSkipsPreBind(t *testing.T) {
	ctx := context.Background()
	pl := newTestPlugin(t, boundTo(claim("data", "local"), "pv1"), pv("pv1", "local", "1Gi"))
	pod := podWithClaims("data")
	cs := cyclestate.New()
	pl.PreFilter(ctx, cs, pod, nil)
	pl.Filter(ctx, cs, pod, pt.NodeInfo(pt.MakeNode("n1").Obj()))
	if s := pl.Reserve(ctx, cs, pod, "n1"); !s.IsSuccess() {
		t.Fatal(s)
	}
	if _, s := pl.PreBindPreFlight(ctx, cs, pod, "n1"); !s.IsSkip() {
		t.Errorf("PreBindPreFlight = %v, want Skip", s)
	}
	if s := pl.PreBind(ctx, cs, pod, "n1"); !s.IsSuccess() {
		t.Errorf("PreBind = %v", s)
	}
}

func TestScore(t *testing.T) {
	sc := newScorer([]configv1.UtilizationShapePoint{{Utilization: 0, Score: 10}, {Utilization: 100, Score: 0}})
	tests := []struct {
		name    string
		classes map[string]*storageResource
		want    int64
	}{
		{"nothing", nil, 0},
		{"half used", map[string]*storageResource{"a": {requested: 50, capacity: 100}}, 50},
		{"full", map[string]*storageResource{"a": {requested: 100, capacity: 100}}, 0},
		{"over capacity", map[string]*storageResource{"a": {requested: 200, capacity: 100}}, 0},
		{"averaged over classes", map[string]*storageResource{"a": {requested: 0, capacity: 100}, "b": {requested: 75, capacity: 100}}, 63},
	}
	for _, tt := range tests {
		if got := sc(tt.classes); got != tt.want {
			t.Errorf("%s: score = %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestArgs(t *testing.T) {
	tests := []struct {
		name    string
		in      *configv1.VolumeBindingArgs
		wantErr string
		want    int64 // bind timeout seconds
	}{
		{name: "defaults", want: 600},
		{name: "custom timeout", in: &configv1.VolumeBindingArgs{BindTimeoutSeconds: ptr.To[int64](5)}, want: 5},
		{name: "negative timeout", in: &configv1.VolumeBindingArgs{BindTimeoutSeconds: ptr.To[int64](-1)}, wantErr: "bindTimeoutSeconds: Invalid value: -1: invalid BindTimeoutSeconds, should not be a negative value"},
		{name: "unsorted shape", in: &configv1.VolumeBindingArgs{Shape: []configv1.UtilizationShapePoint{{Utilization: 50}, {Utilization: 10}}}, wantErr: "shape[1].utilization: Invalid value: 10: values must be sorted in increasing order"},
		{name: "score out of range", in: &configv1.VolumeBindingArgs{Shape: []configv1.UtilizationShapePoint{{Utilization: 50, Score: 11}}}, wantErr: "shape[0].score: Invalid value: 11: not in valid range [0, 10]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := parseArgs(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || int64(a.bindTimeout.Seconds()) != tt.want {
				t.Errorf("args = %+v, %v", a, err)
			}
		})
	}
}
