package podgc

import (
	"context"
	"fmt"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/skiff-sh/skiff/controllers/internal/podstatus"
)

// collector deletes, every gcCheckPeriod: terminated pods over the threshold (oldest and
// evicted first), terminating pods on not-Ready nodes tainted out-of-service, pods bound to
// nodes gone for quarantineTime, and terminating pods never scheduled.
type collector struct {
	client    client.Client
	reader    client.Reader
	clock     clock.WithTicker
	threshold int
	// missing holds nodes pods are bound to that were not found, with when first noticed.
	missing map[string]time.Time
}

// NeedLeaderElection makes the collector run on the leader only.
func (gc *collector) NeedLeaderElection() bool { return true }

// Start runs a pass at once and every gcCheckPeriod until ctx ends.
func (gc *collector) Start(ctx context.Context) error {
	ctx = log.IntoContext(ctx, log.FromContext(ctx).WithName(Name))
	ticker := gc.clock.NewTicker(gcCheckPeriod)
	defer ticker.Stop()
	for {
		gc.pass(ctx)
		select {
		case <-ctx.Done():
			return nil
		case <-ticker.C():
		}
	}
}

func (gc *collector) pass(ctx context.Context) {
	logger := log.FromContext(ctx)
	// Every pod of the cluster, every pass: not copied (nothing here modifies them; status
	// patches work on a copy).
	pods := &corev1.PodList{}
	if err := gc.client.List(ctx, pods, client.UnsafeDisableDeepCopy); err != nil {
		logger.Error(err, "Listing pods")
		return
	}
	nodes := &corev1.NodeList{}
	if err := gc.client.List(ctx, nodes); err != nil {
		logger.Error(err, "Listing nodes")
		return
	}
	byName := make(map[string]*corev1.Node, len(nodes.Items))
	for i := range nodes.Items {
		byName[nodes.Items[i].Name] = &nodes.Items[i]
	}
	if gc.threshold > 0 {
		gc.deleteAll(ctx, terminatedOverThreshold(pods.Items, gc.threshold), nil, "terminated")
	}
	gc.deleteAll(ctx, terminatingOutOfService(pods.Items, byName), nil, "terminating on an out-of-service node")
	gc.deleteOrphaned(ctx, pods.Items, byName)
	gc.deleteAll(ctx, unscheduledTerminating(pods.Items), nil, "unscheduled terminating")
}

// deleteOrphaned deletes pods bound to nodes missing for quarantineTime and confirmed gone by a
// live read.
func (gc *collector) deleteOrphaned(ctx context.Context, pods []corev1.Pod, nodes map[string]*corev1.Node) {
	now := gc.clock.Now()
	for i := range pods {
		name := pods[i].Spec.NodeName
		if _, ok := gc.missing[name]; name != "" && nodes[name] == nil && !ok {
			gc.missing[name] = now
		}
	}
	gone := map[string]bool{}
	for name, since := range gc.missing {
		if now.Sub(since) < quarantineTime {
			continue
		}
		delete(gc.missing, name)
		if nodes[name] != nil {
			continue
		}
		err := gc.reader.Get(ctx, types.NamespacedName{Name: name}, &corev1.Node{})
		switch {
		case apierrors.IsNotFound(err):
			gone[name] = true
		case err != nil:
			log.FromContext(ctx).Error(err, "Getting node", "node", name)
		}
	}
	var orphans []*corev1.Pod
	for i := range pods {
		if gone[pods[i].Spec.NodeName] {
			orphans = append(orphans, &pods[i])
		}
	}
	gc.deleteAll(ctx, orphans, &corev1.PodCondition{
		Type:    corev1.DisruptionTarget,
		Status:  corev1.ConditionTrue,
		Reason:  "DeletionByPodGC",
		Message: "PodGC: node no longer exists",
	}, "orphaned")
}

// deleteAll force-deletes pods in parallel, marking them Failed (with cond) first.
func (gc *collector) deleteAll(ctx context.Context, pods []*corev1.Pod, cond *corev1.PodCondition, why string) {
	if len(pods) == 0 {
		return
	}
	logger := log.FromContext(ctx)
	logger.Info("Garbage collecting pods", "reason", why, "numPods", len(pods))
	var wg sync.WaitGroup
	for _, pod := range pods {
		wg.Go(func() {
			if err := gc.markFailedAndDelete(ctx, pod, cond); err != nil && !apierrors.IsNotFound(err) {
				logger.Error(err, "Deleting pod", "pod", client.ObjectKeyFromObject(pod), "reason", why)
			}
		})
	}
	wg.Wait()
}

func (gc *collector) markFailedAndDelete(ctx context.Context, pod *corev1.Pod, cond *corev1.PodCondition) error {
	log.FromContext(ctx).Info("PodGC is force deleting Pod", "pod", client.ObjectKeyFromObject(pod))
	if pod.Status.Phase != corev1.PodSucceeded && pod.Status.Phase != corev1.PodFailed {
		status := pod.Status.DeepCopy()
		status.Phase = corev1.PodFailed
		status.ObservedGeneration = pod.Generation
		if cond != nil {
			c := *cond
			c.ObservedGeneration = pod.Generation
			podstatus.UpdateCondition(status, c, metav1.NewTime(gc.clock.Now()))
		}
		if err := podstatus.Patch(ctx, gc.client, pod, *status); err != nil {
			return err
		}
	}
	if err := gc.client.Delete(ctx, pod, client.GracePeriodSeconds(0)); err != nil {
		return fmt.Errorf("deleting pod %s/%s: %w", pod.Namespace, pod.Name, err)
	}
	return nil
}
