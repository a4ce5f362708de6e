package dns_test

import (
	"fmt"
	"net"
	"sync"
	"testing"

	mdns "github.com/miekg/dns"
)

// fakeUpstream is a resolver on a loopback address that knows a few example.com names.
type fakeUpstream struct {
	mu       sync.Mutex
	networks map[string]int // queries seen per transport
	servers  []*mdns.Server
}

// startUpstream serves on addr (UDP and TCP):
// www.example.com A 192.0.2.53 (TTL 3600), big.example.com 100 A records, others NXDOMAIN.
func startUpstream(t *testing.T, addr string) *fakeUpstream {
	t.Helper()
	u := &fakeUpstream{networks: map[string]int{}}
	pc, err := net.ListenPacket("udp", addr)
	if err != nil {
		t.Fatalf("fake upstream: %v", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("fake upstream: %v", err)
	}
	u.servers = []*mdns.Server{{PacketConn: pc, Handler: u}, {Listener: ln, Handler: u}}
	for _, s := range u.servers {
		go func() { _ = s.ActivateAndServe() }()
	}
	t.Cleanup(func() {
		for _, s := range u.servers {
			_ = s.Shutdown()
		}
	})
	return u
}

func (u *fakeUpstream) ServeDNS(w mdns.ResponseWriter, req *mdns.Msg) {
	network := "udp"
	if _, ok := w.RemoteAddr().(*net.TCPAddr); ok {
		network = "tcp"
	}
	u.mu.Lock()
	u.networks[network]++
	u.mu.Unlock()

	m := new(mdns.Msg)
	m.SetReply(req)
	m.RecursionAvailable = true
	q := req.Question[0]
	switch {
	case q.Name == "www.example.com." && q.Qtype == mdns.TypeA:
		rr, _ := mdns.NewRR("www.example.com. 3600 IN A 192.0.2.53")
		m.Answer = append(m.Answer, rr)
	case q.Name == "big.example.com." && q.Qtype == mdns.TypeA:
		for i := range 100 {
			rr, _ := mdns.NewRR(fmt.Sprintf("big.example.com. 60 IN A 198.51.100.%d", i))
			m.Answer = append(m.Answer, rr)
		}
	case q.Name == "www.example.com." || q.Name == "big.example.com.":
	default:
		m.Rcode = mdns.RcodeNameError
	}
	size := mdns.MinMsgSize
	if opt := req.IsEdns0(); opt != nil {
		size = int(opt.UDPSize())
	}
	if network == "udp" {
		m.Truncate(size)
	}
	_ = w.WriteMsg(m)
}

func (u *fakeUpstream) seen(network string) int {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.networks[network]
}
