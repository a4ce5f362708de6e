package kubelet

import (
	"fmt"
	"os"
	goruntime "runtime"
	"strings"

	"golang.org/x/sys/unix"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

// hostCapacity is the node's capacity read from the host: CPUs, memory (/proc/meminfo), the pod
// limit and the size of the file system holding rootDir. Nothing is reserved, so it is also the
// allocatable.
func hostCapacity(rootDir string, maxPods int32) (corev1.ResourceList, error) {
	mem, err := memTotal("/proc/meminfo")
	if err != nil {
		return nil, err
	}
	var st unix.Statfs_t
	if err := unix.Statfs(rootDir, &st); err != nil {
		return nil, fmt.Errorf("statfs %s: %w", rootDir, err)
	}
	return corev1.ResourceList{
		corev1.ResourceCPU:              *resource.NewQuantity(int64(goruntime.NumCPU()), resource.DecimalSI),
		corev1.ResourceMemory:           *resource.NewQuantity(mem, resource.BinarySI),
		corev1.ResourcePods:             *resource.NewQuantity(int64(maxPods), resource.DecimalSI),
		corev1.ResourceEphemeralStorage: *resource.NewQuantity(int64(st.Blocks)*int64(st.Bsize), resource.BinarySI),
		"hugepages-1Gi":                 *resource.NewQuantity(0, resource.BinarySI),
		"hugepages-2Mi":                 *resource.NewQuantity(0, resource.BinarySI),
	}, nil
}

// memTotal reads MemTotal from a meminfo file, in bytes.
func memTotal(path string) (int64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	return parseMemTotal(data)
}

func parseMemTotal(data []byte) (int64, error) { return parseMeminfo(data, "MemTotal:") }

// systemInfo is status.nodeInfo without the runtime version.
func systemInfo() corev1.NodeSystemInfo {
	info := corev1.NodeSystemInfo{
		MachineID:       readTrimmed("/etc/machine-id"),
		SystemUUID:      strings.ToLower(readTrimmed("/sys/class/dmi/id/product_uuid")),
		BootID:          readTrimmed("/proc/sys/kernel/random/boot_id"),
		OSImage:         osImage("/etc/os-release"),
		KubeletVersion:  Version,
		OperatingSystem: goruntime.GOOS,
		Architecture:    goruntime.GOARCH,
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err == nil {
		info.KernelVersion = unix.ByteSliceToString(u.Release[:])
	}
	return info
}

func readTrimmed(path string) string {
	data, _ := os.ReadFile(path)
	return strings.TrimSpace(string(data))
}

// osImage is PRETTY_NAME of os-release, as cAdvisor reports it.
func osImage(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "Linux"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return "Linux"
}
