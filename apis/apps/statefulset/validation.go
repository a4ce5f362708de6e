package statefulset

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	appsvalidation "github.com/skiff-sh/skiff/apis/apps/validation"
	"github.com/skiff-sh/skiff/apis/core/persistentvolumeclaim"
	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

// options are upstream's StatefulSetValidationOptions that apply with default feature gates.
type options struct {
	allowInvalidServiceName          bool
	skipValidatePodTemplateSpec      bool
	skipValidateVolumeClaimTemplates bool
	pod                              corevalidation.PodValidationOptions
}

// Validate checks a new StatefulSet as upstream does; its name must be a DNS label, as the
// pods' hostnames derive from it.
func Validate(ss *appsv1.StatefulSet) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&ss.ObjectMeta, true, apimachineryvalidation.NameIsDNSLabel, field.NewPath("metadata"))
	return append(errs, validateSpec(&ss.Spec, field.NewPath("spec"), options{pod: appsvalidation.PodOptions(&ss.Spec.Template, nil)})...)
}

// ValidateUpdate checks an update: the new spec must be valid (its pod template only when
// the stored one was), and selector, volumeClaimTemplates, serviceName and
// podManagementPolicy may not change.
func ValidateUpdate(ss, old *appsv1.StatefulSet) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&ss.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	// serviceName and volumeClaimTemplates are immutable: what was stored stays acceptable.
	opts := options{
		allowInvalidServiceName:          true,
		skipValidateVolumeClaimTemplates: true,
		pod:                              appsvalidation.PodOptions(&ss.Spec.Template, &old.Spec.Template),
	}
	if len(validateSpec(&old.Spec, nil, opts)) > 0 {
		opts.skipValidatePodTemplateSpec = true // tolerate what was stored before
	}
	specPath := field.NewPath("spec")
	errs = append(errs, validateSpec(&ss.Spec, specPath, opts)...)
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(ss.Spec.Selector, old.Spec.Selector, specPath.Child("selector"))...)
	errs = append(errs, validateClaimTemplatesUnchanged(ss.Spec.VolumeClaimTemplates, old.Spec.VolumeClaimTemplates, specPath.Child("volumeClaimTemplates"))...)
	errs = append(errs, apimachineryvalidation.ValidateImmutableField(ss.Spec.ServiceName, old.Spec.ServiceName, specPath.Child("serviceName"))...)
	return append(errs, apimachineryvalidation.ValidateImmutableField(ss.Spec.PodManagementPolicy, old.Spec.PodManagementPolicy, specPath.Child("podManagementPolicy"))...)
}

func validateSpec(spec *appsv1.StatefulSetSpec, fldPath *field.Path, opts options) field.ErrorList {
	var errs field.ErrorList
	switch spec.PodManagementPolicy {
	case "":
		errs = append(errs, field.Required(fldPath.Child("podManagementPolicy"), ""))
	case appsv1.OrderedReadyPodManagement, appsv1.ParallelPodManagement:
	default:
		errs = append(errs, field.Invalid(fldPath.Child("podManagementPolicy"), spec.PodManagementPolicy, fmt.Sprintf("must be '%s' or '%s'", appsv1.OrderedReadyPodManagement, appsv1.ParallelPodManagement)))
	}
	errs = append(errs, validateUpdateStrategy(&spec.UpdateStrategy, fldPath.Child("updateStrategy"))...)
	if p := spec.PersistentVolumeClaimRetentionPolicy; p != nil {
		errs = append(errs, validateRetentionPolicyType(p.WhenDeleted, fldPath.Child("persistentVolumeClaimRetentionPolicy", "whenDeleted"))...)
		errs = append(errs, validateRetentionPolicyType(p.WhenScaled, fldPath.Child("persistentVolumeClaimRetentionPolicy", "whenScaled"))...)
	}
	if !opts.skipValidateVolumeClaimTemplates {
		for i := range spec.VolumeClaimTemplates {
			errs = append(errs, persistentvolumeclaim.ValidateSpec(&spec.VolumeClaimTemplates[i].Spec, fldPath.Child("volumeClaimTemplates").Index(i).Child("spec"), persistentvolumeclaim.SpecValidationOptions{})...)
		}
	}
	errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(appsvalidation.Deref(spec.Replicas)), fldPath.Child("replicas"))...)
	errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(spec.MinReadySeconds), fldPath.Child("minReadySeconds"))...)
	if spec.Ordinals != nil {
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(spec.Ordinals.Start), fldPath.Child("ordinals.start"))...)
	}
	if !opts.allowInvalidServiceName && spec.ServiceName != "" {
		for _, msg := range utilvalidation.IsDNS1123Label(spec.ServiceName) {
			errs = append(errs, field.Invalid(fldPath.Child("serviceName"), spec.ServiceName, msg))
		}
	}
	if spec.Selector == nil {
		errs = append(errs, field.Required(fldPath.Child("selector"), ""))
	} else {
		errs = append(errs, metav1validation.ValidateLabelSelector(spec.Selector, metav1validation.LabelSelectorValidationOptions{}, fldPath.Child("selector"))...)
		if len(spec.Selector.MatchLabels)+len(spec.Selector.MatchExpressions) == 0 {
			errs = append(errs, field.Invalid(fldPath.Child("selector"), spec.Selector, "empty selector is invalid for statefulset"))
		}
	}
	if selector, err := metav1.LabelSelectorAsSelector(spec.Selector); err != nil {
		errs = append(errs, field.Invalid(fldPath.Child("selector"), spec.Selector, ""))
	} else {
		errs = append(errs, validateTemplate(templateToValidate(spec), selector, fldPath.Child("template"), opts)...)
	}
	if spec.Template.Spec.RestartPolicy != corev1.RestartPolicyAlways {
		errs = append(errs, field.NotSupported(fldPath.Child("template", "spec", "restartPolicy"), spec.Template.Spec.RestartPolicy, []string{string(corev1.RestartPolicyAlways)}))
	}
	if spec.Template.Spec.ActiveDeadlineSeconds != nil {
		errs = append(errs, field.Forbidden(fldPath.Child("template", "spec", "activeDeadlineSeconds"), "activeDeadlineSeconds in StatefulSet is not Supported"))
	}
	return errs
}

