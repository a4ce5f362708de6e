package endpointslice

import (
	"fmt"
	"slices"

	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

const (
	maxTopologyLabels = 16
	maxAddresses      = 100
	maxPorts          = 20000
	maxEndpoints      = 1000
	maxZoneHints      = 8
	maxNodeHints      = 8
	// strictIPCIDR mirrors upstream's StrictIPCIDRValidation feature gate, on by default.
	strictIPCIDR = true
)

var (
	supportedAddressTypes = []string{string(discoveryv1.AddressTypeFQDN), string(discoveryv1.AddressTypeIPv4), string(discoveryv1.AddressTypeIPv6)}
	supportedProtocols    = []string{string(corev1.ProtocolSCTP), string(corev1.ProtocolTCP), string(corev1.ProtocolUDP)}
)

// Validate checks an EndpointSlice on create.
func Validate(eps *discoveryv1.EndpointSlice) field.ErrorList {
	return validate(eps, nil)
}

// ValidateUpdate checks an EndpointSlice on update: addressType is fixed, and endpoints an
// older server accepted are not checked again while they stay unchanged.
func ValidateUpdate(eps, old *discoveryv1.EndpointSlice) field.ErrorList {
	return validate(eps, old)
}

func validate(eps *discoveryv1.EndpointSlice, old *discoveryv1.EndpointSlice) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&eps.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	errs = append(errs, validatePorts(eps.Ports, field.NewPath("ports"))...)
	unchanged := old != nil && apiequality.Semantic.DeepEqual(old.Endpoints, eps.Endpoints)
	if !unchanged {
		errs = append(errs, validateEndpoints(eps.Endpoints, eps.AddressType, field.NewPath("endpoints"))...)
	}
	// Upstream checks addressType and address counts declaratively; their errors come last.
	changed := old != nil && eps.AddressType != old.AddressType
	if eps.AddressType == "" {
		errs = append(errs, field.Required(field.NewPath("addressType"), ""))
	} else if !changed && !slices.Contains(supportedAddressTypes, string(eps.AddressType)) {
		errs = append(errs, field.NotSupported(field.NewPath("addressType"), eps.AddressType, supportedAddressTypes))
	}
	if changed {
		errs = append(errs, field.Invalid(field.NewPath("addressType"), nil, apimachineryvalidation.FieldImmutableErrorMsg))
	}
	if !unchanged {
		for i, ep := range eps.Endpoints {
			addrPath := field.NewPath("endpoints").Index(i).Child("addresses")
			if len(ep.Addresses) == 0 {
				errs = append(errs, field.Required(addrPath, ""))
			} else if len(ep.Addresses) > maxAddresses {
				errs = append(errs, field.TooMany(addrPath, len(ep.Addresses), maxAddresses))
			}
		}
	}
	return errs
}

func validateEndpoints(endpoints []discoveryv1.Endpoint, addrType discoveryv1.AddressType, fldPath *field.Path) field.ErrorList {
	if len(endpoints) > maxEndpoints {
		return field.ErrorList{field.TooMany(fldPath, len(endpoints), maxEndpoints)}
	}
	var errs field.ErrorList
	for i, ep := range endpoints {
		idxPath := fldPath.Index(i)
		addrPath := idxPath.Child("addresses")
		for j, addr := range ep.Addresses {
			switch addrType {
			case discoveryv1.AddressTypeIPv4:
				if ipErrs := validation.IsValidIPForLegacyField(addrPath.Index(j), addr, strictIPCIDR, nil); len(ipErrs) > 0 {
					errs = append(errs, ipErrs...)
					continue
				}
				if !netutils.IsIPv4String(addr) {
					errs = append(errs, field.Invalid(addrPath, addr, "must be an IPv4 address"))
				}
				errs = append(errs, validateEndpointIP(addr, addrPath.Index(j))...)
			case discoveryv1.AddressTypeIPv6:
				if ipErrs := validation.IsValidIP(addrPath.Index(j), addr); len(ipErrs) > 0 {
					errs = append(errs, ipErrs...)
					continue
				}
				if !netutils.IsIPv6String(addr) {
					errs = append(errs, field.Invalid(addrPath, addr, "must be an IPv6 address"))
				}
				errs = append(errs, validateEndpointIP(addr, addrPath.Index(j))...)
			case discoveryv1.AddressTypeFQDN:
				errs = append(errs, validation.IsFullyQualifiedDomainName(addrPath.Index(j), addr)...)
			}
		}
		if ep.NodeName != nil {
			for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*ep.NodeName, false) {
				errs = append(errs, field.Invalid(idxPath.Child("nodeName"), *ep.NodeName, msg))
			}
		}
		topologyPath := idxPath.Child("deprecatedTopology")
		if len(ep.DeprecatedTopology) > maxTopologyLabels {
			errs = append(errs, field.TooMany(topologyPath, len(ep.DeprecatedTopology), maxTopologyLabels))
		}
		errs = append(errs, metav1validation.ValidateLabels(ep.DeprecatedTopology, topologyPath)...)
		if _, found := ep.DeprecatedTopology[corev1.LabelTopologyZone]; found {
			errs = append(errs, field.InternalError(topologyPath.Key(corev1.LabelTopologyZone), fmt.Errorf("reserved key was not removed in conversion")))
		}
		if ep.Hostname != nil {
			for _, msg := range validation.IsDNS1123Label(*ep.Hostname) {
				errs = append(errs, field.Invalid(idxPath.Child("hostname"), *ep.Hostname, msg))
			}
		}
		if ep.Hints != nil {
			errs = append(errs, validateHints(ep.Hints, idxPath.Child("hints"))...)
		}
	}
	return errs
}

