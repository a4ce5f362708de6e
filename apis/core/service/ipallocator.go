package service

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"net"
	"net/netip"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/apiserver/pkg/storage"
	netutils "k8s.io/utils/net"
)

// The allocators' errors carry upstream's messages; the REST wraps them in field errors.
var (
	// ErrFull is returned when no address or port is left.
	ErrFull = errors.New("range is full")
	// ErrAllocated is returned for an IP someone already holds.
	ErrAllocated = errors.New("provided IP is already allocated")
	// ErrMismatchedNetwork is returned for an IP outside every service CIDR.
	ErrMismatchedNetwork = errors.New("the provided network does not match the current range")
	// ErrPortAllocated is returned for a node port someone already holds.
	ErrPortAllocated = errors.New("provided port is already allocated")
)

// ErrNotInRange is returned for an IP inside the CIDR but not usable (network or broadcast
// address).
type ErrNotInRange struct {
	IP         net.IP
	ValidRange string
}

func (e *ErrNotInRange) Error() string {
	return fmt.Sprintf("the provided IP (%v) is not in the valid range. The range of valid IPs is %s", e.IP, e.ValidRange)
}

// ipAllocatorName is the managed-by label value of the IPAddress objects the allocator owns.
const ipAllocatorName = "ipallocator.k8s.io"

// IPAllocator hands out ClusterIPs of one CIDR. Each allocated address is a
// networking.k8s.io/v1 IPAddress object named after the address, as upstream's allocator keeps
// them: creating the object is the allocation, so etcd's create-if-absent makes concurrent
// allocations (from any number of apiservers) safe, and the state survives restarts.
type IPAllocator struct {
	storage storage.Interface
	prefix  string
	cidr    *net.IPNet
	family  corev1.IPFamily
	// first and last are the usable addresses; the network address and, for IPv4, the
	// broadcast address are never handed out.
	first, last netip.Addr
	// size counts the usable addresses; dynamic allocation prefers those from offset on,
	// leaving the start of the range for addresses users ask for (KEP-3070).
	size, offset uint64
}

// NewIPAllocator returns the allocator of cidr keeping IPAddress objects in store under prefix
// (the ipaddresses resource's key prefix, e.g. "/ipaddresses").
func NewIPAllocator(store storage.Interface, prefix string, cidr *net.IPNet) (*IPAllocator, error) {
	p, err := netip.ParsePrefix(cidr.String())
	if err != nil {
		return nil, err
	}
	p = p.Masked()
	if p.Addr().Is6() && p.Bits() < 64 {
		return nil, fmt.Errorf("shortest allowed prefix length for service CIDR is 64, got %d", p.Bits())
	}
	a := &IPAllocator{storage: store, prefix: prefix, cidr: cidr, family: corev1.IPv4Protocol, first: p.Addr().Next()}
	hostBits := p.Addr().BitLen() - p.Bits()
	last := lastAddr(p)
	if p.Addr().Is4() {
		last = last.Prev()
	} else {
		a.family = corev1.IPv6Protocol
	}
	a.last = last
	if hostBits >= 63 {
		a.size = 1 << 62 // more than we will ever scan
	} else if total := uint64(1) << hostBits; total > 2 {
		a.size = total - 2
		if p.Addr().Is6() {
			a.size = total - 1
		}
	}
	a.offset = rangeOffset(netutils.RangeSize(cidr))
	return a, nil
}

// rangeOffset is upstream's min(max(16, size/16), 256): the size of the static band.
func rangeOffset(cidrSize int64) uint64 {
	switch {
	case cidrSize <= 16:
		return 0
	case cidrSize/16 < 16:
		return 16
	case cidrSize/16 > 256:
		return 256
	}
	return uint64(cidrSize / 16)
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	addr, _ := netip.AddrFromSlice(b)
	return addr
}

// CIDR returns the range the allocator serves.
func (a *IPAllocator) CIDR() *net.IPNet { return a.cidr }

// Family returns the IP family of the range.
func (a *IPAllocator) Family() corev1.IPFamily { return a.family }

func (a *IPAllocator) key(addr netip.Addr) string { return a.prefix + "/" + addr.String() }

func (a *IPAllocator) check(ip net.IP) (netip.Addr, error) {
	addr, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Addr{}, fmt.Errorf("invalid address %v", ip)
	}
	addr = addr.Unmap()
	if (addr.Is4() != (a.family == corev1.IPv4Protocol)) || !a.cidr.Contains(ip) {
		return netip.Addr{}, ErrMismatchedNetwork
	}
	if addr.Less(a.first) || a.last.Less(addr) {
		return netip.Addr{}, &ErrNotInRange{IP: ip, ValidRange: a.cidr.String()}
	}
	return addr, nil
}

// Allocate reserves ip for svc. With dryRun it only checks that ip is in range.
func (a *IPAllocator) Allocate(ctx context.Context, svc *corev1.Service, ip net.IP, dryRun bool) error {
	addr, err := a.check(ip)
	if err != nil || dryRun {
		return err
	}
	return a.create(ctx, svc, addr)
}

