package node

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metavalidation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"

	"github.com/skiff-sh/skiff/apis/core/internal/validate"
	corevalidation "github.com/skiff-sh/skiff/apis/core/validation"
)

var declaredFeatureRegexp = regexp.MustCompile(`^[A-Z][a-zA-Z0-9]*(\/[a-zA-Z][a-zA-Z0-9]*)*$`)

// Validate checks a Node. Status is optional but must be valid where given.
func Validate(node *corev1.Node) field.ErrorList {
	metaPath := field.NewPath("metadata")
	errs := validate.ObjectMeta(&node.ObjectMeta, false, apimachineryvalidation.NameIsDNSSubdomain, metaPath)
	errs = append(errs, validateAnnotations(node.Annotations, metaPath.Child("annotations"))...)
	if len(node.Spec.Taints) > 0 {
		// Upstream reports spec taints under metadata.taints.
		errs = append(errs, validateTaints(node.Spec.Taints, metaPath.Child("taints"))...)
	}
	errs = append(errs, validateResources(node)...)
	if swap := node.Status.NodeInfo.Swap; swap != nil && swap.Capacity != nil && *swap.Capacity <= 0 {
		errs = append(errs, field.Invalid(metaPath.Child("nodeSwapStatus").Child("capacity"), *swap.Capacity, "must be greater than zero"))
	}
	errs = append(errs, validateDeclaredFeatures(node.Status.DeclaredFeatures, field.NewPath("status", "declaredFeatures"))...)
	if len(node.Spec.PodCIDRs) > 0 {
		path := field.NewPath("spec", "podCIDRs")
		for i, value := range node.Spec.PodCIDRs {
			errs = append(errs, validate.CIDRForLegacyField(path.Index(i), value, nil)...)
		}
		if len(node.Spec.PodCIDRs) > 1 {
			dualStack, err := netutils.IsDualStackCIDRStrings(node.Spec.PodCIDRs)
			if err != nil {
				errs = append(errs, field.InternalError(path, fmt.Errorf("invalid PodCIDRs. failed to check with dual stack with error:%v", err)))
			}
			if !dualStack || len(node.Spec.PodCIDRs) > 2 {
				errs = append(errs, field.Invalid(path, node.Spec.PodCIDRs, "may specify no more than one CIDR for each IP family"))
			}
		}
	}
	return errs
}

// ValidateUpdate checks a Node update (main resource and status): podCIDRs and providerID
// may only be set once, externalID never changes, addresses are unique.
func ValidateUpdate(node, old *corev1.Node) field.ErrorList {
	metaPath := field.NewPath("metadata")
	errs := validate.ObjectMetaUpdate(&node.ObjectMeta, &old.ObjectMeta, metaPath)
	errs = append(errs, validateAnnotations(node.Annotations, metaPath.Child("annotations"))...)
	errs = append(errs, validateResources(node)...)
	errs = append(errs, validateDeclaredFeatures(node.Status.DeclaredFeatures, field.NewPath("status", "declaredFeatures"))...)

	seen := map[corev1.NodeAddress]bool{}
	for i, address := range node.Status.Addresses {
		if seen[address] {
			errs = append(errs, field.Duplicate(field.NewPath("status", "addresses").Index(i), corevalidation.InternalJSON(address)))
		}
		seen[address] = true
	}
	if len(old.Spec.PodCIDRs) > 0 {
		changed := len(old.Spec.PodCIDRs) != len(node.Spec.PodCIDRs)
		for i := 0; !changed && i < len(old.Spec.PodCIDRs); i++ {
			if old.Spec.PodCIDRs[i] != node.Spec.PodCIDRs[i] {
				errs = append(errs, field.Forbidden(field.NewPath("spec", "podCIDRs"), "node updates may not change podCIDR except from \"\" to valid"))
			}
		}
		if changed {
			errs = append(errs, field.Forbidden(field.NewPath("spec", "podCIDRs"), "node updates may not change podCIDR except from \"\" to valid"))
		}
	}
	if len(old.Spec.ProviderID) > 0 && len(node.Spec.ProviderID) > 0 && old.Spec.ProviderID != node.Spec.ProviderID {
		errs = append(errs, field.Invalid(field.NewPath("spec", "providerID"), nil, "field cannot be modified once set"))
	}
	if len(old.Spec.ProviderID) > 0 && len(node.Spec.ProviderID) == 0 {
		errs = append(errs, field.Invalid(field.NewPath("spec", "providerID"), nil, "field cannot be cleared once set"))
	}
	if node.Spec.ConfigSource != nil {
		errs = append(errs, validateConfigSource(node.Spec.ConfigSource, field.NewPath("spec", "configSource"), false)...)
	}
	if cfg := node.Status.Config; cfg != nil {
		path := field.NewPath("status", "config")
		for _, s := range []struct {
			src  *corev1.NodeConfigSource
			name string
		}{{cfg.Assigned, "assigned"}, {cfg.Active, "active"}, {cfg.LastKnownGood, "lastKnownGood"}} {
			if s.src != nil {
				errs = append(errs, validateConfigSource(s.src, path.Child(s.name), true)...)
			}
		}
	}
	if len(node.Spec.Taints) > 0 {
		errs = append(errs, validateTaints(node.Spec.Taints, metaPath.Child("taints"))...)
	}
	if node.Spec.DoNotUseExternalID != old.Spec.DoNotUseExternalID {
		errs = append(errs, field.Forbidden(field.NewPath("spec", "externalID"), "may not be updated"))
	}
	return errs
}

