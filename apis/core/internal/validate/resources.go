package validate

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

const (
	isNegativeErrorMsg     = apimachineryvalidation.IsNegativeErrorMsg
	isNotPositiveErrorMsg  = `must be greater than zero`
	isInvalidQuotaResource = `must be a standard resource for quota`
)

var (
	standardContainerResources = sets.New(corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage)
	standardLimitRangeTypes    = sets.New(corev1.LimitTypePod, corev1.LimitTypeContainer, corev1.LimitTypePersistentVolumeClaim)
	standardQuotaResources     = sets.New(
		corev1.ResourceCPU, corev1.ResourceMemory, corev1.ResourceEphemeralStorage,
		corev1.ResourceRequestsCPU, corev1.ResourceRequestsMemory, corev1.ResourceRequestsStorage,
		corev1.ResourceRequestsEphemeralStorage, corev1.ResourceLimitsCPU, corev1.ResourceLimitsMemory,
		corev1.ResourceLimitsEphemeralStorage, corev1.ResourcePods, corev1.ResourceQuotas, corev1.ResourceServices,
		corev1.ResourceReplicationControllers, corev1.ResourceSecrets, corev1.ResourcePersistentVolumeClaims,
		corev1.ResourceConfigMaps, corev1.ResourceServicesNodePorts, corev1.ResourceServicesLoadBalancers,
	)
	standardResources = standardQuotaResources.Clone().Insert(corev1.ResourceStorage)
)

// IsHugePageResourceName tells whether name is a hugepages-<size> resource.
func IsHugePageResourceName(name corev1.ResourceName) bool {
	return strings.HasPrefix(string(name), corev1.ResourceHugePagesPrefix)
}

func isQuotaHugePageResourceName(name corev1.ResourceName) bool {
	return IsHugePageResourceName(name) || strings.HasPrefix(string(name), corev1.ResourceRequestsHugePagesPrefix)
}

// IsNativeResource tells whether name is in the kubernetes.io/ namespace (or unqualified).
func IsNativeResource(name corev1.ResourceName) bool {
	return !strings.Contains(string(name), "/") || strings.Contains(string(name), corev1.ResourceDefaultNamespacePrefix)
}

// IsExtendedResourceName tells whether name is an extended (vendor) resource.
func IsExtendedResourceName(name corev1.ResourceName) bool {
	if IsNativeResource(name) || strings.HasPrefix(string(name), corev1.DefaultResourceRequestsPrefix) {
		return false
	}
	return len(validation.IsQualifiedName(corev1.DefaultResourceRequestsPrefix+string(name))) == 0
}

// IsStandardQuotaResourceName tells whether quota tracks name.
func IsStandardQuotaResourceName(name corev1.ResourceName) bool {
	return standardQuotaResources.Has(name) || isQuotaHugePageResourceName(name)
}

// IsStandardLimitRangeType tells whether t is Pod, Container or PersistentVolumeClaim.
func IsStandardLimitRangeType(t corev1.LimitType) bool { return standardLimitRangeTypes.Has(t) }

// ResourceName validates a compute resource name: qualified, and standard when unprefixed.
func ResourceName(value corev1.ResourceName, fldPath *field.Path) field.ErrorList {
	errs := invalid(fldPath, value, validation.IsQualifiedName(string(value)))
	if len(errs) != 0 {
		return errs
	}
	if !strings.Contains(string(value), "/") && !(standardResources.Has(value) || isQuotaHugePageResourceName(value)) {
		return append(errs, field.Invalid(fldPath, value, "must be a standard resource type or fully qualified"))
	}
	return errs
}

// QuotaResourceName validates a resource name a quota may hold.
func QuotaResourceName(value corev1.ResourceName, fldPath *field.Path) field.ErrorList {
	errs := ResourceName(value, fldPath)
	if !strings.Contains(string(value), "/") && !IsStandardQuotaResourceName(value) {
		return append(errs, field.Invalid(fldPath, value, isInvalidQuotaResource))
	}
	return errs
}

// NonnegativeQuantity rejects negative quantities.
func NonnegativeQuantity(value resource.Quantity, fldPath *field.Path) field.ErrorList {
	if value.Cmp(resource.Quantity{}) < 0 {
		return field.ErrorList{field.Invalid(fldPath, value.String(), isNegativeErrorMsg)}
	}
	return nil
}

// PositiveQuantity rejects quantities that are not above zero.
func PositiveQuantity(value resource.Quantity, fldPath *field.Path) field.ErrorList {
	if value.Cmp(resource.Quantity{}) <= 0 {
		return field.ErrorList{field.Invalid(fldPath, value.String(), isNotPositiveErrorMsg)}
	}
	return nil
}

// BasicResource rejects quantities whose value is negative.
func BasicResource(quantity resource.Quantity, fldPath *field.Path) field.ErrorList {
	if quantity.Value() < 0 {
		return field.ErrorList{field.Invalid(fldPath, quantity.Value(), "must be a valid resource quantity")}
	}
	return nil
}