func (a *IPAllocator) create(ctx context.Context, svc *corev1.Service, addr netip.Addr) error {
	obj := &networkingv1.IPAddress{
		ObjectMeta: metav1.ObjectMeta{
			Name:              addr.String(),
			UID:               uuid.NewUUID(),
			CreationTimestamp: metav1.Now(),
			Labels: map[string]string{
				networkingv1.LabelIPAddressFamily: string(a.family),
				networkingv1.LabelManagedBy:       ipAllocatorName,
			},
		},
		Spec: networkingv1.IPAddressSpec{ParentRef: serviceRef(svc)},
	}
	err := a.storage.Create(ctx, a.key(addr), obj, &networkingv1.IPAddress{}, 0)
	if storage.IsExist(err) {
		return ErrAllocated
	}
	return err
}

func serviceRef(svc *corev1.Service) *networkingv1.ParentReference {
	return &networkingv1.ParentReference{Resource: "services", Namespace: svc.Namespace, Name: svc.Name}
}

// AllocateNext reserves a free address for svc, at random from the dynamic band first. With
// dryRun it returns the network address without reserving anything, as upstream does.
func (a *IPAllocator) AllocateNext(ctx context.Context, svc *corev1.Service, dryRun bool) (net.IP, error) {
	if dryRun {
		return a.cidr.IP, nil
	}
	if a.size == 0 {
		return nil, ErrFull
	}
	// Random probing finds a free address at once in a mostly empty range; after a few misses,
	// read what is taken and pick among the rest.
	for range 4 {
		addr := a.addrAt(a.randomOffset())
		if err := a.create(ctx, svc, addr); err == nil {
			return addr.AsSlice(), nil
		} else if !errors.Is(err, ErrAllocated) {
			return nil, err
		}
	}
	for range 16 {
		used, err := a.allocated(ctx)
		if err != nil {
			return nil, err
		}
		addr, ok := a.freeAddr(used)
		if !ok {
			return nil, ErrFull
		}
		if err := a.create(ctx, svc, addr); err == nil {
			return addr.AsSlice(), nil
		} else if !errors.Is(err, ErrAllocated) {
			return nil, err
		}
	}
	return nil, fmt.Errorf("could not allocate a ClusterIP: too many concurrent allocations")
}

// randomOffset picks an offset in the dynamic band [offset, size).
func (a *IPAllocator) randomOffset() uint64 {
	return a.offset + rand.Uint64N(a.size-a.offset)
}

func (a *IPAllocator) addrAt(offset uint64) netip.Addr {
	n := new(big.Int).SetBytes(a.first.AsSlice())
	n.Add(n, new(big.Int).SetUint64(offset))
	b := n.FillBytes(make([]byte, a.first.BitLen()/8))
	addr, _ := netip.AddrFromSlice(b)
	return addr
}

// freeAddr scans for an address not in used: the dynamic band from a random point, then the
// static band.
func (a *IPAllocator) freeAddr(used map[netip.Addr]bool) (netip.Addr, bool) {
	scan := func(from, n uint64) (netip.Addr, bool) {
		if n == 0 {
			return netip.Addr{}, false
		}
		start := rand.Uint64N(n)
		for i := range min(n, uint64(len(used))+1) {
			addr := a.addrAt(from + (start+i)%n)
			if !used[addr] {
				return addr, true
			}
		}
		return netip.Addr{}, false
	}
	if addr, ok := scan(a.offset, a.size-a.offset); ok {
		return addr, true
	}
	return scan(0, a.offset)
}

// allocated reads the addresses of the range that are taken.
func (a *IPAllocator) allocated(ctx context.Context) (map[netip.Addr]bool, error) {
	list := &networkingv1.IPAddressList{}
	err := a.storage.GetList(ctx, a.prefix+"/", storage.ListOptions{Recursive: true, Predicate: storage.Everything}, list)
	if err != nil {
		return nil, err
	}
	used := map[netip.Addr]bool{}
	for _, item := range list.Items {
		if addr, err := netip.ParseAddr(item.Name); err == nil && a.cidr.Contains(addr.AsSlice()) {
			used[addr] = true
		}
	}
	return used, nil
}

// Has tells whether ip is allocated.
func (a *IPAllocator) Has(ctx context.Context, ip net.IP) bool {
	addr, ok := netip.AddrFromSlice(ip)
	if !ok {
		return false
	}
	err := a.storage.Get(ctx, a.key(addr.Unmap()), storage.GetOptions{}, &networkingv1.IPAddress{})
	return err == nil
}

// Release frees ip if svc holds it; an address held for another service is left alone.
func (a *IPAllocator) Release(ctx context.Context, svc *corev1.Service, ip net.IP) error {
	addr, ok := netip.AddrFromSlice(ip)
	if !ok {
		return fmt.Errorf("invalid address %v", ip)
	}
	errNotOurs := errors.New("not ours")
	err := a.storage.Delete(ctx, a.key(addr.Unmap()), &networkingv1.IPAddress{}, nil,
		func(_ context.Context, obj runtime.Object) error {
			ref := obj.(*networkingv1.IPAddress).Spec.ParentRef
			if svc != nil && ref != nil && (ref.Resource != "services" || ref.Namespace != svc.Namespace || ref.Name != svc.Name) {
				return errNotOurs
			}
			return nil
		}, nil, storage.DeleteOptions{})
	if storage.IsNotFound(err) || errors.Is(err, errNotOurs) {
		return nil
	}
	return err
}
