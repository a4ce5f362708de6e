package proxy

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/util/sets"
)

// cep is an endpoint for categorize: ip, whether local, and its state.
func cep(ip string, local bool, state string, zones ...string) *endpoint {
	e := &endpoint{ip: ip, port: 80, local: local}
	switch state {
	case "ready":
		e.ready, e.serving = true, true
	case "terminating": // serving terminating
		e.serving, e.terminating = true, true
	case "gone": // terminating, not serving
		e.terminating = true
	case "notready":
	}
	if len(zones) > 0 {
		e.zoneHints = sets.New(zones...)
	}
	return e
}

func ips(eps []*endpoint) string {
	var out []string
	for _, e := range eps {
		out = append(out, e.ip)
	}
	return strings.Join(out, ",")
}

func TestCategorize(t *testing.T) {
	clusterIP := &servicePort{}
	internalLocal := &servicePort{internalLocal: true}
	externalLocal := &servicePort{externalLocal: true, nodePort: 30080}
	tests := []struct {
		name                      string
		sp                        *servicePort
		zone                      string
		eps                       []*endpoint
		cluster, local, reachable string
		any                       bool
	}{
		{name: "none", sp: clusterIP},
		{name: "ready ones only", sp: clusterIP, eps: []*endpoint{cep("a", false, "ready"), cep("b", true, "notready"), cep("c", false, "terminating")},
			cluster: "a", reachable: "a", any: true},
		{name: "serving terminating when none ready", sp: clusterIP, eps: []*endpoint{cep("a", false, "notready"), cep("b", false, "terminating"), cep("c", false, "gone")},
			cluster: "b", reachable: "b", any: true},
		{name: "nothing usable", sp: clusterIP, eps: []*endpoint{cep("a", false, "notready"), cep("c", false, "gone")}},
		{name: "internal Local: local ready", sp: internalLocal, eps: []*endpoint{cep("a", false, "ready"), cep("b", true, "ready")},
			local: "b", reachable: "b", any: true},
		{name: "internal Local: none local still has endpoints", sp: internalLocal, eps: []*endpoint{cep("a", false, "ready")},
			any: true},
		{name: "internal Local: local terminating fallback", sp: internalLocal, eps: []*endpoint{cep("a", false, "ready"), cep("b", true, "terminating")},
			local: "b", reachable: "b", any: true},
		{name: "external Local uses both", sp: externalLocal, eps: []*endpoint{cep("a", false, "ready"), cep("b", true, "ready")},
			cluster: "a,b", local: "b", reachable: "a,b", any: true},
		{name: "external Local: terminating local endpoint joins reachable", sp: externalLocal, eps: []*endpoint{cep("a", false, "ready"), cep("b", true, "terminating")},
			cluster: "a", local: "b", reachable: "a,b", any: true},
		{name: "zone hints for this zone", sp: clusterIP, zone: "z1", eps: []*endpoint{cep("a", false, "ready", "z1"), cep("b", false, "ready", "z2")},
			cluster: "a", reachable: "a", any: true},
		{name: "zone hints for no endpoint of this zone are ignored", sp: clusterIP, zone: "z3", eps: []*endpoint{cep("a", false, "ready", "z1"), cep("b", false, "ready", "z2")},
			cluster: "a,b", reachable: "a,b", any: true},
		{name: "zone hints missing on one endpoint are ignored", sp: clusterIP, zone: "z1", eps: []*endpoint{cep("a", false, "ready", "z1"), cep("b", false, "ready")},
			cluster: "a,b", reachable: "a,b", any: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := categorize(tt.eps, tt.sp, testNode, tt.zone)
			if got := ips(c.cluster); got != tt.cluster {
				t.Errorf("cluster = %q, want %q", got, tt.cluster)
			}
			if got := ips(c.local); got != tt.local {
				t.Errorf("local = %q, want %q", got, tt.local)
			}
			if got := ips(c.reachable); got != tt.reachable {
				t.Errorf("reachable = %q, want %q", got, tt.reachable)
			}
			if c.any != tt.any {
				t.Errorf("any = %v, want %v", c.any, tt.any)
			}
		})
	}
}

func TestTopologyNodeHints(t *testing.T) {
	a, b := cep("a", true, "ready"), cep("b", false, "ready")
	a.nodeHints, b.nodeHints = sets.New(testNode), sets.New("node-b")
	if got := ips(categorize([]*endpoint{a, b}, &servicePort{}, testNode, "").cluster); got != "a" {
		t.Errorf("PreferSameNode: cluster = %q, want a", got)
	}
	if got := ips(categorize([]*endpoint{a, b}, &servicePort{}, "node-c", "").cluster); got != "a,b" {
		t.Errorf("no hint for this node: cluster = %q, want a,b", got)
	}
}
