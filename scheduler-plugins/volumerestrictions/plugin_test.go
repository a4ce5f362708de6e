package volumerestrictions

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	listersv1 "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"

	pt "github.com/skiff-sh/skiff/scheduler-plugins/internal/plugintest"
	"github.com/skiff-sh/skiff/scheduler/cyclestate"
	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

func claim(name string, mode corev1.PersistentVolumeAccessMode) *corev1.PersistentVolumeClaim {
	return &corev1.PersistentVolumeClaim{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: corev1.PersistentVolumeClaimSpec{AccessModes: []corev1.PersistentVolumeAccessMode{mode}}}
}

func withVolumes(p *pt.PodWrapper, vols ...corev1.VolumeSource) *corev1.Pod {
	pod := p.Obj()
	for i, v := range vols {
		pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: string(rune('a' + i)), VolumeSource: v})
	}
	return pod
}

func pvcVol(name string) corev1.VolumeSource {
	return corev1.VolumeSource{PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: name}}
}

func gce(name string, ro bool) corev1.VolumeSource {
	return corev1.VolumeSource{GCEPersistentDisk: &corev1.GCEPersistentDiskVolumeSource{PDName: name, ReadOnly: ro}}
}

func newPlugin(t *testing.T, pods []*corev1.Pod, claims ...*corev1.PersistentVolumeClaim) *Plugin {
	t.Helper()
	idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for _, c := range claims {
		if err := idx.Add(c); err != nil {
			t.Fatal(err)
		}
	}
	snap := nodeinfo.NewSnapshot(pods, []*corev1.Node{pt.MakeNode("n1").Obj(), pt.MakeNode("n2").Obj()})
	return &Plugin{pvcLister: listersv1.NewPersistentVolumeClaimLister(idx), h: &pt.Handle{Lister: snap}}
}

func TestFilter(t *testing.T) {
	diskConflict := fwk.NewStatus(fwk.Unschedulable, ErrReasonDiskConflict)
	rwopConflict := fwk.NewStatus(fwk.Unschedulable, ErrReasonReadWriteOncePodConflict)
	rbd := func(mons []string, ro bool) corev1.VolumeSource {
		return corev1.VolumeSource{RBD: &corev1.RBDVolumeSource{CephMonitors: mons, RBDPool: "pool", RBDImage: "img", ReadOnly: ro}}
	}
	iscsi := func(iqn string, ro bool) corev1.VolumeSource {
		return corev1.VolumeSource{ISCSI: &corev1.ISCSIVolumeSource{IQN: iqn, ReadOnly: ro}}
	}
	ebs := corev1.VolumeSource{AWSElasticBlockStore: &corev1.AWSElasticBlockStoreVolumeSource{VolumeID: "vol-1"}}
	tests := []struct {
		name     string
		pod      *corev1.Pod
		existing []*corev1.Pod // on n1
		claims   []*corev1.PersistentVolumeClaim
		wantPre  *fwk.Status
		want     *fwk.Status // on n1
		wantN2   *fwk.Status
	}{
		{name: "no volumes", pod: pt.MakePod("p").Obj(), wantPre: fwk.NewStatus(fwk.Skip)},
		{name: "missing claim", pod: withVolumes(pt.MakePod("p"), pvcVol("data")),
			wantPre: fwk.NewStatus(fwk.UnschedulableAndUnresolvable, `persistentvolumeclaim "data" not found`)},
		{name: "ReadWriteOnce claim in use", pod: withVolumes(pt.MakePod("p"), pvcVol("data")),
			existing: []*corev1.Pod{withVolumes(pt.MakePod("e").Node("n1"), pvcVol("data"))},
			claims:   []*corev1.PersistentVolumeClaim{claim("data", corev1.ReadWriteOnce)}, wantPre: fwk.NewStatus(fwk.Skip)},
		{name: "ReadWriteOncePod claim unused", pod: withVolumes(pt.MakePod("p"), pvcVol("data")),
			claims: []*corev1.PersistentVolumeClaim{claim("data", corev1.ReadWriteOncePod)}, wantPre: fwk.NewStatus(fwk.Skip)},
		{name: "ReadWriteOncePod claim in use: every node", pod: withVolumes(pt.MakePod("p"), pvcVol("data")),
			existing: []*corev1.Pod{withVolumes(pt.MakePod("e").Node("n1"), pvcVol("data"))},
			claims:   []*corev1.PersistentVolumeClaim{claim("data", corev1.ReadWriteOncePod)}, want: rwopConflict, wantN2: rwopConflict},
		{name: "same GCE disk", pod: withVolumes(pt.MakePod("p"), gce("d", false)),
			existing: []*corev1.Pod{withVolumes(pt.MakePod("e").Node("n1"), gce("d", true))}, want: diskConflict},
		{name: "same GCE disk, both read-only", pod: withVolumes(pt.MakePod("p"), gce("d", true)),
			existing: []*corev1.Pod{withVolumes(pt.MakePod("e").Node("n1"), gce("d", true))}},
		{name: "other GCE disk", pod: withVolumes(pt.MakePod("p"), gce("d", false)),
			existing: []*corev1.Pod{withVolumes(pt.MakePod("e").Node("n1"), gce("x", false))}},
		{name: "same EBS volume", pod: withVolumes(pt.MakePod("p"), ebs),
			existing: []*corev1.Pod{withVolumes(pt.MakePod("e").Node("n1"), ebs)}, want: diskConflict},
		{name: "same iSCSI IQN", pod: withVolumes(pt.MakePod("p"), iscsi("iqn", false)),
			existing: []*corev1.Pod{withVolumes(pt.MakePod("e").Node("n1"), iscsi("iqn", false))}, want: diskConflict},
		{name: "RBD with an overlapping monitor", pod: withVolumes(pt.MakePod("p"), rbd([]string{"a", "b"}, false)),
			existing: []*corev1.Pod{withVolumes(pt.MakePod("e").Node("n1"), rbd([]string{"b", "c"}, false))}, want: diskConflict},
		{name: "RBD without common monitors", pod: withVolumes(pt.MakePod("p"), rbd([]string{"a"}, false)),
			existing: []*corev1.Pod{withVolumes(pt.MakePod("e").Node("n1"), rbd([]string{"c"}, false))}},
	}
	ctx := context.Background()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl := newPlugin(t, tt.existing, tt.claims...)
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
			nodes, _ := pl.h.SnapshotSharedLister().NodeInfos().List()
			if got := pl.Filter(ctx, cs, tt.pod, nodes[0]); !got.Equal(tt.want) {
				t.Errorf("Filter(n1) = %v, want %v", got, tt.want)
			}
			if got := pl.Filter(ctx, cs, tt.pod, nodes[1]); !got.Equal(tt.wantN2) {
				t.Errorf("Filter(n2) = %v, want %v", got, tt.wantN2)
			}
		})
	}
}

