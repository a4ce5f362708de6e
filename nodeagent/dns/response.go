package dns

import (
	mdns "github.com/miekg/dns"
)

// finish fits a response to the client: EDNS0 as the request asked, truncation to what UDP
// clients accept, and the order of address records shuffled (kubeadm's "loadbalance").
func finish(req, resp *mdns.Msg, network string) {
	size := mdns.MinMsgSize
	if opt := req.IsEdns0(); opt != nil {
		size = max(int(opt.UDPSize()), mdns.MinMsgSize)
		ropt := resp.IsEdns0()
		if ropt == nil {
			ropt = &mdns.OPT{Hdr: mdns.RR_Header{Name: ".", Rrtype: mdns.TypeOPT}}
			resp.Extra = append(resp.Extra, ropt)
		}
		ropt.SetUDPSize(uint16(size))
		ropt.SetDo(opt.Do())
	} else {
		resp.Extra = withoutOPT(resp.Extra)
	}
	if resp.Rcode == mdns.RcodeSuccess {
		resp.Answer = shuffle(resp.Answer)
		resp.Ns = shuffle(resp.Ns)
		resp.Extra = shuffle(resp.Extra)
	}
	if network == "tcp" {
		size = mdns.MaxMsgSize
	}
	resp.Truncate(size)
}

func withoutOPT(rrs []mdns.RR) []mdns.RR {
	out := rrs[:0]
	for _, rr := range rrs {
		if rr.Header().Rrtype != mdns.TypeOPT {
			out = append(out, rr)
		}
	}
	return out
}

// shuffle reorders address records as CoreDNS's loadbalance plugin does: CNAMEs first, then
// other records, then the shuffled A/AAAA records, then the shuffled MX records.
func shuffle(in []mdns.RR) []mdns.RR {
	if len(in) <= 1 {
		return in
	}
	var cname, rest, address, mx []mdns.RR
	for _, rr := range in {
		switch rr.Header().Rrtype {
		case mdns.TypeCNAME:
			cname = append(cname, rr)
		case mdns.TypeA, mdns.TypeAAAA:
			address = append(address, rr)
		case mdns.TypeMX:
			mx = append(mx, rr)
		default:
			rest = append(rest, rr)
		}
	}
	if len(address) < 2 && len(mx) < 2 {
		return in
	}
	permute(address)
	permute(mx)
	out := make([]mdns.RR, 0, len(in))
	out = append(out, cname...)
	out = append(out, rest...)
	out = append(out, address...)
	return append(out, mx...)
}

func permute(rrs []mdns.RR) {
	for i := len(rrs) - 1; i > 0; i-- {
		j := int(mdns.Id()) % (i + 1)
		rrs[i], rrs[j] = rrs[j], rrs[i]
	}
}
