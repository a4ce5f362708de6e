package validation

import (
	"fmt"
	"reflect"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/util/webhook"
)

// Webhook is what validating and mutating webhooks share, so that both validate alike.
// ReinvocationPolicy is nil for validating webhooks.
type Webhook struct {
	Name                    string
	ClientConfig            admissionregistrationv1.WebhookClientConfig
	Rules                   []admissionregistrationv1.RuleWithOperations
	FailurePolicy           *admissionregistrationv1.FailurePolicyType
	MatchPolicy             *admissionregistrationv1.MatchPolicyType
	NamespaceSelector       *metav1.LabelSelector
	ObjectSelector          *metav1.LabelSelector
	SideEffects             *admissionregistrationv1.SideEffectClass
	TimeoutSeconds          *int32
	AdmissionReviewVersions []string
	MatchConditions         []admissionregistrationv1.MatchCondition
	ReinvocationPolicy      *admissionregistrationv1.ReinvocationPolicyType
}

// FromValidating returns the webhooks of a ValidatingWebhookConfiguration.
func FromValidating(hooks []admissionregistrationv1.ValidatingWebhook) []Webhook {
	out := make([]Webhook, len(hooks))
	for i, h := range hooks {
		out[i] = Webhook{
			Name: h.Name, ClientConfig: h.ClientConfig, Rules: h.Rules, FailurePolicy: h.FailurePolicy,
			MatchPolicy: h.MatchPolicy, NamespaceSelector: h.NamespaceSelector, ObjectSelector: h.ObjectSelector,
			SideEffects: h.SideEffects, TimeoutSeconds: h.TimeoutSeconds, AdmissionReviewVersions: h.AdmissionReviewVersions,
			MatchConditions: h.MatchConditions,
		}
	}
	return out
}

// FromMutating returns the webhooks of a MutatingWebhookConfiguration.
func FromMutating(hooks []admissionregistrationv1.MutatingWebhook) []Webhook {
	out := make([]Webhook, len(hooks))
	for i, h := range hooks {
		out[i] = Webhook{
			Name: h.Name, ClientConfig: h.ClientConfig, Rules: h.Rules, FailurePolicy: h.FailurePolicy,
			MatchPolicy: h.MatchPolicy, NamespaceSelector: h.NamespaceSelector, ObjectSelector: h.ObjectSelector,
			SideEffects: h.SideEffects, TimeoutSeconds: h.TimeoutSeconds, AdmissionReviewVersions: h.AdmissionReviewVersions,
			MatchConditions: h.MatchConditions, ReinvocationPolicy: h.ReinvocationPolicy,
		}
	}
	return out
}

// webhookOptions relax the rules on update for webhooks stored before they were tightened.
type webhookOptions struct {
	ignoreMatchConditions                   bool
	requireNoSideEffects                    bool
	requireRecognizedAdmissionReviewVersion bool
	requireUniqueNames                      bool
	allowInvalidLabelValueInSelector        bool
	storedMatchConditions                   sets.Set[string]
}

// AcceptedAdmissionReviewVersions are the AdmissionReview versions the apiserver speaks.
var AcceptedAdmissionReviewVersions = []string{"v1", "v1beta1"}

var (
	sideEffectClasses = sets.New(
		string(admissionregistrationv1.SideEffectClassUnknown), string(admissionregistrationv1.SideEffectClassNone),
		string(admissionregistrationv1.SideEffectClassSome), string(admissionregistrationv1.SideEffectClassNoneOnDryRun))
	noSideEffectClasses = sets.New(string(admissionregistrationv1.SideEffectClassNone), string(admissionregistrationv1.SideEffectClassNoneOnDryRun))
)

// ValidateWebhooks checks the webhooks of a new webhook configuration.
func ValidateWebhooks(hooks []Webhook) field.ErrorList {
	return validateWebhooks(hooks, webhookOptions{
		requireNoSideEffects:                    true,
		requireRecognizedAdmissionReviewVersion: true,
		requireUniqueNames:                      true,
	})
}

