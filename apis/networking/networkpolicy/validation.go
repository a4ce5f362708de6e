package networkpolicy

import (
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	netutils "k8s.io/utils/net"
)

// strictIPCIDR mirrors upstream's StrictIPCIDRValidation feature gate, on by default since v1.36.
const strictIPCIDR = true

type options struct {
	// allowInvalidLabelValue lets an update keep a pod selector that an older server accepted.
	allowInvalidLabelValue bool
	// oldCIDRs are the CIDRs of the stored object, which are not revalidated on update.
	oldCIDRs []string
}

// Validate checks a NetworkPolicy on create.
func Validate(np *networkingv1.NetworkPolicy) field.ErrorList {
	errs := apimachineryvalidation.ValidateObjectMeta(&np.ObjectMeta, true, apimachineryvalidation.NameIsDNSSubdomain, field.NewPath("metadata"))
	return append(errs, validateSpec(&np.Spec, options{}, field.NewPath("spec"))...)
}

// ValidateUpdate checks a NetworkPolicy on update; selectors and CIDRs the stored object
// already had are accepted as they are.
func ValidateUpdate(np, old *networkingv1.NetworkPolicy) field.ErrorList {
	opts := options{
		allowInvalidLabelValue: len(metav1validation.ValidateLabelSelector(&old.Spec.PodSelector, metav1validation.LabelSelectorValidationOptions{}, nil)) > 0,
	}
	addCIDRs := func(peers []networkingv1.NetworkPolicyPeer) {
		for _, peer := range peers {
			if peer.IPBlock != nil {
				opts.oldCIDRs = append(opts.oldCIDRs, peer.IPBlock.CIDR)
				opts.oldCIDRs = append(opts.oldCIDRs, peer.IPBlock.Except...)
			}
		}
	}
	for _, rule := range old.Spec.Ingress {
		addCIDRs(rule.From)
	}
	for _, rule := range old.Spec.Egress {
		addCIDRs(rule.To)
	}
	errs := apimachineryvalidation.ValidateObjectMetaUpdate(&np.ObjectMeta, &old.ObjectMeta, field.NewPath("metadata"))
	return append(errs, validateSpec(&np.Spec, opts, field.NewPath("spec"))...)
}

func validateSpec(spec *networkingv1.NetworkPolicySpec, opts options, fldPath *field.Path) field.ErrorList {
	selectorOpts := metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: opts.allowInvalidLabelValue}
	errs := metav1validation.ValidateLabelSelector(&spec.PodSelector, selectorOpts, fldPath.Child("podSelector"))
	for i, rule := range spec.Ingress {
		rulePath := fldPath.Child("ingress").Index(i)
		for j := range rule.Ports {
			errs = append(errs, validatePort(&rule.Ports[j], rulePath.Child("ports").Index(j))...)
		}
		for j := range rule.From {
			errs = append(errs, validatePeer(&rule.From[j], opts, rulePath.Child("from").Index(j))...)
		}
	}
	for i, rule := range spec.Egress {
		rulePath := fldPath.Child("egress").Index(i)
		for j := range rule.Ports {
			errs = append(errs, validatePort(&rule.Ports[j], rulePath.Child("ports").Index(j))...)
		}
		for j := range rule.To {
			errs = append(errs, validatePeer(&rule.To[j], opts, rulePath.Child("to").Index(j))...)
		}
	}
	if len(spec.PolicyTypes) > 2 {
		return append(errs, field.Invalid(fldPath.Child("policyTypes"), &spec.PolicyTypes, "may not specify more than two policyTypes"))
	}
	for i, t := range spec.PolicyTypes {
		if t != networkingv1.PolicyTypeIngress && t != networkingv1.PolicyTypeEgress {
			errs = append(errs, field.NotSupported(fldPath.Child("policyTypes").Index(i), t, []string{string(networkingv1.PolicyTypeIngress), string(networkingv1.PolicyTypeEgress)}))
		}
	}
	return errs
}

