package validation

import (
	"fmt"
	"slices"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/api/validate/content"
	apimachineryvalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/util/sets"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

var (
	failurePolicies = sets.New(string(admissionregistrationv1.Ignore), string(admissionregistrationv1.Fail))
	matchPolicies   = sets.New(string(admissionregistrationv1.Exact), string(admissionregistrationv1.Equivalent))
	scopes          = sets.New(string(admissionregistrationv1.ClusterScope), string(admissionregistrationv1.NamespacedScope), string(admissionregistrationv1.AllScopes))
	operations      = sets.New(
		string(admissionregistrationv1.OperationAll), string(admissionregistrationv1.Create), string(admissionregistrationv1.Update),
		string(admissionregistrationv1.Delete), string(admissionregistrationv1.Connect))
	// MutatingAdmissionPolicies cannot act on DELETE.
	mutatingOperations = sets.New(
		string(admissionregistrationv1.OperationAll), string(admissionregistrationv1.Create), string(admissionregistrationv1.Update),
		string(admissionregistrationv1.Connect))
	reinvocationPolicies = sets.New(string(admissionregistrationv1.NeverReinvocationPolicy), string(admissionregistrationv1.IfNeededReinvocationPolicy))
)

// notSupported reports value as not one of allowed, listed sorted as upstream lists them.
func notSupported[T ~string](fldPath *field.Path, value T, allowed sets.Set[string]) *field.Error {
	return field.NotSupported(fldPath, value, sets.List(allowed))
}

// ValidateFailurePolicy checks an optional failurePolicy; required says whether it may be nil.
func ValidateFailurePolicy(policy *admissionregistrationv1.FailurePolicyType, required bool, fldPath *field.Path) field.ErrorList {
	switch {
	case policy == nil && required:
		return field.ErrorList{field.Required(fldPath, "")}
	case policy != nil && !failurePolicies.Has(string(*policy)):
		return field.ErrorList{notSupported(fldPath, *policy, failurePolicies)}
	}
	return nil
}

// ValidateMatchPolicy checks an optional matchPolicy; required says whether it may be nil.
func ValidateMatchPolicy(policy *admissionregistrationv1.MatchPolicyType, required bool, fldPath *field.Path) field.ErrorList {
	switch {
	case policy == nil && required:
		return field.ErrorList{field.Required(fldPath, "")}
	case policy != nil && !matchPolicies.Has(string(*policy)):
		return field.ErrorList{notSupported(fldPath, *policy, matchPolicies)}
	}
	return nil
}

// ValidateReinvocationPolicy checks a reinvocationPolicy value.
func ValidateReinvocationPolicy(policy admissionregistrationv1.ReinvocationPolicyType, fldPath *field.Path) field.ErrorList {
	if !reinvocationPolicies.Has(string(policy)) {
		return field.ErrorList{notSupported(fldPath, policy, reinvocationPolicies)}
	}
	return nil
}

// ValidateRuleWithOperations checks the operations, groups, versions, resources and scope of a
// rule; subresources ("pods/status") are allowed.
func ValidateRuleWithOperations(rule *admissionregistrationv1.RuleWithOperations, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(rule.Operations) == 0 {
		errs = append(errs, field.Required(fldPath.Child("operations"), ""))
	}
	if len(rule.Operations) > 1 && slices.Contains(rule.Operations, admissionregistrationv1.OperationAll) {
		errs = append(errs, field.Invalid(fldPath.Child("operations"), rule.Operations, "if '*' is present, must not specify other operations"))
	}
	for i, op := range rule.Operations {
		if !operations.Has(string(op)) {
			errs = append(errs, notSupported(fldPath.Child("operations").Index(i), op, operations))
		}
	}
	return append(errs, validateRule(&rule.Rule, fldPath)...)
}

func validateRule(rule *admissionregistrationv1.Rule, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(rule.APIGroups) == 0 {
		errs = append(errs, field.Required(fldPath.Child("apiGroups"), ""))
	}
	if len(rule.APIGroups) > 1 && slices.Contains(rule.APIGroups, "*") {
		errs = append(errs, field.Invalid(fldPath.Child("apiGroups"), rule.APIGroups, "if '*' is present, must not specify other API groups"))
	}
	// An empty group is fine: it is the core group.
	if len(rule.APIVersions) == 0 {
		errs = append(errs, field.Required(fldPath.Child("apiVersions"), ""))
	}
	if len(rule.APIVersions) > 1 && slices.Contains(rule.APIVersions, "*") {
		errs = append(errs, field.Invalid(fldPath.Child("apiVersions"), rule.APIVersions, "if '*' is present, must not specify other API versions"))
	}
	for i, v := range rule.APIVersions {
		if v == "" {
			errs = append(errs, field.Required(fldPath.Child("apiVersions").Index(i), ""))
		}
	}
	errs = append(errs, validateResources(rule.Resources, fldPath.Child("resources"))...)
	if rule.Scope != nil && !scopes.Has(string(*rule.Scope)) {
		errs = append(errs, notSupported(fldPath.Child("scope"), *rule.Scope, scopes))
	}
	return errs
}

// validateResources checks resource names with optional subresources and their wildcards:
// "*" (all resources), "x/*" (all subresources of x), "*/y" (subresource y of all), "*/*".
func validateResources(resources []string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	if len(resources) == 0 {
		errs = append(errs, field.Required(fldPath, ""))
	}
	allSubresourcesOf := sets.New[string]() // x of "x/*"
	allResourcesWith := sets.New[string]()  // y of "*/y"
	hasDoubleWildcard, hasWildcard, hasPlainResource := false, false, false
	for i, r := range resources {
		if r == "" {
			errs = append(errs, field.Required(fldPath.Index(i), ""))
			continue
		}
		hasDoubleWildcard = hasDoubleWildcard || r == "*/*"
		hasWildcard = hasWildcard || r == "*"
		res, sub, hasSub := strings.Cut(r, "/")
		if !hasSub {
			// upstream keeps only the last plain entry's verdict
			hasPlainResource = r != "*"
			continue
		}
		if allSubresourcesOf.Has(res) {
			errs = append(errs, field.Invalid(fldPath.Index(i), r, fmt.Sprintf("if '%s/*' is present, must not specify %s", res, r)))
		}
		if allResourcesWith.Has(sub) {
			errs = append(errs, field.Invalid(fldPath.Index(i), r, fmt.Sprintf("if '*/%s' is present, must not specify %s", sub, r)))
		}
		if sub == "*" {
			allSubresourcesOf.Insert(res)
		}
		if res == "*" {
			allResourcesWith.Insert(sub)
		}
	}
	if len(resources) > 1 && hasDoubleWildcard {
		errs = append(errs, field.Invalid(fldPath, resources, "if '*/*' is present, must not specify other resources"))
	}
	if hasWildcard && hasPlainResource {
		errs = append(errs, field.Invalid(fldPath, resources, "if '*' is present, must not specify other resources without subresources"))
	}
	return errs
}

// ValidateMatchResources checks the matchConstraints of a policy or the matchResources of a
// binding.
func ValidateMatchResources(mr *admissionregistrationv1.MatchResources, fldPath *field.Path) field.ErrorList {
	if mr == nil {
		return nil
	}
	errs := ValidateMatchPolicy(mr.MatchPolicy, true, fldPath.Child("matchPolicy"))
	// These types came after upstream fixed label selector validation: always strict.
	if mr.NamespaceSelector == nil {
		errs = append(errs, field.Required(fldPath.Child("namespaceSelector"), ""))
	} else {
		errs = append(errs, metav1validation.ValidateLabelSelector(mr.NamespaceSelector, metav1validation.LabelSelectorValidationOptions{}, fldPath.Child("namespaceSelector"))...)
	}
	if mr.ObjectSelector == nil {
		errs = append(errs, field.Required(fldPath.Child("objectSelector"), ""))
	} else {
		errs = append(errs, metav1validation.ValidateLabelSelector(mr.ObjectSelector, metav1validation.LabelSelectorValidationOptions{}, fldPath.Child("objectSelector"))...)
	}
	for i := range mr.ResourceRules {
		errs = append(errs, validateNamedRule(&mr.ResourceRules[i], fldPath.Child("resourceRules").Index(i))...)
	}
	for i := range mr.ExcludeResourceRules {
		errs = append(errs, validateNamedRule(&mr.ExcludeResourceRules[i], fldPath.Child("excludeResourceRules").Index(i))...)
	}
	return errs
}

// ValidateMutatingOperations rejects the operations mutating policies cannot act on (DELETE)
// in rules; upstream reports them all at one path, without the rule's index.
func ValidateMutatingOperations(rules []admissionregistrationv1.NamedRuleWithOperations, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, rule := range rules {
		for _, op := range rule.Operations {
			if !mutatingOperations.Has(string(op)) {
				errs = append(errs, notSupported(fldPath, op, mutatingOperations))
			}
		}
	}
	return errs
}

func validateNamedRule(rule *admissionregistrationv1.NamedRuleWithOperations, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	seen := sets.New[string]()
	for i, name := range rule.ResourceNames {
		for _, msg := range content.IsPathSegmentName(name) {
			errs = append(errs, field.Invalid(fldPath.Child("resourceNames").Index(i), name, msg))
		}
		if seen.Has(name) {
			errs = append(errs, field.Duplicate(fldPath.Child("resourceNames").Index(i), name))
		}
		seen.Insert(name)
	}
	return append(errs, ValidateRuleWithOperations(&rule.RuleWithOperations, fldPath)...)
}

// ValidateParamKind checks a policy's paramKind: an apiVersion of a DNS subdomain group and
// a DNS label version, and a kind that is a DNS label up to case.
func ValidateParamKind(pk admissionregistrationv1.ParamKind, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	switch group, version, err := parseGroupVersion(pk.APIVersion); {
	case pk.APIVersion == "":
		errs = append(errs, field.Required(fldPath.Child("apiVersion"), ""))
	case err != nil:
		errs = append(errs, field.Invalid(fldPath.Child("apiVersion"), pk.APIVersion, err.Error()))
	default:
		if group != "" {
			if msgs := utilvalidation.IsDNS1123Subdomain(group); len(msgs) > 0 {
				errs = append(errs, field.Invalid(fldPath.Child("apiVersion"), group, strings.Join(msgs, ",")))
			}
		}
		if version == "" {
			errs = append(errs, field.Invalid(fldPath.Child("apiVersion"), pk.APIVersion, "version must be specified"))
		} else if msgs := utilvalidation.IsDNS1035Label(version); len(msgs) > 0 {
			errs = append(errs, field.Invalid(fldPath.Child("apiVersion"), version, strings.Join(msgs, ",")))
		}
	}
	if pk.Kind == "" {
		errs = append(errs, field.Required(fldPath.Child("kind"), ""))
	} else if msgs := utilvalidation.IsDNS1035Label(strings.ToLower(pk.Kind)); len(msgs) > 0 {
		errs = append(errs, field.Invalid(fldPath.Child("kind"), pk.Kind, "may have mixed case, but should otherwise match: "+strings.Join(msgs, ",")))
	}
	return errs
}

// parseGroupVersion splits "group/version" ("version" alone is the core group).
func parseGroupVersion(gv string) (group, version string, err error) {
	if gv == "" || gv == "/" {
		return "", "", nil
	}
	switch strings.Count(gv, "/") {
	case 0:
		return "", gv, nil
	case 1:
		group, version, _ = strings.Cut(gv, "/")
		return group, version, nil
	default:
		return "", "", fmt.Errorf("unexpected GroupVersion string: %v", gv)
	}
}

// ValidateParamRef checks a binding's paramRef: exactly one of name and selector, and a
// parameterNotFoundAction of Allow or Deny.
func ValidateParamRef(pr *admissionregistrationv1.ParamRef, fldPath *field.Path) field.ErrorList {
	if pr == nil {
		return nil
	}
	var errs field.ErrorList
	if pr.Name != "" {
		for _, msg := range content.IsPathSegmentName(pr.Name) {
			errs = append(errs, field.Invalid(fldPath.Child("name"), pr.Name, msg))
		}
		if pr.Selector != nil {
			errs = append(errs, field.Forbidden(fldPath.Child("name"), `name and selector are mutually exclusive`))
		}
	}
	if pr.Selector != nil {
		errs = append(errs, metav1validation.ValidateLabelSelector(pr.Selector, metav1validation.LabelSelectorValidationOptions{}, fldPath.Child("selector"))...)
		if pr.Name != "" {
			errs = append(errs, field.Forbidden(fldPath.Child("selector"), `name and selector are mutually exclusive`))
		}
	}
	if pr.Name == "" && pr.Selector == nil {
		errs = append(errs, field.Required(fldPath, `one of name or selector must be specified`))
	}
	switch {
	case pr.ParameterNotFoundAction == nil || *pr.ParameterNotFoundAction == "":
		errs = append(errs, field.Required(fldPath.Child("parameterNotFoundAction"), ""))
	case *pr.ParameterNotFoundAction != admissionregistrationv1.DenyAction && *pr.ParameterNotFoundAction != admissionregistrationv1.AllowAction:
		errs = append(errs, field.NotSupported(fldPath.Child("parameterNotFoundAction"), pr.ParameterNotFoundAction,
			[]string{string(admissionregistrationv1.DenyAction), string(admissionregistrationv1.AllowAction)}))
	}
	return errs
}

// ValidatePolicyName checks the policyName a binding refers to.
func ValidatePolicyName(name string, fldPath *field.Path) field.ErrorList {
	if name == "" {
		return field.ErrorList{field.Required(fldPath, "")}
	}
	var errs field.ErrorList
	for _, msg := range apimachineryvalidation.NameIsDNSSubdomain(name, false) {
		errs = append(errs, field.Invalid(fldPath, name, msg))
	}
	return errs
}

// validateQualifiedName reports each way value is not a qualified name ("prefix/name").
func validateQualifiedName(value string, fldPath *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, msg := range utilvalidation.IsQualifiedName(value) {
		errs = append(errs, field.Invalid(fldPath, value, msg))
	}
	return errs
}
