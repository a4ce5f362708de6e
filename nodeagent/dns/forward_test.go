package dns

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"testing"

	mdns "github.com/miekg/dns"
)

func TestReadUpstreams(t *testing.T) {
	tests := []struct {
		name   string
		conf   string
		listen string
		want   []string
	}{
		{name: "all kept", conf: "nameserver 192.0.2.1\nnameserver 2001:db8::1\nsearch example.com\n",
			listen: "10.96.0.10:53", want: []string{"192.0.2.1:53", "[2001:db8::1]:53"}},
		{name: "loopback is self on all addresses", conf: "nameserver 127.0.0.53\nnameserver 192.0.2.1\n",
			listen: "0.0.0.0:53", want: []string{"192.0.2.1:53"}},
		{name: "loopback kept on another port", conf: "nameserver 127.0.0.53\n",
			listen: "0.0.0.0:1053", want: []string{"127.0.0.53:53"}},
		{name: "own address skipped", conf: "nameserver 10.96.0.10\nnameserver 127.0.0.1\n",
			listen: "10.96.0.10:53", want: []string{"127.0.0.1:53"}},
		{name: "nothing left", conf: "nameserver ::1\n", listen: "[::]:53", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "resolv.conf")
			if err := os.WriteFile(path, []byte(tt.conf), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := readUpstreams(path, netip.MustParseAddrPort(tt.listen))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
	if _, err := readUpstreams(filepath.Join(t.TempDir(), "missing"), netip.MustParseAddrPort("0.0.0.0:53")); err == nil {
		t.Errorf("a missing resolv.conf must be an error")
	}
}

func TestCapTTLs(t *testing.T) {
	m := new(mdns.Msg)
	m.Answer = []mdns.RR{mustRR(t, "a.example. 3600 IN A 192.0.2.1"), mustRR(t, "a.example. 10 IN A 192.0.2.2")}
	m.Ns = []mdns.RR{mustRR(t, "example. 900 IN SOA ns.example. h.example. 1 2 3 4 300")}
	m.SetEdns0(4096, true) // the DO bit lives in the OPT's TTL field
	(&forwarder{maxTTL: 30}).capTTLs(m)
	want := []string{"a.example. 30 IN A 192.0.2.1", "a.example. 10 IN A 192.0.2.2"}
	if got := rrs(m.Answer); !slices.Equal(got, want) {
		t.Errorf("answer = %q, want %q", got, want)
	}
	if ttl := m.Ns[0].Header().Ttl; ttl != 30 {
		t.Errorf("authority TTL = %d, want 30", ttl)
	}
	if opt := m.IsEdns0(); !opt.Do() || opt.UDPSize() != 4096 {
		t.Errorf("OPT must be left alone")
	}
}
