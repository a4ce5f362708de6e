package integration

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	certificatesv1 "k8s.io/api/certificates/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/utils/ptr"
)

// controlRequireInvalid fails unless err is a 422 with a cause at fieldPath.
func controlRequireInvalid(t *testing.T, err error, fieldPath string) {
	t.Helper()
	if !apierrors.IsInvalid(err) {
		t.Fatalf("want 422 Invalid at %s, got %v", fieldPath, err)
	}
	var fields []string
	for _, c := range err.(apierrors.APIStatus).Status().Details.Causes {
		if c.Field == fieldPath {
			return
		}
		fields = append(fields, c.Field)
	}
	t.Fatalf("want a cause at %s, got causes at %v: %v", fieldPath, fields, err)
}

// closedPortURL is an https URL on loopback where nothing listens: should the apiserver ever
// call a webhook the test registers, it fails fast and stays on this machine.
func closedPortURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return fmt.Sprintf("https://127.0.0.1:%d/hook", port)
}

func TestWebhookConfigurations(t *testing.T) {
	ctx := context.Background()
	client := testServer.Client(t).AdmissionregistrationV1()
	vwcs, mwcs := client.ValidatingWebhookConfigurations(), client.MutatingWebhookConfigurations()
	url := closedPortURL(t)
	// No rules: the webhooks match no request, and would be ignored if they did.
	hook := admissionregistrationv1.ValidatingWebhook{
		Name:                    "never.skiff.test",
		ClientConfig:            admissionregistrationv1.WebhookClientConfig{URL: &url},
		FailurePolicy:           ptr.To(admissionregistrationv1.Ignore),
		SideEffects:             ptr.To(admissionregistrationv1.SideEffectClassNone),
		AdmissionReviewVersions: []string{"v1"},
	}

	created, err := vwcs.Create(ctx, &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "vwc-"},
		Webhooks:   []admissionregistrationv1.ValidatingWebhook{hook},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = vwcs.Delete(ctx, created.Name, metav1.DeleteOptions{}) })
	h := created.Webhooks[0]
	if *h.MatchPolicy != admissionregistrationv1.Equivalent || *h.TimeoutSeconds != 10 || h.NamespaceSelector == nil || h.ObjectSelector == nil || created.Generation != 1 {
		t.Fatalf("defaults not applied: %+v", created)
	}

	// Updates need a resourceVersion, a stale one conflicts, and a change bumps the generation.
	upd := created.DeepCopy()
	upd.Webhooks[0].TimeoutSeconds = ptr.To[int32](5)
	upd.ResourceVersion = ""
	_, err = vwcs.Update(ctx, upd, metav1.UpdateOptions{})
	controlRequireInvalid(t, err, "metadata.resourceVersion")
	upd.ResourceVersion = created.ResourceVersion
	updated, err := vwcs.Update(ctx, upd, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if updated.Generation != 2 || *updated.Webhooks[0].TimeoutSeconds != 5 {
		t.Fatalf("unexpected update: generation %d, %+v", updated.Generation, updated.Webhooks[0])
	}
	if _, err := vwcs.Update(ctx, upd, metav1.UpdateOptions{}); !apierrors.IsConflict(err) {
		t.Fatalf("want 409 for a stale update, got %v", err)
	}
	list, err := vwcs.List(ctx, metav1.ListOptions{FieldSelector: "metadata.name=" + created.Name})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("list by name: %v %v", list, err)
	}

	invalid := []struct {
		field  string
		modify func(*admissionregistrationv1.ValidatingWebhook)
	}{
		{"webhooks[0].sideEffects", func(h *admissionregistrationv1.ValidatingWebhook) { h.SideEffects = nil }},
		{"webhooks[0].clientConfig.url", func(h *admissionregistrationv1.ValidatingWebhook) { h.ClientConfig.URL = ptr.To("http://127.0.0.1:1/") }},
		{"webhooks[0].clientConfig", func(h *admissionregistrationv1.ValidatingWebhook) {
			h.ClientConfig.Service = &admissionregistrationv1.ServiceReference{Namespace: "default", Name: "svc"}
		}},
		{"webhooks[0].admissionReviewVersions", func(h *admissionregistrationv1.ValidatingWebhook) { h.AdmissionReviewVersions = nil }},
		{"webhooks[0].timeoutSeconds", func(h *admissionregistrationv1.ValidatingWebhook) { h.TimeoutSeconds = ptr.To[int32](31) }},
		{"webhooks[0].name", func(h *admissionregistrationv1.ValidatingWebhook) { h.Name = "unqualified" }},
		{"webhooks[0].rules[0].operations[0]", func(h *admissionregistrationv1.ValidatingWebhook) {
			h.Rules = []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{"PATCH"},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{"skiff.test"}, APIVersions: []string{"v1"}, Resources: []string{"nothings"}},
			}}
		}},
		{"webhooks[0].matchConditions[0].expression", func(h *admissionregistrationv1.ValidatingWebhook) {
			h.MatchConditions = []admissionregistrationv1.MatchCondition{{Name: "broken", Expression: "request.kind +"}}
		}},
	}
	for _, tc := range invalid {
		t.Run(tc.field, func(t *testing.T) {
			h := *hook.DeepCopy()
			tc.modify(&h)
			_, err := vwcs.Create(ctx, &admissionregistrationv1.ValidatingWebhookConfiguration{
				ObjectMeta: metav1.ObjectMeta{GenerateName: "vwc-"},
				Webhooks:   []admissionregistrationv1.ValidatingWebhook{h},
			}, metav1.CreateOptions{})
			controlRequireInvalid(t, err, tc.field)
		})
	}

	mwc, err := mwcs.Create(ctx, &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "mwc-"},
		Webhooks: []admissionregistrationv1.MutatingWebhook{{
			Name:                    hook.Name,
			ClientConfig:            hook.ClientConfig,
			FailurePolicy:           hook.FailurePolicy,
			SideEffects:             hook.SideEffects,
			AdmissionReviewVersions: hook.AdmissionReviewVersions,
		}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *mwc.Webhooks[0].ReinvocationPolicy != admissionregistrationv1.NeverReinvocationPolicy {
		t.Fatalf("reinvocationPolicy not defaulted: %+v", mwc.Webhooks[0])
	}
	mwc.Webhooks = append(mwc.Webhooks, mwc.Webhooks[0])
	_, err = mwcs.Update(ctx, mwc, metav1.UpdateOptions{})
	controlRequireInvalid(t, err, "webhooks[1].name")
	if err := mwcs.Delete(ctx, mwc.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := mwcs.Get(ctx, mwc.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("want 404 after delete, got %v", err)
	}
}

func configMapRules() *admissionregistrationv1.MatchResources {
	return &admissionregistrationv1.MatchResources{ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
		RuleWithOperations: admissionregistrationv1.RuleWithOperations{
			Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
			Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"configmaps"}},
		},
	}}}
}

