package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// baselineLabel marks the baseline's sandboxes. They carry no io.kubernetes.pod.uid label, so
// the node agent leaves them alone.
const baselineLabel = "bench.skiff.sh/podstartup"

// criTimes is one baseline pod's CRI calls.
type criTimes struct {
	sandbox, create, start time.Duration
	// called is when RunPodSandbox was called; stamped is the sandbox's CreatedAt minus called
	// (where in RunPodSandbox containerd takes the timestamp).
	called  time.Time
	stamped time.Duration
}

func (c criTimes) total() time.Duration { return c.sandbox + c.create + c.start }

// baseline runs n sandboxes with a busybox container each, straight on the runtime, as the node
// agent would run the pods: RunPodSandbox, CreateContainer, StartContainer. concurrency 1 runs
// them one after the other; otherwise they start at rate per second (0: all at once). It
// returns each pod's times and removes the sandboxes again.
func baseline(ctx context.Context, rt cri.Runtime, o options, run string, concurrency int, rate float64) ([]criTimes, error) {
	out := make([]criTimes, o.pods)
	errs := make([]error, o.pods)
	var wg sync.WaitGroup
	var tick *time.Ticker
	if rate > 0 {
		tick = time.NewTicker(time.Duration(float64(time.Second) / rate))
		defer tick.Stop()
	}
	for i := range o.pods {
		if concurrency == 1 {
			out[i], errs[i] = baselinePod(ctx, rt, o, run, i)
			continue
		}
		if tick != nil && i > 0 {
			<-tick.C
		}
		wg.Go(func() { out[i], errs[i] = baselinePod(ctx, rt, o, run, i) })
	}
	wg.Wait()
	labels := map[string]string{baselineLabel: run}
	if list, err := rt.ListPodSandbox(ctx, &runtimeapi.PodSandboxFilter{LabelSelector: labels}); err == nil {
		for _, s := range list {
			var i int
			if _, err := fmt.Sscanf(s.GetMetadata().GetName(), "cri-"+run+"-%d", &i); err == nil && i >= 0 && i < len(out) {
				out[i].stamped = time.Unix(0, s.CreatedAt).Sub(out[i].called)
			}
		}
	}
	return out, errors.Join(errors.Join(errs...), removeSandboxes(ctx, rt, labels))
}

func baselinePod(ctx context.Context, rt cri.Runtime, o options, run string, i int) (criTimes, error) {
	name := fmt.Sprintf("cri-%s-%03d", run, i)
	uid := fmt.Sprintf("00000000-0000-4000-8000-%012d", i)
	logDir := filepath.Join(o.workDir, "cri-logs", run, name)
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return criTimes{}, err
	}
	ns := &runtimeapi.NamespaceOption{Network: runtimeapi.NamespaceMode_POD, Pid: runtimeapi.NamespaceMode_CONTAINER, Ipc: runtimeapi.NamespaceMode_POD}
	sandboxConfig := &runtimeapi.PodSandboxConfig{
		Metadata:     &runtimeapi.PodSandboxMetadata{Name: name, Namespace: "podstartup-cri", Uid: uid},
		Hostname:     name,
		LogDirectory: logDir,
		DnsConfig:    &runtimeapi.DNSConfig{Servers: []string{"10.96.0.10"}, Searches: []string{"podstartup-cri.svc.cluster.local", "svc.cluster.local", "cluster.local"}, Options: []string{"ndots:5"}},
		Labels:       map[string]string{baselineLabel: run},
		Linux: &runtimeapi.LinuxPodSandboxConfig{
			CgroupParent:    o.cgroupParent,
			SecurityContext: &runtimeapi.LinuxSandboxSecurityContext{NamespaceOptions: ns},
		},
	}
	containerConfig := &runtimeapi.ContainerConfig{
		Metadata: &runtimeapi.ContainerMetadata{Name: "sleep"},
		Image:    &runtimeapi.ImageSpec{Image: o.image},
		Command:  []string{"sleep", "3600"},
		LogPath:  filepath.Join("sleep", "0.log"),
		Labels:   map[string]string{baselineLabel: run},
		Linux: &runtimeapi.LinuxContainerConfig{
			SecurityContext: &runtimeapi.LinuxContainerSecurityContext{NamespaceOptions: ns},
		},
	}
	t := criTimes{called: time.Now()}
	start := t.called
	id, err := rt.RunPodSandbox(ctx, sandboxConfig, "")
	t.sandbox = time.Since(start)
	if err != nil {
		return t, fmt.Errorf("RunPodSandbox %s: %w", name, err)
	}
	start = time.Now()
	cid, err := rt.CreateContainer(ctx, id, containerConfig, sandboxConfig)
	t.create = time.Since(start)
	if err != nil {
		return t, fmt.Errorf("CreateContainer %s: %w", name, err)
	}
	start = time.Now()
	err = rt.StartContainer(ctx, cid)
	t.start = time.Since(start)
	if err != nil {
		return t, fmt.Errorf("StartContainer %s: %w", name, err)
	}
	return t, nil
}

