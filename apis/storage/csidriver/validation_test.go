package csidriver

import (
	"context"
	"testing"

	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"
)

func validDriver() *storagev1.CSIDriver {
	return &storagev1.CSIDriver{
		ObjectMeta: metav1.ObjectMeta{Name: "csi.example.com", ResourceVersion: "1"},
		Spec: storagev1.CSIDriverSpec{
			AttachRequired: ptr.To(true), PodInfoOnMount: ptr.To(false), StorageCapacity: ptr.To(false),
			FSGroupPolicy:        ptr.To(storagev1.ReadWriteOnceWithFSTypeFSGroupPolicy),
			VolumeLifecycleModes: []storagev1.VolumeLifecycleMode{storagev1.VolumeLifecyclePersistent},
			RequiresRepublish:    ptr.To(false), SELinuxMount: ptr.To(false), PreventPodSchedulingIfMissing: ptr.To(false),
			TokenRequests: []storagev1.TokenRequest{{Audience: "a", ExpirationSeconds: ptr.To[int64](3600)}},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*storagev1.CSIDriver)
		field  string
		typ    field.ErrorType
	}{
		{name: "valid", mutate: func(*storagev1.CSIDriver) {}},
		{name: "attachRequired required", mutate: func(d *storagev1.CSIDriver) { d.Spec.AttachRequired = nil }, field: "spec.attachedRequired", typ: field.ErrorTypeRequired},
		{name: "podInfoOnMount required", mutate: func(d *storagev1.CSIDriver) { d.Spec.PodInfoOnMount = nil }, field: "spec.podInfoOnMount", typ: field.ErrorTypeRequired},
		{name: "seLinuxMount required", mutate: func(d *storagev1.CSIDriver) { d.Spec.SELinuxMount = nil }, field: "spec.seLinuxMount", typ: field.ErrorTypeRequired},
		{name: "bad fsGroupPolicy", mutate: func(d *storagev1.CSIDriver) { d.Spec.FSGroupPolicy = ptr.To(storagev1.FSGroupPolicy("Some")) }, field: "spec.fsGroupPolicy", typ: field.ErrorTypeNotSupported},
		{name: "bad mode", mutate: func(d *storagev1.CSIDriver) { d.Spec.VolumeLifecycleModes = []storagev1.VolumeLifecycleMode{"Forever"} }, field: "spec.volumeLifecycleModes", typ: field.ErrorTypeNotSupported},
		{name: "duplicate audience", mutate: func(d *storagev1.CSIDriver) {
			d.Spec.TokenRequests = append(d.Spec.TokenRequests, storagev1.TokenRequest{Audience: "a"})
		}, field: "spec.tokenRequests[1].audience", typ: field.ErrorTypeDuplicate},
		{name: "short token", mutate: func(d *storagev1.CSIDriver) { d.Spec.TokenRequests[0].ExpirationSeconds = ptr.To[int64](60) }, field: "spec.tokenRequests[0].expirationSeconds", typ: field.ErrorTypeInvalid},
		{name: "short update period", mutate: func(d *storagev1.CSIDriver) { d.Spec.NodeAllocatableUpdatePeriodSeconds = ptr.To[int64](5) }, field: "spec.nodeAllocatableUpdatePeriodSeconds", typ: field.ErrorTypeInvalid},
		{name: "token secrets without requests", mutate: func(d *storagev1.CSIDriver) {
			d.Spec.TokenRequests, d.Spec.ServiceAccountTokenInSecrets = nil, ptr.To(true)
		}, field: "spec.serviceAccountTokenInSecrets", typ: field.ErrorTypeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := validDriver()
			tc.mutate(d)
			expectOne(t, Validate(d), tc.field, tc.typ)
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old := validDriver()
	d := old.DeepCopy()
	d.Spec.PodInfoOnMount = ptr.To(true)
	expectOne(t, ValidateUpdate(d, old), "", "")
	d.Spec.AttachRequired = ptr.To(false)
	expectOne(t, ValidateUpdate(d, old), "spec.attachedRequired", field.ErrorTypeInvalid)
	d = old.DeepCopy()
	d.Spec.VolumeLifecycleModes = append(d.Spec.VolumeLifecycleModes, storagev1.VolumeLifecycleEphemeral)
	expectOne(t, ValidateUpdate(d, old), "spec.volumeLifecycleModes", field.ErrorTypeInvalid)
}

func TestStrategy(t *testing.T) {
	d := validDriver()
	Strategy.PrepareForCreate(context.Background(), d)
	if d.Generation != 0 {
		t.Fatalf("as upstream, create leaves generation unset; got %d", d.Generation)
	}
	upd := d.DeepCopy()
	upd.Spec.PodInfoOnMount = ptr.To(true)
	Strategy.PrepareForUpdate(context.Background(), upd, d)
	if upd.Generation != 1 {
		t.Fatalf("spec change must bump generation, got %d", upd.Generation)
	}
	if w := Strategy.WarningsOnCreate(context.Background(), d); len(w) != 1 {
		t.Fatalf("token requests without serviceAccountTokenInSecrets must warn, got %v", w)
	}
}

func TestTable(t *testing.T) {
	d := validDriver()
	d.Spec.VolumeLifecycleModes = append(d.Spec.VolumeLifecycleModes, storagev1.VolumeLifecycleEphemeral)
	tbl, err := Table.ConvertToTable(context.Background(), d, nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []any{"csi.example.com", true, false, false, "a", false, "Persistent,Ephemeral"}
	for i, w := range want {
		if tbl.Rows[0].Cells[i] != w {
			t.Errorf("cell %d = %v, want %v", i, tbl.Rows[0].Cells[i], w)
		}
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
