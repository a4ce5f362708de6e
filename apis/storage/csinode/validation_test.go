package csinode

import (
	"context"
	"strings"
	"testing"

	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func validNode() *storagev1.CSINode {
	return &storagev1.CSINode{
		ObjectMeta: metav1.ObjectMeta{Name: "node-1", ResourceVersion: "1"},
		Spec: storagev1.CSINodeSpec{Drivers: []storagev1.CSINodeDriver{{
			Name: "csi.example.com", NodeID: "n1", TopologyKeys: []string{"topology.example.com/zone"},
			Allocatable: &storagev1.VolumeNodeResources{Count: ptr.To[int32](10)},
		}}},
	}
}

func TestValidate(t *testing.T) {
	d := func(n *storagev1.CSINode) *storagev1.CSINodeDriver { return &n.Spec.Drivers[0] }
	tests := []struct {
		name   string
		mutate func(*storagev1.CSINode)
		field  string
		typ    field.ErrorType
	}{
		{name: "valid", mutate: func(*storagev1.CSINode) {}},
		{name: "driver name required", mutate: func(n *storagev1.CSINode) { d(n).Name = "" }, field: "spec.drivers[0].name", typ: field.ErrorTypeRequired},
		{name: "driver name too long", mutate: func(n *storagev1.CSINode) { d(n).Name = strings.Repeat("a", 64) }, field: "spec.drivers[0].name", typ: field.ErrorTypeTooLong},
		{name: "node id required", mutate: func(n *storagev1.CSINode) { d(n).NodeID = "" }, field: "spec.drivers[0].nodeID", typ: field.ErrorTypeRequired},
		{name: "node id too long", mutate: func(n *storagev1.CSINode) { d(n).NodeID = strings.Repeat("a", 257) }, field: "spec.drivers[0].nodeID", typ: field.ErrorTypeInvalid},
		{name: "negative count", mutate: func(n *storagev1.CSINode) { d(n).Allocatable.Count = ptr.To[int32](-1) }, field: "spec.drivers[0].allocatable.count", typ: field.ErrorTypeInvalid},
		{name: "duplicate driver", mutate: func(n *storagev1.CSINode) { n.Spec.Drivers = append(n.Spec.Drivers, n.Spec.Drivers[0]) }, field: "spec.drivers[1].name", typ: field.ErrorTypeDuplicate},
		{name: "duplicate topology key", mutate: func(n *storagev1.CSINode) {
			d(n).TopologyKeys = append(d(n).TopologyKeys, d(n).TopologyKeys[0])
		}, field: "spec.drivers[0]", typ: field.ErrorTypeDuplicate},
		{name: "bad topology key", mutate: func(n *storagev1.CSINode) { d(n).TopologyKeys = []string{"a/b/c"} }, field: "spec.drivers[0]", typ: field.ErrorTypeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := validNode()
			tc.mutate(n)
			expectOne(t, Validate(n), tc.field, tc.typ)
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old := validNode()
	n := old.DeepCopy()
	n.Spec.Drivers[0].Allocatable.Count = ptr.To[int32](20)
	n.Spec.Drivers = append(n.Spec.Drivers, storagev1.CSINodeDriver{Name: "other.example.com", NodeID: "x"})
	expectOne(t, ValidateUpdate(n, old), "", "")
	n.Spec.Drivers[0].NodeID = "changed"
	expectOne(t, ValidateUpdate(n, old), "spec.drivers", field.ErrorTypeInvalid)
}

func TestStatusStrategyDropsStorageHealth(t *testing.T) {
	old := validNode()
	n := old.DeepCopy()
	n.Spec.Drivers = nil
	n.Status.StorageHealth = []storagev1.StorageHealth{{Name: "csi.example.com"}}
	StatusStrategy.PrepareForUpdate(context.Background(), n, old)
	if len(n.Spec.Drivers) != 1 || n.Status.StorageHealth != nil {
		t.Fatalf("status update must keep spec and drop storage health: %+v", n)
	}
}

func expectOne(t *testing.T, errs field.ErrorList, want string, typ field.ErrorType) {
	t.Helper()
	if want == "" {
		if len(errs) != 0 {
			t.Fatalf("unexpected errors: %v", errs)
		}
		return
	}
	for _, e := range errs {
		if e.Field == want && e.Type == typ {
			return
		}
	}
	t.Fatalf("want %s error at %s, got %v", typ, want, errs)
}