func validateResources(node *corev1.Node) field.ErrorList {
	var errs field.ErrorList
	for k, v := range node.Status.Capacity {
		errs = append(errs, corevalidation.ValidateResourceQuantityValue(k, v, field.NewPath("status", "capacity", string(k)))...)
	}
	for k, v := range node.Status.Allocatable {
		errs = append(errs, corevalidation.ValidateResourceQuantityValue(k, v, field.NewPath("status", "allocatable", string(k)))...)
	}
	return errs
}

var supportedTaintEffects = []corev1.TaintEffect{corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute}

func validateTaints(taints []corev1.Taint, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	unique := map[corev1.TaintEffect]sets.Set[string]{}
	for i, taint := range taints {
		idxPath := fldPath.Index(i)
		errs = append(errs, metavalidation.ValidateLabelName(taint.Key, idxPath.Child("key"))...)
		if msgs := validation.IsValidLabelValue(taint.Value); len(msgs) != 0 {
			errs = append(errs, field.Invalid(idxPath.Child("value"), taint.Value, strings.Join(msgs, ";")))
		}
		switch taint.Effect {
		case "":
			errs = append(errs, field.Required(idxPath.Child("effect"), ""))
		case corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		default:
			errs = append(errs, field.NotSupported(idxPath.Child("effect"), taint.Effect, supportedTaintEffects))
		}
		if unique[taint.Effect].Has(taint.Key) {
			dup := field.Duplicate(idxPath, corevalidation.InternalJSON(taint))
			dup.Detail = "taints must be unique by key and effect pair"
			errs = append(errs, dup)
			continue
		}
		if unique[taint.Effect] == nil {
			unique[taint.Effect] = sets.Set[string]{}
		}
		unique[taint.Effect].Insert(taint.Key)
	}
	return errs
}

const (
	taintsAnnotationKey          = "scheduler.alpha.kubernetes.io/taints"
	preferAvoidPodsAnnotationKey = "scheduler.alpha.kubernetes.io/preferAvoidPods"
)