// TestAdmissionPolicies stores policies and bindings and sees the admission plugins enforce
// them on ConfigMaps of the test's namespace.
func TestAdmissionPolicies(t *testing.T) {
	ctx := context.Background()
	c := testServer.Client(t)
	ns := testServer.Namespace(t)
	arv1 := c.AdmissionregistrationV1()
	inNamespace := []admissionregistrationv1.MatchCondition{{Name: "test-namespace", Expression: fmt.Sprintf("request.namespace == %q", ns)}}

	vap, err := arv1.ValidatingAdmissionPolicies().Create(ctx, &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "vap-"},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			MatchConstraints: configMapRules(),
			MatchConditions:  inNamespace,
			Validations:      []admissionregistrationv1.Validation{{Expression: "!has(object.data) || !('forbidden' in object.data)", Message: "no forbidden key"}},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = arv1.ValidatingAdmissionPolicies().Delete(ctx, vap.Name, metav1.DeleteOptions{}) })
	if *vap.Spec.FailurePolicy != admissionregistrationv1.Fail || *vap.Spec.MatchConstraints.MatchPolicy != admissionregistrationv1.Equivalent {
		t.Fatalf("defaults not applied: %+v", vap.Spec)
	}

	// Status is written only through /status, which ignores the spec.
	withStatus := vap.DeepCopy()
	withStatus.Status.ObservedGeneration = 1
	withStatus.Spec.Validations[0].Message = "changed through status"
	st, err := arv1.ValidatingAdmissionPolicies().UpdateStatus(ctx, withStatus, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Status.ObservedGeneration != 1 || st.Spec.Validations[0].Message != "no forbidden key" {
		t.Fatalf("status write: %+v", st)
	}
	st.Status.ObservedGeneration = 5
	st.Spec.Validations[0].Message = "no forbidden key!"
	upd, err := arv1.ValidatingAdmissionPolicies().Update(ctx, st, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Status.ObservedGeneration != 1 || upd.Generation != 2 {
		t.Fatalf("main resource wrote status or kept generation: %+v", upd)
	}

	_, err = arv1.ValidatingAdmissionPolicies().Create(ctx, &admissionregistrationv1.ValidatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "vap-"},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicySpec{
			MatchConstraints: configMapRules(),
			Validations:      []admissionregistrationv1.Validation{{Expression: "object.data.size() >"}},
		},
	}, metav1.CreateOptions{})
	controlRequireInvalid(t, err, "spec.validations[0].expression")

	_, err = arv1.ValidatingAdmissionPolicyBindings().Create(ctx, &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "vapb-"},
		Spec:       admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{PolicyName: vap.Name},
	}, metav1.CreateOptions{})
	controlRequireInvalid(t, err, "spec.validationActions")
	binding, err := arv1.ValidatingAdmissionPolicyBindings().Create(ctx, &admissionregistrationv1.ValidatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "vapb-"},
		Spec: admissionregistrationv1.ValidatingAdmissionPolicyBindingSpec{
			PolicyName:        vap.Name,
			ValidationActions: []admissionregistrationv1.ValidationAction{admissionregistrationv1.Deny},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = arv1.ValidatingAdmissionPolicyBindings().Delete(ctx, binding.Name, metav1.DeleteOptions{}) })

	mapPolicy, err := arv1.MutatingAdmissionPolicies().Create(ctx, &admissionregistrationv1.MutatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "map-"},
		Spec: admissionregistrationv1.MutatingAdmissionPolicySpec{
			MatchConstraints: configMapRules(),
			MatchConditions:  inNamespace,
			Mutations: []admissionregistrationv1.Mutation{{
				PatchType:          admissionregistrationv1.PatchTypeApplyConfiguration,
				ApplyConfiguration: &admissionregistrationv1.ApplyConfiguration{Expression: `Object{metadata: Object.metadata{labels: {"mutated": "true"}}}`},
			}},
			ReinvocationPolicy: admissionregistrationv1.NeverReinvocationPolicy,
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = arv1.MutatingAdmissionPolicies().Delete(ctx, mapPolicy.Name, metav1.DeleteOptions{}) })
	mapBinding, err := arv1.MutatingAdmissionPolicyBindings().Create(ctx, &admissionregistrationv1.MutatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "mapb-"},
		Spec:       admissionregistrationv1.MutatingAdmissionPolicyBindingSpec{PolicyName: mapPolicy.Name},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = arv1.MutatingAdmissionPolicyBindings().Delete(ctx, mapBinding.Name, metav1.DeleteOptions{})
	})

	bad := mapPolicy.DeepCopy()
	bad.Spec.MatchConstraints.ResourceRules[0].Operations = []admissionregistrationv1.OperationType{admissionregistrationv1.Delete}
	_, err = arv1.MutatingAdmissionPolicies().Update(ctx, bad, metav1.UpdateOptions{})
	controlRequireInvalid(t, err, "spec.matchConstraints.resourceRules.operations")

	// The plugins see the new policies once their informers sync.
	cms := c.CoreV1().ConfigMaps(ns)
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{GenerateName: "denied-"}, Data: map[string]string{"forbidden": "x"}}, metav1.CreateOptions{})
		if err == nil {
			return false, nil
		}
		return strings.Contains(err.Error(), "no forbidden key"), nil
	})
	if err != nil {
		t.Fatalf("the ValidatingAdmissionPolicy never denied: %v", err)
	}
	err = wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		cm, err := cms.Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{GenerateName: "mutated-"}}, metav1.CreateOptions{})
		if err != nil {
			return false, err
		}
		return cm.Labels["mutated"] == "true", nil
	})
	if err != nil {
		t.Fatalf("the MutatingAdmissionPolicy never mutated: %v", err)
	}
}

