package dns

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"

	mdns "github.com/miekg/dns"
)

// errNoUpstream means no resolver is left to forward to.
var errNoUpstream = errors.New("no upstream resolvers")

// forwarder sends queries for names outside the cluster to the host's resolvers, as CoreDNS's
// "forward . /etc/resolv.conf" does: random order, same transport as the client, failing over
// to the next resolver on errors.
type forwarder struct {
	upstreams []string // host:port
	timeout   time.Duration
	deadline  time.Duration
	maxTTL    uint32
}

// readUpstreams returns the nameservers of a resolv.conf file as host:port, leaving out any
// that would be listen itself.
func readUpstreams(path string, listen netip.AddrPort) ([]string, error) {
	cc, err := mdns.ClientConfigFromFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading resolvers from %s: %w", path, err)
	}
	var out []string
	for _, s := range cc.Servers {
		addr, err := netip.ParseAddr(s)
		if err != nil {
			continue
		}
		port := uint16(53)
		if p, err := netip.ParseAddrPort(net.JoinHostPort(s, cc.Port)); err == nil {
			port = p.Port()
		}
		up := netip.AddrPortFrom(addr.Unmap(), port)
		if isSelf(up, listen) {
			continue
		}
		out = append(out, up.String())
	}
	return out, nil
}

// isSelf reports whether resolver up is the server listening on listen: the same address, or
// a loopback or unspecified one when it listens on all addresses, on the same port.
func isSelf(up, listen netip.AddrPort) bool {
	if up.Port() != listen.Port() {
		return false
	}
	l := listen.Addr().Unmap()
	if up.Addr() == l {
		return true
	}
	return l.IsUnspecified() && (up.Addr().IsLoopback() || up.Addr().IsUnspecified())
}

// forward sends req upstream over network ("udp" or "tcp") and returns the first answer.
func (f *forwarder) forward(ctx context.Context, req *mdns.Msg, network string) (*mdns.Msg, error) {
	if len(f.upstreams) == 0 {
		return nil, errNoUpstream
	}
	ctx, cancel := context.WithTimeout(ctx, f.deadline)
	defer cancel()
	var errs []error
	for _, i := range rand.Perm(len(f.upstreams)) {
		up := f.upstreams[i]
		c := &mdns.Client{Net: network, Timeout: f.timeout}
		if network == "udp" {
			// Take answers as large as the client accepts; a truncated one goes back as it is.
			c.UDPSize = mdns.MaxMsgSize
		}
		resp, _, err := c.ExchangeContext(ctx, req, up)
		if err == nil {
			f.capTTLs(resp)
			return resp, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", up, err))
		if ctx.Err() != nil {
			break
		}
	}
	return nil, errors.Join(errs...)
}

// lookup resolves name upstream over UDP, for the target of an ExternalName service.
func (f *forwarder) lookup(ctx context.Context, name string, qtype uint16) (*mdns.Msg, error) {
	req := new(mdns.Msg)
	req.SetQuestion(name, qtype)
	req.SetEdns0(mdns.DefaultMsgSize, false)
	resp, err := f.forward(ctx, req, "udp")
	if err == nil && resp.Truncated {
		resp, err = f.forward(ctx, req, "tcp")
	}
	return resp, err
}

// capTTLs lowers TTLs above maxTTL, as the cache in front of CoreDNS's forward does.
func (f *forwarder) capTTLs(m *mdns.Msg) {
	for _, section := range [][]mdns.RR{m.Answer, m.Ns, m.Extra} {
		for _, rr := range section {
			if h := rr.Header(); h.Rrtype != mdns.TypeOPT && h.Ttl > f.maxTTL {
				h.Ttl = f.maxTTL
			}
		}
	}
}
