package defaults

import (
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// SetDefaults_ValidatingWebhook: failurePolicy Fail, matchPolicy Equivalent, match-everything
// selectors and a 10 second timeout.
func SetDefaults_ValidatingWebhook(obj *admissionregistrationv1.ValidatingWebhook) {
	setWebhookDefaults(&obj.FailurePolicy, &obj.MatchPolicy, &obj.NamespaceSelector, &obj.ObjectSelector, &obj.TimeoutSeconds)
}

// SetDefaults_MutatingWebhook: as for validating webhooks, and reinvocationPolicy Never.
func SetDefaults_MutatingWebhook(obj *admissionregistrationv1.MutatingWebhook) {
	setWebhookDefaults(&obj.FailurePolicy, &obj.MatchPolicy, &obj.NamespaceSelector, &obj.ObjectSelector, &obj.TimeoutSeconds)
	if obj.ReinvocationPolicy == nil {
		obj.ReinvocationPolicy = ptr.To(admissionregistrationv1.NeverReinvocationPolicy)
	}
}

func setWebhookDefaults(failure **admissionregistrationv1.FailurePolicyType, match **admissionregistrationv1.MatchPolicyType, nsSelector, objSelector **metav1.LabelSelector, timeout **int32) {
	if *failure == nil {
		*failure = ptr.To(admissionregistrationv1.Fail)
	}
	if *match == nil {
		*match = ptr.To(admissionregistrationv1.Equivalent)
	}
	if *nsSelector == nil {
		*nsSelector = &metav1.LabelSelector{}
	}
	if *objSelector == nil {
		*objSelector = &metav1.LabelSelector{}
	}
	if *timeout == nil {
		*timeout = ptr.To[int32](10)
	}
}

// SetDefaults_Rule: scope "*".
func SetDefaults_Rule(obj *admissionregistrationv1.Rule) {
	if obj.Scope == nil {
		obj.Scope = ptr.To(admissionregistrationv1.AllScopes)
	}
}

// SetDefaults_ServiceReference: port 443.
func SetDefaults_ServiceReference(obj *admissionregistrationv1.ServiceReference) {
	if obj.Port == nil {
		obj.Port = ptr.To[int32](443)
	}
}

// SetDefaults_ValidatingAdmissionPolicySpec: failurePolicy Fail.
func SetDefaults_ValidatingAdmissionPolicySpec(obj *admissionregistrationv1.ValidatingAdmissionPolicySpec) {
	if obj.FailurePolicy == nil {
		obj.FailurePolicy = ptr.To(admissionregistrationv1.Fail)
	}
}

// SetDefaults_MutatingAdmissionPolicySpec: failurePolicy Fail.
func SetDefaults_MutatingAdmissionPolicySpec(obj *admissionregistrationv1.MutatingAdmissionPolicySpec) {
	if obj.FailurePolicy == nil {
		obj.FailurePolicy = ptr.To(admissionregistrationv1.Fail)
	}
}

// SetDefaults_MatchResources: matchPolicy Equivalent and match-everything selectors.
func SetDefaults_MatchResources(obj *admissionregistrationv1.MatchResources) {
	if obj.MatchPolicy == nil {
		obj.MatchPolicy = ptr.To(admissionregistrationv1.Equivalent)
	}
	if obj.NamespaceSelector == nil {
		obj.NamespaceSelector = &metav1.LabelSelector{}
	}
	if obj.ObjectSelector == nil {
		obj.ObjectSelector = &metav1.LabelSelector{}
	}
}
