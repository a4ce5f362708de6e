package kubelet

import (
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestParseMemTotal(t *testing.T) {
	got, err := parseMemTotal([]byte("MemFree: 1 kB\nMemTotal:       16384 kB\n"))
	if err != nil || got != 16384*1024 {
		t.Errorf("got %d %v", got, err)
	}
	if _, err := parseMemTotal([]byte("nothing")); err == nil {
		t.Error("no error without MemTotal")
	}
}

func TestNodeConditions(t *testing.T) {
	t0 := metav1.NewTime(time.Unix(100, 0))
	t1 := metav1.NewTime(time.Unix(200, 0))
	ready := nodeConditions(nil, "", pressure{}, t0)
	if len(ready) != 4 || ready[3].Type != corev1.NodeReady || ready[3].Status != corev1.ConditionTrue ||
		ready[3].Reason != "KubeletReady" || ready[3].Message != "kubelet is posting ready status" {
		t.Fatalf("conditions %+v", ready)
	}
	for _, c := range ready[:3] {
		if c.Status != corev1.ConditionFalse || c.Reason == "" {
			t.Errorf("pressure condition %+v", c)
		}
	}
	same := nodeConditions(ready, "", pressure{}, t1)
	if !same[3].LastTransitionTime.Equal(&t0) || !same[3].LastHeartbeatTime.Equal(&t1) {
		t.Errorf("unchanged Ready moved its transition time: %+v", same[3])
	}
	notReady := nodeConditions(same, "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:cni", pressure{}, t1)
	if r := notReady[3]; r.Status != corev1.ConditionFalse || r.Reason != "KubeletNotReady" || !r.LastTransitionTime.Equal(&t1) {
		t.Errorf("not ready %+v", r)
	}
}

func TestPressureConditions(t *testing.T) {
	now := metav1.NewTime(time.Unix(100, 0))
	conds := nodeConditions(nil, "", pressure{memory: true, disk: true}, now)
	for i, want := range []struct {
		typ    corev1.NodeConditionType
		reason string
	}{{corev1.NodeMemoryPressure, "KubeletHasInsufficientMemory"}, {corev1.NodeDiskPressure, "KubeletHasDiskPressure"}} {
		if c := conds[i]; c.Type != want.typ || c.Status != corev1.ConditionTrue || c.Reason != want.reason {
			t.Errorf("condition %d = %+v, want %s True %s", i, c, want.typ, want.reason)
		}
	}
	if c := conds[2]; c.Type != corev1.NodePIDPressure || c.Status != corev1.ConditionFalse {
		t.Errorf("PIDPressure = %+v", c)
	}
}

func TestPressureFrom(t *testing.T) {
	const mi = 1 << 20
	tests := []struct {
		name                                    string
		memAvailable                            int64
		blocksAvail, blocks, inodesFree, inodes uint64
		want                                    pressure
	}{
		{"plenty", 4096 * mi, 500, 1000, 500, 1000, pressure{}},
		{"memory just above 100Mi", 101 * mi, 500, 1000, 500, 1000, pressure{}},
		{"memory below 100Mi", 99 * mi, 500, 1000, 500, 1000, pressure{memory: true}},
		{"disk below 10%", 4096 * mi, 99, 1000, 500, 1000, pressure{disk: true}},
		{"disk at 10%", 4096 * mi, 100, 1000, 500, 1000, pressure{}},
		{"inodes below 5%", 4096 * mi, 500, 1000, 49, 1000, pressure{disk: true}},
		{"no inode count (some file systems)", 4096 * mi, 500, 1000, 0, 0, pressure{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := pressureFrom(tt.memAvailable, tt.blocksAvail, tt.blocks, tt.inodesFree, tt.inodes); got != tt.want {
				t.Errorf("pressureFrom = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestMeasurePressureOnThisHost(t *testing.T) {
	if _, err := measurePressure("/proc/meminfo", t.TempDir()); err != nil {
		t.Fatal(err)
	}
	if _, err := parseMeminfo([]byte("MemTotal: 1 kB\n"), meminfoAvailableName); err == nil {
		t.Error("a meminfo without MemAvailable gave no error")
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*Options)
		ok     bool
	}{
		{"defaults", func(*Options) {}, true},
		{"bad node name", func(o *Options) { o.NodeName = "Bad_Name" }, false},
		{"bad cidr", func(o *Options) { o.PodCIDR = "10.0.0.0/33" }, false},
		{"dual stack cidr", func(o *Options) { o.PodCIDR = "10.244.1.0/24,fd00::/64" }, true},
		{"bad node ip", func(o *Options) { o.NodeIP = "nope" }, false},
		{"bad dns", func(o *Options) { o.ClusterDNS = []string{"x"} }, false},
		{"taint", func(o *Options) { o.RegisterWithTaints = []string{"a=b:NoSchedule", "c:NoExecute"} }, true},
		{"bad taint effect", func(o *Options) { o.RegisterWithTaints = []string{"a=b:Sometimes"} }, false},
		{"renew too slow", func(o *Options) { o.LeaseRenewInterval = time.Minute }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOptions()
			o.NodeName = "node-1"
			tt.modify(o)
			if err := o.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
	o := NewOptions()
	o.RegisterWithTaints = []string{"a=b:NoSchedule", "c:NoExecute"}
	taints, err := o.Taints()
	if err != nil || len(taints) != 2 || taints[0].Key != "a" || taints[0].Value != "b" || taints[1].Key != "c" || taints[1].Effect != corev1.TaintEffectNoExecute {
		t.Errorf("taints %+v %v", taints, err)
	}
}
