package validate

import (
	"fmt"

	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

// StrictIPCIDRValidation is upstream's StrictIPCIDRValidation feature gate, on by default in v1.37.
const StrictIPCIDRValidation = true

// IPForLegacyField validates an IP of a field that predates strict IP validation; values of
// the old object are accepted as they are.
func IPForLegacyField(fldPath *field.Path, value string, validOld []string) field.ErrorList {
	return validation.IsValidIPForLegacyField(fldPath, value, StrictIPCIDRValidation, validOld)
}

// CIDRForLegacyField validates a CIDR of a field that predates strict validation.
func CIDRForLegacyField(fldPath *field.Path, value string, validOld []string) field.ErrorList {
	return validation.IsValidCIDRForLegacyField(fldPath, value, StrictIPCIDRValidation, validOld)
}

// EndpointIP rejects the addresses that make no sense as endpoints (and, historically,
// external IPs): unspecified, loopback and link-local ones.
func EndpointIP(value string, fldPath *field.Path) field.ErrorList {
	ip := netutils.ParseIPSloppy(value)
	if ip == nil {
		return field.ErrorList{field.Invalid(fldPath, value, "must be a valid IP address")}
	}
	var errs field.ErrorList
	if ip.IsUnspecified() {
		errs = append(errs, field.Invalid(fldPath, value, fmt.Sprintf("may not be unspecified (%v)", value)))
	}
	if ip.IsLoopback() {
		errs = append(errs, field.Invalid(fldPath, value, "may not be in the loopback range (127.0.0.0/8, ::1/128)"))
	}
	if ip.IsLinkLocalUnicast() {
		errs = append(errs, field.Invalid(fldPath, value, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"))
	}
	if ip.IsLinkLocalMulticast() {
		errs = append(errs, field.Invalid(fldPath, value, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"))
	}
	return errs
}
