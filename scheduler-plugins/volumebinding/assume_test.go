package volumebinding

import (
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

func TestAssumeCache(t *testing.T) {
	api := map[string]*corev1.PersistentVolume{"a": pv("a", "", "1Gi")}
	get := func(k string) (*corev1.PersistentVolume, error) {
		if v, ok := api[k]; ok {
			return v, nil
		}
		return nil, apierrors.NewNotFound(schema.GroupResource{Resource: "persistentvolumes"}, k)
	}
	list := func() ([]*corev1.PersistentVolume, error) {
		var out []*corev1.PersistentVolume
		for _, v := range api {
			out = append(out, v)
		}
		return out, nil
	}
	c := newAssumeCache("PersistentVolume", get, list)

	assumed := api["a"].DeepCopy()
	assumed.Spec.StorageClassName = "assumed"
	if err := c.Assume(assumed); err != nil {
		t.Fatal(err)
	}
	if got, _ := c.Get("a"); got.Spec.StorageClassName != "assumed" {
		t.Error("Get does not return the assumed version")
	}
	if got, _ := c.GetAPIObj("a"); got.Spec.StorageClassName != "" {
		t.Error("GetAPIObj returns the assumed version")
	}
	if l, _ := c.List(); len(l) != 1 || l[0].Spec.StorageClassName != "assumed" {
		t.Errorf("List = %v", l)
	}

	// The informer sees a newer version: the assumption is dropped.
	newer := api["a"].DeepCopy()
	newer.ResourceVersion = "2"
	api["a"] = newer
	if got, _ := c.Get("a"); got.Spec.StorageClassName != "" {
		t.Error("an assumption older than the informer's object was kept")
	}
	if err := c.Assume(assumed); err == nil {
		t.Error("assuming an older version succeeded")
	}

	assumed = newer.DeepCopy()
	assumed.Spec.StorageClassName = "again"
	if err := c.Assume(assumed); err != nil {
		t.Fatal(err)
	}
	c.Restore("a")
	if got, _ := c.Get("a"); got.Spec.StorageClassName != "" {
		t.Error("Restore kept the assumption")
	}
	if err := c.Assume(pv("missing", "", "1Gi")); err == nil {
		t.Error("assuming an unknown object succeeded")
	}
}
