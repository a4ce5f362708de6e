package simulated

import (
	"fmt"
	"math/big"
	"net/netip"
	"sync"
)

// ipam hands out one pod CIDR per node, cut in order from the cluster's pod CIDR, and pod IPs
// inside each node's CIDR, as a kubelet's host-local IPAM would.
type ipam struct {
	cluster netip.Prefix
	bits    int

	mu   sync.Mutex
	used map[string]map[netip.Addr]string // node -> IP -> UID of the pod using it
}

func newIPAM(cidr string, maskSize, nodes int) (*ipam, error) {
	p, err := prefixOf(cidr)
	if err != nil {
		return nil, err
	}
	if maskSize < p.Bits() || maskSize > p.Addr().BitLen()-2 {
		return nil, fmt.Errorf("node CIDR mask size %d does not fit in pod CIDR %s", maskSize, p)
	}
	if subnets := 1 << min(maskSize-p.Bits(), 30); nodes > subnets {
		return nil, fmt.Errorf("pod CIDR %s has room for %d node CIDRs of /%d, not %d nodes: give a wider --simulated-pod-cidr (e.g. 10.128.0.0/9) or a longer --simulated-node-cidr-mask-size", p, subnets, maskSize, nodes)
	}
	return &ipam{cluster: p, bits: maskSize, used: map[string]map[netip.Addr]string{}}, nil
}

// nodeCIDR is the index-th subnet of the cluster CIDR.
func (a *ipam) nodeCIDR(index int) netip.Prefix {
	base := a.cluster.Addr()
	offset := new(big.Int).Lsh(big.NewInt(int64(index)), uint(base.BitLen()-a.bits))
	sum := new(big.Int).Add(new(big.Int).SetBytes(base.AsSlice()), offset).Bytes()
	raw := make([]byte, base.BitLen()/8)
	copy(raw[len(raw)-len(sum):], sum)
	addr, _ := netip.AddrFromSlice(raw)
	return netip.PrefixFrom(addr, a.bits)
}

// allocate returns a free IP in cidr for the pod uid on node (network and first address
// skipped, as host-local leaves .1 to the bridge).
func (a *ipam) allocate(node string, cidr netip.Prefix, uid string) (netip.Addr, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	used := a.used[node]
	if used == nil {
		used = map[netip.Addr]string{}
		a.used[node] = used
	}
	ip := cidr.Addr().Next().Next()
	for ; cidr.Contains(ip); ip = ip.Next() {
		if _, taken := used[ip]; !taken && cidr.Contains(ip.Next()) { // the last address is broadcast
			used[ip] = uid
			return ip, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("no free pod IP left in %s on node %s", cidr, node)
}

// reserve marks ip used by the pod uid, for pods found running when the agent starts.
func (a *ipam) reserve(node string, ip netip.Addr, uid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.used[node] == nil {
		a.used[node] = map[netip.Addr]string{}
	}
	a.used[node][ip] = uid
}

// release frees ip on node if the pod uid still holds it: a pod's IP is released when it
// finishes and again when it is deleted, by which time another pod may have it.
func (a *ipam) release(node string, ip netip.Addr, uid string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.used[node][ip] == uid {
		delete(a.used[node], ip)
	}
}