// ValidateWebhooksUpdate checks the webhooks of an updated webhook configuration, tolerating
// what the stored ones already got away with.
func ValidateWebhooksUpdate(hooks, old []Webhook) field.ErrorList {
	opts := webhookOptions{
		ignoreMatchConditions:                   len(hooks) == len(old),
		requireNoSideEffects:                    true,
		requireRecognizedAdmissionReviewVersion: true,
		requireUniqueNames:                      true,
		storedMatchConditions:                   sets.New[string](),
	}
	names := sets.New[string]()
	for i, h := range old {
		if i < len(hooks) && !reflect.DeepEqual(hooks[i].MatchConditions, h.MatchConditions) {
			opts.ignoreMatchConditions = false
		}
		if h.SideEffects == nil || !noSideEffectClasses.Has(string(*h.SideEffects)) {
			opts.requireNoSideEffects = false
		}
		if len(h.AdmissionReviewVersions) > 0 && !hasAcceptedVersion(h.AdmissionReviewVersions) {
			opts.requireRecognizedAdmissionReviewVersion = false
		}
		if names.Has(h.Name) {
			opts.requireUniqueNames = false
		}
		names.Insert(h.Name)
		for _, sel := range []*metav1.LabelSelector{h.NamespaceSelector, h.ObjectSelector} {
			if sel != nil && len(metav1validation.ValidateLabelSelector(sel, metav1validation.LabelSelectorValidationOptions{}, nil)) > 0 {
				opts.allowInvalidLabelValueInSelector = true
			}
		}
		for _, mc := range h.MatchConditions {
			opts.storedMatchConditions.Insert(mc.Expression)
		}
	}
	return validateWebhooks(hooks, opts)
}

func hasAcceptedVersion(versions []string) bool {
	for _, v := range versions {
		for _, accepted := range AcceptedAdmissionReviewVersions {
			if v == accepted {
				return true
			}
		}
	}
	return false
}

func validateWebhooks(hooks []Webhook, opts webhookOptions) field.ErrorList {
	var errs field.ErrorList
	names := sets.New[string]()
	for i := range hooks {
		p := field.NewPath("webhooks").Index(i)
		errs = append(errs, validateWebhook(&hooks[i], opts, p)...)
		errs = append(errs, validateAdmissionReviewVersions(hooks[i].AdmissionReviewVersions, opts.requireRecognizedAdmissionReviewVersion, p.Child("admissionReviewVersions"))...)
		if name := hooks[i].Name; opts.requireUniqueNames && name != "" {
			if names.Has(name) {
				errs = append(errs, field.Duplicate(p.Child("name"), name))
			}
			names.Insert(name)
		}
	}
	return errs
}

func validateWebhook(hook *Webhook, opts webhookOptions, fldPath *field.Path) field.ErrorList {
	errs := utilvalidation.IsFullyQualifiedName(fldPath.Child("name"), hook.Name)
	for i := range hook.Rules {
		errs = append(errs, ValidateRuleWithOperations(&hook.Rules[i], fldPath.Child("rules").Index(i))...)
	}
	errs = append(errs, ValidateFailurePolicy(hook.FailurePolicy, false, fldPath.Child("failurePolicy"))...)
	errs = append(errs, ValidateMatchPolicy(hook.MatchPolicy, false, fldPath.Child("matchPolicy"))...)
	allowedSideEffects := sideEffectClasses
	if opts.requireNoSideEffects {
		allowedSideEffects = noSideEffectClasses
	}
	if hook.SideEffects == nil {
		errs = append(errs, field.Required(fldPath.Child("sideEffects"), fmt.Sprintf("must specify one of %v", strings.Join(sets.List(allowedSideEffects), ", "))))
	} else if !allowedSideEffects.Has(string(*hook.SideEffects)) {
		errs = append(errs, notSupported(fldPath.Child("sideEffects"), *hook.SideEffects, allowedSideEffects))
	}
	if t := hook.TimeoutSeconds; t != nil && (*t > 30 || *t < 1) {
		errs = append(errs, field.Invalid(fldPath.Child("timeoutSeconds"), *t, "the timeout value must be between 1 and 30 seconds"))
	}
	selectorOpts := metav1validation.LabelSelectorValidationOptions{AllowInvalidLabelValueInSelector: opts.allowInvalidLabelValueInSelector}
	if hook.NamespaceSelector != nil {
		errs = append(errs, metav1validation.ValidateLabelSelector(hook.NamespaceSelector, selectorOpts, fldPath.Child("namespaceSelector"))...)
	}
	if hook.ObjectSelector != nil {
		errs = append(errs, metav1validation.ValidateLabelSelector(hook.ObjectSelector, selectorOpts, fldPath.Child("objectSelector"))...)
	}
	if hook.ReinvocationPolicy != nil {
		errs = append(errs, ValidateReinvocationPolicy(*hook.ReinvocationPolicy, fldPath.Child("reinvocationPolicy"))...)
	}
	cc := hook.ClientConfig
	switch {
	case (cc.URL == nil) == (cc.Service == nil):
		errs = append(errs, field.Required(fldPath.Child("clientConfig"), "exactly one of url or service is required"))
	case cc.URL != nil:
		errs = append(errs, webhook.ValidateWebhookURL(fldPath.Child("clientConfig", "url"), *cc.URL, true)...)
	default:
		port := int32(0)
		if cc.Service.Port != nil {
			port = *cc.Service.Port
		}
		// Name and namespace go in swapped, as upstream passes them: a missing name is
		// reported at service.namespace and vice versa.
		errs = append(errs, webhook.ValidateWebhookService(fldPath.Child("clientConfig", "service"), cc.Service.Name, cc.Service.Namespace, cc.Service.Path, port)...)
	}
	if !opts.ignoreMatchConditions {
		errs = append(errs, ValidateMatchConditions(hook.MatchConditions, false, opts.storedMatchConditions, fldPath.Child("matchConditions"))...)
	}
	return errs
}

