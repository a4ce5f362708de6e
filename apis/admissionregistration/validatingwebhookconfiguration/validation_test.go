package validatingwebhookconfiguration

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/admissionregistration/defaults"
)

func valid() *admissionregistrationv1.ValidatingWebhookConfiguration {
	cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "cfg"},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name:                    "hook.example.com",
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: ptr.To("https://127.0.0.1:1/hook")},
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
			AdmissionReviewVersions: []string{"v1"},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"configmaps"}},
			}},
			MatchConditions: []admissionregistrationv1.MatchCondition{{Name: "not-kube-system", Expression: `request.namespace != "kube-system"`}},
		}},
	}
	defaults.SetObjectDefaults_ValidatingWebhookConfiguration(cfg)
	return cfg
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*admissionregistrationv1.ValidatingWebhookConfiguration)
		field  string
		typ    field.ErrorType
	}{
		{"valid", func(*admissionregistrationv1.ValidatingWebhookConfiguration) {}, "", ""},
		{"valid service", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].ClientConfig = admissionregistrationv1.WebhookClientConfig{Service: &admissionregistrationv1.ServiceReference{Namespace: "ns", Name: "svc", Port: ptr.To[int32](443)}}
		}, "", ""},
		{"bad name", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) { c.Name = "Bad_Name" }, "metadata.name", field.ErrorTypeInvalid},
		{"webhook name not qualified", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) { c.Webhooks[0].Name = "hook" }, "webhooks[0].name", field.ErrorTypeInvalid},
		{"duplicate webhook name", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks = append(c.Webhooks, c.Webhooks[0])
		}, "webhooks[1].name", field.ErrorTypeDuplicate},
		{"no client config", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].ClientConfig = admissionregistrationv1.WebhookClientConfig{}
		}, "webhooks[0].clientConfig", field.ErrorTypeRequired},
		{"url and service", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].ClientConfig.Service = &admissionregistrationv1.ServiceReference{Namespace: "ns", Name: "svc"}
		}, "webhooks[0].clientConfig", field.ErrorTypeRequired},
		{"http url", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].ClientConfig.URL = ptr.To("http://127.0.0.1:1/hook")
		}, "webhooks[0].clientConfig.url", field.ErrorTypeInvalid},
		{"service without namespace", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].ClientConfig = admissionregistrationv1.WebhookClientConfig{Service: &admissionregistrationv1.ServiceReference{Name: "svc", Port: ptr.To[int32](443)}}
		}, "webhooks[0].clientConfig.service.name", field.ErrorTypeRequired}, // swapped, as upstream
		{"no side effects", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) { c.Webhooks[0].SideEffects = nil }, "webhooks[0].sideEffects", field.ErrorTypeRequired},
		{"side effects Some", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].SideEffects = ptr.To(admissionregistrationv1.SideEffectClassSome)
		}, "webhooks[0].sideEffects", field.ErrorTypeNotSupported},
		{"no review versions", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].AdmissionReviewVersions = nil
		}, "webhooks[0].admissionReviewVersions", field.ErrorTypeRequired},
		{"unknown review version", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].AdmissionReviewVersions = []string{"v2"}
		}, "webhooks[0].admissionReviewVersions", field.ErrorTypeInvalid},
		{"timeout", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].TimeoutSeconds = ptr.To[int32](31)
		}, "webhooks[0].timeoutSeconds", field.ErrorTypeInvalid},
		{"failure policy", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].FailurePolicy = ptr.To(admissionregistrationv1.FailurePolicyType("Maybe"))
		}, "webhooks[0].failurePolicy", field.ErrorTypeNotSupported},
		{"operation", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].Rules[0].Operations = []admissionregistrationv1.OperationType{"PATCH"}
		}, "webhooks[0].rules[0].operations[0]", field.ErrorTypeNotSupported},
		{"no api groups", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].Rules[0].APIGroups = nil
		}, "webhooks[0].rules[0].apiGroups", field.ErrorTypeRequired},
		{"no resources", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].Rules[0].Resources = nil
		}, "webhooks[0].rules[0].resources", field.ErrorTypeRequired},
		{"wildcard and resource", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].Rules[0].Resources = []string{"*", "pods"}
		}, "webhooks[0].rules[0].resources", field.ErrorTypeInvalid},
		{"scope", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].Rules[0].Scope = ptr.To(admissionregistrationv1.ScopeType("Global"))
		}, "webhooks[0].rules[0].scope", field.ErrorTypeNotSupported},
		{"match condition does not compile", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].MatchConditions[0].Expression = "request.nope +"
		}, "webhooks[0].matchConditions[0].expression", field.ErrorTypeInvalid},
		{"match condition not bool", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].MatchConditions[0].Expression = "'x'"
		}, "webhooks[0].matchConditions[0].expression", field.ErrorTypeInvalid},
		{"bad selector", func(c *admissionregistrationv1.ValidatingWebhookConfiguration) {
			c.Webhooks[0].NamespaceSelector = &metav1.LabelSelector{MatchLabels: map[string]string{"a": "b c"}}
		}, "webhooks[0].namespaceSelector.matchLabels", field.ErrorTypeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := valid()
			tc.modify(cfg)
			errs := Validate(cfg)
			if tc.field == "" {
				if len(errs) > 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			for _, e := range errs {
				if e.Field == tc.field && e.Type == tc.typ {
					return
				}
			}
			t.Fatalf("want %s at %s, got %v", tc.typ, tc.field, errs)
		})
	}
}

func TestValidateUpdateTolerates(t *testing.T) {
	old := valid()
	old.Webhooks[0].SideEffects = ptr.To(admissionregistrationv1.SideEffectClassSome)
	cfg := old.DeepCopy()
	cfg.Webhooks[0].TimeoutSeconds = ptr.To[int32](5)
	if errs := ValidateUpdate(cfg, old); len(errs) > 0 {
		t.Fatalf("stored side effects must stay allowed: %v", errs)
	}
	if errs := Validate(cfg); len(errs) == 0 {
		t.Fatal("side effects Some must be rejected on create")
	}
}

func TestDefaults(t *testing.T) {
	cfg := &admissionregistrationv1.ValidatingWebhookConfiguration{Webhooks: []admissionregistrationv1.ValidatingWebhook{{
		ClientConfig: admissionregistrationv1.WebhookClientConfig{Service: &admissionregistrationv1.ServiceReference{}},
		Rules:        []admissionregistrationv1.RuleWithOperations{{}},
	}}}
	defaults.SetObjectDefaults_ValidatingWebhookConfiguration(cfg)
	h := cfg.Webhooks[0]
	if *h.FailurePolicy != admissionregistrationv1.Fail || *h.MatchPolicy != admissionregistrationv1.Equivalent ||
		h.NamespaceSelector == nil || h.ObjectSelector == nil || *h.TimeoutSeconds != 10 ||
		*h.ClientConfig.Service.Port != 443 || *h.Rules[0].Scope != admissionregistrationv1.AllScopes {
		t.Fatalf("unexpected defaults: %+v", h)
	}
}
