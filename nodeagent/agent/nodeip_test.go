package agent

import (
	"net/netip"
	"testing"
)

func TestPickNodeIP(t *testing.T) {
	pods := []netip.Prefix{netip.MustParsePrefix("10.244.0.0/16")}
	addrs := func(ss ...string) []netip.Addr {
		var out []netip.Addr
		for _, s := range ss {
			out = append(out, netip.MustParseAddr(s))
		}
		return out
	}
	tests := []struct {
		name       string
		candidates []netip.Addr
		want       string
	}{
		{name: "first IPv4", candidates: addrs("fd00::1", "192.168.1.5", "192.168.2.5"), want: "192.168.1.5"},
		{name: "skips the bridge's pod address", candidates: addrs("10.244.0.1", "192.168.251.1"), want: "192.168.251.1"},
		{name: "skips link-local and loopback", candidates: addrs("169.254.1.1", "127.0.0.1", "172.16.0.2"), want: "172.16.0.2"},
		{name: "none", candidates: addrs("fd00::1", "127.0.0.1")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := pickNodeIP(tt.candidates, pods)
			if tt.want == "" {
				if ok {
					t.Fatalf("got %s, want none", got)
				}
				return
			}
			if !ok || got.String() != tt.want {
				t.Fatalf("got %s %v, want %s", got, ok, tt.want)
			}
		})
	}
	if _, err := nodeIP("not-an-ip", nil); err == nil {
		t.Error("nodeIP accepted a bad --node-ip")
	}
	if a, err := nodeIP("192.168.251.1", nil); err != nil || a.String() != "192.168.251.1" {
		t.Errorf("nodeIP(given) = %v, %v", a, err)
	}
}
