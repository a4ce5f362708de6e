package dns

import (
	"fmt"
	"net"
	"reflect"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestParseResolvConf(t *testing.T) {
	in := `# comment
nameserver 192.0.2.1
search a.example. b.example .
options ndots:2 timeout:1
nameserver 192.0.2.2
search c.example d.example.
options ndots:3 rotate
`
	got, err := ParseResolvConf(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := ResolverConfig{
		Servers:  []string{"192.0.2.1", "192.0.2.2"},
		Searches: []string{"c.example", "d.example"},
		Options:  []string{"ndots:3", "timeout:1", "rotate"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if _, err := ParseResolvConf(strings.NewReader("nameserver\n")); err == nil {
		t.Errorf("an empty nameserver line must be an error")
	}
}

func TestResolverConfigContent(t *testing.T) {
	c := ResolverConfig{Servers: []string{"10.96.0.10", "10.96.0.11"}, Searches: []string{"ns.svc.cluster.local", "svc.cluster.local"}, Options: []string{"ndots:5"}}
	want := "search ns.svc.cluster.local svc.cluster.local\nnameserver 10.96.0.10\nnameserver 10.96.0.11\noptions ndots:5\n"
	if got := c.Content(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := (ResolverConfig{}).Content(); got != "" {
		t.Errorf("empty config: got %q", got)
	}
}

func TestPodDNS(t *testing.T) {
	host := &ResolverConfig{Servers: []string{"192.0.2.1"}, Searches: []string{"corp.example"}, Options: []string{"timeout:2"}}
	cluster := PodDNSParams{ClusterDNS: []string{"10.96.0.10"}, ClusterDomain: "cluster.local", Host: host}
	clusterSearch := []string{"ns1.svc.cluster.local", "svc.cluster.local", "cluster.local"}
	pod := func(policy corev1.DNSPolicy, hostNet bool, dc *corev1.PodDNSConfig) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: "ns1", Name: "p", UID: "uid-1"},
			Spec:       corev1.PodSpec{DNSPolicy: policy, HostNetwork: hostNet, DNSConfig: dc},
		}
	}
	missing := `kubelet does not have ClusterDNS IP configured and cannot create Pod using "ClusterFirst" policy. Falling back to "Default" policy.`
	tests := []struct {
		name       string
		pod        *corev1.Pod
		params     PodDNSParams
		want       ResolverConfig
		wantEvents []Event
	}{
		{name: "ClusterFirst", pod: pod(corev1.DNSClusterFirst, false, nil), params: cluster,
			want: ResolverConfig{Servers: []string{"10.96.0.10"}, Searches: append(clusterSearch, "corp.example"), Options: []string{"ndots:5"}}},
		{name: "ClusterFirst on the host network is Default", pod: pod(corev1.DNSClusterFirst, true, nil), params: cluster,
			want: *host},
		{name: "ClusterFirstWithHostNet", pod: pod(corev1.DNSClusterFirstWithHostNet, true, nil), params: cluster,
			want: ResolverConfig{Servers: []string{"10.96.0.10"}, Searches: append(clusterSearch, "corp.example"), Options: []string{"ndots:5"}}},
		{name: "Default", pod: pod(corev1.DNSDefault, false, nil), params: cluster, want: *host},
		{name: "Default without host resolv.conf", pod: pod(corev1.DNSDefault, false, nil),
			params: PodDNSParams{NodeIPs: []net.IP{net.ParseIP("192.0.2.9"), net.ParseIP("2001:db8::9")}},
			want:   ResolverConfig{Servers: []string{"127.0.0.1", "::1"}, Searches: []string{"."}}},
		{name: "None with dnsConfig", params: cluster, pod: pod(corev1.DNSNone, false, &corev1.PodDNSConfig{
			Nameservers: []string{"1.1.1.1"}, Searches: []string{"my.example"},
			Options: []corev1.PodDNSConfigOption{{Name: "ndots", Value: ptr.To("2")}, {Name: "edns0"}}}),
			want: ResolverConfig{Servers: []string{"1.1.1.1"}, Searches: []string{"my.example"}, Options: []string{"ndots:2", "edns0"}}},
		{name: "ClusterFirst merges dnsConfig", params: cluster, pod: pod(corev1.DNSClusterFirst, false, &corev1.PodDNSConfig{
			Nameservers: []string{"10.96.0.10", "1.1.1.1"}, Searches: []string{"svc.cluster.local", "my.example"},
			Options: []corev1.PodDNSConfigOption{{Name: "ndots", Value: ptr.To("1")}, {Name: "single-request-reopen"}}}),
			want: ResolverConfig{Servers: []string{"10.96.0.10", "1.1.1.1"}, Searches: append(clusterSearch, "corp.example", "my.example"),
				Options: []string{"ndots:1", "single-request-reopen"}}},
		{name: "ClusterFirst without cluster DNS falls back", pod: pod(corev1.DNSClusterFirst, false, nil),
			params: PodDNSParams{ClusterDomain: "cluster.local", Host: host}, want: *host,
			wantEvents: []Event{
				{OnNode: true, Type: corev1.EventTypeWarning, Reason: "MissingClusterDNS", Message: missing},
				{Type: corev1.EventTypeWarning, Reason: "MissingClusterDNS", Message: `pod: "p_ns1(uid-1)". ` + missing},
			}},
		{name: "too many nameservers", params: cluster, pod: pod(corev1.DNSClusterFirst, false, &corev1.PodDNSConfig{
			Nameservers: []string{"1.1.1.1", "2.2.2.2", "3.3.3.3"}}),
			want: ResolverConfig{Servers: []string{"10.96.0.10", "1.1.1.1", "2.2.2.2"}, Searches: append(clusterSearch, "corp.example"), Options: []string{"ndots:5"}},
			wantEvents: []Event{{Type: corev1.EventTypeWarning, Reason: "DNSConfigForming",
				Message: "Nameserver limits were exceeded, some nameservers have been omitted, the applied nameserver line is: 10.96.0.10 1.1.1.1 2.2.2.2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, events := PodDNS(tt.pod, tt.params)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
			if !reflect.DeepEqual(events, tt.wantEvents) {
				t.Errorf("events = %+v, want %+v", events, tt.wantEvents)
			}
		})
	}
}

func TestPodDNSSearchLimits(t *testing.T) {
	var many []string
	for i := range 40 {
		many = append(many, fmt.Sprintf("d%d.example", i))
	}
	long := strings.Repeat("a", 254)
	var wide []string
	for i := range 30 {
		wide = append(wide, fmt.Sprintf("%02d%s", i, strings.Repeat("b", 98))) // 100 chars each
	}
	tests := []struct {
		name     string
		searches []string
		want     int // search domains kept
	}{
		{name: "at most 32 domains", searches: many, want: 32},
		{name: "domains over 253 chars dropped", searches: []string{"ok.example", long}, want: 1},
		{name: "line of at most 2048 chars", searches: wide, want: 20},
		{name: "within limits", searches: []string{"a.example"}, want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{Spec: corev1.PodSpec{DNSPolicy: corev1.DNSNone, DNSConfig: &corev1.PodDNSConfig{Searches: tt.searches}}}
			got, events := PodDNS(pod, PodDNSParams{})
			if len(got.Searches) != tt.want {
				t.Fatalf("kept %d search domains, want %d", len(got.Searches), tt.want)
			}
			if n := len(strings.Join(got.Searches, " ")); n > MaxDNSSearchListChars {
				t.Errorf("search line of %d chars", n)
			}
			limited := tt.want < len(tt.searches)
			if limited != (len(events) == 1) {
				t.Fatalf("events = %+v, want one only when limited", events)
			}
			if limited && !strings.HasPrefix(events[0].Message, "Search Line limits were exceeded, some search paths have been omitted, the applied search line is: ") {
				t.Errorf("event message %q", events[0].Message)
			}
		})
	}
}
