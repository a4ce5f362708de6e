package servicelb

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/skiff-sh/skiff/controllers/config"
)

func TestParsePool(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr string
	}{
		{name: "default range", in: DefaultPool, want: "172.18.255.200-172.18.255.250"},
		{name: "cidr skips network and broadcast", in: "10.0.0.0/29", want: "10.0.0.1-10.0.0.6"},
		{name: "/31 keeps both", in: "10.0.0.0/31", want: "10.0.0.0-10.0.0.1"},
		{name: "/32", in: "10.0.0.7/32", want: "10.0.0.7-10.0.0.7"},
		{name: "unmasked cidr", in: "10.0.0.5/30", want: "10.0.0.5-10.0.0.6"},
		{name: "list", in: "10.0.0.1-10.0.0.2, 192.168.1.0/30", want: "10.0.0.1-10.0.0.2,192.168.1.1-192.168.1.2"},
		{name: "ipv6", in: "fd00::/126", want: "fd00::-fd00::3"},
		{name: "empty", in: " , ", wantErr: "no addresses"},
		{name: "reversed", in: "10.0.0.9-10.0.0.1", wantErr: "must not follow"},
		{name: "mixed families", in: "10.0.0.1-fd00::1", wantErr: "one family"},
		{name: "garbage", in: "ten", wantErr: "ten"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePool(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.String(); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestPoolAllocate(t *testing.T) {
	p, err := ParsePool("10.0.0.1-10.0.0.2,10.0.1.0/30")
	if err != nil {
		t.Fatal(err)
	}
	addr := netip.MustParseAddr
	tests := []struct {
		name   string
		used   []string
		want   string
		wantOK bool
	}{
		{name: "lowest first", want: "10.0.0.1", wantOK: true},
		{name: "skips used", used: []string{"10.0.0.1"}, want: "10.0.0.2", wantOK: true},
		{name: "next span", used: []string{"10.0.0.1", "10.0.0.2"}, want: "10.0.1.1", wantOK: true},
		{name: "exhausted", used: []string{"10.0.0.1", "10.0.0.2", "10.0.1.1", "10.0.1.2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			used := map[netip.Addr]bool{}
			for _, u := range tt.used {
				used[addr(u)] = true
			}
			got, ok := p.Allocate(used, false)
			if ok != tt.wantOK || (ok && got != addr(tt.want)) {
				t.Errorf("Allocate = %v, %v; want %s, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
	if got, ok := p.Allocate(nil, true); ok {
		t.Errorf("Allocate(v6) = %v from an IPv4 pool", got)
	}
	for a, want := range map[string]bool{"10.0.0.1": true, "10.0.0.3": false, "10.0.1.0": false, "10.0.1.2": true, "::ffff:10.0.0.2": true, "fd00::1": false} {
		if got := p.Contains(addr(a)); got != want {
			t.Errorf("Contains(%s) = %v, want %v", a, got, want)
		}
	}
}

// The controller manager's default pool is this package's (config cannot import it).
func TestDefaultPoolIsTheManagersDefault(t *testing.T) {
	if got := config.Defaults().ServiceLBPool; got != DefaultPool {
		t.Errorf("config.Defaults().ServiceLBPool = %q, want %q", got, DefaultPool)
	}
}
