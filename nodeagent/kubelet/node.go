package kubelet

import (
	"context"
	"fmt"
	goruntime "runtime"
	"slices"
	"sort"
	"strings"
	"time"

	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/component-helpers/apimachinery/lease"
	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

const (
	// nodeStatusReportFrequency is how often an unchanged node status is posted.
	nodeStatusReportFrequency = 5 * time.Minute
	// Upstream's limits on status.images.
	maxImagesInNodeStatus        = 50
	maxNamesPerImageInNodeStatus = 5
	annotationControllerAttach   = "volumes.kubernetes.io/controller-managed-attach-detach"
)

// initialNode is the Node the kubelet registers.
func (k *Kubelet) initialNode(ctx context.Context) (*corev1.Node, error) {
	taints, err := k.o.Taints()
	if err != nil {
		return nil, err
	}
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        k.o.NodeName,
			Labels:      map[string]string{},
			Annotations: map[string]string{annotationControllerAttach: "true"},
		},
		Spec: corev1.NodeSpec{Taints: taints},
	}
	for key, v := range k.o.NodeLabels {
		node.Labels[key] = v
	}
	for key, v := range defaultNodeLabels(k.o.NodeName) {
		node.Labels[key] = v
	}
	if k.o.PodCIDR != "" {
		cidrs := strings.Split(k.o.PodCIDR, ",")
		for i := range cidrs {
			cidrs[i] = strings.TrimSpace(cidrs[i])
		}
		node.Spec.PodCIDR, node.Spec.PodCIDRs = cidrs[0], cidrs
	}
	st, err := k.nodeStatus(ctx, nil)
	if err != nil {
		return nil, err
	}
	node.Status = st
	return node, nil
}

func defaultNodeLabels(name string) map[string]string {
	return map[string]string{
		corev1.LabelHostname: name, corev1.LabelOSStable: goruntime.GOOS, corev1.LabelArchStable: goruntime.GOARCH,
		"beta.kubernetes.io/os": goruntime.GOOS, "beta.kubernetes.io/arch": goruntime.GOARCH,
	}
}

// registerNode creates the Node, or reconciles an existing one's default labels, annotation and
// pod CIDR, retrying until it succeeds or ctx ends.
func (k *Kubelet) registerNode(ctx context.Context) (*corev1.Node, error) {
	var node *corev1.Node
	err := wait.ExponentialBackoffWithContext(ctx, wait.Backoff{Duration: 100 * time.Millisecond, Factor: 2, Steps: 1 << 30, Cap: 7 * time.Second},
		func(ctx context.Context) (bool, error) {
			want, err := k.initialNode(ctx)
			if err != nil {
				klog.FromContext(ctx).Error(err, "Building the node object")
				return false, nil
			}
			node, err = k.client.CoreV1().Nodes().Create(ctx, want, metav1.CreateOptions{})
			if err == nil {
				// The conditions are new: upstream records each as an event.
				k.recordConditionEvents(&corev1.Node{}, node)
				return true, nil
			}
			if !apierrors.IsAlreadyExists(err) {
				klog.FromContext(ctx).Error(err, "Unable to register node with API server")
				return false, nil
			}
			node, err = k.reconcileExisting(ctx, want)
			if err != nil {
				klog.FromContext(ctx).Error(err, "Unable to reconcile the existing node")
				return false, nil
			}
			return true, nil
		})
	return node, err
}

func (k *Kubelet) reconcileExisting(ctx context.Context, want *corev1.Node) (*corev1.Node, error) {
	existing, err := k.client.CoreV1().Nodes().Get(ctx, want.Name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	n := existing.DeepCopy()
	if n.Labels == nil {
		n.Labels = map[string]string{}
	}
	if n.Annotations == nil {
		n.Annotations = map[string]string{}
	}
	for key, v := range defaultNodeLabels(want.Name) {
		n.Labels[key] = v
	}
	n.Annotations[annotationControllerAttach] = "true"
	if n.Spec.PodCIDR == "" && want.Spec.PodCIDR != "" {
		n.Spec.PodCIDR, n.Spec.PodCIDRs = want.Spec.PodCIDR, want.Spec.PodCIDRs
	}
	if !apiequality.Semantic.DeepEqual(n.ObjectMeta, existing.ObjectMeta) || !apiequality.Semantic.DeepEqual(n.Spec, existing.Spec) {
		if n, err = k.client.CoreV1().Nodes().Update(ctx, n, metav1.UpdateOptions{}); err != nil {
			return nil, err
		}
	}
	return n, nil
}

// runLease renews the node's Lease in kube-node-lease, owned by the Node.
func (k *Kubelet) runLease(ctx context.Context, node *corev1.Node) {
	owner := func(l *coordinationv1.Lease) error {
		if len(l.OwnerReferences) == 0 {
			l.OwnerReferences = []metav1.OwnerReference{{APIVersion: "v1", Kind: "Node", Name: node.Name, UID: node.UID}}
		}
		return nil
	}
	c := lease.NewController(k.clock, k.client, k.o.NodeName, int32(k.o.LeaseDuration/time.Second), nil,
		k.o.LeaseRenewInterval, k.o.NodeName, corev1.NamespaceNodeLease, owner)
	c.Run(ctx)
}

// runNodeStatus computes the node status every NodeStatusUpdateFrequency and posts it when it
// changed or has not been posted for nodeStatusReportFrequency.
func (k *Kubelet) runNodeStatus(ctx context.Context, node *corev1.Node) {
	logger := klog.FromContext(ctx)
	last := node
	lastPosted := k.clock.Now()
	t := k.clock.NewTicker(k.o.NodeStatusUpdateFrequency)
	defer t.Stop()
	post := func() {
		n, posted, err := k.updateNodeStatus(ctx, last, k.clock.Since(lastPosted) >= nodeStatusReportFrequency)
		if err != nil {
			if ctx.Err() == nil {
				logger.Error(err, "Error updating node status, will retry")
			}
			return
		}
		last = n
		if posted {
			lastPosted = k.clock.Now()
		}
	}
	post()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C():
			post()
		}
	}
}

