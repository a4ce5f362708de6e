package ingress

import (
	"fmt"
	"strings"

	networkingv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

const (
	annotationIngressClass = "kubernetes.io/ingress.class"
	// strictIPCIDR mirrors upstream's StrictIPCIDRValidation feature gate, on by default.
	strictIPCIDR = true
)

var (
	invalidPathSequences = []string{"//", "/./", "/../", "%2f", "%2F"}
	invalidPathSuffixes  = []string{"/..", "/."}
	supportedPathTypes   = []string{
		string(networkingv1.PathTypeExact),
		string(networkingv1.PathTypeImplementationSpecific),
		string(networkingv1.PathTypePrefix),
	}
)

type options struct {
	// allowInvalidSecretName keeps TLS secret names an older server accepted.
	allowInvalidSecretName bool
	// allowInvalidWildcardHostRule skips the rules of wildcard hosts an older server accepted.
	allowInvalidWildcardHostRule bool
}

// Validate checks an Ingress on create.
func Validate(ing *networkingv1.Ingress) field.ErrorList {
	errs := validate(ing, options{})
	if class, set := ing.Annotations[annotationIngressClass]; set && ing.Spec.IngressClassName != nil && class != *ing.Spec.IngressClassName {
		errs = append(errs, field.Invalid(field.NewPath("annotations").Child(annotationIngressClass), class, "must match `ingressClassName` when both are specified"))
	}
	return errs
}

// ValidateUpdate checks an Ingress on update, tolerating what the stored object already had.
func ValidateUpdate(ing, old *networkingv1.Ingress) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&ing.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	opts := options{}
	for _, tls := range old.Spec.TLS {
		if len(validateSecretName(tls.SecretName)) > 0 {
			opts.allowInvalidSecretName = true
		}
	}
	for _, rule := range old.Spec.Rules {
		if strings.Contains(rule.Host, "*") && len(validateRuleValue(&rule.IngressRuleValue, nil, options{})) > 0 {
			opts.allowInvalidWildcardHostRule = true
		}
	}
	return append(errs, validate(ing, opts)...)
}

// ValidateStatusUpdate checks the load balancer addresses a status write sets.
func ValidateStatusUpdate(ing, old *networkingv1.Ingress) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&ing.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	var oldIPs []string
	for _, lb := range old.Status.LoadBalancer.Ingress {
		if lb.IP != "" {
			oldIPs = append(oldIPs, lb.IP)
		}
	}
	fldPath := field.NewPath("status", "loadBalancer", "ingress")
	for i, lb := range ing.Status.LoadBalancer.Ingress {
		idxPath := fldPath.Index(i)
		if lb.IP != "" {
			errs = append(errs, validation.IsValidIPForLegacyField(idxPath.Child("ip"), lb.IP, strictIPCIDR, oldIPs)...)
		}
		if lb.Hostname != "" {
			for _, msg := range validation.IsDNS1123Subdomain(lb.Hostname) {
				errs = append(errs, field.Invalid(idxPath.Child("hostname"), lb.Hostname, msg))
			}
			if netutils.ParseIPSloppy(lb.Hostname) != nil {
				errs = append(errs, field.Invalid(idxPath.Child("hostname"), lb.Hostname, "must be a DNS name, not an IP address"))
			}
		}
	}
	return errs
}

func validate(ing *networkingv1.Ingress, opts options) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&ing.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	spec, specPath := &ing.Spec, field.NewPath("spec")
	if len(spec.Rules) == 0 && spec.DefaultBackend == nil {
		errs = append(errs, field.Invalid(specPath, spec.Rules, "either `defaultBackend` or `rules` must be specified"))
	}
	if spec.DefaultBackend != nil {
		errs = append(errs, validateBackend(spec.DefaultBackend, specPath.Child("defaultBackend"))...)
	}
	for i := range spec.Rules {
		errs = append(errs, validateRule(&spec.Rules[i], specPath.Child("rules").Index(i), opts)...)
	}
	for i, tls := range spec.TLS {
		tlsPath := specPath.Child("tls").Index(i)
		for j, host := range tls.Hosts {
			check := validation.IsDNS1123Subdomain
			if strings.Contains(host, "*") {
				check = validation.IsWildcardDNS1123Subdomain
			}
			for _, msg := range check(host) {
				errs = append(errs, field.Invalid(tlsPath.Child("hosts").Index(j), host, msg))
			}
		}
		if !opts.allowInvalidSecretName {
			for _, msg := range validateSecretName(tls.SecretName) {
				errs = append(errs, field.Invalid(tlsPath.Child("secretName"), tls.SecretName, msg))
			}
		}
	}
	if spec.IngressClassName != nil {
		for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(*spec.IngressClassName, false) {
			errs = append(errs, field.Invalid(specPath.Child("ingressClassName"), *spec.IngressClassName, msg))
		}
	}
	return errs
}

func validateSecretName(name string) []string {
	if name == "" {
		return nil
	}
	return apimachineryvalidation.NameIsDNSSubdomain(name, false)
}

func validateRule(rule *networkingv1.IngressRule, fldPath *field.Path, opts options) field.ErrorList {
	var errs field.ErrorList
	wildcard := false
	if rule.Host != "" {
		if netutils.ParseIPSloppy(rule.Host) != nil {
			errs = append(errs, field.Invalid(fldPath.Child("host"), rule.Host, "must be a DNS name, not an IP address"))
		}
		check := validation.IsDNS1123Subdomain
		if strings.Contains(rule.Host, "*") {
			check, wildcard = validation.IsWildcardDNS1123Subdomain, true
		}
		for _, msg := range check(rule.Host) {
			errs = append(errs, field.Invalid(fldPath.Child("host"), rule.Host, msg))
		}
	}
	if !wildcard || !opts.allowInvalidWildcardHostRule {
		errs = append(errs, validateRuleValue(&rule.IngressRuleValue, fldPath, opts)...)
	}
	return errs
}

