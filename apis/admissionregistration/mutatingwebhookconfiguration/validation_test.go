package mutatingwebhookconfiguration

import (
	"testing"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	"github.com/skiff-sh/skiff/apis/admissionregistration/defaults"
)

func TestValidate(t *testing.T) {
	cfg := &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "cfg"},
		Webhooks: []admissionregistrationv1.MutatingWebhook{{
			Name:                    "hook.example.com",
			ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: ptr.To("https://127.0.0.1:1/")},
			SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNoneOnDryRun),
			AdmissionReviewVersions: []string{"v1beta1", "v1"},
		}},
	}
	defaults.SetObjectDefaults_MutatingWebhookConfiguration(cfg)
	if *cfg.Webhooks[0].ReinvocationPolicy != admissionregistrationv1.NeverReinvocationPolicy {
		t.Fatalf("reinvocationPolicy not defaulted: %v", cfg.Webhooks[0].ReinvocationPolicy)
	}
	if errs := Validate(cfg); len(errs) > 0 {
		t.Fatalf("unexpected errors: %v", errs)
	}
	cfg.Webhooks[0].ReinvocationPolicy = ptr.To(admissionregistrationv1.ReinvocationPolicyType("Always"))
	errs := Validate(cfg)
	if len(errs) != 1 || errs[0].Field != "webhooks[0].reinvocationPolicy" {
		t.Fatalf("unexpected errors: %v", errs)
	}
}