// updateNodeStatus reads the node, computes its status and posts it if it changed (apart from
// heartbeat times) or force is set. It records the condition transitions as events.
func (k *Kubelet) updateNodeStatus(ctx context.Context, cached *corev1.Node, force bool) (*corev1.Node, bool, error) {
	// From the watch cache first, as upstream; a node the cache does not have yet is read live.
	node, err := k.client.CoreV1().Nodes().Get(ctx, k.o.NodeName, metav1.GetOptions{ResourceVersion: "0"})
	if err != nil {
		node, err = k.client.CoreV1().Nodes().Get(ctx, k.o.NodeName, metav1.GetOptions{})
	}
	if err != nil {
		return cached, false, fmt.Errorf("getting node: %w", err)
	}
	st, err := k.nodeStatus(ctx, node)
	if err != nil {
		return node, false, err
	}
	if !force && statusEqualIgnoringHeartbeats(&node.Status, &st) {
		return node, false, nil
	}
	updated := node.DeepCopy()
	updated.Status = st
	updated, err = k.client.CoreV1().Nodes().UpdateStatus(ctx, updated, metav1.UpdateOptions{})
	if err != nil {
		return node, false, err
	}
	k.recordConditionEvents(node, updated)
	return updated, true, nil
}

func statusEqualIgnoringHeartbeats(a, b *corev1.NodeStatus) bool {
	strip := func(s *corev1.NodeStatus) *corev1.NodeStatus {
		s = s.DeepCopy()
		for i := range s.Conditions {
			s.Conditions[i].LastHeartbeatTime = metav1.Time{}
		}
		return s
	}
	return apiequality.Semantic.DeepEqual(strip(a), strip(b))
}

// recordConditionEvents records upstream's "Node X status is now: Y" events for transitions.
func (k *Kubelet) recordConditionEvents(before, after *corev1.Node) {
	for _, c := range after.Status.Conditions {
		old := findNodeCondition(before.Status.Conditions, c.Type)
		if old != nil && old.Status == c.Status {
			continue
		}
		event := ""
		switch c.Type {
		case corev1.NodeReady:
			event = map[bool]string{true: "NodeReady", false: "NodeNotReady"}[c.Status == corev1.ConditionTrue]
		case corev1.NodeMemoryPressure:
			event = map[bool]string{true: "NodeHasInsufficientMemory", false: "NodeHasSufficientMemory"}[c.Status == corev1.ConditionTrue]
		case corev1.NodeDiskPressure:
			event = map[bool]string{true: "NodeHasDiskPressure", false: "NodeHasNoDiskPressure"}[c.Status == corev1.ConditionTrue]
		case corev1.NodePIDPressure:
			event = map[bool]string{true: "NodeHasInsufficientPID", false: "NodeHasSufficientPID"}[c.Status == corev1.ConditionTrue]
		default:
			continue
		}
		k.recorder.Eventf(nodeRef(after), corev1.EventTypeNormal, event, "Node %s status is now: %s", k.o.NodeName, event)
	}
}

func findNodeCondition(conds []corev1.NodeCondition, t corev1.NodeConditionType) *corev1.NodeCondition {
	for i := range conds {
		if conds[i].Type == t {
			return &conds[i]
		}
	}
	return nil
}

