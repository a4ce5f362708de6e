package csinode

import (
	"fmt"
	"strings"

	storagev1 "k8s.io/api/storage/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

const maxNodeIDLen = 256

// Validate checks a CSINode: its name is a node name, each driver is named once and validly,
// with a node ID and unique, qualified topology keys.
func Validate(n *storagev1.CSINode) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&n.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	fldPath := field.NewPath("spec", "drivers")
	names := sets.New[string]()
	for i, d := range n.Spec.Drivers {
		idxPath := fldPath.Index(i)
		errs = append(errs, ValidateCSIDriverName(d.Name, idxPath.Child("name"))...)
		if d.NodeID == "" {
			errs = append(errs, field.Required(idxPath.Child("nodeID"), ""))
		}
		if len(d.NodeID) > maxNodeIDLen {
			errs = append(errs, field.Invalid(idxPath.Child("nodeID"), d.NodeID, fmt.Sprintf("must be %d characters or less", maxNodeIDLen)))
		}
		if d.Allocatable != nil && d.Allocatable.Count != nil {
			errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(*d.Allocatable.Count), idxPath.Child("allocatable", "count"))...)
		}
		if names.Has(d.Name) {
			errs = append(errs, field.Duplicate(idxPath.Child("name"), d.Name))
		}
		names.Insert(d.Name)
		keys := sets.New[string]()
		for _, key := range d.TopologyKeys {
			// Upstream reports topology key errors at the driver's path.
			if key == "" {
				errs = append(errs, field.Required(idxPath, key))
			}
			if keys.Has(key) {
				errs = append(errs, field.Duplicate(idxPath, key))
			}
			keys.Insert(key)
			for _, msg := range validation.IsQualifiedName(key) {
				errs = append(errs, field.Invalid(idxPath, key, msg))
			}
		}
	}
	return errs
}

// ValidateUpdate checks the updated CSINode and holds each driver that stays (by name) fixed
// but for its allocatable count.
func ValidateUpdate(n, old *storagev1.CSINode) field.ErrorList {
	errs := Validate(n)
	for _, o := range old.Spec.Drivers {
		for _, d := range n.Spec.Drivers {
			if o.Name != d.Name {
				continue
			}
			o, d := *o.DeepCopy(), *d.DeepCopy()
			o.Allocatable, d.Allocatable = nil, nil
			errs = append(errs, corevalidation.ValidateImmutableField(d, o, field.NewPath("spec", "drivers"))...)
		}
	}
	return errs
}

// ValidateStatusUpdate checks a status write. The storage health it could carry belongs to the
// CSIVolumeHealth feature, off by default, and is dropped before validation.
func ValidateStatusUpdate(n, old *storagev1.CSINode) field.ErrorList {
	return apimachineryvalidation.ValidateObjectMetaUpdate(&n.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
}

// ValidateCSIDriverName checks the name of a CSI driver: required, at most 63 characters, a
// DNS subdomain once lowercased.
func ValidateCSIDriverName(name string, fldPath *field.Path) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	var errs field.ErrorList
	if len(name) > 63 {
		errs = append(errs, field.TooLong(fldPath, "", 63))
	}
	for _, msg := range validation.IsDNS1123Subdomain(strings.ToLower(name)) {
		errs = append(errs, field.Invalid(fldPath, name, msg))
	}
	return errs
}
