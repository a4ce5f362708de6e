package podtemplate

import (
	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

// Validate checks a PodTemplate: a DNS subdomain name and a valid template.
func Validate(t *corev1.PodTemplate) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&t.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, corevalidation.ValidatePodTemplateSpec(&t.Template, field.NewPath("template"), corevalidation.OptionsForPodSpecs(&t.Template.Spec, nil, nil))...)
}

// ValidateUpdate checks an update of a PodTemplate; the template may change freely.
func ValidateUpdate(t, old *corev1.PodTemplate) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&t.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, corevalidation.ValidatePodTemplateSpec(&t.Template, field.NewPath("template"), corevalidation.OptionsForPodSpecs(&t.Template.Spec, &old.Template.Spec, nil))...)
}
