package storageclass

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func validClass() *storagev1.StorageClass {
	return &storagev1.StorageClass{
		ObjectMeta:        metav1.ObjectMeta{Name: "fast", ResourceVersion: "1"},
		Provisioner:       "kubernetes.io/GCE-PD",
		Parameters:        map[string]string{"type": "ssd"},
		ReclaimPolicy:     ptr.To(corev1.PersistentVolumeReclaimDelete),
		VolumeBindingMode: ptr.To(storagev1.VolumeBindingImmediate),
		AllowedTopologies: []corev1.TopologySelectorTerm{{MatchLabelExpressions: []corev1.TopologySelectorLabelRequirement{{Key: "topology.kubernetes.io/zone", Values: []string{"a", "b"}}}}},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*storagev1.StorageClass)
		field  string
		typ    field.ErrorType
	}{
		{name: "valid", mutate: func(*storagev1.StorageClass) {}},
		{name: "provisioner required", mutate: func(sc *storagev1.StorageClass) { sc.Provisioner = "" }, field: "provisioner", typ: field.ErrorTypeRequired},
		{name: "bad provisioner", mutate: func(sc *storagev1.StorageClass) { sc.Provisioner = "a/b/c" }, field: "provisioner", typ: field.ErrorTypeInvalid},
		{name: "empty parameter key", mutate: func(sc *storagev1.StorageClass) { sc.Parameters[""] = "x" }, field: "parameters", typ: field.ErrorTypeInvalid},
		{name: "parameters too large", mutate: func(sc *storagev1.StorageClass) { sc.Parameters["big"] = strings.Repeat("x", 256*1024) }, field: "parameters", typ: field.ErrorTypeTooLong},
		{name: "bad reclaim policy", mutate: func(sc *storagev1.StorageClass) { sc.ReclaimPolicy = ptr.To(corev1.PersistentVolumeReclaimRecycle) }, field: "reclaimPolicy", typ: field.ErrorTypeNotSupported},
		{name: "binding mode required", mutate: func(sc *storagev1.StorageClass) { sc.VolumeBindingMode = nil }, field: "volumeBindingMode", typ: field.ErrorTypeRequired},
		{name: "bad binding mode", mutate: func(sc *storagev1.StorageClass) { sc.VolumeBindingMode = ptr.To(storagev1.VolumeBindingMode("Later")) }, field: "volumeBindingMode", typ: field.ErrorTypeNotSupported},
		{name: "topology values required", mutate: func(sc *storagev1.StorageClass) {
			sc.AllowedTopologies[0].MatchLabelExpressions[0].Values = nil
		}, field: "allowedTopologies[0].matchLabelExpressions[0].values", typ: field.ErrorTypeRequired},
		{name: "duplicate topology value", mutate: func(sc *storagev1.StorageClass) {
			sc.AllowedTopologies[0].MatchLabelExpressions[0].Values = []string{"a", "a"}
		}, field: "allowedTopologies[0].matchLabelExpressions[0].values[1]", typ: field.ErrorTypeDuplicate},
		{name: "duplicate topology term", mutate: func(sc *storagev1.StorageClass) {
			sc.AllowedTopologies = append(sc.AllowedTopologies, sc.AllowedTopologies[0])
		}, field: "allowedTopologies[1].matchLabelExpressions", typ: field.ErrorTypeDuplicate},
		{name: "empty topology term", mutate: func(sc *storagev1.StorageClass) {
			sc.AllowedTopologies = []corev1.TopologySelectorTerm{{}}
		}, field: "allowedTopologies[0].matchLabelExpressions", typ: field.ErrorTypeDuplicate},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := validClass()
			tc.mutate(sc)
			expectOne(t, Validate(sc), tc.field, tc.typ)
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*storagev1.StorageClass)
		field  string
	}{
		{name: "labels", mutate: func(sc *storagev1.StorageClass) { sc.Labels = map[string]string{"a": "b"} }},
		{name: "allowVolumeExpansion", mutate: func(sc *storagev1.StorageClass) { sc.AllowVolumeExpansion = ptr.To(true) }},
		{name: "provisioner", mutate: func(sc *storagev1.StorageClass) { sc.Provisioner = "other" }, field: "provisioner"},
		{name: "parameters", mutate: func(sc *storagev1.StorageClass) { sc.Parameters["type"] = "hdd" }, field: "parameters"},
		{name: "reclaimPolicy", mutate: func(sc *storagev1.StorageClass) { sc.ReclaimPolicy = ptr.To(corev1.PersistentVolumeReclaimRetain) }, field: "reclaimPolicy"},
		{name: "volumeBindingMode", mutate: func(sc *storagev1.StorageClass) {
			sc.VolumeBindingMode = ptr.To(storagev1.VolumeBindingWaitForFirstConsumer)
		}, field: "volumeBindingMode"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			old := validClass()
			sc := old.DeepCopy()
			tc.mutate(sc)
			expectOne(t, ValidateUpdate(sc, old), tc.field, field.ErrorTypeInvalid)
		})
	}
}

func TestTable(t *testing.T) {
	now := time.Now()
	mk := func(name string, created time.Time, def bool) storagev1.StorageClass {
		sc := validClass()
		sc.Name, sc.CreationTimestamp = name, metav1.NewTime(created)
		sc.ReclaimPolicy, sc.VolumeBindingMode = nil, nil
		if def {
			sc.Annotations = map[string]string{"storageclass.kubernetes.io/is-default-class": "true"}
		}
		return *sc
	}
	list := &storagev1.StorageClassList{Items: []storagev1.StorageClass{
		mk("old-default", now.Add(-time.Hour), true), mk("new-default", now, true), mk("plain", now, false),
	}}
	tbl, err := Table.ConvertToTable(context.Background(), list, nil)
	if err != nil {
		t.Fatal(err)
	}
	names := []any{tbl.Rows[0].Cells[0], tbl.Rows[1].Cells[0], tbl.Rows[2].Cells[0]}
	if names[0] != "old-default" || names[1] != "new-default (default)" || names[2] != "plain" {
		t.Fatalf("names = %v", names)
	}
	if got := tbl.Rows[0].Cells[1:5]; got[0] != "kubernetes.io/GCE-PD" || got[1] != "Delete" || got[2] != "Immediate" || got[3] != false {
		t.Fatalf("cells = %v", got)
	}
	single, err := Table.ConvertToTable(context.Background(), &list.Items[1], nil)
	if err != nil {
		t.Fatal(err)
	}
	if single.Rows[0].Cells[0] != "new-default" {
		t.Fatalf("a single object has no default marker, got %v", single.Rows[0].Cells[0])
	}
}

func TestWarnings(t *testing.T) {
	sc := validClass()
	sc.AllowedTopologies[0].MatchLabelExpressions[0].Key = "failure-domain.beta.kubernetes.io/zone"
	w := warnings(sc)
	if len(w) != 1 || !strings.HasPrefix(w[0], "allowedTopologies[0].matchLabelExpressions[0].key: deprecated since v1.17") {
		t.Fatalf("warnings = %v", w)
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