func validateRuleValue(value *networkingv1.IngressRuleValue, fldPath *field.Path, _ options) field.ErrorList {
	if value.HTTP == nil {
		return nil
	}
	var errs field.ErrorList
	pathsPath := fldPath.Child("http", "paths")
	if len(value.HTTP.Paths) == 0 {
		errs = append(errs, field.Required(pathsPath, ""))
	}
	for i := range value.HTTP.Paths {
		errs = append(errs, validatePath(&value.HTTP.Paths[i], pathsPath.Index(i))...)
	}
	return errs
}

func validatePath(p *networkingv1.HTTPIngressPath, fldPath *field.Path) field.ErrorList {
	if p.PathType == nil {
		return field.ErrorList{field.Required(fldPath.Child("pathType"), "pathType must be specified")}
	}
	var errs field.ErrorList
	switch *p.PathType {
	case networkingv1.PathTypeExact, networkingv1.PathTypePrefix:
		if !strings.HasPrefix(p.Path, "/") {
			errs = append(errs, field.Invalid(fldPath.Child("path"), p.Path, "must be an absolute path"))
		}
		for _, seq := range invalidPathSequences {
			if strings.Contains(p.Path, seq) {
				errs = append(errs, field.Invalid(fldPath.Child("path"), p.Path, fmt.Sprintf("must not contain '%s'", seq)))
			}
		}
		for _, suffix := range invalidPathSuffixes {
			if strings.HasSuffix(p.Path, suffix) {
				errs = append(errs, field.Invalid(fldPath.Child("path"), p.Path, fmt.Sprintf("cannot end with '%s'", suffix)))
			}
		}
	case networkingv1.PathTypeImplementationSpecific:
		if p.Path != "" && !strings.HasPrefix(p.Path, "/") {
			errs = append(errs, field.Invalid(fldPath.Child("path"), p.Path, "must be an absolute path"))
		}
	default:
		errs = append(errs, field.NotSupported(fldPath.Child("pathType"), *p.PathType, supportedPathTypes))
	}
	return append(errs, validateBackend(&p.Backend, fldPath.Child("backend"))...)
}

func validateBackend(backend *networkingv1.IngressBackend, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch {
	case backend.Resource != nil && backend.Service != nil:
		return field.ErrorList{field.Invalid(fldPath, "", "cannot set both resource and service backends")}
	case backend.Resource != nil:
		ref, refPath := backend.Resource, fldPath.Child("resource")
		if ref.APIGroup != nil {
			for _, msg := range validation.IsDNS1123Subdomain(*ref.APIGroup) {
				errs = append(errs, field.Invalid(refPath.Child("apiGroup"), *ref.APIGroup, msg))
			}
		}
		for _, f := range []struct{ name, value string }{{"kind", ref.Kind}, {"name", ref.Name}} {
			if f.value == "" {
				errs = append(errs, field.Required(refPath.Child(f.name), ""))
				continue
			}
			for _, msg := range content.IsPathSegmentName(f.value) {
				errs = append(errs, field.Invalid(refPath.Child(f.name), f.value, msg))
			}
		}
	case backend.Service != nil:
		svc := backend.Service
		if svc.Name == "" {
			errs = append(errs, field.Required(fldPath.Child("service", "name"), ""))
		} else {
			// Upstream's RelaxedServiceNameValidation (GA, locked on) accepts DNS labels.
			for _, msg := range apimachineryvalidation.NameIsDNSLabel(svc.Name, false) {
				errs = append(errs, field.Invalid(fldPath.Child("service", "name"), svc.Name, msg))
			}
		}
		hasName, hasNumber := svc.Port.Name != "", svc.Port.Number != 0
		switch {
		case hasName && hasNumber:
			errs = append(errs, field.Invalid(fldPath, "", "cannot set both port name & port number"))
		case hasName:
			for _, msg := range validation.IsValidPortName(svc.Port.Name) {
				errs = append(errs, field.Invalid(fldPath.Child("service", "port", "name"), svc.Port.Name, msg))
			}
		case hasNumber:
			for _, msg := range validation.IsValidPortNum(int(svc.Port.Number)) {
				errs = append(errs, field.Invalid(fldPath.Child("service", "port", "number"), svc.Port.Number, msg))
			}
		default:
			errs = append(errs, field.Required(fldPath, "port name or number is required"))
		}
	default:
		errs = append(errs, field.Invalid(fldPath, "", "resource or service backend is required"))
	}
	return errs
}

func warningsOnCreate(ing *networkingv1.Ingress) []string {
	if _, set := ing.Annotations[annotationIngressClass]; set && ing.Spec.IngressClassName == nil {
		return []string{fmt.Sprintf("annotation %q is deprecated, please use 'spec.ingressClassName' instead", annotationIngressClass)}
	}
	return nil
}

func statusWarnings(ing *networkingv1.Ingress) []string {
	var out []string
	fldPath := field.NewPath("status", "loadBalancer", "ingress")
	for i, lb := range ing.Status.LoadBalancer.Ingress {
		if lb.IP != "" {
			out = append(out, validation.GetWarningsForIP(fldPath.Index(i), lb.IP)...)
		}
	}
	return out
}