func validatePort(port *networkingv1.NetworkPolicyPort, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if port.Protocol != nil {
		switch *port.Protocol {
		case corev1.ProtocolTCP, corev1.ProtocolUDP, corev1.ProtocolSCTP:
		default:
			errs = append(errs, field.NotSupported(fldPath.Child("protocol"), *port.Protocol, []string{string(corev1.ProtocolTCP), string(corev1.ProtocolUDP), string(corev1.ProtocolSCTP)}))
		}
	}
	switch {
	case port.Port == nil:
		if port.EndPort != nil {
			errs = append(errs, field.Invalid(fldPath.Child("endPort"), *port.EndPort, "may not be specified when `port` is not specified"))
		}
	case port.Port.Type == intstr.Int:
		for _, msg := range validation.IsValidPortNum(int(port.Port.IntVal)) {
			errs = append(errs, field.Invalid(fldPath.Child("port"), port.Port.IntVal, msg))
		}
		if port.EndPort != nil {
			if *port.EndPort < port.Port.IntVal {
				errs = append(errs, field.Invalid(fldPath.Child("endPort"), *port.EndPort, "must be greater than or equal to `port`"))
			}
			for _, msg := range validation.IsValidPortNum(int(*port.EndPort)) {
				errs = append(errs, field.Invalid(fldPath.Child("endPort"), *port.EndPort, msg))
			}
		}
	default:
		if port.EndPort != nil {
			errs = append(errs, field.Invalid(fldPath.Child("endPort"), *port.EndPort, "may not be specified when `port` is non-numeric"))
		}
		for _, msg := range validation.IsValidPortName(port.Port.StrVal) {
			errs = append(errs, field.Invalid(fldPath.Child("port"), port.Port.StrVal, msg))
		}
	}
	return errs
}

func validatePeer(peer *networkingv1.NetworkPolicyPeer, opts options, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	selectorOpts := metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: opts.allowInvalidLabelValue}
	peers := 0
	if peer.PodSelector != nil {
		peers++
		errs = append(errs, metav1validation.ValidateLabelSelector(peer.PodSelector, selectorOpts, fldPath.Child("podSelector"))...)
	}
	if peer.NamespaceSelector != nil {
		peers++
		errs = append(errs, metav1validation.ValidateLabelSelector(peer.NamespaceSelector, selectorOpts, fldPath.Child("namespaceSelector"))...)
	}
	if peer.IPBlock != nil {
		peers++
		errs = append(errs, validateIPBlock(peer.IPBlock, opts, fldPath.Child("ipBlock"))...)
	}
	if peers == 0 {
		errs = append(errs, field.Required(fldPath, "must specify a peer"))
	} else if peers > 1 && peer.IPBlock != nil {
		errs = append(errs, field.Forbidden(fldPath, "may not specify both ipBlock and another peer"))
	}
	return errs
}

func validateIPBlock(ipb *networkingv1.IPBlock, opts options, fldPath *field.Path) field.ErrorList {
	if ipb.CIDR == "" {
		return field.ErrorList{field.Required(fldPath.Child("cidr"), "")}
	}
	errs := validation.IsValidCIDRForLegacyField(fldPath.Child("cidr"), ipb.CIDR, strictIPCIDR, opts.oldCIDRs)
	_, cidr, err := netutils.ParseCIDRSloppy(ipb.CIDR)
	if err != nil {
		return errs
	}
	cidrLen, _ := cidr.Mask.Size()
	for i, except := range ipb.Except {
		exceptPath := fldPath.Child("except").Index(i)
		errs = append(errs, validation.IsValidCIDRForLegacyField(exceptPath, except, strictIPCIDR, opts.oldCIDRs)...)
		_, exceptNet, err := netutils.ParseCIDRSloppy(except)
		if err != nil {
			continue
		}
		exceptLen, _ := exceptNet.Mask.Size()
		if !cidr.Contains(exceptNet.IP) || cidrLen >= exceptLen {
			errs = append(errs, field.Invalid(exceptPath, except, "must be a strict subset of `cidr`"))
		}
	}
	return errs
}

// warnings returns upstream's warnings for CIDRs that parse only in legacy form.
func warnings(np *networkingv1.NetworkPolicy) []string {
	var out []string
	add := func(peers []networkingv1.NetworkPolicyPeer, path *field.Path) {
		for j, peer := range peers {
			if peer.IPBlock == nil {
				continue
			}
			p := path.Index(j).Child("ipBlock")
			out = append(out, validation.GetWarningsForCIDR(p.Child("cidr"), peer.IPBlock.CIDR)...)
			for k, except := range peer.IPBlock.Except {
				out = append(out, validation.GetWarningsForCIDR(p.Child("except").Index(k), except)...)
			}
		}
	}
	for i, rule := range np.Spec.Ingress {
		add(rule.From, field.NewPath("spec", "ingress").Index(i).Child("from"))
	}
	for i, rule := range np.Spec.Egress {
		add(rule.To, field.NewPath("spec", "egress").Index(i).Child("to"))
	}
	return out
}
