package simulated

import (
	"net/netip"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

func TestNodeObject(t *testing.T) {
	o := NewOptions()
	o.Labels = map[string]string{"team": "a"}
	tmpl, err := o.template()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		n          simNode
		wantLabels map[string]string
		noLabels   []string
	}{
		{"plain", simNode{name: "sim-node-0", index: 0, podCIDR: netip.MustParsePrefix("10.244.0.0/24"), hostIP: nodeIP(0)},
			map[string]string{corev1.LabelHostname: "sim-node-0", corev1.LabelOSStable: "linux", LabelSimulated: "true", "team": "a"},
			[]string{corev1.LabelTopologyZone}},
		{"zoned", simNode{name: "sim-node-4", index: 4, zone: "zone-1", podCIDR: netip.MustParsePrefix("10.244.4.0/24"), hostIP: nodeIP(4)},
			map[string]string{corev1.LabelTopologyZone: "zone-1", corev1.LabelTopologyRegion: "simulated"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			node := nodeObject(&tt.n, tmpl)
			for k, v := range tt.wantLabels {
				if node.Labels[k] != v {
					t.Errorf("label %s = %q, want %q", k, node.Labels[k], v)
				}
			}
			for _, k := range tt.noLabels {
				if _, ok := node.Labels[k]; ok {
					t.Errorf("unexpected label %s", k)
				}
			}
			if node.Spec.PodCIDR != tt.n.podCIDR.String() || node.Status.Addresses[0].Address != tt.n.hostIP {
				t.Errorf("podCIDR %s address %v", node.Spec.PodCIDR, node.Status.Addresses)
			}
			if !healthy(node) {
				t.Error("new node is not Ready")
			}
			if q := node.Status.Allocatable[corev1.ResourceCPU]; q.String() != "32" {
				t.Errorf("allocatable cpu = %s", q.String())
			}
		})
	}
}

func TestNodeIP(t *testing.T) {
	for i, want := range map[int]string{0: "172.18.0.2", 253: "172.18.0.255", 254: "172.18.1.0", 4999: "172.18.19.137"} {
		if got := nodeIP(i); got != want {
			t.Errorf("nodeIP(%d) = %s, want %s", i, got, want)
		}
	}
}
