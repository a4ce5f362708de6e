package service

import (
	"context"
	"fmt"
	"math/big"
	"math/rand/v2"
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apiserver/pkg/storage"
)

// ErrPortNotInRange is returned for a node port outside the configured range.
type ErrPortNotInRange struct {
	ValidPorts string
}

func (e *ErrPortNotInRange) Error() string {
	return fmt.Sprintf("provided port is not in the valid range. The range of valid ports is %s", e.ValidPorts)
}

// PortAllocator hands out node ports. Its state is a core/v1 RangeAllocation whose data is a
// bitmap of the range, as upstream stores it at /ranges/servicenodeports; every change is a
// compare-and-swap on that object, serialized within the process by a mutex.
type PortAllocator struct {
	mu        sync.Mutex
	storage   storage.Interface
	key       string
	portRange utilnet.PortRange
	// offset is the size of the static band at the start of the range that dynamic allocation
	// uses only when the rest is full.
	offset int
	// last is the object as last written, to save a read on the next change.
	last *corev1.RangeAllocation
}

// NewPortAllocator returns the allocator of portRange keeping its bitmap in store at key.
func NewPortAllocator(store storage.Interface, key string, portRange utilnet.PortRange) *PortAllocator {
	offset := 0
	if size := portRange.Size; size > 16 {
		offset = min(max(16, size/32), 128)
	}
	return &PortAllocator{storage: store, key: key, portRange: portRange, offset: offset}
}

// Range returns the ports the allocator serves.
func (p *PortAllocator) Range() utilnet.PortRange { return p.portRange }

// update applies fn to the bitmap and stores the result.
func (p *PortAllocator) update(ctx context.Context, fn func(bits *big.Int) error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := &corev1.RangeAllocation{}
	var cached runtime.Object
	if p.last != nil {
		cached = p.last.DeepCopy()
	}
	err := p.storage.GuaranteedUpdate(ctx, p.key, out, true, nil, storage.SimpleUpdate(func(in runtime.Object) (runtime.Object, error) {
		ra := in.(*corev1.RangeAllocation)
		bits := p.bitsOf(ra)
		if err := fn(bits); err != nil {
			return nil, err
		}
		ra.Range = p.portRange.String()
		ra.Data = bits.Bytes()
		return ra, nil
	}), cached)
	if err != nil {
		return err
	}
	p.last = out
	return nil
}

// bitsOf reads the bitmap of ra, carrying allocations over when the range was changed.
func (p *PortAllocator) bitsOf(ra *corev1.RangeAllocation) *big.Int {
	stored := new(big.Int).SetBytes(ra.Data)
	if ra.Range == "" || ra.Range == p.portRange.String() {
		return stored
	}
	old, err := utilnet.ParsePortRange(ra.Range)
	if err != nil {
		return new(big.Int)
	}
	bits := new(big.Int)
	for i := 0; i < stored.BitLen(); i++ {
		if port := old.Base + i; stored.Bit(i) == 1 && p.portRange.Contains(port) {
			bits.SetBit(bits, port-p.portRange.Base, 1)
		}
	}
	return bits
}

// current reads the bitmap.
func (p *PortAllocator) current(ctx context.Context) (*big.Int, error) {
	ra := &corev1.RangeAllocation{}
	if err := p.storage.Get(ctx, p.key, storage.GetOptions{IgnoreNotFound: true}, ra); err != nil {
		return nil, err
	}
	return p.bitsOf(ra), nil
}

// Allocate reserves port.
func (p *PortAllocator) Allocate(ctx context.Context, port int) error {
	if !p.portRange.Contains(port) {
		return &ErrPortNotInRange{ValidPorts: p.portRange.String()}
	}
	offset := port - p.portRange.Base
	return p.update(ctx, func(bits *big.Int) error {
		if bits.Bit(offset) == 1 {
			return ErrPortAllocated
		}
		bits.SetBit(bits, offset, 1)
		return nil
	})
}

// AllocateNext reserves a free port, at random above the static band first.
func (p *PortAllocator) AllocateNext(ctx context.Context) (int, error) {
	var port int
	err := p.update(ctx, func(bits *big.Int) error {
		offset, ok := p.free(bits)
		if !ok {
			return ErrFull
		}
		bits.SetBit(bits, offset, 1)
		port = p.portRange.Base + offset
		return nil
	})
	return port, err
}

func (p *PortAllocator) free(bits *big.Int) (int, bool) {
	scan := func(from, n int) (int, bool) {
		if n <= 0 {
			return 0, false
		}
		start := rand.IntN(n)
		for i := range n {
			if at := from + (start+i)%n; bits.Bit(at) == 0 {
				return at, true
			}
		}
		return 0, false
	}
	if at, ok := scan(p.offset, p.portRange.Size-p.offset); ok {
		return at, true
	}
	return scan(0, p.offset)
}

// Release frees port; ports outside the range are ignored.
func (p *PortAllocator) Release(ctx context.Context, port int) error {
	if !p.portRange.Contains(port) {
		return nil
	}
	offset := port - p.portRange.Base
	return p.update(ctx, func(bits *big.Int) error {
		bits.SetBit(bits, offset, 0)
		return nil
	})
}

// Has tells whether port is allocated.
func (p *PortAllocator) Has(ctx context.Context, port int) bool {
	if !p.portRange.Contains(port) {
		return false
	}
	bits, err := p.current(ctx)
	return err == nil && bits.Bit(port-p.portRange.Base) == 1
}
