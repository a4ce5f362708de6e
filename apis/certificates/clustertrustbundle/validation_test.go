package clustertrustbundle

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	certificatesv1 "k8s.io/api/certificates/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

func certPEM(t testing.TB, ca bool) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: ca, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func bundle(name, signer, pem string) *certificatesv1.ClusterTrustBundle {
	return &certificatesv1.ClusterTrustBundle{ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: certificatesv1.ClusterTrustBundleSpec{SignerName: signer, TrustBundle: pem}}
}

func TestValidate(t *testing.T) {
	ca, ca2, leaf := certPEM(t, true), certPEM(t, true), certPEM(t, false)
	tests := []struct {
		name   string
		b      *certificatesv1.ClusterTrustBundle
		field  string
		typ    field.ErrorType
		detail string
	}{
		{name: "valid, no signer", b: bundle("roots", "", ca+ca2)},
		{name: "valid, signer", b: bundle("example.com:signer:roots", "example.com/signer", ca)},
		{"colon without signer", bundle("a:b", "", ca), "metadata.name", field.ErrorTypeInvalid, `ClusterTrustBundle without signer name must not have ":" in its name`},
		{"signer prefix", bundle("roots", "example.com/signer", ca), "metadata.name", field.ErrorTypeInvalid, "ClusterTrustBundle for signerName example.com/signer must be named with prefix example.com:signer:"},
		{"bad signer", bundle("example:roots", "example", ca), "spec.signerName", field.ErrorTypeInvalid, ""},
		{"empty bundle", bundle("roots", "", ""), "spec.trustBundle", field.ErrorTypeInvalid, "at least one trust anchor must be provided"},
		{"not a CA", bundle("roots", "", leaf), "spec.trustBundle", field.ErrorTypeInvalid, "entry 0 does not have the CA bit set"},
		{"bad block", bundle("roots", "", ca+"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), "spec.trustBundle", field.ErrorTypeInvalid, "entry 1 has bad block type: PRIVATE KEY"},
		{"duplicate", bundle("roots", "", ca+ca2+ca), "spec.trustBundle", field.ErrorTypeInvalid, "duplicate trust anchor (indices [0 2])"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := Strategy.Validate(context.Background(), tt.b)
			if tt.field == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected errors: %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tt.field || errs[0].Type != tt.typ || (tt.detail != "" && errs[0].Detail != tt.detail) {
				t.Fatalf("got %v, want one %s %s %q", errs, tt.field, tt.typ, tt.detail)
			}
		})
	}
}

func TestValidateUpdate(t *testing.T) {
	old := bundle("example.com:signer:roots", "example.com/signer", certPEM(t, true))
	old.ResourceVersion = "1"
	upd := old.DeepCopy()
	upd.Spec.SignerName = "example.com/other"
	errs := Strategy.ValidateUpdate(context.Background(), upd, old)
	found := false
	for _, e := range errs {
		if e.Field == "spec.signerName" && e.Type == field.ErrorTypeInvalid && e.Detail == "field is immutable" {
			found = true
		}
	}
	if !found {
		t.Fatalf("want signerName immutable, got %v", errs)
	}
	if Strategy.AllowUnconditionalUpdate(context.Background()) {
		t.Error("updates must be conditional")
	}
}
