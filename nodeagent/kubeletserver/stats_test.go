package kubeletserver

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

func TestParseProcStat(t *testing.T) {
	stat := "cpu  100 20 30 5000 40 5 6 7 0 0\ncpu0 50 10 15 2500 20 2 3 3 0 0\nbtime 1764150000\n"
	cpu, boot := parseProcStat(strings.NewReader(stat))
	// user+nice+system+irq+softirq+steal = 100+20+30+5+6+7 = 168 jiffies of 10ms.
	if cpu == nil || *cpu != 168*uint64(10*time.Millisecond) || boot != 1764150000 {
		t.Errorf("cpu %v, boot %d", cpu, boot)
	}
}

func TestParseMeminfo(t *testing.T) {
	now := metav1.Now()
	got := parseMeminfo(strings.NewReader("MemTotal:       1000 kB\nMemFree:         200 kB\nMemAvailable:    600 kB\n"), now)
	want := &MemoryStats{Time: now, AvailableBytes: ptr.To[uint64](600 * 1024), UsageBytes: ptr.To[uint64](800 * 1024), WorkingSetBytes: ptr.To[uint64](400 * 1024)}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
	if parseMeminfo(strings.NewReader(""), now) != nil {
		t.Error("empty meminfo gave stats")
	}
}

func TestBuildSummary(t *testing.T) {
	now := metav1.NewTime(time.Unix(2000, 0).UTC())
	created := time.Unix(1000, 0)
	labels := func(ns, name, uid, container string) map[string]string {
		l := cri.PodLabels(ns, name, uid)
		if container != "" {
			l[cri.LabelContainerName] = container
		}
		return l
	}
	sandboxes := []*runtimeapi.PodSandbox{
		{Id: "sb2", Labels: labels("ns", "b", "u2", ""), CreatedAt: created.UnixNano()},
		{Id: "sb1", Labels: labels("ns", "a", "u1", ""), CreatedAt: created.UnixNano()},
	}
	containers := []*runtimeapi.Container{
		{Id: "c2", PodSandboxId: "sb1", Labels: labels("ns", "a", "u1", "two"), CreatedAt: created.UnixNano()},
		{Id: "c1", PodSandboxId: "sb1", Labels: labels("ns", "a", "u1", "one"), CreatedAt: created.UnixNano()},
		{Id: "c3", PodSandboxId: "sb2", Labels: labels("ns", "b", "u2", "nostats"), CreatedAt: created.UnixNano()},
	}
	stat := func(id string, cpu, mem uint64) *runtimeapi.ContainerStats {
		return &runtimeapi.ContainerStats{
			Attributes: &runtimeapi.ContainerAttributes{Id: id},
			Cpu:        &runtimeapi.CpuUsage{Timestamp: now.UnixNano(), UsageCoreNanoSeconds: &runtimeapi.UInt64Value{Value: cpu}},
			Memory:     &runtimeapi.MemoryUsage{Timestamp: now.UnixNano(), WorkingSetBytes: &runtimeapi.UInt64Value{Value: mem}, UsageBytes: &runtimeapi.UInt64Value{Value: 2 * mem}},
		}
	}
	got := buildSummary("node-1", now, sandboxes, containers, []*runtimeapi.ContainerStats{stat("c1", 10, 100), stat("c2", 5, 50)}, NodeStats{})
	start := metav1.NewTime(created)
	cstat := func(name string, cpu, mem uint64) ContainerStats {
		return ContainerStats{
			Name: name, StartTime: start,
			CPU:    &CPUStats{Time: now, UsageCoreNanoSeconds: ptr.To(cpu)},
			Memory: &MemoryStats{Time: now, WorkingSetBytes: ptr.To(mem), UsageBytes: ptr.To(2 * mem)},
		}
	}
	want := &Summary{
		Node: NodeStats{NodeName: "node-1"},
		Pods: []PodStats{
			{
				PodRef: PodReference{Name: "a", Namespace: "ns", UID: "u1"}, StartTime: start,
				Containers: []ContainerStats{cstat("one", 10, 100), cstat("two", 5, 50)},
				CPU:        &CPUStats{Time: now, UsageCoreNanoSeconds: ptr.To[uint64](15)},
				Memory:     &MemoryStats{Time: now, UsageBytes: ptr.To[uint64](300), WorkingSetBytes: ptr.To[uint64](150)},
			},
			{
				PodRef: PodReference{Name: "b", Namespace: "ns", UID: "u2"}, StartTime: start,
				Containers: []ContainerStats{{Name: "nostats", StartTime: start}},
			},
		},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got)\n%s", diff)
	}
}
