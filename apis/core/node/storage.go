package node

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apiserver/pkg/registry/generic"

	"github.com/skiff-sh/skiff/apis/core/internal/table"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// NewStorage returns the nodes resource and its status and proxy subresources.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	store, err := registry.NewStore(optsGetter, registry.Resource{
		Resource: corev1.Resource("nodes"),
		Singular: "node",
		New:      func() runtime.Object { return &corev1.Node{} },
		NewList:  func() runtime.Object { return &corev1.NodeList{} },
		Strategy: Strategy,
		SelectableFields: func(obj runtime.Object) fields.Set {
			return fields.Set{"spec.unschedulable": fmt.Sprint(obj.(*corev1.Node).Spec.Unschedulable)}
		},
		ShortNames: []string{"no"},
		Table:      Table,
	})
	if err != nil {
		return nil, err
	}
	if err := RegisterQueryConversions(scheme.Scheme, &corev1.NodeProxyOptions{}); err != nil {
		return nil, err
	}
	return registry.Resources{
		"nodes":        store,
		"nodes/status": registry.NewStatusREST(store, StatusStrategy),
		"nodes/proxy":  &ProxyREST{Connection: ConnectionInfoGetter{Nodes: store}},
	}, nil
}

// Table renders nodes as kubectl get does.
var Table = registry.Table{
	Columns: []metav1.TableColumnDefinition{
		table.Column("Status", "The status of the node", 0),
		table.Column("Roles", "The roles of the node", 0),
		registry.AgeColumn,
		table.Column("Version", corev1.NodeSystemInfo{}.SwaggerDoc()["kubeletVersion"], 0),
		table.Column("Internal-IP", corev1.NodeStatus{}.SwaggerDoc()["addresses"], 1),
		table.Column("External-IP", corev1.NodeStatus{}.SwaggerDoc()["addresses"], 1),
		table.Column("OS-Image", corev1.NodeSystemInfo{}.SwaggerDoc()["osImage"], 1),
		table.Column("Kernel-Version", corev1.NodeSystemInfo{}.SwaggerDoc()["kernelVersion"], 1),
		table.Column("Container-Runtime", corev1.NodeSystemInfo{}.SwaggerDoc()["containerRuntimeVersion"], 1),
	},
	Row: func(obj runtime.Object) ([]any, error) {
		node := obj.(*corev1.Node)
		info := node.Status.NodeInfo
		kernel := orUnknown(info.KernelVersion)
		if info.Architecture != "" {
			kernel += " (" + info.Architecture + ")"
		}
		return []any{status(node), roles(node), registry.AgeOf(node), info.KubeletVersion,
			address(node, corev1.NodeInternalIP), address(node, corev1.NodeExternalIP),
			orUnknown(info.OSImage), kernel, orUnknown(info.ContainerRuntimeVersion)}, nil
	},
}

func status(node *corev1.Node) string {
	var out []string
	for _, cond := range node.Status.Conditions {
		if cond.Type == corev1.NodeReady {
			if cond.Status == corev1.ConditionTrue {
				out = []string{string(cond.Type)}
			} else {
				out = []string{"Not" + string(cond.Type)}
			}
		}
	}
	if len(out) == 0 {
		out = []string{"Unknown"}
	}
	if node.Spec.Unschedulable {
		out = append(out, "SchedulingDisabled")
	}
	return strings.Join(out, ",")
}

// roles reads node-role.kubernetes.io/<role> labels and the kubernetes.io/role label.
func roles(node *corev1.Node) string {
	set := map[string]bool{}
	for k, v := range node.Labels {
		switch {
		case strings.HasPrefix(k, "node-role.kubernetes.io/"):
			if role := strings.TrimPrefix(k, "node-role.kubernetes.io/"); role != "" {
				set[role] = true
			}
		case k == "kubernetes.io/role" && v != "":
			set[v] = true
		}
	}
	if len(set) == 0 {
		return "<none>"
	}
	list := make([]string, 0, len(set))
	for r := range set {
		list = append(list, r)
	}
	sort.Strings(list)
	return strings.Join(list, ",")
}

func address(node *corev1.Node, t corev1.NodeAddressType) string {
	for _, a := range node.Status.Addresses {
		if a.Type == t {
			return a.Address
		}
	}
	return "<none>"
}

func orUnknown(s string) string {
	if s == "" {
		return "<unknown>"
	}
	return s
}
