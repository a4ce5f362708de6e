package kubelet

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// podRuntime is what the runtime has of one pod: its sandboxes and containers, newest first.
type podRuntime struct {
	sandboxes []*runtimeapi.PodSandbox
	// sandbox is the newest sandbox's status (nil without one).
	sandbox    *runtimeapi.PodSandboxStatus
	containers []*runtimeContainer
}

// runtimeContainer is one container instance with its status.
type runtimeContainer struct {
	id, name     string
	sandboxID    string
	restartCount int
	status       *runtimeapi.ContainerStatus
}

func (c *runtimeContainer) running() bool {
	return c.status.GetState() == runtimeapi.ContainerState_CONTAINER_RUNNING
}

func (c *runtimeContainer) exited() bool {
	return c.status.GetState() == runtimeapi.ContainerState_CONTAINER_EXITED
}

// sandboxReady reports whether the newest sandbox is ready.
func (r *podRuntime) sandboxReady() bool {
	return r.sandbox != nil && r.sandbox.GetState() == runtimeapi.PodSandboxState_SANDBOX_READY
}

// latest returns the newest and the previous instance of container name (nil when missing).
func (r *podRuntime) latest(name string) (cur, prev *runtimeContainer) {
	for _, c := range r.containers {
		if c.name != name {
			continue
		}
		if cur == nil {
			cur = c
		} else {
			return cur, c
		}
	}
	return cur, nil
}

// podIPs are the newest ready sandbox's IPs.
func (r *podRuntime) podIPs() []string {
	if !r.sandboxReady() || r.sandbox.GetNetwork() == nil || r.sandbox.GetNetwork().GetIp() == "" {
		return nil
	}
	ips := []string{r.sandbox.Network.Ip}
	for _, ip := range r.sandbox.Network.AdditionalIps {
		ips = append(ips, ip.GetIp())
	}
	return ips
}

// statusCache keeps a worker's container and sandbox statuses by ID and state: a container's
// status only changes with its state, so the runtime is asked again only then.
type statusCache struct {
	containers map[string]*runtimeapi.ContainerStatus
	sandboxes  map[string]*runtimeapi.PodSandboxStatus
	// listedAt is when the worker last listed its pod's sandboxes and containers itself.
	listedAt time.Time
}

// relist is the runtime's sandboxes and containers of all pods, listed at most once per relist
// period however many workers ask (upstream's PLEG relist).
type relist struct {
	mu  sync.Mutex
	cur *snapshot
}

type snapshot struct {
	at         time.Time
	sandboxes  map[types.UID][]*runtimeapi.PodSandbox
	containers map[types.UID][]*runtimeapi.Container
}

// snapshot returns a listing taken no earlier than notBefore.
func (k *Kubelet) snapshot(ctx context.Context, notBefore time.Time) (*snapshot, error) {
	r := &k.relist
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur != nil && !r.cur.at.Before(notBefore) {
		return r.cur, nil
	}
	at := k.clock.Now()
	sandboxes, err := k.runtime.ListPodSandbox(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("listing sandboxes: %w", err)
	}
	containers, err := k.runtime.ListContainers(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("listing containers: %w", err)
	}
	snap := &snapshot{at: at, sandboxes: map[types.UID][]*runtimeapi.PodSandbox{}, containers: map[types.UID][]*runtimeapi.Container{}}
	for _, s := range sandboxes {
		uid := types.UID(s.Labels[cri.LabelPodUID])
		snap.sandboxes[uid] = append(snap.sandboxes[uid], s)
	}
	for _, c := range containers {
		uid := types.UID(c.Labels[cri.LabelPodUID])
		snap.containers[uid] = append(snap.containers[uid], c)
	}
	r.cur = snap
	return snap, nil
}

