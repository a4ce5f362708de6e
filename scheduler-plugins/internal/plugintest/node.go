package plugintest

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/skiff-sh/skiff/scheduler/nodeinfo"
)

// NodeWrapper builds a node by chained calls.
type NodeWrapper struct{ corev1.Node }

// MakeNode returns a node named name labelled kubernetes.io/hostname=name.
func MakeNode(name string) *NodeWrapper {
	return &NodeWrapper{corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{corev1.LabelHostname: name}}}}
}

// Obj returns the node.
func (n *NodeWrapper) Obj() *corev1.Node { return &n.Node }

// Label sets a label.
func (n *NodeWrapper) Label(k, v string) *NodeWrapper { n.Labels[k] = v; return n }

// Capacity sets capacity and allocatable.
func (n *NodeWrapper) Capacity(kv map[string]string) *NodeWrapper {
	n.Status.Capacity = ResourceList(kv)
	n.Status.Allocatable = ResourceList(kv)
	return n
}

// Taint adds a taint.
func (n *NodeWrapper) Taint(key, value string, effect corev1.TaintEffect) *NodeWrapper {
	n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: key, Value: value, Effect: effect})
	return n
}

// Unschedulable cordons the node.
func (n *NodeWrapper) Unschedulable() *NodeWrapper { n.Spec.Unschedulable = true; return n }

// Image adds an image present on the node.
func (n *NodeWrapper) Image(size int64, names ...string) *NodeWrapper {
	n.Status.Images = append(n.Status.Images, corev1.ContainerImage{Names: names, SizeBytes: size})
	return n
}

// NodeInfo returns a NodeInfo of node holding pods.
func NodeInfo(node *corev1.Node, pods ...*corev1.Pod) *nodeinfo.NodeInfo {
	ni := nodeinfo.NewNodeInfo(pods...)
	ni.SetNode(node)
	return ni
}
