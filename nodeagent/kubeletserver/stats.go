package kubeletserver

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// serveStatsSummary serves GET /stats/summary from the runtime's container stats.
func (s *Server) serveStatsSummary(w http.ResponseWriter, req *http.Request) {
	summary, err := s.summary(req.Context())
	if err != nil {
		writeError(w, fmt.Sprintf("Internal Error: %v", err), http.StatusInternalServerError)
		return
	}
	writeJSON(w, req, summary)
}

func (s *Server) summary(ctx context.Context) (*Summary, error) {
	now := metav1.NewTime(s.cfg.Clock.Now())
	sandboxes, err := s.cfg.Runtime.ListPodSandbox(ctx, &runtimeapi.PodSandboxFilter{
		State: &runtimeapi.PodSandboxStateValue{State: runtimeapi.PodSandboxState_SANDBOX_READY},
	})
	if err != nil {
		return nil, fmt.Errorf("listing sandboxes: %w", err)
	}
	containers, err := s.cfg.Runtime.ListContainers(ctx, &runtimeapi.ContainerFilter{
		State: &runtimeapi.ContainerStateValue{State: runtimeapi.ContainerState_CONTAINER_RUNNING},
	})
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	stats, err := s.cfg.Runtime.ListContainerStats(ctx, &runtimeapi.ContainerStatsFilter{})
	if err != nil {
		return nil, fmt.Errorf("listing container stats: %w", err)
	}
	return buildSummary(s.cfg.NodeName, now, sandboxes, containers, stats, readNodeStats("/proc", now)), nil
}

// buildSummary joins sandboxes, their running containers and those containers' stats; a pod's
// usage is its containers' sum.
func buildSummary(nodeName string, now metav1.Time, sandboxes []*runtimeapi.PodSandbox, containers []*runtimeapi.Container,
	stats []*runtimeapi.ContainerStats, node NodeStats) *Summary {
	byID := map[string]*runtimeapi.ContainerStats{}
	for _, st := range stats {
		byID[st.GetAttributes().GetId()] = st
	}
	node.NodeName = nodeName
	out := &Summary{Node: node, Pods: []PodStats{}}
	for _, sb := range sandboxes {
		pod := PodStats{
			PodRef: PodReference{
				Name: sb.Labels[cri.LabelPodName], Namespace: sb.Labels[cri.LabelPodNamespace], UID: sb.Labels[cri.LabelPodUID],
			},
			StartTime:  metav1.NewTime(time.Unix(0, sb.CreatedAt)),
			Containers: []ContainerStats{},
		}
		var cpuTotal, memTotal, wsTotal uint64
		var haveCPU, haveMem bool
		for _, c := range containers {
			if c.PodSandboxId != sb.Id {
				continue
			}
			cs := ContainerStats{Name: c.Labels[cri.LabelContainerName], StartTime: metav1.NewTime(time.Unix(0, c.CreatedAt))}
			if st := byID[c.Id]; st != nil {
				if cpu := st.Cpu; cpu != nil && cpu.UsageCoreNanoSeconds != nil {
					cs.CPU = &CPUStats{Time: nanoTime(cpu.Timestamp, now), UsageCoreNanoSeconds: ptrTo(cpu.UsageCoreNanoSeconds.Value)}
					if cpu.UsageNanoCores != nil {
						cs.CPU.UsageNanoCores = ptrTo(cpu.UsageNanoCores.Value)
					}
					cpuTotal += cpu.UsageCoreNanoSeconds.Value
					haveCPU = true
				}
				if mem := st.Memory; mem != nil && mem.WorkingSetBytes != nil {
					cs.Memory = &MemoryStats{Time: nanoTime(mem.Timestamp, now), WorkingSetBytes: ptrTo(mem.WorkingSetBytes.Value)}
					if mem.UsageBytes != nil {
						cs.Memory.UsageBytes = ptrTo(mem.UsageBytes.Value)
						memTotal += mem.UsageBytes.Value
					}
					if mem.RssBytes != nil {
						cs.Memory.RSSBytes = ptrTo(mem.RssBytes.Value)
					}
					wsTotal += mem.WorkingSetBytes.Value
					haveMem = true
				}
			}
			pod.Containers = append(pod.Containers, cs)
		}
		slices.SortFunc(pod.Containers, func(a, b ContainerStats) int { return strings.Compare(a.Name, b.Name) })
		if haveCPU {
			pod.CPU = &CPUStats{Time: now, UsageCoreNanoSeconds: ptrTo(cpuTotal)}
		}
		if haveMem {
			pod.Memory = &MemoryStats{Time: now, UsageBytes: ptrTo(memTotal), WorkingSetBytes: ptrTo(wsTotal)}
		}
		out.Pods = append(out.Pods, pod)
	}
	slices.SortFunc(out.Pods, func(a, b PodStats) int {
		return strings.Compare(a.PodRef.Namespace+"/"+a.PodRef.Name, b.PodRef.Namespace+"/"+b.PodRef.Name)
	})
	return out
}

// readNodeStats reads the node's CPU time, memory and boot time from procfs; what it cannot
// read stays unset.
func readNodeStats(proc string, now metav1.Time) NodeStats {
	var node NodeStats
	if f, err := os.Open(proc + "/stat"); err == nil {
		cpu, boot := parseProcStat(f)
		_ = f.Close()
		if cpu != nil {
			node.CPU = &CPUStats{Time: now, UsageCoreNanoSeconds: cpu}
		}
		if boot > 0 {
			node.StartTime = metav1.NewTime(time.Unix(boot, 0))
		}
	}
	if f, err := os.Open(proc + "/meminfo"); err == nil {
		node.Memory = parseMeminfo(f, now)
		_ = f.Close()
	}
	return node
}

// userHZ is the unit of /proc/stat's CPU times on Linux.
const userHZ = 100

// parseProcStat returns the busy CPU time of all CPUs (user, nice, system, irq, softirq, steal)
// in nanoseconds, and the boot time.
func parseProcStat(r io.Reader) (*uint64, int64) {
	var cpu *uint64
	var boot int64
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		switch {
		case len(f) >= 9 && f[0] == "cpu":
			var busy uint64
			for _, i := range []int{1, 2, 3, 6, 7, 8} {
				v, _ := strconv.ParseUint(f[i], 10, 64)
				busy += v
			}
			cpu = ptrTo(busy * uint64(time.Second) / userHZ)
		case len(f) == 2 && f[0] == "btime":
			boot, _ = strconv.ParseInt(f[1], 10, 64)
		}
	}
	return cpu, boot
}

// parseMeminfo gives the node's memory as cadvisor reports the root cgroup's: usage is total
// minus free, the working set total minus available.
func parseMeminfo(r io.Reader, now metav1.Time) *MemoryStats {
	kb := map[string]uint64{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 {
			v, _ := strconv.ParseUint(f[1], 10, 64)
			kb[strings.TrimSuffix(f[0], ":")] = v * 1024
		}
	}
	total, ok := kb["MemTotal"]
	if !ok {
		return nil
	}
	return &MemoryStats{
		Time:            now,
		AvailableBytes:  ptrTo(kb["MemAvailable"]),
		UsageBytes:      ptrTo(total - kb["MemFree"]),
		WorkingSetBytes: ptrTo(total - kb["MemAvailable"]),
	}
}

func nanoTime(ns int64, fallback metav1.Time) metav1.Time {
	if ns == 0 {
		return fallback
	}
	return metav1.NewTime(time.Unix(0, ns))
}

func ptrTo[T any](v T) *T { return &v }
