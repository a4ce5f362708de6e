package volumeattributesclass

import (
	"reflect"

	storagev1 "k8s.io/api/storage/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/storage/storageclass"
)

// Validate checks a VolumeAttributesClass: a driver name and at least one parameter.
func Validate(vac *storagev1.VolumeAttributesClass) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&vac.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, storageclass.ValidateProvisioner(vac.DriverName, field.NewPath("driverName"))...)
	return append(errs, storageclass.ValidateParameters(vac.Parameters, false, field.NewPath("parameters"))...)
}

// ValidateUpdate forbids changes of driverName and parameters.
func ValidateUpdate(vac, old *storagev1.VolumeAttributesClass) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&vac.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	if vac.DriverName != old.DriverName {
		errs = append(errs, field.Forbidden(field.NewPath("driverName"), "updates to driverName are forbidden."))
	}
	if !reflect.DeepEqual(old.Parameters, vac.Parameters) {
		errs = append(errs, field.Forbidden(field.NewPath("parameters"), "updates to parameters are forbidden."))
	}
	return append(errs, Validate(vac)...)
}