// readRuntime is the pod's sandboxes and containers from a listing at most one relist period
// old, or taken now when fresh (after the sync changed something).
func (k *Kubelet) readRuntime(ctx context.Context, uid types.UID, cache *statusCache, fresh bool) (*podRuntime, error) {
	var listedSandboxes []*runtimeapi.PodSandbox
	var listedContainers []*runtimeapi.Container
	if !fresh {
		snap, err := k.snapshot(ctx, k.clock.Now().Add(-k.o.RelistPeriod))
		if err != nil {
			return nil, err
		}
		// A node-wide listing older than this worker's own last look may miss what it has
		// just created (and it would create it again).
		fresh = snap.at.Before(cache.listedAt)
		listedSandboxes, listedContainers = snap.sandboxes[uid], snap.containers[uid]
	}
	if fresh {
		at := k.clock.Now()
		var err error
		if listedSandboxes, listedContainers, err = k.listPod(ctx, uid); err != nil {
			return nil, err
		}
		cache.listedAt = at
	}
	if cache.containers == nil {
		cache.containers, cache.sandboxes = map[string]*runtimeapi.ContainerStatus{}, map[string]*runtimeapi.PodSandboxStatus{}
	}
	sandboxes := slices.Clone(listedSandboxes)
	sort.SliceStable(sandboxes, func(i, j int) bool {
		if a, b := sandboxes[i].GetMetadata().GetAttempt(), sandboxes[j].GetMetadata().GetAttempt(); a != b {
			return a > b
		}
		return sandboxes[i].CreatedAt > sandboxes[j].CreatedAt
	})
	r := &podRuntime{sandboxes: sandboxes}
	keep := map[string]bool{}
	if len(sandboxes) > 0 {
		s := sandboxes[0]
		key := s.Id + "/" + s.State.String()
		keep[key] = true
		st := cache.sandboxes[key]
		if st == nil {
			resp, err := k.runtime.PodSandboxStatus(ctx, s.Id, false)
			if err != nil {
				return nil, fmt.Errorf("sandbox status: %w", err)
			}
			st = resp.GetStatus()
			cache.sandboxes[key] = st
		}
		r.sandbox = st
	}
	for _, c := range listedContainers {
		key := c.Id + "/" + c.State.String()
		keep[key] = true
		st := cache.containers[key]
		if st == nil {
			resp, err := k.runtime.ContainerStatus(ctx, c.Id, false)
			if isNotFound(err) {
				continue // removed since the listing
			}
			if err != nil {
				return nil, fmt.Errorf("container status of %s: %w", c.Id, err)
			}
			st = resp.GetStatus()
			if st.GetState() != c.State {
				key = c.Id + "/" + st.GetState().String()
				keep[key] = true
			}
			cache.containers[key] = st
		}
		n, _ := strconv.Atoi(c.Annotations[cri.AnnotationContainerRestartCount])
		r.containers = append(r.containers, &runtimeContainer{
			id: c.Id, name: c.Labels[cri.LabelContainerName], sandboxID: c.PodSandboxId, restartCount: n, status: st,
		})
	}
	maps.DeleteFunc(cache.containers, func(key string, _ *runtimeapi.ContainerStatus) bool { return !keep[key] })
	maps.DeleteFunc(cache.sandboxes, func(key string, _ *runtimeapi.PodSandboxStatus) bool { return !keep[key] })
	sort.SliceStable(r.containers, func(i, j int) bool {
		a, b := r.containers[i], r.containers[j]
		if a.restartCount != b.restartCount {
			return a.restartCount > b.restartCount
		}
		return a.status.GetCreatedAt() > b.status.GetCreatedAt()
	})
	return r, nil
}

// listPod lists one pod's sandboxes and containers now. A worker that has just changed its pod
// asks only for that pod: a node-wide relist under the relist lock made every worker starting a
// pod wait for the others' listings, and pod startup latency grew with the number of pods
// starting at once.
func (k *Kubelet) listPod(ctx context.Context, uid types.UID) ([]*runtimeapi.PodSandbox, []*runtimeapi.Container, error) {
	selector := map[string]string{cri.LabelPodUID: string(uid)}
	sandboxes, err := k.runtime.ListPodSandbox(ctx, &runtimeapi.PodSandboxFilter{LabelSelector: selector})
	if err != nil {
		return nil, nil, fmt.Errorf("listing the pod's sandboxes: %w", err)
	}
	containers, err := k.runtime.ListContainers(ctx, &runtimeapi.ContainerFilter{LabelSelector: selector})
	if err != nil {
		return nil, nil, fmt.Errorf("listing the pod's containers: %w", err)
	}
	return sandboxes, containers, nil
}
