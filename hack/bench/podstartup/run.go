package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/skiff-sh/skiff/hack/bench/internal/procstat"
	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// phaseNames name result.phases.
var phaseNames = [...]string{"created→bound", "bound→sandbox CreatedAt", "sandbox→container CreatedAt", "container created→started", "started→Ready seen"}

// result is one run of pods through the cluster, and its CRI baseline at the same pace.
type result struct {
	name string
	rate float64
	// running and ready are created-to-Running and created-to-Ready per pod (created: the
	// client's create call); phases splits created-to-Ready at the pod's binding (seen by the
	// watch) and the runtime's timestamps (sandbox created, container created and started).
	running, ready []time.Duration
	phases         [len(phaseNames)][]time.Duration
	// wall is the first creation to the last pod Ready.
	wall                         time.Duration
	agent, agentPeak, containerd memory
	shims                        memory
	agentCPU, containerdCPU      time.Duration
	load                         string
	cri                          []criTimes
}

// podRun creates o.pods pods in a namespace of their own, at rate (0: at once), waits until
// all are Ready, reads the node's memory and the pods' start times from the runtime, then
// deletes them and waits until the node stopped their sandboxes.
func podRun(ctx context.Context, client kubernetes.Interface, rt cri.Runtime, o options, name string, rate float64, containerdPID int) (result, error) {
	r := result{name: name, rate: rate}
	ns, err := client.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{GenerateName: "podstartup-" + name + "-"}}, metav1.CreateOptions{})
	if err != nil {
		return r, err
	}
	defer func() {
		_ = client.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
	}()
	waitServiceAccount(ctx, client, ns.Name)
	t := newTracker()
	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	if err := t.watch(watchCtx, client, ns.Name); err != nil {
		return r, err
	}
	logf("run %s: %d pods in %s at %v/s (0: at once)", name, o.pods, ns.Name, rate)
	agentCPU0, containerdCPU0 := procstat.CPU(o.agentPID), procstat.CPU(containerdPID)
	start := time.Now()
	if err := createPods(ctx, client, ns.Name, name, o.image, o.pods, rate, t); err != nil {
		return r, err
	}
	if err := t.waitReady(ctx, o.pods); err != nil {
		return r, err
	}
	r.wall = time.Since(start)
	r.agentCPU, r.containerdCPU = procstat.CPU(o.agentPID)-agentCPU0, procstat.CPU(containerdPID)-containerdCPU0
	r.agent, r.containerd = procMemory(o.agentPID), procMemory(containerdPID)
	r.shims = sumMemory(shims(o.criEndpoint[len("unix://"):]))
	r.load = loadAverage()
	logf("run %s: all Ready after %v; agent RSS %s MiB", name, r.wall.Round(time.Millisecond), r.agent)

	pods := t.snapshot()
	var uids []string
	for _, p := range pods {
		uids = append(uids, p.uid)
	}
	rts, err := podStarts(ctx, rt, uids)
	if err != nil {
		return r, fmt.Errorf("reading start times from the runtime: %w", err)
	}
	if o.podsCSV != "" {
		if err := writePodsCSV(filepath.Join(o.podsCSV, name+"-pods.csv"), start, pods, rts); err != nil {
			return r, err
		}
	}
	for _, p := range pods {
		r.running = append(r.running, p.running.Sub(p.sent))
		r.ready = append(r.ready, p.ready.Sub(p.sent))
		t := rts[p.uid]
		if t.sandboxCreated.IsZero() || t.containerStarted.IsZero() {
			continue
		}
		for i, d := range [len(phaseNames)]time.Duration{p.bound.Sub(p.sent), t.sandboxCreated.Sub(p.bound),
			t.containerCreated.Sub(t.sandboxCreated), t.containerStarted.Sub(t.containerCreated), p.ready.Sub(t.containerStarted)} {
			r.phases[i] = append(r.phases[i], d)
		}
	}
	stopWatch()
	if err := deletePods(ctx, client, ns.Name); err != nil {
		return r, fmt.Errorf("deleting the pods: %w", err)
	}
	return r, waitNoPodSandboxes(ctx, rt, 3*time.Minute)
}

// writePodsCSV writes one line per pod: its name and the times it was created, bound, had its
// sandbox and container created, started and was seen Ready, in ms from start (empty: unknown).
func writePodsCSV(path string, start time.Time, pods map[string]podTimes, rts map[string]runtimeTimes) error {
	var b strings.Builder
	b.WriteString("pod,created,bound,sandbox_created,container_created,container_started,ready\n")
	names := slices.Sorted(maps.Keys(pods))
	ms := func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return strconv.FormatInt(t.Sub(start).Milliseconds(), 10)
	}
	for _, n := range names {
		p, rt := pods[n], rts[pods[n].uid]
		fmt.Fprintf(&b, "%s,%s,%s,%s,%s,%s,%s\n", n, ms(p.sent), ms(p.bound), ms(rt.sandboxCreated), ms(rt.containerCreated), ms(rt.containerStarted), ms(p.ready))
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
