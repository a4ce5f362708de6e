package nodeinfo

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"
	fwk "k8s.io/kube-scheduler/framework"
)

func pod(name, node string, cpu, mem string, mut ...func(*corev1.Pod)) *corev1.Pod {
	c := corev1.Container{Name: "c"}
	if cpu != "" || mem != "" {
		c.Resources.Requests = corev1.ResourceList{}
		if cpu != "" {
			c.Resources.Requests[corev1.ResourceCPU] = resource.MustParse(cpu)
		}
		if mem != "" {
			c.Resources.Requests[corev1.ResourceMemory] = resource.MustParse(mem)
		}
	}
	p := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "ns", UID: types.UID(name)},
		Spec:       corev1.PodSpec{NodeName: node, Containers: []corev1.Container{c}},
	}
	for _, m := range mut {
		m(p)
	}
	return p
}

func withHostPort(port int32) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Spec.Containers[0].Ports = []corev1.ContainerPort{{HostPort: port, ContainerPort: port}}
	}
}

func withPVC(claim string) func(*corev1.Pod) {
	return func(p *corev1.Pod) {
		p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: claim, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: claim}}})
	}
}

func withAntiAffinity(p *corev1.Pod) {
	p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "a"}},
			TopologyKey:   "kubernetes.io/hostname",
		}},
	}}
}

func TestNodeInfoAddRemove(t *testing.T) {
	tests := []struct {
		name                       string
		pods                       []*corev1.Pod
		remove                     *corev1.Pod
		wantCPU, wantMem           int64
		wantNon0CPU, wantNon0Mem   int64
		wantPods, wantAnti, wantAf int
		wantPorts                  int
		wantPVC                    map[string]int
	}{
		{
			name:        "requests summed",
			pods:        []*corev1.Pod{pod("a", "n", "500m", "1Gi"), pod("b", "n", "250m", "")},
			wantCPU:     750,
			wantMem:     1 << 30,
			wantNon0CPU: 750,
			wantNon0Mem: 1<<30 + DefaultMemoryRequest,
			wantPods:    2,
			wantPVC:     map[string]int{},
		},
		{
			name:        "no requests count as defaults in non-zero only",
			pods:        []*corev1.Pod{pod("a", "n", "", "")},
			wantNon0CPU: DefaultMilliCPURequest,
			wantNon0Mem: DefaultMemoryRequest,
			wantPods:    1,
			wantPVC:     map[string]int{},
		},
		{
			name:        "ports, claims and affinity tracked",
			pods:        []*corev1.Pod{pod("a", "n", "1", "", withHostPort(80), withPVC("data"), withAntiAffinity), pod("b", "n", "1", "", withPVC("data"))},
			wantCPU:     2000,
			wantNon0CPU: 2000,
			wantNon0Mem: 2 * DefaultMemoryRequest,
			wantPods:    2, wantAnti: 1, wantAf: 1, wantPorts: 1,
			wantPVC: map[string]int{"ns/data": 2},
		},
		{
			name:        "remove undoes add",
			pods:        []*corev1.Pod{pod("a", "n", "1", "", withHostPort(80), withPVC("data"), withAntiAffinity), pod("b", "n", "1", "", withPVC("data"))},
			remove:      pod("a", "n", "1", "", withHostPort(80), withPVC("data"), withAntiAffinity),
			wantCPU:     1000,
			wantNon0CPU: 1000,
			wantNon0Mem: DefaultMemoryRequest,
			wantPods:    1,
			wantPVC:     map[string]int{"ns/data": 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ni := NewNodeInfo(tt.pods...)
			gen := ni.GetGeneration()
			if tt.remove != nil {
				if err := ni.RemovePod(klog.Background(), tt.remove); err != nil {
					t.Fatal(err)
				}
				if ni.GetGeneration() <= gen {
					t.Errorf("generation not bumped by RemovePod")
				}
			}
			r, nz := ni.GetRequested(), ni.GetNonZeroRequested()
			if r.GetMilliCPU() != tt.wantCPU || r.GetMemory() != tt.wantMem {
				t.Errorf("requested = %d/%d, want %d/%d", r.GetMilliCPU(), r.GetMemory(), tt.wantCPU, tt.wantMem)
			}
			if nz.GetMilliCPU() != tt.wantNon0CPU || nz.GetMemory() != tt.wantNon0Mem {
				t.Errorf("non-zero = %d/%d, want %d/%d", nz.GetMilliCPU(), nz.GetMemory(), tt.wantNon0CPU, tt.wantNon0Mem)
			}
			if len(ni.GetPods()) != tt.wantPods || len(ni.GetPodsWithRequiredAntiAffinity()) != tt.wantAnti || len(ni.GetPodsWithAffinity()) != tt.wantAf {
				t.Errorf("pods/anti/affinity = %d/%d/%d", len(ni.GetPods()), len(ni.GetPodsWithRequiredAntiAffinity()), len(ni.GetPodsWithAffinity()))
			}
			if ni.GetUsedPorts().Len() != tt.wantPorts {
				t.Errorf("ports = %d, want %d", ni.GetUsedPorts().Len(), tt.wantPorts)
			}
			if len(ni.GetPVCRefCounts()) != len(tt.wantPVC) {
				t.Errorf("pvc = %v, want %v", ni.GetPVCRefCounts(), tt.wantPVC)
			}
			for k, v := range tt.wantPVC {
				if ni.GetPVCRefCounts()[k] != v {
					t.Errorf("pvc[%s] = %d, want %d", k, ni.GetPVCRefCounts()[k], v)
				}
			}
		})
	}
}