func validateUpdateStrategy(s *appsv1.StatefulSetUpdateStrategy, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch s.Type {
	case "":
		errs = append(errs, field.Required(fldPath, ""))
	case appsv1.OnDeleteStatefulSetStrategyType:
		if s.RollingUpdate != nil {
			errs = append(errs, field.Invalid(fldPath.Child("rollingUpdate"), corevalidation.InternalJSON(s.RollingUpdate), fmt.Sprintf("only allowed for updateStrategy '%s'", appsv1.RollingUpdateStatefulSetStrategyType)))
		}
	case appsv1.RollingUpdateStatefulSetStrategyType:
		if ru := s.RollingUpdate; ru != nil {
			path := fldPath.Child("rollingUpdate")
			errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(appsvalidation.Deref(ru.Partition)), path.Child("partition"))...)
			if ru.MaxUnavailable != nil {
				maxPath := path.Child("maxUnavailable")
				errs = append(errs, appsvalidation.ValidatePositiveIntOrPercent(*ru.MaxUnavailable, maxPath)...)
				if appsvalidation.IntOrPercentValue(*ru.MaxUnavailable) == 0 {
					errs = append(errs, field.Invalid(maxPath, *ru.MaxUnavailable, "cannot be 0"))
				}
				errs = append(errs, appsvalidation.IsNotMoreThan100Percent(*ru.MaxUnavailable, maxPath)...)
			}
		}
	default:
		errs = append(errs, field.Invalid(fldPath, corevalidation.InternalJSON(s), fmt.Sprintf("must be '%s' or '%s'", appsv1.RollingUpdateStatefulSetStrategyType, appsv1.OnDeleteStatefulSetStrategyType)))
	}
	return errs
}

func validateRetentionPolicyType(t appsv1.PersistentVolumeClaimRetentionPolicyType, fldPath *field.Path) field.ErrorList {
	switch t {
	case appsv1.RetainPersistentVolumeClaimRetentionPolicyType, appsv1.DeletePersistentVolumeClaimRetentionPolicyType:
		return nil
	}
	return field.ErrorList{field.NotSupported(fldPath, t, []string{
		string(appsv1.RetainPersistentVolumeClaimRetentionPolicyType), string(appsv1.DeletePersistentVolumeClaimRetentionPolicyType),
	})}
}

// templateToValidate returns the pod template as the controller will complete it: hostname and
// subdomain are its to set, and every volumeClaimTemplate becomes a volume of the pod.
func templateToValidate(spec *appsv1.StatefulSetSpec) *corev1.PodTemplateSpec {
	t := &spec.Template
	if t.Spec.Subdomain == "" && t.Spec.Hostname == "" && len(spec.VolumeClaimTemplates) == 0 {
		return t
	}
	t = t.DeepCopy()
	t.Spec.Subdomain = ""
	t.Spec.Hostname = ""
	if len(spec.VolumeClaimTemplates) > 0 {
		claims := map[string]bool{}
		var volumes []corev1.Volume
		for _, pvc := range spec.VolumeClaimTemplates {
			if claims[pvc.Name] {
				continue
			}
			claims[pvc.Name] = true
			volumes = append(volumes, corev1.Volume{Name: pvc.Name, VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: pvc.Name},
			}})
		}
		for _, v := range t.Spec.Volumes {
			if !claims[v.Name] {
				volumes = append(volumes, v)
			}
		}
		t.Spec.Volumes = volumes
	}
	return t
}

