package validate

import (
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// DNS1123Label validates value as an RFC 1123 label.
func DNS1123Label(value string, fldPath *field.Path) field.ErrorList {
	return invalid(fldPath, value, validation.IsDNS1123Label(value))
}

// DNS1123Subdomain validates value as an RFC 1123 subdomain.
func DNS1123Subdomain(value string, fldPath *field.Path) field.ErrorList {
	return invalid(fldPath, value, validation.IsDNS1123Subdomain(value))
}

// QualifiedName validates value as a qualified name (optional prefix/name).
func QualifiedName(value string, fldPath *field.Path) field.ErrorList {
	return invalid(fldPath, value, validation.IsQualifiedName(value))
}

// Name validates value with a name function as the names of other objects are checked.
func Name(value string, nameFn func(string, bool) []string, fldPath *field.Path) field.ErrorList {
	return invalid(fldPath, value, nameFn(value, false))
}

// PortNumOrName validates a port given by number or name.
func PortNumOrName(port intstr.IntOrString, fldPath *field.Path) field.ErrorList {
	if port.Type == intstr.String {
		return invalid(fldPath, port.StrVal, validation.IsValidPortName(port.StrVal))
	}
	var errs field.ErrorList
	for _, msg := range validation.IsValidPortNum(port.IntValue()) {
		errs = append(errs, field.Invalid(fldPath, port.IntValue(), msg))
	}
	return errs
}

func invalid(fldPath *field.Path, value any, msgs []string) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range msgs {
		errs = append(errs, field.Invalid(fldPath, value, msg))
	}
	return errs
}
