package simulated

import (
	"context"
	"fmt"
	"net/netip"
	"runtime"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/component-base/version"
)

const (
	// LabelSimulated marks the nodes this agent simulates.
	LabelSimulated = "node.skiff.sh/simulated"
	// AnnotationHeartbeat set to "paused" on a simulated node stops its heartbeats and its
	// pods' lifecycle, as if its kubelet died; removing it brings the node back.
	AnnotationHeartbeat = "simulated.skiff.sh/heartbeat"
	// nodeStatusReportFrequency is how often a kubelet posts an unchanged node status.
	nodeStatusReportFrequency = 5 * time.Minute
)

// simNode is one simulated node.
type simNode struct {
	name    string
	index   int
	zone    string // "" without zones
	podCIDR netip.Prefix
	hostIP  string
}

// nodeIP is the index-th node's InternalIP: 172.18.0.0/16 onwards, like a container
// network's addresses (nothing is ever sent to it).
func nodeIP(index int) string {
	n := index + 2
	return fmt.Sprintf("172.%d.%d.%d", 18+n/65536, (n/256)%256, n%256)
}

// nodeObject builds the Node the agent registers for n from the template.
func nodeObject(n *simNode, tmpl *corev1.Node) *corev1.Node {
	node := tmpl.DeepCopy()
	node.ObjectMeta = metav1.ObjectMeta{
		Name:        n.name,
		Labels:      map[string]string{},
		Annotations: map[string]string{"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
	}
	for k, v := range tmpl.Labels {
		node.Labels[k] = v
	}
	for k, v := range tmpl.Annotations {
		node.Annotations[k] = v
	}
	for k, v := range map[string]string{
		corev1.LabelHostname: n.name, corev1.LabelOSStable: "linux", corev1.LabelArchStable: runtime.GOARCH,
		"beta.kubernetes.io/os": "linux", "beta.kubernetes.io/arch": runtime.GOARCH, LabelSimulated: "true",
	} {
		node.Labels[k] = v
	}
	if n.zone != "" {
		node.Labels[corev1.LabelTopologyZone] = n.zone
		node.Labels[corev1.LabelTopologyRegion] = "simulated"
	}
	node.Spec.PodCIDR = n.podCIDR.String()
	node.Spec.PodCIDRs = []string{n.podCIDR.String()}
	node.Status = nodeStatus(n, tmpl, time.Now())
	return node
}

// nodeStatus is what the simulated kubelet reports: healthy conditions heartbeating at now.
func nodeStatus(n *simNode, tmpl *corev1.Node, now time.Time) corev1.NodeStatus {
	t := metav1.NewTime(now)
	cond := func(typ corev1.NodeConditionType, status corev1.ConditionStatus, reason, message string) corev1.NodeCondition {
		return corev1.NodeCondition{Type: typ, Status: status, Reason: reason, Message: message, LastHeartbeatTime: t, LastTransitionTime: t}
	}
	id := hash(n.name)
	return corev1.NodeStatus{
		Capacity:    tmpl.Status.Capacity.DeepCopy(),
		Allocatable: tmpl.Status.Allocatable.DeepCopy(),
		Phase:       "",
		Conditions: []corev1.NodeCondition{
			cond(corev1.NodeMemoryPressure, corev1.ConditionFalse, "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
			cond(corev1.NodeDiskPressure, corev1.ConditionFalse, "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
			cond(corev1.NodePIDPressure, corev1.ConditionFalse, "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
			cond(corev1.NodeReady, corev1.ConditionTrue, "KubeletReady", "kubelet is posting ready status"),
		},
		Addresses: []corev1.NodeAddress{
			{Type: corev1.NodeInternalIP, Address: n.hostIP},
			{Type: corev1.NodeHostName, Address: n.name},
		},
		DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: 10250}},
		NodeInfo: corev1.NodeSystemInfo{
			MachineID:               id[:32],
			SystemUUID:              id[32:40] + "-" + id[40:44] + "-" + id[44:48] + "-" + id[48:52] + "-" + id[52:64],
			BootID:                  id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:32],
			KernelVersion:           "simulated",
			OSImage:                 "skiff simulated node",
			ContainerRuntimeVersion: "skiff-simulated://" + version.Get().GitVersion,
			KubeletVersion:          version.Get().GitVersion,
			OperatingSystem:         "linux",
			Architecture:            runtime.GOARCH,
		},
	}
}

// register creates n's Node, or takes over an existing one, and posts a healthy status.
func register(ctx context.Context, client kubernetes.Interface, n *simNode, tmpl *corev1.Node) (*corev1.Node, error) {
	want := nodeObject(n, tmpl)
	node, err := client.CoreV1().Nodes().Create(ctx, want, metav1.CreateOptions{})
	if apierrors.IsAlreadyExists(err) {
		node, err = client.CoreV1().Nodes().Get(ctx, n.name, metav1.GetOptions{})
	}
	if err != nil {
		return nil, fmt.Errorf("registering node %s: %w", n.name, err)
	}
	return postStatus(ctx, client, node, n, tmpl)
}

// postStatus writes a fresh healthy status on node, as a kubelet does every few minutes and
// whenever something else changed its conditions.
func postStatus(ctx context.Context, client kubernetes.Interface, node *corev1.Node, n *simNode, tmpl *corev1.Node) (*corev1.Node, error) {
	node = node.DeepCopy()
	status := nodeStatus(n, tmpl, time.Now())
	// Keep transition times of conditions that did not change.
	for i, c := range status.Conditions {
		for _, old := range node.Status.Conditions {
			if old.Type == c.Type && old.Status == c.Status {
				status.Conditions[i].LastTransitionTime = old.LastTransitionTime
			}
		}
	}
	status.Images = node.Status.Images
	node.Status = status
	updated, err := client.CoreV1().Nodes().UpdateStatus(ctx, node, metav1.UpdateOptions{})
	if err != nil {
		return nil, fmt.Errorf("posting status of node %s: %w", n.name, err)
	}
	return updated, nil
}

// healthy reports whether node shows the status the agent posts (Ready=True), so a status set
// by the node lifecycle controller while the node was paused gets overwritten.
func healthy(node *corev1.Node) bool {
	for _, c := range node.Status.Conditions {
		if c.Type == corev1.NodeReady {
			return c.Status == corev1.ConditionTrue
		}
	}
	return false
}
