package simulated

import (
	"net/netip"
	"testing"
)

func TestNodeCIDR(t *testing.T) {
	tests := []struct {
		cidr  string
		mask  int
		index int
		want  string
	}{
		{"10.244.0.0/16", 24, 0, "10.244.0.0/24"},
		{"10.244.0.0/16", 24, 255, "10.244.255.0/24"},
		{"10.128.0.0/9", 24, 4999, "10.147.135.0/24"},
		{"10.244.0.0/16", 26, 5, "10.244.1.64/26"},
		{"fd00::/48", 64, 3, "fd00:0:0:3::/64"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			a, err := newIPAM(tt.cidr, tt.mask, tt.index+1)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.nodeCIDR(tt.index).String(); got != tt.want {
				t.Errorf("nodeCIDR(%d) = %s, want %s", tt.index, got, tt.want)
			}
		})
	}
}

func TestNewIPAMRejects(t *testing.T) {
	tests := []struct {
		name  string
		cidr  string
		mask  int
		nodes int
	}{
		{"too many nodes", "10.244.0.0/16", 24, 257},
		{"mask shorter than cidr", "10.244.0.0/16", 8, 1},
		{"mask leaves no hosts", "10.244.0.0/16", 31, 1},
		{"not a cidr", "10.244.0.0", 24, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := newIPAM(tt.cidr, tt.mask, tt.nodes); err == nil {
				t.Error("newIPAM succeeded, want an error")
			}
		})
	}
}

func TestAllocate(t *testing.T) {
	a, err := newIPAM("10.244.0.0/16", 29, 1)
	if err != nil {
		t.Fatal(err)
	}
	cidr := a.nodeCIDR(0) // 10.244.0.0/29: .2 to .6 usable
	var got []string
	for range 5 {
		ip, err := a.allocate("n", cidr, "pod")
		if err != nil {
			t.Fatalf("allocate after %v: %v", got, err)
		}
		got = append(got, ip.String())
	}
	if got[0] != "10.244.0.2" || got[4] != "10.244.0.6" {
		t.Errorf("allocated %v, want .2 to .6", got)
	}
	if _, err := a.allocate("n", cidr, "pod"); err == nil {
		t.Error("allocate on a full CIDR succeeded")
	}
	ip, _ := netipParse("10.244.0.4")
	a.release("n", ip, "other")
	if _, err := a.allocate("n", cidr, "pod"); err == nil {
		t.Error("release by a pod that does not hold the IP freed it")
	}
	a.release("n", ip, "pod")
	if again, err := a.allocate("n", cidr, "pod"); err != nil || again != ip {
		t.Errorf("allocate after release = %v, %v; want %v", again, err, ip)
	}
}

func netipParse(s string) (netip.Addr, error) { return netip.ParseAddr(s) }
