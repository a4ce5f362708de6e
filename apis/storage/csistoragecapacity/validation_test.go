package csistoragecapacity

import (
	"testing"

	storagev1 "k8s.io/api/storage/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func TestValidate(t *testing.T) {
	valid := func() *storagev1.CSIStorageCapacity {
		q := resource.MustParse("10Gi")
		return &storagev1.CSIStorageCapacity{
			ObjectMeta:       metav1.ObjectMeta{Name: "cap", Namespace: "ns", ResourceVersion: "1"},
			NodeTopology:     &metav1.LabelSelector{MatchLabels: map[string]string{"zone": "a"}},
			StorageClassName: "fast", Capacity: &q,
		}
	}
	if errs := Validate(valid()); len(errs) != 0 {
		t.Fatalf("valid capacity rejected: %v", errs)
	}
	c := valid()
	neg := resource.MustParse("-1")
	c.Capacity, c.StorageClassName = &neg, ""
	errs := Validate(c)
	if len(errs) != 2 || errs[0].Field != "storageClassName" || errs[1].Field != "capacity" {
		t.Fatalf("want storageClassName and capacity errors, got %v", errs)
	}
	old, c := valid(), valid()
	c.StorageClassName = "slow"
	c.NodeTopology.MatchLabels["zone"] = "b"
	errs = ValidateUpdate(c, old)
	if len(errs) != 2 || errs[0].Field != "nodeTopology" || errs[1].Field != "storageClassName" {
		t.Fatalf("want immutable errors, got %v", errs)
	}
}
