package kubelet

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

func TestManagedHostsFile(t *testing.T) {
	base := "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" +
		"fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n"
	tests := []struct {
		name             string
		ips              []string
		hostname, domain string
		aliases          []corev1.HostAlias
		want             string
	}{
		{"plain", []string{"10.244.0.5"}, "web", "", nil, base + "10.244.0.5\tweb\n"},
		{"subdomain", []string{"10.244.0.5", "fd00::5"}, "web-0", "nginx.default.svc.cluster.local", nil,
			base + "10.244.0.5\tweb-0.nginx.default.svc.cluster.local\tweb-0\nfd00::5\tweb-0.nginx.default.svc.cluster.local\tweb-0\n"},
		{"aliases", []string{"10.244.0.5"}, "web", "", []corev1.HostAlias{{IP: "1.2.3.4", Hostnames: []string{"a", "b"}}},
			base + "10.244.0.5\tweb\n\n# Entries added by HostAliases.\n1.2.3.4\ta\tb\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(managedHostsFile(tt.ips, tt.hostname, tt.domain, tt.aliases)); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
	got := string(hostNetworkHostsFile([]byte("127.0.0.1 localhost\n"), nil))
	if got != "# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n" {
		t.Errorf("host network file %q", got)
	}
}

func TestPodHostnameAndDomain(t *testing.T) {
	long := strings.Repeat("a", 62) + "-b"
	tests := []struct {
		name                     string
		spec                     corev1.PodSpec
		podName                  string
		wantHost, wantDom, wantE string
	}{
		{"pod name", corev1.PodSpec{}, "web", "web", "", ""},
		{"hostname and subdomain", corev1.PodSpec{Hostname: "h", Subdomain: "s"}, "web", "h", "s.ns.svc.cluster.local", ""},
		{"long name truncated", corev1.PodSpec{}, long, strings.Repeat("a", 62), "", ""},
		{"override", corev1.PodSpec{HostnameOverride: ptr.To("my.host"), Subdomain: "s"}, "web", "my.host", "", ""},
		{"invalid hostname", corev1.PodSpec{Hostname: "Bad_Name"}, "web", "", "", "is not a valid DNS label"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: tt.podName, Namespace: "ns"}, Spec: tt.spec}
			h, d, err := podHostnameAndDomain(pod, "cluster.local")
			if tt.wantE != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantE) {
					t.Errorf("err %v, want %q", err, tt.wantE)
				}
				return
			}
			if err != nil || h != tt.wantHost || d != tt.wantDom {
				t.Errorf("got %q %q %v", h, d, err)
			}
		})
	}
}
