package endpoints

import (
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/skiff-sh/skiff/apis/core/internal/validate"
)

var supportedPortProtocols = sets.New(corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP)

// Validate checks Endpoints on create.
func Validate(ep *corev1.Endpoints) field.ErrorList {
	return validateEndpoints(ep, nil)
}

// ValidateUpdate checks Endpoints on update; subsets stored before stricter rules are kept
// when unchanged.
func ValidateUpdate(ep, old *corev1.Endpoints) field.ErrorList {
	errs := validate.ObjectMetaUpdate(&ep.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validateEndpoints(ep, old)...)
}

func validateEndpoints(ep, old *corev1.Endpoints) field.ErrorList {
	errs := validate.ObjectMeta(&ep.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	subsetErrs := validateSubsets(ep.Subsets, field.NewPath("subsets"))
	if len(subsetErrs) != 0 && old != nil && apiequality.Semantic.DeepEqual(old.Subsets, ep.Subsets) {
		subsetErrs = nil
	}
	return append(errs, subsetErrs...)
}

func validateSubsets(subsets []corev1.EndpointSubset, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for i := range subsets {
		ss := &subsets[i]
		idxPath := fldPath.Index(i)
		if len(ss.Addresses) == 0 && len(ss.NotReadyAddresses) == 0 {
			errs = append(errs, field.Required(idxPath, "must specify `addresses` or `notReadyAddresses`"))
		}
		for j := range ss.Addresses {
			errs = append(errs, validateAddress(&ss.Addresses[j], idxPath.Child("addresses").Index(j))...)
		}
		for j := range ss.NotReadyAddresses {
			errs = append(errs, validateAddress(&ss.NotReadyAddresses[j], idxPath.Child("notReadyAddresses").Index(j))...)
		}
		for j := range ss.Ports {
			errs = append(errs, validatePort(&ss.Ports[j], len(ss.Ports) > 1, idxPath.Child("ports").Index(j))...)
		}
	}
	return errs
}

func validateAddress(address *corev1.EndpointAddress, fldPath *field.Path) field.ErrorList {
	errs := validate.IPForLegacyField(fldPath.Child("ip"), address.IP, nil)
	if len(address.Hostname) > 0 {
		errs = append(errs, validate.DNS1123Label(address.Hostname, fldPath.Child("hostname"))...)
	}
	if address.NodeName != nil {
		errs = append(errs, validate.Name(*address.NodeName, apimachineryvalidation.NameIsDNSSubdomain, fldPath.Child("nodeName"))...)
	}
	return append(errs, validate.EndpointIP(address.IP, fldPath.Child("ip"))...)
}

func validatePort(port *corev1.EndpointPort, requireName bool, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if requireName && len(port.Name) == 0 {
		errs = append(errs, field.Required(fldPath.Child("name"), ""))
	} else if len(port.Name) != 0 {
		errs = append(errs, validate.DNS1123Label(port.Name, fldPath.Child("name"))...)
	}
	for _, msg := range validation.IsValidPortNum(int(port.Port)) {
		errs = append(errs, field.Invalid(fldPath.Child("port"), port.Port, msg))
	}
	switch {
	case len(port.Protocol) == 0:
		errs = append(errs, field.Required(fldPath.Child("protocol"), ""))
	case !supportedPortProtocols.Has(port.Protocol):
		errs = append(errs, field.NotSupported(fldPath.Child("protocol"), port.Protocol, sets.List(supportedPortProtocols)))
	}
	if port.AppProtocol != nil {
		errs = append(errs, validate.QualifiedName(*port.AppProtocol, fldPath.Child("appProtocol"))...)
	}
	return errs
}
