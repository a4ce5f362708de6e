package controllerrevision

import (
	"encoding/json"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Validate checks a new ControllerRevision: metadata, a non-negative revision and data that
// is a JSON object.
func Validate(rev *appsv1.ControllerRevision) field.ErrorList {
	errs := validate(rev)
	dataPath := field.NewPath("data")
	if rev.Data.Raw == nil {
		return append(errs, field.Required(dataPath, "data is mandatory"))
	}
	var v any
	if err := json.Unmarshal(rev.Data.Raw, &v); err != nil {
		return append(errs, field.Invalid(dataPath, "<value omitted>", fmt.Sprintf("error parsing data: %v", err.Error())))
	}
	if v == nil {
		return append(errs, field.Required(dataPath, "data is mandatory"))
	}
	if _, isObject := v.(map[string]any); !isObject {
		errs = append(errs, field.Required(dataPath, "data must be a valid JSON object"))
	}
	return errs
}

// ValidateUpdate checks an update: data may not change.
func ValidateUpdate(rev, old *appsv1.ControllerRevision) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&rev.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	errs = append(errs, validate(rev)...)
	return append(errs, apimachineryvalidation.ValidateImmutableField(rev.Data, old.Data, field.NewPath("data"))...)
}

func validate(rev *appsv1.ControllerRevision) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&rev.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, apimachineryvalidation.ValidateNonnegativeField(rev.Revision, field.NewPath("revision"))...)
}