func validateTemplate(t *corev1.PodTemplateSpec, selector labels.Selector, fldPath *field.Path, opts options) field.ErrorList {
	var errs field.ErrorList
	if !selector.Empty() && !selector.Matches(labels.Set(t.Labels)) {
		errs = append(errs, field.Invalid(fldPath.Child("metadata", "labels"), t.Labels, "`selector` does not match template `labels`"))
	}
	if !opts.skipValidatePodTemplateSpec {
		errs = append(errs, corevalidation.ValidatePodTemplateSpec(t, fldPath, opts.pod)...)
	}
	// Upstream checks the template's labels and annotations once more here, at these paths.
	errs = append(errs, metav1validation.ValidateLabels(t.Labels, fldPath.Child("labels"))...)
	return append(errs, apimachineryvalidation.ValidateAnnotations(t.Annotations, fldPath.Child("annotations"))...)
}

// ValidateStatusUpdate checks a status write: counts are non-negative and consistent, and the
// collision count never goes down.
func ValidateStatusUpdate(ss, old *appsv1.StatefulSet) field.ErrorList {
	fldPath := field.NewPath("status")
	s := &ss.Status
	errs := appsvalidation.NonNegative(fldPath,
		appsvalidation.Count{Name: "replicas", Value: int64(s.Replicas)},
		appsvalidation.Count{Name: "readyReplicas", Value: int64(s.ReadyReplicas)},
		appsvalidation.Count{Name: "currentReplicas", Value: int64(s.CurrentReplicas)},
		appsvalidation.Count{Name: "updatedReplicas", Value: int64(s.UpdatedReplicas)},
		appsvalidation.Count{Name: "availableReplicas", Value: int64(s.AvailableReplicas)},
		appsvalidation.Count{Name: "observedGeneration", Value: s.ObservedGeneration})
	if s.CollisionCount != nil {
		errs = append(errs, apimachineryvalidation.ValidateNonnegativeField(int64(*s.CollisionCount), fldPath.Child("collisionCount"))...)
	}
	const msg = "cannot be greater than status.replicas"
	if s.ReadyReplicas > s.Replicas {
		errs = append(errs, field.Invalid(fldPath.Child("readyReplicas"), s.ReadyReplicas, msg))
	}
	if s.CurrentReplicas > s.Replicas {
		errs = append(errs, field.Invalid(fldPath.Child("currentReplicas"), s.CurrentReplicas, msg))
	}
	if s.UpdatedReplicas > s.Replicas {
		errs = append(errs, field.Invalid(fldPath.Child("updatedReplicas"), s.UpdatedReplicas, msg))
	}
	if s.AvailableReplicas > s.Replicas {
		errs = append(errs, field.Invalid(fldPath.Child("availableReplicas"), s.AvailableReplicas, msg))
	}
	if s.AvailableReplicas > s.ReadyReplicas {
		errs = append(errs, field.Invalid(fldPath.Child("availableReplicas"), s.AvailableReplicas, "cannot be greater than status.readyReplicas"))
	}
	errs = append(errs, apimachineryvalidation.ValidateObjectMetaUpdate(&ss.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))...)
	return append(errs, appsvalidation.ValidateCollisionCountNotDecremented(s.CollisionCount, old.Status.CollisionCount, fldPath.Child("collisionCount"))...)
}

// validateClaimTemplatesUnchanged rejects any change of the claim templates, compared (and
// printed) as upstream's internal claims, which carry no apiVersion and kind.
func validateClaimTemplatesUnchanged(templates, old []corev1.PersistentVolumeClaim, fldPath *field.Path) field.ErrorList {
	return corevalidation.ValidateImmutableField(withoutTypeMeta(templates), withoutTypeMeta(old), fldPath)
}

func withoutTypeMeta(claims []corev1.PersistentVolumeClaim) []corev1.PersistentVolumeClaim {
	if claims == nil {
		return nil
	}
	out := make([]corev1.PersistentVolumeClaim, len(claims))
	for i := range claims {
		out[i] = claims[i]
		out[i].TypeMeta = metav1.TypeMeta{}
	}
	return out
}
