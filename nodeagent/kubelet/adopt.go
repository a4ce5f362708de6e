package kubelet

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// housekeepingPeriod is how often sandboxes of pods the API no longer has are removed.
const housekeepingPeriod = 2 * time.Second

// adopt runs once the pod informer has synced: the runtime's pods that are still bound to this
// node are left running (their workers pick them up with restart counts from the container
// annotations); sandboxes of pods the API no longer has are stopped and removed.
func (k *Kubelet) adopt(ctx context.Context) error {
	pods, err := k.pods.List(everything)
	if err != nil {
		return err
	}
	for _, p := range pods {
		k.workers.kick(p)
	}
	return k.removeOrphans(ctx)
}

// removeOrphans stops and removes sandboxes (and containers) whose pod UID no pod of this node has
// and that no worker handles.
func (k *Kubelet) removeOrphans(ctx context.Context) error {
	pods, err := k.pods.List(everything)
	if err != nil {
		return err
	}
	known := map[types.UID]bool{}
	for _, p := range pods {
		known[p.UID] = true
	}
	k.workers.mu.Lock()
	for uid := range k.workers.workers {
		known[uid] = true
	}
	k.workers.mu.Unlock()
	sandboxes, err := k.runtime.ListPodSandbox(ctx, nil)
	if err != nil {
		return fmt.Errorf("listing sandboxes: %w", err)
	}
	var errs []error
	for _, s := range sandboxes {
		uid := types.UID(s.Labels[cri.LabelPodUID])
		if uid == "" || known[uid] {
			continue
		}
		klog.FromContext(ctx).V(2).Info("Removing the sandbox of a pod that no longer exists", "podSandboxID", s.Id,
			"pod", klog.KRef(s.Labels[cri.LabelPodNamespace], s.Labels[cri.LabelPodName]), "podUID", uid)
		if err := k.runtime.StopPodSandbox(ctx, s.Id); err != nil {
			errs = append(errs, err)
			continue
		}
		if err := k.runtime.RemovePodSandbox(ctx, s.Id); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// runHousekeeping removes orphaned sandboxes periodically, as upstream's housekeeping does.
func (k *Kubelet) runHousekeeping(ctx context.Context) {
	t := k.clock.NewTicker(housekeepingPeriod)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			if err := k.removeOrphans(ctx); err != nil && ctx.Err() == nil {
				klog.FromContext(ctx).Error(err, "Removing orphaned pods")
			}
		}
	}
}

// runProbeFailures hands liveness and startup failures to the pods' workers.
func (k *Kubelet) runProbeFailures(ctx context.Context) {
	if k.o.Probes == nil {
		return
	}
	ch := k.o.Probes.LivenessFailures()
	for {
		select {
		case <-ctx.Done():
			return
		case f, ok := <-ch:
			if !ok {
				return
			}
			k.workers.kill(f.Pod, f.Container, f.Probe)
		}
	}
}

// killUnhealthy kills the containers whose liveness or startup probe failed, restarting them
// per the restart policy (upstream's "Container X failed liveness probe, will be restarted").
func (k *Kubelet) killUnhealthy(ctx context.Context, pc *podContext) {
	for _, list := range [][]corev1.Container{pc.pod.Spec.InitContainers, pc.pod.Spec.Containers} {
		for i := range list {
			c := &list[i]
			probe, ok := pc.w.takeKill(c.Name)
			if !ok {
				continue
			}
			cur := pc.current(c.Name)
			if cur == nil || !cur.running() {
				continue
			}
			what := "liveness"
			if probe == "Startup" {
				what = "startup"
			}
			msg := fmt.Sprintf("Container %s failed %s probe", c.Name, what)
			if shouldRestart(pc.pod, c, 1) {
				msg += ", will be restarted"
			}
			k.killContainer(ctx, pc.pod, c, cur.id, msg, gracePeriodOf(pc.pod))
			pc.changed = true
		}
	}
}

func isNotFound(err error) bool {
	return status.Code(err) == codes.NotFound
}

// everything selects all pods.
var everything = labels.Everything()
