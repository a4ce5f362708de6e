package csidriver

import (
	"time"

	storagev1 "k8s.io/api/storage/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Validate checks a CSIDriver. The settings that have defaults are required (the defaults fill
// them in on decode), enumerations must hold supported values.
func Validate(d *storagev1.CSIDriver) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&d.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateSpec(&d.Spec, field.NewPath("spec"))...)
}

// ValidateUpdate also holds attachRequired and volumeLifecycleModes fixed.
func ValidateUpdate(d, old *storagev1.CSIDriver) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&d.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validateSpec(&d.Spec, field.NewPath("spec"))...)
	// Upstream reports attachRequired under the misspelt path "spec.attachedRequired".
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(d.Spec.AttachRequired, old.Spec.AttachRequired, field.NewPath("spec", "attachedRequired"))...)
	return append(errs, apimachineryvalidation.ValidateImmutableField(d.Spec.VolumeLifecycleModes, old.Spec.VolumeLifecycleModes, field.NewPath("spec", "volumeLifecycleModes"))...)
}

func validateSpec(spec *storagev1.CSIDriverSpec, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	required := func(set bool, name string) {
		if !set {
			errs = append(errs, field.Required(fldPath.Child(name), ""))
		}
	}
	required(spec.AttachRequired != nil, "attachedRequired")
	required(spec.PodInfoOnMount != nil, "podInfoOnMount")
	required(spec.StorageCapacity != nil, "storageCapacity")
	if p := spec.FSGroupPolicy; p != nil {
		switch *p {
		case storagev1.ReadWriteOnceWithFSTypeFSGroupPolicy, storagev1.FileFSGroupPolicy, storagev1.NoneFSGroupPolicy:
		default:
			errs = append(errs, field.NotSupported(fldPath.Child("fsGroupPolicy"), p, []string{
				string(storagev1.FileFSGroupPolicy), string(storagev1.NoneFSGroupPolicy), string(storagev1.ReadWriteOnceWithFSTypeFSGroupPolicy),
			}))
		}
	}
	errs = append(errs, validateTokenRequests(spec.TokenRequests, fldPath.Child("tokenRequests"))...)
	for _, mode := range spec.VolumeLifecycleModes {
		if mode != storagev1.VolumeLifecyclePersistent && mode != storagev1.VolumeLifecycleEphemeral {
			errs = append(errs, field.NotSupported(fldPath.Child("volumeLifecycleModes"), mode, []string{
				string(storagev1.VolumeLifecyclePersistent), string(storagev1.VolumeLifecycleEphemeral),
			}))
		}
	}
	required(spec.SELinuxMount != nil, "seLinuxMount")
	if p := spec.NodeAllocatableUpdatePeriodSeconds; p != nil && *p < 10 {
		errs = append(errs, field.Invalid(fldPath.Child("nodeAllocatableUpdatePeriodSeconds"), *p, "must be greater than or equal to 10 seconds"))
	}
	if spec.ServiceAccountTokenInSecrets != nil && len(spec.TokenRequests) == 0 {
		errs = append(errs, field.Invalid(fldPath.Child("serviceAccountTokenInSecrets"), spec.ServiceAccountTokenInSecrets, "serviceAccountTokenInSecrets is set but no tokenRequests are specified"))
	}
	required(spec.PreventPodSchedulingIfMissing != nil, "preventPodSchedulingIfMissing")
	return errs
}

func validateTokenRequests(requests []storagev1.TokenRequest, fldPath *field.Path) field.ErrorList {
	const min = 10 * time.Minute
	var errs field.ErrorList
	audiences := map[string]bool{}
	for i, r := range requests {
		path := fldPath.Index(i)
		if audiences[r.Audience] {
			errs = append(errs, field.Duplicate(path.Child("audience"), r.Audience))
			continue
		}
		audiences[r.Audience] = true
		if r.ExpirationSeconds == nil {
			continue
		}
		if *r.ExpirationSeconds < int64(min.Seconds()) {
			errs = append(errs, field.Invalid(path.Child("expirationSeconds"), *r.ExpirationSeconds, "may not specify a duration less than 10 minutes"))
		}
		if *r.ExpirationSeconds > 1<<32 {
			errs = append(errs, field.Invalid(path.Child("expirationSeconds"), *r.ExpirationSeconds, "may not specify a duration larger than 2^32 seconds"))
		}
	}
	return errs
}

const warningServiceAccountTokenInSecrets = "spec.serviceAccountTokenInSecrets is unset; if supported by this CSI driver, set to true to prevent possible logging of tokens in volume attributes"
