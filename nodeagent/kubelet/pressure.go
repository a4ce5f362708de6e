package kubelet

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Upstream's default hard eviction thresholds (the kubelet's evictionHard defaults on Linux),
// against which the node reports MemoryPressure and DiskPressure. skiff reports pressure but does
// not evict: the conditions' taints (TaintNodesByCondition) keep new pods off a node under it.
// PIDPressure has no default threshold upstream, so it stays False.
const (
	memoryAvailableMin   = 100 << 20 // memory.available<100Mi
	nodefsAvailableMin   = 0.10      // nodefs.available<10%
	nodefsInodesFreeMin  = 0.05      // nodefs.inodesFree<5%
	meminfoAvailableName = "MemAvailable:"
)

// pressure is whether the node is short of memory or of disk.
type pressure struct{ memory, disk bool }

// measurePressure reads the host's available memory and the free space and inodes of the file
// system holding rootDir.
func measurePressure(meminfo, rootDir string) (pressure, error) {
	data, err := os.ReadFile(meminfo)
	if err != nil {
		return pressure{}, err
	}
	avail, err := parseMeminfo(data, meminfoAvailableName)
	if err != nil {
		return pressure{}, err
	}
	var st unix.Statfs_t
	if err := unix.Statfs(rootDir, &st); err != nil {
		return pressure{}, fmt.Errorf("statfs %s: %w", rootDir, err)
	}
	return pressureFrom(avail, st.Bavail, st.Blocks, st.Ffree, st.Files), nil
}

// pressureFrom compares available memory (bytes), available and total blocks, and free and
// total inodes with the thresholds.
func pressureFrom(memAvailable int64, blocksAvail, blocks, inodesFree, inodes uint64) pressure {
	p := pressure{memory: memAvailable < memoryAvailableMin}
	if blocks > 0 && float64(blocksAvail) < nodefsAvailableMin*float64(blocks) {
		p.disk = true
	}
	if inodes > 0 && float64(inodesFree) < nodefsInodesFreeMin*float64(inodes) {
		p.disk = true
	}
	return p
}

// parseMeminfo reads one field (e.g. "MemTotal:") of a meminfo file, in bytes.
func parseMeminfo(data []byte, field string) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == field {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("%s %q: %w", strings.TrimSuffix(field, ":"), f[1], err)
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("no %s in meminfo", strings.TrimSuffix(field, ":"))
}