// removeSandboxes stops and removes the sandboxes with labels (every one with nil), 8 at a time.
func removeSandboxes(ctx context.Context, rt cri.Runtime, labels map[string]string) error {
	var filter *runtimeapi.PodSandboxFilter
	if labels != nil {
		filter = &runtimeapi.PodSandboxFilter{LabelSelector: labels}
	}
	list, err := rt.ListPodSandbox(ctx, filter)
	if err != nil {
		return fmt.Errorf("listing sandboxes: %w", err)
	}
	sem := make(chan struct{}, 8)
	var mu sync.Mutex
	var errs []error
	var wg sync.WaitGroup
	for _, s := range list {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			err := errors.Join(rt.StopPodSandbox(ctx, s.Id), rt.RemovePodSandbox(ctx, s.Id))
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		})
	}
	wg.Wait()
	return errors.Join(errs...)
}

// runtimeTimes are the runtime's timestamps of a pod (this machine's clock).
type runtimeTimes struct {
	sandboxCreated, containerCreated, containerStarted time.Time
}

// podStarts reads, for each pod UID, when its sandbox and container were created and its
// container started.
func podStarts(ctx context.Context, rt cri.Runtime, uids []string) (map[string]runtimeTimes, error) {
	sandboxes, err := rt.ListPodSandbox(ctx, nil)
	if err != nil {
		return nil, err
	}
	out := map[string]runtimeTimes{}
	for _, u := range uids {
		out[u] = runtimeTimes{}
	}
	for _, s := range sandboxes {
		uid := s.Labels[cri.LabelPodUID]
		if t, ok := out[uid]; ok && s.State == runtimeapi.PodSandboxState_SANDBOX_READY {
			t.sandboxCreated = time.Unix(0, s.CreatedAt)
			out[uid] = t
		}
	}
	containers, err := rt.ListContainers(ctx, nil)
	if err != nil {
		return nil, err
	}
	for _, c := range containers {
		uid := c.Labels[cri.LabelPodUID]
		t, ok := out[uid]
		if !ok || c.State != runtimeapi.ContainerState_CONTAINER_RUNNING {
			continue
		}
		st, err := rt.ContainerStatus(ctx, c.Id, false)
		if err != nil {
			return nil, err
		}
		t.containerCreated, t.containerStarted = time.Unix(0, st.GetStatus().GetCreatedAt()), time.Unix(0, st.GetStatus().GetStartedAt())
		out[uid] = t
	}
	return out, nil
}

// waitNoPodSandboxes waits until the runtime has no ready sandbox of a pod (the node agent
// stopped them), so that the next run has the node to itself.
func waitNoPodSandboxes(ctx context.Context, rt cri.Runtime, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		list, err := rt.ListPodSandbox(ctx, nil)
		if err != nil {
			return err
		}
		n := 0
		for _, s := range list {
			if s.Labels[cri.LabelPodUID] != "" && s.State == runtimeapi.PodSandboxState_SANDBOX_READY {
				n++
			}
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d pod sandboxes still there after %v", n, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
