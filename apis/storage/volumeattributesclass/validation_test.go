package volumeattributesclass

import (
	"testing"

	storagev1 "k8s.io/api/storage/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func TestValidate(t *testing.T) {
	valid := func() *storagev1.VolumeAttributesClass {
		return &storagev1.VolumeAttributesClass{
			ObjectMeta: metav1.ObjectMeta{Name: "gold", ResourceVersion: "1"},
			DriverName: "csi.example.com", Parameters: map[string]string{"iops": "1000"},
		}
	}
	if errs := Validate(valid()); len(errs) != 0 {
		t.Fatalf("valid class rejected: %v", errs)
	}
	vac := valid()
	vac.DriverName, vac.Parameters = "", nil
	errs := Validate(vac)
	if len(errs) != 2 || errs[0].Field != "driverName" || errs[1].Field != "parameters" || errs[1].Type != field.ErrorTypeRequired {
		t.Fatalf("want driverName and parameters required, got %v", errs)
	}
	old, vac := valid(), valid()
	vac.Parameters["iops"] = "2000"
	vac.DriverName = "other.example.com"
	errs = ValidateUpdate(vac, old)
	if len(errs) != 2 || errs[0].Type != field.ErrorTypeForbidden || errs[1].Field != "parameters" {
		t.Fatalf("want driverName and parameters forbidden, got %v", errs)
	}
}
