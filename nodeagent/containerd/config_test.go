package containerd

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWithDefaults(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		wantErr string
		check   func(t *testing.T, c Config)
	}{
		{name: "no data dir", cfg: Config{}, wantErr: "no data directory"},
		{name: "socket path too long", cfg: Config{DataDir: "/" + strings.Repeat("d", 90)}, wantErr: "over the 107"},
		{name: "missing containerd", cfg: Config{DataDir: "/data", Containerd: "/nonexistent/containerd"}, wantErr: "nonexistent"},
		{
			name: "defaults",
			cfg:  Config{DataDir: "/data", Containerd: "/bin/true", Runc: "/bin/true"},
			check: func(t *testing.T, c Config) {
				if c.CNIConfDir != "/data/cni/net.d" || c.SandboxImage != "localhost/pause:local" || c.LogLevel != "info" ||
					c.StartTimeout != 30*time.Second || c.StopTimeout != 10*time.Second || c.CNIBinDir == "" {
					t.Errorf("defaults: %+v", c)
				}
			},
		},
		{
			name: "given values kept, relative data dir made absolute",
			cfg: Config{DataDir: "rel", Containerd: "/bin/true", Runc: "/bin/true", CNIBinDir: "/cni", CNIConfDir: "/conf",
				SandboxImage: "localhost/other:1", StopTimeout: time.Second},
			check: func(t *testing.T, c Config) {
				if !filepath.IsAbs(c.DataDir) || c.CNIBinDir != "/cni" || c.CNIConfDir != "/conf" || c.SandboxImage != "localhost/other:1" || c.StopTimeout != time.Second {
					t.Errorf("got %+v", c)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := tt.cfg.withDefaults()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, c)
		})
	}
}

func TestRender(t *testing.T) {
	c := Config{DataDir: "/var/lib/skiff", Containerd: "/bin/true", Runc: "/usr/sbin/runc", CNIBinDir: "/usr/lib/cni"}
	c, err := c.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	got := c.render()
	for _, want := range []string{
		"version = 2\n",
		`root = "/var/lib/skiff/containerd/root"`,
		`state = "/var/lib/skiff/containerd/state"`,
		"[grpc]\n  address = \"/var/lib/skiff/containerd/containerd.sock\"\n",
		`path = "/var/lib/skiff/containerd/opt"`,
		`sandbox_image = "localhost/pause:local"`,
		`stream_server_address = "127.0.0.1"`,
		`restrict_oom_score_adj = true`,
		`bin_dir = "/usr/lib/cni"`,
		`conf_dir = "/var/lib/skiff/cni/net.d"`,
		`snapshotter = "overlayfs"`,
		`runtime_type = "io.containerd.runc.v2"`,
		`BinaryName = "/usr/sbin/runc"`,
		`SystemdCgroup = false`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("configuration lacks %q:\n%s", want, got)
		}
	}
	if Endpoint("/d") != "unix:///d/containerd/containerd.sock" {
		t.Errorf("Endpoint(/d) = %s", Endpoint("/d"))
	}
}

func TestBridgeConflist(t *testing.T) {
	tests := []struct {
		name    string
		n       BridgeNetwork
		want    []string
		wantErr string
	}{
		{
			name: "defaults",
			n:    BridgeNetwork{Subnet: "10.244.1.0/24", IPAMDir: "/d/ipam"},
			want: []string{`"name": "skiff"`, `"bridge": "skiff0"`, `"isGateway": true`, `"hairpinMode": true`, `"type": "host-local"`,
				`"subnet": "10.244.1.0/24"`, `"dst": "0.0.0.0/0"`, `"dataDir": "/d/ipam"`, `"cniVersion": "0.4.0"`},
		},
		{
			name: "routes and masked subnet",
			n:    BridgeNetwork{Name: "n", Bridge: "br1", Subnet: "10.244.1.7/24", Routes: []string{"10.244.0.0/16", "10.96.0.0/12"}, IPAMDir: "/i"},
			want: []string{`"name": "n"`, `"bridge": "br1"`, `"subnet": "10.244.1.0/24"`, `"dst": "10.244.0.0/16"`, `"dst": "10.96.0.0/12"`},
		},
		{name: "bad subnet", n: BridgeNetwork{Subnet: "10.244.1.0", IPAMDir: "/i"}, wantErr: "pod subnet"},
		{name: "bad route", n: BridgeNetwork{Subnet: "10.0.0.0/8", Routes: []string{"x"}, IPAMDir: "/i"}, wantErr: "route"},
		{name: "long bridge", n: BridgeNetwork{Bridge: "a-very-long-bridge", Subnet: "10.0.0.0/8", IPAMDir: "/i"}, wantErr: "15 bytes"},
		{name: "no ipam dir", n: BridgeNetwork{Subnet: "10.0.0.0/8"}, wantErr: "host-local"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := tt.n.conflist()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(data), w) {
					t.Errorf("conflist lacks %s:\n%s", w, data)
				}
			}
		})
	}
}
