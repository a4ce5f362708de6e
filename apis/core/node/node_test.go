package node

import (
	"context"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*corev1.Node)
		path   string
		typ    field.ErrorType
	}{
		{"valid", func(*corev1.Node) {}, "", ""},
		{"bad taint effect", func(n *corev1.Node) { n.Spec.Taints = []corev1.Taint{{Key: "k", Effect: "Maybe"}} }, "metadata.taints[0].effect", field.ErrorTypeNotSupported},
		{"missing taint effect", func(n *corev1.Node) { n.Spec.Taints = []corev1.Taint{{Key: "k"}} }, "metadata.taints[0].effect", field.ErrorTypeRequired},
		{"duplicate taint", func(n *corev1.Node) {
			n.Spec.Taints = []corev1.Taint{{Key: "k", Effect: "NoSchedule"}, {Key: "k", Value: "v", Effect: "NoSchedule"}}
		}, "metadata.taints[1]", field.ErrorTypeDuplicate},
		{"bad pod CIDR", func(n *corev1.Node) { n.Spec.PodCIDRs = []string{"10.0.0.0/33"} }, "spec.podCIDRs[0]", field.ErrorTypeInvalid},
		{"two IPv4 pod CIDRs", func(n *corev1.Node) { n.Spec.PodCIDRs = []string{"10.0.0.0/24", "10.0.1.0/24"} }, "spec.podCIDRs", field.ErrorTypeInvalid},
		{"negative capacity", func(n *corev1.Node) { n.Status.Capacity = corev1.ResourceList{"cpu": resource.MustParse("-1")} }, "status.capacity.cpu", field.ErrorTypeInvalid},
		{"fractional pods", func(n *corev1.Node) { n.Status.Allocatable = corev1.ResourceList{"pods": resource.MustParse("1.5")} }, "status.allocatable.pods", field.ErrorTypeInvalid},
		{"unsorted declared features", func(n *corev1.Node) { n.Status.DeclaredFeatures = []string{"B", "A"} }, "status.declaredFeatures[1]", field.ErrorTypeInvalid},
		{"bad taints annotation", func(n *corev1.Node) {
			n.Annotations = map[string]string{taintsAnnotationKey: `[{"key":"k","effect":"Bad"}]`}
		}, "metadata.annotations.scheduler.alpha.kubernetes.io/taints[0].effect", field.ErrorTypeNotSupported},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"}}
			tc.mutate(node)
			errs := Validate(node)
			if tc.path == "" {
				if len(errs) != 0 {
					t.Fatal(errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.path || errs[0].Type != tc.typ {
				t.Fatalf("want %s at %s, got %v", tc.typ, tc.path, errs)
			}
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n", ResourceVersion: "1"},
		Spec: corev1.NodeSpec{PodCIDRs: []string{"10.0.0.0/24"}, ProviderID: "p1"}}
	cases := []struct {
		name   string
		mutate func(*corev1.Node)
		path   string
	}{
		{"unchanged", func(*corev1.Node) {}, ""},
		{"pod CIDR change", func(n *corev1.Node) { n.Spec.PodCIDRs = []string{"10.0.1.0/24"} }, "spec.podCIDRs"},
		{"provider ID change", func(n *corev1.Node) { n.Spec.ProviderID = "p2" }, "spec.providerID"},
		{"provider ID cleared", func(n *corev1.Node) { n.Spec.ProviderID = "" }, "spec.providerID"},
		{"external ID", func(n *corev1.Node) { n.Spec.DoNotUseExternalID = "x" }, "spec.externalID"},
		{"duplicate address", func(n *corev1.Node) {
			n.Status.Addresses = []corev1.NodeAddress{{Type: "InternalIP", Address: "10.1.1.1"}, {Type: "InternalIP", Address: "10.1.1.1"}}
		}, "status.addresses[1]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			node := old.DeepCopy()
			tc.mutate(node)
			errs := ValidateUpdate(node, old)
			if tc.path == "" {
				if len(errs) != 0 {
					t.Fatal(errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.path {
				t.Fatalf("want error at %s, got %v", tc.path, errs)
			}
		})
	}
}

func TestStrategy(t *testing.T) {
	ctx := context.Background()
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n"}, Spec: corev1.NodeSpec{PodCIDR: "10.0.0.0/24"},
		Status: corev1.NodeStatus{Phase: corev1.NodeRunning}}
	Strategy.PrepareForCreate(ctx, node)
	if node.Status.Phase != corev1.NodeRunning || len(node.Spec.PodCIDRs) != 1 || node.Spec.PodCIDRs[0] != "10.0.0.0/24" {
		t.Fatalf("create: %+v", node)
	}
	update := node.DeepCopy()
	update.Spec.PodCIDR, update.Spec.PodCIDRs = "", []string{"10.0.0.0/24", "fd00::/64"}
	update.Status.Phase = corev1.NodeTerminated
	Strategy.PrepareForUpdate(ctx, update, node)
	if update.Spec.PodCIDR != "10.0.0.0/24" || update.Status.Phase != corev1.NodeRunning {
		t.Fatalf("update: %+v", update)
	}
	status := node.DeepCopy()
	status.Spec.Unschedulable = true
	status.Status.Phase = corev1.NodeTerminated
	StatusStrategy.PrepareForUpdate(ctx, status, node)
	if status.Spec.Unschedulable || status.Status.Phase != corev1.NodeTerminated {
		t.Fatalf("status: %+v", status)
	}
}

func TestTable(t *testing.T) {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "n", Labels: map[string]string{
		"node-role.kubernetes.io/worker": "", "node-role.kubernetes.io/control-plane": "", "kubernetes.io/role": "infra"}},
		Spec:   corev1.NodeSpec{Unschedulable: true},
		Status: corev1.NodeStatus{Conditions: []corev1.NodeCondition{{Type: corev1.NodeReady, Status: corev1.ConditionFalse}}}}
	row, err := Table.Row(node)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"NotReady,SchedulingDisabled", "control-plane,infra,worker", "<unknown>", "", "<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"}
	for i := range want {
		if row[i] != want[i] {
			t.Errorf("cell %d = %v, want %v", i, row[i], want[i])
		}
	}
	if got := status(&corev1.Node{}); got != "Unknown" {
		t.Errorf("no conditions: %s", got)
	}
}

// Struct values print as upstream's internal types: Go field names.
func TestStructValueMessages(t *testing.T) {
	node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1"}}
	node.Spec.Taints = []corev1.Taint{{Key: "k", Effect: "NoSchedule"}, {Key: "k", Value: "v", Effect: "NoSchedule"}}
	errs := Validate(node)
	const taint = `metadata.taints[1]: Duplicate value: {"Key":"k","Value":"v","Effect":"NoSchedule","TimeAdded":null}: taints must be unique by key and effect pair`
	if len(errs) != 1 || errs[0].Error() != taint {
		t.Errorf("got %v\nwant %s", errs, taint)
	}

	old := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "node-1", ResourceVersion: "1"}}
	node = old.DeepCopy()
	node.Status.Addresses = []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "10.0.0.1"}, {Type: corev1.NodeInternalIP, Address: "10.0.0.1"}}
	errs = ValidateUpdate(node, old)
	const address = `status.addresses[1]: Duplicate value: {"Type":"InternalIP","Address":"10.0.0.1"}`
	if len(errs) != 1 || errs[0].Error() != address {
		t.Errorf("got %v\nwant %s", errs, address)
	}
}