func validateAdmissionReviewVersions(versions []string, requireRecognized bool, fldPath *field.Path) field.ErrorList {
	if len(versions) == 0 {
		return field.ErrorList{field.Required(fldPath, fmt.Sprintf("must specify one of %v", strings.Join(AcceptedAdmissionReviewVersions, ", ")))}
	}
	var errs field.ErrorList
	seen := sets.New[string]()
	for i, v := range versions {
		if seen.Has(v) {
			errs = append(errs, field.Invalid(fldPath.Index(i), v, "duplicate version"))
			continue
		}
		seen.Insert(v)
		for _, msg := range utilvalidation.IsDNS1035Label(v) {
			errs = append(errs, field.Invalid(fldPath.Index(i), v, msg))
		}
	}
	if requireRecognized && !hasAcceptedVersion(versions) {
		errs = append(errs, field.Invalid(fldPath, versions, fmt.Sprintf("must include at least one of %v", strings.Join(AcceptedAdmissionReviewVersions, ", "))))
	}
	return errs
}

// excludedResources are the resources webhooks never see (upstream's admission exclusion list):
// intercepting these reviews could break the cluster.
var excludedResources = []schema.GroupResource{
	{Group: "authentication.k8s.io", Resource: "selfsubjectreviews"},
	{Group: "authentication.k8s.io", Resource: "tokenreviews"},
	{Group: "authorization.k8s.io", Resource: "localsubjectaccessreviews"},
	{Group: "authorization.k8s.io", Resource: "selfsubjectaccessreviews"},
	{Group: "authorization.k8s.io", Resource: "selfsubjectrulesreviews"},
	{Group: "authorization.k8s.io", Resource: "subjectaccessreviews"},
}

// WarningsForRules warns about rules that name a resource webhooks never see. Rules with a
// wildcard group or resource are not flagged.
func WarningsForRules(hooks []Webhook) []string {
	excluded := sets.New(excludedResources...)
	var warnings []string
	for i, h := range hooks {
		for j, rule := range h.Rules {
			if sets.New(rule.APIGroups...).Has("*") || sets.New(rule.Resources...).Has("*") {
				continue
			}
			seen := sets.New[schema.GroupResource]()
			for _, group := range rule.APIGroups {
				for _, resource := range rule.Resources {
					gr := schema.GroupResource{Group: group, Resource: resource}
					if excluded.Has(gr) && !seen.Has(gr) {
						seen.Insert(gr)
						warnings = append(warnings, fmt.Sprintf("%s: %s is excluded from admission webhooks; this rule will have no effect",
							field.NewPath("webhooks").Index(i).Child("rules").Index(j), gr))
					}
				}
			}
		}
	}
	return warnings
}

// StaticConfigSuffix ends the names reserved for admission configurations loaded from manifests.
const StaticConfigSuffix = ".static.k8s.io"

// ValidateStaticSuffix rejects names with the reserved suffix.
func ValidateStaticSuffix(name string) field.ErrorList {
	if strings.HasSuffix(name, StaticConfigSuffix) {
		return field.ErrorList{field.Invalid(field.NewPath("metadata", "name"), name, staticSuffixMessage)}
	}
	return nil
}

// WarningsForStaticSuffix warns about names with the reserved suffix.
func WarningsForStaticSuffix(name string) []string {
	if strings.HasSuffix(name, StaticConfigSuffix) {
		return []string{"metadata.name: " + staticSuffixMessage}
	}
	return nil
}

var staticSuffixMessage = fmt.Sprintf("names ending with %q are reserved for static manifest-based configurations and cannot be managed via the API", StaticConfigSuffix)