func TestRemoveMissingPod(t *testing.T) {
	ni := NewNodeInfo()
	ni.SetNode(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}})
	if err := ni.RemovePod(klog.Background(), pod("x", "n", "", "")); err == nil {
		t.Fatal("want error removing a pod that is not there")
	}
}

func TestSetNodeAndSnapshotIndependence(t *testing.T) {
	ni := NewNodeInfo(pod("a", "n", "1", "", withHostPort(80)))
	ni.SetNode(&corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}, Status: corev1.NodeStatus{Allocatable: corev1.ResourceList{
		corev1.ResourceCPU: resource.MustParse("4"), corev1.ResourcePods: resource.MustParse("110"),
		"example.com/gpu": resource.MustParse("2"), corev1.ResourceMemory: resource.MustParse("8Gi"),
	}}})
	a := ni.GetAllocatable()
	if a.GetMilliCPU() != 4000 || a.GetAllowedPodNumber() != 110 || a.GetScalarResources()["example.com/gpu"] != 2 || a.GetMemory() != 8<<30 {
		t.Fatalf("allocatable = %+v", a)
	}
	snap := ni.Snapshot()
	ni.AddPod(pod("b", "n", "1", "", withHostPort(81)))
	if len(snap.GetPods()) != 1 || snap.GetUsedPorts().Len() != 1 || snap.GetRequested().GetMilliCPU() != 1000 {
		t.Errorf("snapshot changed with the original: pods %d ports %d cpu %d", len(snap.GetPods()), snap.GetUsedPorts().Len(), snap.GetRequested().GetMilliCPU())
	}
	if snap.GetGeneration() == ni.GetGeneration() {
		t.Errorf("generation should differ after AddPod")
	}
}

func TestIsScalarResourceName(t *testing.T) {
	for name, want := range map[corev1.ResourceName]bool{
		"cpu": false, "memory": false, "example.com/gpu": true, "hugepages-2Mi": true,
		"attachable-volumes-aws-ebs": true, "kubernetes.io/batch": true, "requests.example.com/x": false,
	} {
		if got := IsScalarResourceName(name); got != want {
			t.Errorf("IsScalarResourceName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestPodInfoTerms(t *testing.T) {
	p := pod("a", "", "", "", withAntiAffinity)
	pi, err := NewPodInfo(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(pi.GetRequiredAntiAffinityTerms()) != 1 || !pi.GetRequiredAntiAffinityTerms()[0].Namespaces.Has("ns") {
		t.Errorf("anti-affinity terms = %+v", pi.GetRequiredAntiAffinityTerms())
	}
	bad := pod("b", "", "", "", func(p *corev1.Pod) {
		p.Spec.Affinity = &corev1.Affinity{PodAffinity: &corev1.PodAffinity{RequiredDuringSchedulingIgnoredDuringExecution: []corev1.PodAffinityTerm{{
			LabelSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "k", Operator: "Bad"}}}, TopologyKey: "t",
		}}}}
	})
	if _, err := NewPodInfo(bad); err == nil {
		t.Error("want error for a bad selector operator")
	}
	var _ fwk.PodInfo = pi
}

func TestSnapshot(t *testing.T) {
	nodes := []*corev1.Node{
		{ObjectMeta: metav1.ObjectMeta{Name: "n1"}, Status: corev1.NodeStatus{Images: []corev1.ContainerImage{{Names: []string{"img:1"}, SizeBytes: 10}}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "n2"}, Status: corev1.NodeStatus{Images: []corev1.ContainerImage{{Names: []string{"img:1"}, SizeBytes: 10}}}},
		{ObjectMeta: metav1.ObjectMeta{Name: "n3"}},
	}
	pods := []*corev1.Pod{
		pod("a", "n1", "", "", withAntiAffinity, withPVC("data")),
		pod("b", "n2", "", ""),
		pod("pending", "", "", ""),
		pod("orphan", "gone", "", ""),
	}
	s := NewSnapshot(pods, nodes)
	list, _ := s.NodeInfos().List()
	if len(list) != 3 || list[0].Node().Name != "n1" || list[2].Node().Name != "n3" {
		t.Fatalf("list = %v", list)
	}
	aff, _ := s.NodeInfos().HavePodsWithAffinityList()
	anti, _ := s.NodeInfos().HavePodsWithRequiredAntiAffinityList()
	if len(aff) != 1 || len(anti) != 1 || anti[0].Node().Name != "n1" {
		t.Errorf("affinity lists = %d/%d", len(aff), len(anti))
	}
	n2, err := s.NodeInfos().Get("n2")
	if err != nil || len(n2.GetPods()) != 1 {
		t.Errorf("Get(n2) = %v, %v", n2, err)
	}
	if _, err := s.NodeInfos().Get("gone"); err == nil {
		t.Error("Get of a node without a Node object should fail")
	}
	if !s.StorageInfos().IsPVCUsedByPods("ns/data") || s.StorageInfos().IsPVCUsedByPods("ns/other") {
		t.Error("IsPVCUsedByPods wrong")
	}
	if st := n2.GetImageStates()["img:1"]; st == nil || st.NumNodes != 2 || st.Size != 10 {
		t.Errorf("image state = %+v", st)
	}
}