// validateAnnotations checks the legacy taints and preferAvoidPods annotations.
func validateAnnotations(annotations map[string]string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if value := annotations[taintsAnnotationKey]; value != "" {
		var taints []corev1.Taint
		if err := json.Unmarshal([]byte(value), &taints); err != nil {
			errs = append(errs, field.Invalid(fldPath, taintsAnnotationKey, err.Error()))
		} else if len(taints) > 0 {
			errs = append(errs, validateTaints(taints, fldPath.Child(taintsAnnotationKey))...)
		}
	}
	if value := annotations[preferAvoidPodsAnnotationKey]; value != "" {
		var avoids corev1.AvoidPods
		if err := json.Unmarshal([]byte(value), &avoids); err != nil {
			errs = append(errs, field.Invalid(fldPath.Child("AvoidPods"), preferAvoidPodsAnnotationKey, err.Error()))
		} else {
			for i, entry := range avoids.PreferAvoidPods {
				idxPath := fldPath.Child(preferAvoidPodsAnnotationKey).Index(i)
				if ctrl := entry.PodSignature.PodController; ctrl == nil {
					errs = append(errs, field.Required(idxPath.Child("PodSignature"), ""))
				} else if ctrl.Controller == nil || !*ctrl.Controller {
					errs = append(errs, field.Invalid(idxPath.Child("PodSignature").Child("PodController").Child("Controller"), ctrl.Controller != nil && *ctrl.Controller, "must point to a controller"))
				}
			}
		}
	}
	return errs
}

func validateDeclaredFeatures(features []string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i, feature := range features {
		if len(feature) > validation.DNS1123SubdomainMaxLength {
			errs = append(errs, field.Invalid(fldPath.Index(i), feature, fmt.Sprintf("invalid feature name %q: must be no more than %d characters", feature, validation.DNS1123SubdomainMaxLength)))
		} else if !declaredFeatureRegexp.MatchString(feature) {
			errs = append(errs, field.Invalid(fldPath.Index(i), feature, fmt.Sprintf("invalid feature name %q: must start with an UpperCamelCase segment, with subsequent segments separated by '/' (e.g., MyFeature or MyFeature/mySubFeature), and contain only alphanumeric characters and slashes", feature)))
		}
		if i+1 < len(features) {
			next := features[i+1]
			if feature == next {
				errs = append(errs, field.Duplicate(fldPath.Index(i+1), next))
			} else if feature > next {
				errs = append(errs, field.Invalid(fldPath.Index(i+1), next, "list must be sorted alphabetically"))
			}
		}
	}
	return errs
}

// validateConfigSource checks the deprecated dynamic kubelet config source; in status the
// uid and resourceVersion are required, in spec forbidden.
func validateConfigSource(source *corev1.NodeConfigSource, fldPath *field.Path, status bool) field.ErrorList {
	var errs field.ErrorList
	if source.ConfigMap == nil {
		return field.ErrorList{field.Invalid(fldPath, corevalidation.InternalJSON(source), "exactly one reference subfield must be non-nil")}
	}
	cm, path := source.ConfigMap, fldPath.Child("configMap")
	if status {
		if cm.UID == "" {
			errs = append(errs, field.Required(path.Child("uid"), ""))
		}
		if cm.ResourceVersion == "" {
			errs = append(errs, field.Required(path.Child("resourceVersion"), ""))
		}
	} else {
		if cm.UID != "" {
			errs = append(errs, field.Forbidden(path.Child("uid"), "uid must not be set in spec"))
		}
		if cm.ResourceVersion != "" {
			errs = append(errs, field.Forbidden(path.Child("resourceVersion"), "resourceVersion must not be set in spec"))
		}
	}
	if cm.Namespace == "" {
		errs = append(errs, field.Required(path.Child("namespace"), ""))
	} else {
		errs = append(errs, validate.Name(cm.Namespace, apimachineryvalidation.ValidateNamespaceName, path.Child("namespace"))...)
	}
	if cm.Name == "" {
		errs = append(errs, field.Required(path.Child("name"), ""))
	} else {
		errs = append(errs, validate.Name(cm.Name, apimachineryvalidation.NameIsDNSSubdomain, path.Child("name"))...)
	}
	if cm.KubeletConfigKey == "" {
		errs = append(errs, field.Required(path.Child("kubeletConfigKey"), ""))
	} else {
		for _, msg := range validation.IsConfigMapKey(cm.KubeletConfigKey) {
			errs = append(errs, field.Invalid(path.Child("kubeletConfigKey"), cm.KubeletConfigKey, msg))
		}
	}
	return errs
}
