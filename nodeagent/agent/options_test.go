package agent

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/client-go/rest"
)

func TestOptionsComplete(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(o *Options)
		wantErr string
		check   func(t *testing.T, o *Options)
	}{
		{
			name: "defaults under the data dir",
			check: func(t *testing.T, o *Options) {
				if o.CNIConfDir != "/data/cni/net.d" || o.Kubelet.RootDir != "/data/kubelet" || o.Kubelet.PodCIDR != DefaultPodCIDR || o.podCIDR() != "10.244.0.0/24" {
					t.Errorf("got CNI %s root %s podCIDR %s", o.CNIConfDir, o.Kubelet.RootDir, o.Kubelet.PodCIDR)
				}
			},
		},
		{
			name:   "external runtime writes no CNI configuration",
			mutate: func(o *Options) { o.ContainerRuntimeEndpoint = "unix:///run/containerd/containerd.sock" },
			check: func(t *testing.T, o *Options) {
				if o.CNIConfDir != "" {
					t.Errorf("CNI conf dir %q", o.CNIConfDir)
				}
			},
		},
		{
			name: "given values kept",
			mutate: func(o *Options) {
				o.Kubelet.RootDir, o.Kubelet.PodCIDR, o.CgroupRoot = "/k", "10.244.3.0/24,fd00::/64", "/pods"
			},
			check: func(t *testing.T, o *Options) {
				if o.Kubelet.RootDir != "/k" || o.podCIDR() != "10.244.3.0/24" || o.Kubelet.CgroupParent != "/pods" {
					t.Errorf("got root %s podCIDR %s cgroup %s", o.Kubelet.RootDir, o.podCIDR(), o.Kubelet.CgroupParent)
				}
			},
		},
		{name: "no data dir", mutate: func(o *Options) { o.DataDir = "" }, wantErr: "no data directory"},
		{name: "other runtime", mutate: func(o *Options) { o.ContainerRuntime = "docker" }, wantErr: `"docker" is not supported`},
		{name: "tcp endpoint", mutate: func(o *Options) { o.ContainerRuntimeEndpoint = "tcp://1.2.3.4:1" }, wantErr: "only unix://"},
		{name: "bad pod CIDR", mutate: func(o *Options) { o.Kubelet.PodCIDR = "10.244.0.0" }, wantErr: "--pod-cidr"},
		{name: "bad cluster CIDR", mutate: func(o *Options) { o.ClusterCIDR = "x" }, wantErr: "--cluster-cidr"},
		{name: "no cluster DNS", mutate: func(o *Options) { o.Kubelet.ClusterDNS = nil }, wantErr: "--cluster-dns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := NewOptions()
			o.DataDir = "/data"
			o.Kubelet.RootDir = ""
			if tt.mutate != nil {
				tt.mutate(o)
			}
			err := o.complete()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, o)
		})
	}
}

func TestClientCAFile(t *testing.T) {
	dir := t.TempDir()
	o := NewOptions()
	o.Kubelet.RootDir = dir
	tests := []struct {
		name   string
		given  string
		config *rest.Config
		want   string
	}{
		{name: "flag wins", given: "/ca.crt", config: &rest.Config{TLSClientConfig: rest.TLSClientConfig{CAFile: "/other"}}, want: "/ca.crt"},
		{name: "kubeconfig's file", config: &rest.Config{TLSClientConfig: rest.TLSClientConfig{CAFile: "/kc-ca.crt"}}, want: "/kc-ca.crt"},
		{name: "kubeconfig's data written", config: &rest.Config{TLSClientConfig: rest.TLSClientConfig{CAData: []byte("PEM")}}, want: filepath.Join(dir, "pki", "client-ca.crt")},
		{name: "none", config: &rest.Config{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o.ClientCAFile = tt.given
			got, err := clientCAFile(o, tt.config)
			if err != nil || got != tt.want {
				t.Fatalf("clientCAFile = %q, %v; want %q", got, err, tt.want)
			}
			if len(tt.config.CAData) > 0 {
				if data, err := os.ReadFile(got); err != nil || string(data) != "PEM" {
					t.Errorf("written CA %q, %v", data, err)
				}
			}
		})
	}
}