// newCSRPEM returns a PEM certificate request and its key.
func newCSRPEM(t *testing.T, cn string) ([]byte, *ecdsa.PrivateKey) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.CreateCertificateRequest(rand.Reader, &x509.CertificateRequest{Subject: pkix.Name{CommonName: cn}}, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE REQUEST", Bytes: der}), key
}

func TestCertificateSigningRequests(t *testing.T) {
	ctx := context.Background()
	csrs := testServer.Client(t).CertificatesV1().CertificateSigningRequests()
	request, key := newCSRPEM(t, "alice")
	signer := "skiff.test/signer-" + strings.ToLower(t.Name())

	created, err := csrs.Create(ctx, &certificatesv1.CertificateSigningRequest{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "csr-"},
		Spec: certificatesv1.CertificateSigningRequestSpec{
			Request:    request,
			SignerName: signer,
			Usages:     []certificatesv1.KeyUsage{certificatesv1.UsageClientAuth},
			Username:   "mallory",
		},
		Status: certificatesv1.CertificateSigningRequestStatus{Conditions: []certificatesv1.CertificateSigningRequestCondition{
			{Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue},
		}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = csrs.Delete(ctx, created.Name, metav1.DeleteOptions{}) })
	if created.Spec.Username != "kubernetes-admin" || !slices.Contains(created.Spec.Groups, "system:masters") || len(created.Status.Conditions) != 0 {
		t.Fatalf("requestor not recorded or status kept: %+v", created)
	}

	// /status cannot approve.
	approved := created.DeepCopy()
	approved.Status.Conditions = []certificatesv1.CertificateSigningRequestCondition{{Type: certificatesv1.CertificateApproved, Status: corev1.ConditionTrue, Reason: "Test"}}
	_, err = csrs.UpdateStatus(ctx, approved, metav1.UpdateOptions{})
	controlRequireInvalid(t, err, "status.conditions")

	// /approval approves; the main resource ignores conditions.
	got, err := csrs.UpdateApproval(ctx, created.Name, approved, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Status.Conditions) != 1 || got.Status.Conditions[0].LastUpdateTime.IsZero() {
		t.Fatalf("not approved: %+v", got.Status)
	}
	got.Status.Conditions = nil
	got.Spec.SignerName = "skiff.test/other"
	kept, err := csrs.Update(ctx, got, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(kept.Status.Conditions) != 1 || kept.Spec.SignerName != signer {
		t.Fatalf("main resource changed spec or status: %+v", kept)
	}

	// The signer issues the certificate through /status.
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "alice"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	kept.Status.Certificate = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	issued, err := csrs.UpdateStatus(ctx, kept, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(issued.Status.Certificate) == 0 || len(issued.Status.Conditions) != 1 {
		t.Fatalf("certificate not issued: %+v", issued.Status)
	}

	list, err := csrs.List(ctx, metav1.ListOptions{FieldSelector: "spec.signerName=" + signer})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("list by signer: %v %v", list, err)
	}

	for _, tc := range []struct {
		field  string
		modify func(*certificatesv1.CertificateSigningRequestSpec)
	}{
		{"spec.request", func(s *certificatesv1.CertificateSigningRequestSpec) { s.Request = []byte("not a request") }},
		{"spec.usages", func(s *certificatesv1.CertificateSigningRequestSpec) { s.Usages = nil }},
		{"spec.usages[0]", func(s *certificatesv1.CertificateSigningRequestSpec) { s.Usages = []certificatesv1.KeyUsage{"flying"} }},
		{"spec.signerName", func(s *certificatesv1.CertificateSigningRequestSpec) { s.SignerName = "" }},
		{"spec.expirationSeconds", func(s *certificatesv1.CertificateSigningRequestSpec) { s.ExpirationSeconds = ptr.To[int32](60) }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			spec := certificatesv1.CertificateSigningRequestSpec{Request: request, SignerName: signer, Usages: []certificatesv1.KeyUsage{certificatesv1.UsageClientAuth}}
			tc.modify(&spec)
			_, err := csrs.Create(ctx, &certificatesv1.CertificateSigningRequest{ObjectMeta: metav1.ObjectMeta{GenerateName: "csr-"}, Spec: spec}, metav1.CreateOptions{})
			controlRequireInvalid(t, err, tc.field)
		})
	}
}

