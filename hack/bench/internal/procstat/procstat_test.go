package procstat

import (
	"os"
	"testing"
	"time"
)

func TestCPU(t *testing.T) {
	deadline := time.Now().Add(5 * time.Second)
	for CPU(os.Getpid()) == 0 && time.Now().Before(deadline) {
		// Burn CPU until the kernel's accounting (10 ms ticks) shows some.
		for i := 0; i < 1_000_000; i++ {
			_ = i * i
		}
	}
	if CPU(os.Getpid()) == 0 {
		t.Error("no CPU time for this busy process")
	}
	for _, pid := range []int{0, -1, 1 << 30} {
		if got := CPU(pid); got != 0 {
			t.Errorf("CPU(%d) = %v, want 0", pid, got)
		}
	}
}
