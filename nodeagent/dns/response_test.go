package dns

import (
	"fmt"
	"slices"
	"testing"

	mdns "github.com/miekg/dns"
)

func mustRR(t *testing.T, s string) mdns.RR {
	t.Helper()
	rr, err := mdns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return rr
}

func TestShuffle(t *testing.T) {
	in := []mdns.RR{
		mustRR(t, "a.example. 30 IN A 10.0.0.1"),
		mustRR(t, "a.example. 30 IN CNAME b.example."),
		mustRR(t, "a.example. 30 IN A 10.0.0.2"),
		mustRR(t, "a.example. 30 IN TXT x"),
		mustRR(t, "a.example. 30 IN A 10.0.0.3"),
	}
	orders := map[string]bool{}
	for range 200 {
		out := shuffle(slices.Clone(in))
		if len(out) != len(in) {
			t.Fatalf("shuffle lost records: %v", out)
		}
		if out[0].Header().Rrtype != mdns.TypeCNAME || out[1].Header().Rrtype != mdns.TypeTXT {
			t.Fatalf("CNAME then other records must lead: %v", out)
		}
		orders[fmt.Sprint(rrs(out[2:]))] = true
	}
	if len(orders) < 2 {
		t.Errorf("address records were never reordered")
	}
	one := []mdns.RR{mustRR(t, "a.example. 30 IN TXT x"), mustRR(t, "a.example. 30 IN CNAME b.example.")}
	if got := shuffle(slices.Clone(one)); !slices.Equal(rrs(got), rrs(one)) {
		t.Errorf("records without several addresses must stay as they are: %v", got)
	}
}

func TestFinish(t *testing.T) {
	big := func() *mdns.Msg {
		m := new(mdns.Msg)
		m.SetReply(question("db.ns.svc.cluster.local.", mdns.TypeA))
		for i := range 60 {
			m.Answer = append(m.Answer, mustRR(t, fmt.Sprintf("db.ns.svc.cluster.local. 30 IN A 10.0.0.%d", i)))
		}
		return m
	}
	tests := []struct {
		name      string
		edns      uint16 // 0: no OPT in the request
		network   string
		truncated bool
		wantOPT   bool
	}{
		{name: "plain UDP truncates at 512", network: "udp", truncated: true},
		{name: "EDNS0 UDP fits", edns: 4096, network: "udp", wantOPT: true},
		{name: "EDNS0 below 512 counts as 512", edns: 100, network: "udp", truncated: true, wantOPT: true},
		{name: "TCP never truncates", network: "tcp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := question("db.ns.svc.cluster.local.", mdns.TypeA)
			if tt.edns > 0 {
				req.SetEdns0(tt.edns, true)
			}
			resp := big()
			finish(req, resp, tt.network)
			if resp.Truncated != tt.truncated {
				t.Errorf("truncated = %v, want %v", resp.Truncated, tt.truncated)
			}
			opt := resp.IsEdns0()
			if (opt != nil) != tt.wantOPT {
				t.Fatalf("OPT = %v, want present %v", opt, tt.wantOPT)
			}
			if opt != nil && !opt.Do() {
				t.Errorf("DO bit not copied")
			}
			if tt.network == "udp" && resp.Len() > max(int(tt.edns), mdns.MinMsgSize) {
				t.Errorf("response of %d bytes does not fit the client", resp.Len())
			}
		})
	}
}