// TestEventsAcrossAPIs: events.k8s.io/v1 and core/v1 Events are the same objects.
func TestEventsAcrossAPIs(t *testing.T) {
	ctx := context.Background()
	c := testServer.Client(t)
	ns := testServer.Namespace(t)
	coreEvents, newEvents := c.CoreV1().Events(ns), c.EventsV1().Events(ns)

	legacy, err := coreEvents.Create(ctx, &corev1.Event{
		ObjectMeta:     metav1.ObjectMeta{Name: "legacy"},
		InvolvedObject: corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: "web"},
		Reason:         "Started",
		Message:        "started the container",
		Source:         corev1.EventSource{Component: "kubelet", Host: "node-1"},
		Type:           corev1.EventTypeNormal,
		Count:          3,
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	seen, err := newEvents.Get(ctx, legacy.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if seen.Note != "started the container" || seen.Regarding.Name != "web" || seen.DeprecatedCount != 3 || seen.DeprecatedSource.Host != "node-1" || seen.UID != legacy.UID {
		t.Fatalf("core event read through events.k8s.io/v1: %+v", seen)
	}

	now := metav1.NewMicroTime(time.Now())
	modern, err := newEvents.Create(ctx, &eventsv1.Event{
		ObjectMeta:          metav1.ObjectMeta{Name: "modern"},
		EventTime:           now,
		ReportingController: "skiff.test/controller",
		ReportingInstance:   "controller-1",
		Action:              "Scaling",
		Reason:              "Scaled",
		Regarding:           corev1.ObjectReference{Kind: "Deployment", Namespace: ns, Name: "web"},
		Note:                "scaled to 3",
		Type:                corev1.EventTypeNormal,
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	asCore, err := coreEvents.Get(ctx, modern.Name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if asCore.Message != "scaled to 3" || asCore.InvolvedObject.Kind != "Deployment" || asCore.ReportingController != "skiff.test/controller" || asCore.Action != "Scaling" {
		t.Fatalf("events.k8s.io event read through core/v1: %+v", asCore)
	}

	// A series update through events.k8s.io/v1; the note is immutable there.
	modern.Series = &eventsv1.EventSeries{Count: 2, LastObservedTime: metav1.NewMicroTime(time.Now())}
	modern, err = newEvents.Update(ctx, modern, metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	modern.Note = "changed"
	_, err = newEvents.Update(ctx, modern, metav1.UpdateOptions{})
	controlRequireInvalid(t, err, "message")

	// Field selectors by events.k8s.io names.
	list, err := newEvents.List(ctx, metav1.ListOptions{FieldSelector: "regarding.kind=Deployment,reportingController=skiff.test/controller"})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Items) != 1 || list.Items[0].Name != "modern" {
		t.Fatalf("field selector: %+v", list.Items)
	}
	if _, err := newEvents.List(ctx, metav1.ListOptions{FieldSelector: "note=x"}); !apierrors.IsBadRequest(err) {
		t.Fatalf("want 400 for an unknown field selector, got %v", err)
	}

	// Strict validation through events.k8s.io/v1 only.
	_, err = newEvents.Create(ctx, &eventsv1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: "incomplete"},
		EventTime:  now,
		Regarding:  corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: "web"},
		Type:       corev1.EventTypeNormal,
	}, metav1.CreateOptions{})
	controlRequireInvalid(t, err, "reportingController")
	_, err = newEvents.Create(ctx, &eventsv1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: "old-style"},
		Regarding:  corev1.ObjectReference{Kind: "Pod", Namespace: ns, Name: "web"},
		Reason:     "Started",
		Type:       corev1.EventTypeNormal,
	}, metav1.CreateOptions{})
	controlRequireInvalid(t, err, "eventTime")

	if err := newEvents.Delete(ctx, legacy.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := coreEvents.Get(ctx, legacy.Name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("want 404 through core/v1 after a delete through events.k8s.io/v1, got %v", err)
	}
}

// TestSelfSubjectReview is `kubectl auth whoami`.
func TestSelfSubjectReview(t *testing.T) {
	review, err := testServer.Client(t).AuthenticationV1().SelfSubjectReviews().Create(context.Background(), &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	info := review.Status.UserInfo
	if info.Username != "kubernetes-admin" || !slices.Contains(info.Groups, "system:masters") || !slices.Contains(info.Groups, "system:authenticated") {
		t.Fatalf("unexpected user: %+v", info)
	}
}

func TestTokenReview(t *testing.T) {
	review, err := testServer.Client(t).AuthenticationV1().TokenReviews().Create(context.Background(), &authenticationv1.TokenReview{
		Spec: authenticationv1.TokenReviewSpec{Token: "not-a-token"},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if review.Status.Authenticated {
		t.Fatalf("an unknown token authenticated: %+v", review.Status)
	}
	_, err = testServer.Client(t).AuthenticationV1().TokenReviews().Create(context.Background(), &authenticationv1.TokenReview{}, metav1.CreateOptions{})
	if !apierrors.IsBadRequest(err) {
		t.Fatalf("want 400 without a token, got %v", err)
	}
}

// TestAccessReviews is `kubectl auth can-i` and friends, for the admin.
func TestAccessReviews(t *testing.T) {
	ctx := context.Background()
	authz := testServer.Client(t).AuthorizationV1()
	ns := testServer.Namespace(t)

	ssar, err := authz.SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{Spec: authorizationv1.SelfSubjectAccessReviewSpec{
		ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: ns, Verb: "create", Resource: "pods"},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !ssar.Status.Allowed {
		t.Fatalf("the admin may not create pods: %+v", ssar.Status)
	}
	_, err = authz.SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{}, metav1.CreateOptions{})
	controlRequireInvalid(t, err, "spec")

	sar, err := authz.SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		User: "kubernetes-admin", Groups: []string{"system:masters"},
		NonResourceAttributes: &authorizationv1.NonResourceAttributes{Verb: "get", Path: "/healthz"},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !sar.Status.Allowed {
		t.Fatalf("the admin may not read /healthz: %+v", sar.Status)
	}
	_, err = authz.SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
		NonResourceAttributes: &authorizationv1.NonResourceAttributes{Verb: "get", Path: "/healthz"},
	}}, metav1.CreateOptions{})
	controlRequireInvalid(t, err, "spec.user")

	lsar, err := authz.LocalSubjectAccessReviews(ns).Create(ctx, &authorizationv1.LocalSubjectAccessReview{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns},
		Spec: authorizationv1.SubjectAccessReviewSpec{
			User: "kubernetes-admin", Groups: []string{"system:masters"},
			ResourceAttributes: &authorizationv1.ResourceAttributes{Namespace: ns, Verb: "list", Resource: "configmaps"},
		},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !lsar.Status.Allowed {
		t.Fatalf("the admin may not list configmaps: %+v", lsar.Status)
	}

	rules, err := authz.SelfSubjectRulesReviews().Create(ctx, &authorizationv1.SelfSubjectRulesReview{
		Spec: authorizationv1.SelfSubjectRulesReviewSpec{Namespace: ns},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rules.Status.ResourceRules) == 0 {
		t.Fatalf("the admin has no rules: %+v", rules.Status)
	}
}