// nodeStatus computes the node's status; old (nil at registration) keeps transition times.
func (k *Kubelet) nodeStatus(ctx context.Context, old *corev1.Node) (corev1.NodeStatus, error) {
	capacity, err := hostCapacity(k.o.RootDir, k.o.MaxPods)
	if err != nil {
		return corev1.NodeStatus{}, err
	}
	info := systemInfo()
	if v, err := k.runtime.Version(ctx, "v1"); err == nil {
		info.ContainerRuntimeVersion = v.GetRuntimeName() + "://" + v.GetRuntimeVersion()
	}
	st := corev1.NodeStatus{
		Capacity:    capacity,
		Allocatable: capacity.DeepCopy(),
		Addresses: []corev1.NodeAddress{
			{Type: corev1.NodeInternalIP, Address: k.nodeIPs[0].String()},
			{Type: corev1.NodeHostName, Address: k.o.NodeName},
		},
		DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: k.o.KubeletPort}},
		NodeInfo:        info,
		Images:          k.nodeImages(ctx),
	}
	var oldConds []corev1.NodeCondition
	if old != nil {
		oldConds = old.Status.Conditions
		st.VolumesInUse, st.VolumesAttached = old.Status.VolumesInUse, old.Status.VolumesAttached
	}
	p, err := measurePressure("/proc/meminfo", k.o.RootDir)
	if err != nil {
		klog.FromContext(ctx).V(2).Info("Measuring memory and disk pressure", "err", err)
	}
	st.Conditions = nodeConditions(oldConds, k.runtimeNotReady(ctx), p, metav1.NewTime(k.clock.Now()))
	return st, nil
}

// runtimeNotReady is the Ready condition's error message ("" when ready), from CRI Status.
func (k *Kubelet) runtimeNotReady(ctx context.Context) string {
	st, err := k.runtime.Status(ctx, false)
	if err != nil {
		return "container runtime status check may not have completed yet"
	}
	var errs []string
	for _, c := range st.GetStatus().GetConditions() {
		if c.GetStatus() {
			continue
		}
		desc := fmt.Sprintf("%s=false reason:%s message:%s", c.GetType(), c.GetReason(), c.GetMessage())
		switch c.GetType() {
		case "RuntimeReady":
			errs = append(errs, "container runtime not ready: "+desc)
		case "NetworkReady":
			errs = append(errs, "container runtime network not ready: "+desc)
		}
	}
	if len(errs) == 0 && cri.NotReady(st.GetStatus()) != "" {
		errs = append(errs, "container runtime status check may not have completed yet")
	}
	if len(errs) > 1 {
		return "[" + strings.Join(errs, ", ") + "]"
	}
	return strings.Join(errs, "")
}

// nodeConditions are the pressure conditions and Ready, last as upstream orders them, keeping
// transition times of unchanged statuses.
func nodeConditions(old []corev1.NodeCondition, notReady string, p pressure, now metav1.Time) []corev1.NodeCondition {
	mk := func(t corev1.NodeConditionType, s corev1.ConditionStatus, reason, msg string) corev1.NodeCondition {
		c := corev1.NodeCondition{Type: t, Status: s, Reason: reason, Message: msg, LastHeartbeatTime: now, LastTransitionTime: now}
		if o := findNodeCondition(old, t); o != nil && o.Status == s {
			c.LastTransitionTime = o.LastTransitionTime
		}
		return c
	}
	ready := mk(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "kubelet is posting ready status")
	if notReady != "" {
		ready = mk(corev1.NodeReady, corev1.ConditionFalse, "KubeletNotReady", notReady)
	}
	memory := mk(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available")
	if p.memory {
		memory = mk(corev1.NodeMemoryPressure, corev1.ConditionTrue, "KubeletHasInsufficientMemory", "kubelet has insufficient memory available")
	}
	disk := mk(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure", "kubelet has no disk pressure")
	if p.disk {
		disk = mk(corev1.NodeDiskPressure, corev1.ConditionTrue, "KubeletHasDiskPressure", "kubelet has disk pressure")
	}
	return []corev1.NodeCondition{
		memory,
		disk,
		mk(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
		ready,
	}
}

// nodeImages is status.images: the runtime's images, largest first, at most 50.
func (k *Kubelet) nodeImages(ctx context.Context) []corev1.ContainerImage {
	imgs, err := k.runtime.ListImages(ctx, nil)
	if err != nil {
		klog.FromContext(ctx).V(2).Info("Listing images for the node status", "err", err)
		return nil
	}
	sort.SliceStable(imgs, func(i, j int) bool { return imgs[i].GetSize() > imgs[j].GetSize() })
	var out []corev1.ContainerImage
	for _, img := range imgs {
		if len(out) == maxImagesInNodeStatus {
			break
		}
		names := append(slices.Clone(img.GetRepoDigests()), img.GetRepoTags()...)
		if len(names) == 0 {
			continue
		}
		if len(names) > maxNamesPerImageInNodeStatus {
			names = names[:maxNamesPerImageInNodeStatus]
		}
		out = append(out, corev1.ContainerImage{Names: names, SizeBytes: int64(img.GetSize())})
	}
	return out
}