// validateEndpointIP rejects addresses no endpoint may have: unspecified, loopback, link-local.
func validateEndpointIP(addr string, fldPath *field.Path) field.ErrorList {
	ip := netutils.ParseIPSloppy(addr)
	if ip == nil {
		return field.ErrorList{field.Invalid(fldPath, addr, "must be a valid IP address")}
	}
	var errs field.ErrorList
	if ip.IsUnspecified() {
		errs = append(errs, field.Invalid(fldPath, addr, fmt.Sprintf("may not be unspecified (%v)", addr)))
	}
	if ip.IsLoopback() {
		errs = append(errs, field.Invalid(fldPath, addr, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
	}
	if ip.IsLinkLocalUnicast() {
		errs = append(errs, field.Invalid(fldPath, addr, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
	}
	if ip.IsLinkLocalMulticast() {
		errs = append(errs, field.Invalid(fldPath, addr, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
	}
	return errs
}

func validatePorts(ports []discoveryv1.EndpointPort, fldPath *field.Path) field.ErrorList {
	if len(ports) > maxPorts {
		return field.ErrorList{field.TooMany(fldPath, len(ports), maxPorts)}
	}
	var errs field.ErrorList
	names := make([]string, 0, len(ports))
	for i, port := range ports {
		idxPath := fldPath.Index(i)
		name := ""
		if port.Name != nil {
			name = *port.Name
		}
		if name != "" {
			for _, msg := range validation.IsDNS1123Label(name) {
				errs = append(errs, field.Invalid(idxPath.Child("name"), name, msg))
			}
		}
		if slices.Contains(names, name) {
			errs = append(errs, field.Duplicate(idxPath.Child("name"), port.Name))
		} else {
			names = append(names, name)
		}
		if port.Protocol == nil {
			errs = append(errs, field.Required(idxPath.Child("protocol"), ""))
		} else if !slices.Contains(supportedProtocols, string(*port.Protocol)) {
			errs = append(errs, field.NotSupported(idxPath.Child("protocol"), *port.Protocol, supportedProtocols))
		}
		if port.AppProtocol != nil {
			for _, msg := range validation.IsQualifiedName(*port.AppProtocol) {
				errs = append(errs, field.Invalid(idxPath.Child("appProtocol"), *port.AppProtocol, msg))
			}
		}
	}
	return errs
}

func validateHints(hints *discoveryv1.EndpointHints, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	zonesPath := fldPath.Child("forZones")
	if len(hints.ForZones) > maxZoneHints {
		return append(errs, field.TooMany(zonesPath, len(hints.ForZones), maxZoneHints))
	}
	var zones []string
	for i, z := range hints.ForZones {
		p := zonesPath.Index(i).Child("name")
		if slices.Contains(zones, z.Name) {
			errs = append(errs, field.Duplicate(p, z.Name))
		} else {
			zones = append(zones, z.Name)
		}
		for _, msg := range validation.IsValidLabelValue(z.Name) {
			errs = append(errs, field.Invalid(p, z.Name, msg))
		}
	}
	nodesPath := fldPath.Child("forNodes")
	if len(hints.ForNodes) > maxNodeHints {
		return append(errs, field.TooMany(nodesPath, len(hints.ForNodes), maxNodeHints))
	}
	var nodes []string
	for i, n := range hints.ForNodes {
		p := nodesPath.Index(i).Child("name")
		if slices.Contains(nodes, n.Name) {
			errs = append(errs, field.Duplicate(p, n.Name))
		} else {
			nodes = append(nodes, n.Name)
		}
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(n.Name, false) {
			errs = append(errs, field.Invalid(p, n.Name, msg))
		}
	}
	return errs
}

const (
	endpointSliceControllerName          = "endpointslice-controller.k8s.io"
	endpointSliceMirroringControllerName = "endpointslicemirroring-controller.k8s.io"
)

// warnings flags addresses that parse only in legacy form, unless a controller owns the slice.
func warnings(eps *discoveryv1.EndpointSlice) []string {
	if m := eps.Labels[discoveryv1.LabelManagedBy]; m == endpointSliceControllerName || m == endpointSliceMirroringControllerName {
		return nil
	}
	var out []string
	for i, ep := range eps.Endpoints {
		for j, addr := range ep.Addresses {
			out = append(out, validation.GetWarningsForIP(field.NewPath("endpoints").Index(i).Child("addresses").Index(j), addr)...)
		}
	}
	return out
}
