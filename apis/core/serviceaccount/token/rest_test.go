package token

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	clocktesting "k8s.io/utils/clock/testing"
	"k8s.io/utils/ptr"
)

// payload decodes a token's claims.
func payload(t *testing.T, token string) *Claims {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	c := &Claims{}
	if err := json.Unmarshal(raw, c); err != nil {
		t.Fatal(err)
	}
	return c
}

func newTestREST(t *testing.T, g Getter, max time.Duration) *REST {
	r := NewREST(Config{
		Signer: newTestSigner(t), Audiences: []string{testIssuer}, Getter: g, MaxExpiration: max,
		ExtendExpiration: true, MaxExtendedExpiration: ExpirationExtensionSeconds * time.Second,
		Clock: clocktesting.NewFakePassiveClock(testNow),
	})
	r.newJTI = func() string { return "jti" }
	return r
}

func ref(kind, apiVersion, name, uid string) *authenticationv1.BoundObjectReference {
	return &authenticationv1.BoundObjectReference{Kind: kind, APIVersion: apiVersion, Name: name, UID: typesUID(uid)}
}

func TestCreate(t *testing.T) {
	ctx := genericapirequest.WithNamespace(context.Background(), "ns")
	hour, year := testNow.Add(time.Hour).Unix(), testNow.Add(365*24*time.Hour).Unix()
	tests := []struct {
		name  string
		sa    string
		req   authenticationv1.TokenRequest
		max   time.Duration
		check func(t *testing.T, out *authenticationv1.TokenRequest, c *Claims)
		// err checks the error when the request fails.
		err func(error) bool
		msg string
	}{
		{name: "defaults", check: func(t *testing.T, out *authenticationv1.TokenRequest, c *Claims) {
			if out.Name != "sa" || out.Namespace != "ns" || out.UID != "sa-uid" || !out.CreationTimestamp.Time.Equal(testNow) {
				t.Errorf("metadata %+v", out.ObjectMeta)
			}
			if *out.Spec.ExpirationSeconds != 3600 || len(out.Spec.Audiences) != 1 || out.Spec.Audiences[0] != testIssuer {
				t.Errorf("spec %+v", out.Spec)
			}
			if out.Status.ExpirationTimestamp.Unix() != hour || c.Expiry.Unix() != hour || c.Issuer != testIssuer || c.ID != "jti" || c.Kubernetes.Pod != nil {
				t.Errorf("status %+v, claims %+v", out.Status, c)
			}
		}},
		{name: "pod on a node", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{Audiences: []string{"x"}, BoundObjectRef: ref("Pod", "v1", "p", "p-uid")}},
			check: func(t *testing.T, out *authenticationv1.TokenRequest, c *Claims) {
				if *c.Kubernetes.Pod != (Ref{"p", "p-uid"}) || *c.Kubernetes.Node != (Ref{"n", "n-uid"}) || c.Audience[0] != "x" {
					t.Errorf("claims %+v", c.Kubernetes)
				}
			}},
		{name: "pod on another service account", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: ref("Pod", "v1", "other", "")}},
			err: apierrors.IsBadRequest, msg: `cannot bind token for serviceaccount "sa" to pod running with different serviceaccount name.`},
		{name: "missing pod", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: ref("Pod", "v1", "gone", "")}},
			err: apierrors.IsNotFound, msg: `pods "gone" not found`},
		{name: "pod with another UID", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: ref("Pod", "v1", "p", "wrong")}},
			err: apierrors.IsConflict, msg: `Operation cannot be fulfilled on Pod "p": the UID in the bound object reference (wrong) does not match the UID in record. The object might have been deleted and then recreated`},
		{name: "secret", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: ref("Secret", "v1", "s", "s-uid")}},
			check: func(t *testing.T, _ *authenticationv1.TokenRequest, c *Claims) {
				if *c.Kubernetes.Secret != (Ref{"s", "s-uid"}) || c.Kubernetes.Node != nil {
					t.Errorf("claims %+v", c.Kubernetes)
				}
			}},
		{name: "node", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: ref("Node", "v1", "n", "")}},
			check: func(t *testing.T, _ *authenticationv1.TokenRequest, c *Claims) {
				if *c.Kubernetes.Node != (Ref{"n", "n-uid"}) || c.Kubernetes.Pod != nil {
					t.Errorf("claims %+v", c.Kubernetes)
				}
			}},
		{name: "config map", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: ref("ConfigMap", "v1", "c", "")}},
			err: apierrors.IsBadRequest, msg: "cannot bind token to object of type /v1, Kind=ConfigMap"},
		{name: "webhook", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{Audiences: []string{"https://w"},
			BoundObjectRef: ref("ValidatingWebhookConfiguration", "admissionregistration.k8s.io/v1", "w", ""),
			Attestations:   map[string]authenticationv1.AttestationValue{"admissionReviewAPIGroups": {"apps"}}}},
			err: apierrors.IsBadRequest, msg: "cannot bind token to object of type admissionregistration.k8s.io/v1, Kind=ValidatingWebhookConfiguration (feature gate APIServerWebhookAuthenticationToken is disabled)"},
		{name: "missing service account", sa: "nobody", err: apierrors.IsNotFound, msg: `serviceaccounts "nobody" not found`},
		{name: "other name", req: authenticationv1.TokenRequest{ObjectMeta: metav1.ObjectMeta{Name: "x"}},
			err: apierrors.IsInvalid, msg: `TokenRequest.authentication.k8s.io "sa" is invalid: metadata.name: Invalid value: "x": must match the service account name if specified`},
		{name: "other UID", req: authenticationv1.TokenRequest{ObjectMeta: metav1.ObjectMeta{UID: "x"}},
			err: apierrors.IsConflict, msg: `Operation cannot be fulfilled on TokenRequest.authentication.k8s.io "sa": the UID in the token request (x) does not match the UID of the service account (sa-uid)`},
		{name: "too short", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](60)}},
			err: apierrors.IsInvalid, msg: `TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 10 minutes`},
		{name: "capped", max: 2 * time.Hour, req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3 * 3600)}},
			check: func(t *testing.T, out *authenticationv1.TokenRequest, c *Claims) {
				if *out.Spec.ExpirationSeconds != 7200 || c.Expiry.Unix() != testNow.Add(2*time.Hour).Unix() {
					t.Errorf("spec %+v, exp %v", out.Spec, c.Expiry)
				}
			}},
		{name: "extended", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3607), BoundObjectRef: ref("Pod", "v1", "p", "")}},
			check: func(t *testing.T, out *authenticationv1.TokenRequest, c *Claims) {
				if c.Expiry.Unix() != year || c.Kubernetes.WarnAfter.Unix() != testNow.Unix()+3607 || out.Status.ExpirationTimestamp.Unix() != testNow.Unix()+3607 {
					t.Errorf("exp %v, warnafter %v, status %v", c.Expiry, c.Kubernetes.WarnAfter, out.Status.ExpirationTimestamp)
				}
			}},
		{name: "not extended for other audiences", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{Audiences: []string{"x", testIssuer}, ExpirationSeconds: ptr.To[int64](3607), BoundObjectRef: ref("Pod", "v1", "p", "")}},
			check: func(t *testing.T, _ *authenticationv1.TokenRequest, c *Claims) {
				if c.Expiry.Unix() != testNow.Unix()+3607 || c.Kubernetes.WarnAfter != nil {
					t.Errorf("exp %v, warnafter %v", c.Expiry, c.Kubernetes.WarnAfter)
				}
			}},
		{name: "not extended without a pod", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](3607)}},
			check: func(t *testing.T, _ *authenticationv1.TokenRequest, c *Claims) {
				if c.Expiry.Unix() != testNow.Unix()+3607 || c.Kubernetes.WarnAfter != nil {
					t.Errorf("exp %v, warnafter %v", c.Expiry, c.Kubernetes.WarnAfter)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sa := tt.sa
			if sa == "" {
				sa = "sa"
			}
			r := newTestREST(t, fixture(), tt.max)
			obj, err := r.Create(ctx, sa, tt.req.DeepCopy(), nil, &metav1.CreateOptions{})
			if tt.err != nil {
				if !tt.err(err) || err.Error() != tt.msg {
					t.Fatalf("got error %v, want %q", err, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			out := obj.(*authenticationv1.TokenRequest)
			tt.check(t, out, payload(t, out.Status.Token))
		})
	}
}

func TestCreateMissingNode(t *testing.T) {
	g := fixture()
	delete(g.nodes, "n")
	obj, err := newTestREST(t, g, 0).Create(genericapirequest.WithNamespace(context.Background(), "ns"), "sa",
		&authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: ref("Pod", "v1", "p", "")}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c := payload(t, obj.(*authenticationv1.TokenRequest).Status.Token); c.Kubernetes.Node == nil || *c.Kubernetes.Node != (Ref{Name: "n"}) {
		t.Fatalf("node claim %+v", c.Kubernetes.Node)
	}
	if g.cachedNodeReads != 1 {
		t.Errorf("%d cached node reads, want 1", g.cachedNodeReads)
	}
}
