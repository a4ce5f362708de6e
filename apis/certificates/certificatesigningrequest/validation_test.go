package certificatesigningrequest

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"strings"
	"testing"

	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/authentication/user"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/utils/ptr"
)

// newRequestPEM returns a PEM certificate request for common name cn.
func newRequestPEM(t testing.TB, cn string) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der})
}

func valid(t testing.TB) *certificatesv1.CertificateSigningRequest {
	return &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{Name: "csr"},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request:    newRequestPEM(t, "alice"),
			SignerName: certificatesv1.KubeAPIServerClientSignerName,
			Usages:     []certificatesv1.KeyUsage{certificatesv1.UsageClientAuth},
		},
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		modify func(*certificatesv1.CertificateSigningRequest)
		field  string
		typ    field.ErrorType
	}{
		{"valid", func(*certificatesv1.CertificateSigningRequest) {}, "", ""},
		{"not pem", func(c *certificatesv1.CertificateSigningRequest) { c.Spec.Request = []byte("hello") }, "spec.request", field.ErrorTypeInvalid},
		{"no usages", func(c *certificatesv1.CertificateSigningRequest) { c.Spec.Usages = nil }, "spec.usages", field.ErrorTypeRequired},
		{"unknown usage", func(c *certificatesv1.CertificateSigningRequest) { c.Spec.Usages = []certificatesv1.KeyUsage{"flying"} }, "spec.usages[0]", field.ErrorTypeNotSupported},
		{"duplicate usage", func(c *certificatesv1.CertificateSigningRequest) {
			c.Spec.Usages = []certificatesv1.KeyUsage{certificatesv1.UsageClientAuth, certificatesv1.UsageClientAuth}
		}, "spec.usages[1]", field.ErrorTypeDuplicate},
		{"no signer", func(c *certificatesv1.CertificateSigningRequest) { c.Spec.SignerName = "" }, "spec.signerName", field.ErrorTypeRequired},
		{"signer without path", func(c *certificatesv1.CertificateSigningRequest) { c.Spec.SignerName = "example.com" }, "spec.signerName", field.ErrorTypeInvalid},
		{"signer single label", func(c *certificatesv1.CertificateSigningRequest) { c.Spec.SignerName = "example/signer" }, "spec.signerName", field.ErrorTypeInvalid},
		{"legacy signer", func(c *certificatesv1.CertificateSigningRequest) { c.Spec.SignerName = LegacyUnknownSignerName }, "spec.signerName", field.ErrorTypeInvalid},
		{"short expiration", func(c *certificatesv1.CertificateSigningRequest) { c.Spec.ExpirationSeconds = ptr.To[int32](60) }, "spec.expirationSeconds", field.ErrorTypeInvalid},
		{"approved false", func(c *certificatesv1.CertificateSigningRequest) {
			c.Status.Conditions = []certificatesv1.CertificateSigningRequestCondition{{Type: certificatesv1.CertificateApproved, Status: corev1.ConditionFalse}}
		}, "status.conditions[0].status", field.ErrorTypeNotSupported},
		{"bad certificate", func(c *certificatesv1.CertificateSigningRequest) { c.Status.Certificate = []byte("junk") }, "status.certificate", field.ErrorTypeInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			csr := valid(t)
			tc.modify(csr)
			errs := Validate(csr)
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

func TestPrepareForCreateSetsRequestor(t *testing.T) {
	csr := valid(t)
	csr.Spec.Username = "mallory"
	csr.Status.Conditions = []certificatesv1.CertificateSigningRequestCondition{{Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue}}
	ctx := genericapirequest.WithUser(context.Background(), &user.DefaultInfo{Name: "alice", UID: "1", Groups: []string{"devs"}, Extra: map[string][]string{"k": {"v"}}})
	Strategy.PrepareForCreate(ctx, csr)
	if csr.Spec.Username != "alice" || csr.Spec.UID != "1" || csr.Spec.Groups[0] != "devs" || csr.Spec.Extra["k"][0] != "v" {
		t.Fatalf("requestor not recorded: %+v", csr.Spec)
	}
	if csr.Status.Conditions == nil || len(csr.Status.Conditions) != 0 {
		t.Fatalf("conditions must be emptied: %v", csr.Status.Conditions)
	}
}

func TestApprovalFlow(t *testing.T) {
	old := valid(t)
	old.ResourceVersion = "1"
	Strategy.PrepareForCreate(context.Background(), old)
	ctx := context.Background()

	// The main resource ignores status and spec changes.
	upd := old.DeepCopy()
	upd.Spec.SignerName = "example.com/other"
	upd.Status.Conditions = append(upd.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue})
	Strategy.PrepareForUpdate(ctx, upd, old)
	if upd.Spec.SignerName != old.Spec.SignerName || len(upd.Status.Conditions) != 0 {
		t.Fatalf("main resource changed spec or status: %+v", upd)
	}

	// /status cannot approve.
	upd = old.DeepCopy()
	upd.Status.Conditions = append(upd.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue})
	StatusStrategy.PrepareForUpdate(ctx, upd, old)
	if errs := StatusStrategy.ValidateUpdate(ctx, upd, old); len(errs) == 0 || !strings.Contains(errs.ToAggregate().Error(), `may not add a condition of type "Approved"`) {
		t.Fatalf("status must not approve: %v", errs)
	}

	// /approval approves, stamps the times and ignores a certificate.
	upd = old.DeepCopy()
	upd.Status.Conditions = append(upd.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue, Reason: "OK"})
	upd.Status.Certificate = []byte("junk")
	ApprovalStrategy.PrepareForUpdate(ctx, upd, old)
	if errs := ApprovalStrategy.ValidateUpdate(ctx, upd, old); len(errs) > 0 {
		t.Fatalf("approval rejected: %v", errs)
	}
	if upd.Status.Certificate != nil || upd.Status.Conditions[0].LastUpdateTime.IsZero() || upd.Status.Conditions[0].LastTransitionTime.IsZero() {
		t.Fatalf("unexpected approved object: %+v", upd.Status)
	}
	if got := Condition(upd); got != "Approved" {
		t.Fatalf("condition column %q", got)
	}

	// Denying an approved request is refused; removing the approval too.
	approved := upd
	upd = approved.DeepCopy()
	upd.Status.Conditions = append(upd.Status.Conditions, certificatesv1.CertificateSigningRequestCondition{Type: certificatesv1.CertificateDenied, Status: corev1.ConditionTrue})
	ApprovalStrategy.PrepareForUpdate(ctx, upd, approved)
	if errs := ApprovalStrategy.ValidateUpdate(ctx, upd, approved); len(errs) == 0 || errs[0].Field != "status.conditions" {
		t.Fatalf("approved and denied accepted: %v", errs)
	}
	upd = approved.DeepCopy()
	upd.Status.Conditions = nil
	if errs := ApprovalStrategy.ValidateUpdate(ctx, upd, approved); len(errs) == 0 || errs[0].Type != field.ErrorTypeForbidden {
		t.Fatalf("approval removed: %v", errs)
	}
}

func TestValidateSignerName(t *testing.T) {
	for name, ok := range map[string]bool{
		"example.com/signer":                      true,
		"kubernetes.io/kubelet-serving":           true,
		"example.com/a/b":                         false,
		"Example.com/signer":                      false,
		"example.com/":                            false,
		"example.com/" + strings.Repeat("a", 320): false,
	} {
		if errs := ValidateSignerName(field.NewPath("signerName"), name); (len(errs) == 0) != ok {
			t.Errorf("%q: %v", name, errs)
		}
	}
}
