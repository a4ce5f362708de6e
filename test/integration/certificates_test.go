package integration

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
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

func certificatesCAPEM(t *testing.T) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "it-root"},
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestCertificatesClusterTrustBundles(t *testing.T) {
	ctx := context.Background()
	bundles := testServer.Client(t).CertificatesV1().ClusterTrustBundles()
	ca := certificatesCAPEM(t)

	b, err := bundles.Create(ctx, &certificatesv1.ClusterTrustBundle{
		ObjectMeta: metav1.ObjectMeta{Name: "example.com:it:roots"},
		Spec:       certificatesv1.ClusterTrustBundleSpec{SignerName: "example.com/it", TrustBundle: ca},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bundles.Delete(context.Background(), b.Name, metav1.DeleteOptions{}) })
	if _, err := bundles.Create(ctx, &certificatesv1.ClusterTrustBundle{
		ObjectMeta: metav1.ObjectMeta{Name: "it-unsigned-roots"}, Spec: certificatesv1.ClusterTrustBundleSpec{TrustBundle: ca},
	}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = bundles.Delete(context.Background(), "it-unsigned-roots", metav1.DeleteOptions{}) })

	list, err := bundles.List(ctx, metav1.ListOptions{FieldSelector: "spec.signerName=example.com/it"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].Name != b.Name {
		t.Errorf("field selector: %v", list.Items)
	}

	// The signer name is fixed; its name prefix must match.
	changed := b.DeepCopy()
	changed.Spec.SignerName = "example.com/other"
	_, err = bundles.Update(ctx, changed, metav1.UpdateOptions{})
	coreInvalid(t, err, "spec.signerName", metav1.CauseTypeFieldValueInvalid, "field is immutable")

	// Updates are conditional: a stale resourceVersion conflicts, none at all is rejected.
	b.Labels = map[string]string{"a": "b"}
	if b, err = bundles.Update(ctx, b, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	stale := b.DeepCopy()
	stale.ResourceVersion = "1"
	if _, err := bundles.Update(ctx, stale, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Errorf("stale update: %v", err)
	}

	_, err = bundles.Create(ctx, &certificatesv1.ClusterTrustBundle{
		ObjectMeta: metav1.ObjectMeta{Name: "it-roots"},
		Spec:       certificatesv1.ClusterTrustBundleSpec{SignerName: "example.com/it", TrustBundle: ca + ca},
	}, metav1.CreateOptions{})
	coreInvalid(t, err, "metadata.name", metav1.CauseTypeFieldValueInvalid, "must be named with prefix example.com:it:")
	coreInvalid(t, err, "spec.trustBundle", metav1.CauseTypeFieldValueInvalid, "duplicate trust anchor (indices [0 1])")
}