func TestRemovePodLiftsReadWriteOncePodConflict(t *testing.T) {
	ctx := context.Background()
	user := withVolumes(pt.MakePod("e").Node("n1"), pvcVol("data"))
	pl := newPlugin(t, []*corev1.Pod{user}, claim("data", corev1.ReadWriteOncePod))
	pod := withVolumes(pt.MakePod("p"), pvcVol("data"))
	cs := cyclestate.New()
	if _, s := pl.PreFilter(ctx, cs, pod, nil); !s.IsSuccess() {
		t.Fatal(s)
	}
	ni, _ := pl.h.SnapshotSharedLister().NodeInfos().Get("n1")
	pi, _ := nodeinfo.NewPodInfo(user)
	copied := cs.Clone()
	if s := pl.RemovePod(ctx, copied, pod, pi, ni); !s.IsSuccess() {
		t.Fatal(s)
	}
	if s := pl.Filter(ctx, copied, pod, ni); !s.IsSuccess() {
		t.Errorf("Filter after removing the user = %v", s)
	}
	if s := pl.Filter(ctx, cs, pod, ni); s.IsSuccess() {
		t.Error("the original state changed with the clone")
	}
	if s := pl.AddPod(ctx, copied, pod, pi, ni); !s.IsSuccess() {
		t.Fatal(s)
	}
	if s := pl.Filter(ctx, copied, pod, ni); s.IsSuccess() {
		t.Error("Filter after adding the user back succeeded")
	}
}

func TestHints(t *testing.T) {
	logger := klog.Background()
	pod := withVolumes(pt.MakePod("p"), pvcVol("data"), gce("d", false))
	tests := []struct {
		name    string
		deleted *corev1.Pod
		want    fwk.QueueingHint
	}{
		{"conflicting disk", withVolumes(pt.MakePod("e").Node("n1"), gce("d", false)), fwk.Queue},
		{"same claim", withVolumes(pt.MakePod("e").Node("n1"), pvcVol("data")), fwk.Queue},
		{"unrelated", withVolumes(pt.MakePod("e").Node("n1"), pvcVol("other")), fwk.QueueSkip},
		{"other namespace", withVolumes(pt.MakePod("e").Namespace("x").Node("n1"), pvcVol("data")), fwk.QueueSkip},
	}
	for _, tt := range tests {
		if got, err := isSchedulableAfterAssignedPodDeleted(logger, pod, tt.deleted, nil); err != nil || got != tt.want {
			t.Errorf("%s: hint = %v, %v; want %v", tt.name, got, err, tt.want)
		}
	}
	if got, _ := isSchedulableAfterPVCAdded(logger, pod, nil, claim("data", corev1.ReadWriteOnce)); got != fwk.Queue {
		t.Errorf("the pod's claim created: %v", got)
	}
	if got, _ := isSchedulableAfterPVCAdded(logger, pod, nil, claim("other", corev1.ReadWriteOnce)); got != fwk.QueueSkip {
		t.Errorf("another claim created: %v", got)
	}
}
