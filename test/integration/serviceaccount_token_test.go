package integration

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/ptr"
)

const saTokenIssuer = "https://kubernetes.default.svc.cluster.local"

// saTokenClaims are the claims the tests read from an issued token.
type saTokenClaims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  []string `json:"aud"`
	Expiry    int64    `json:"exp"`
	IssuedAt  int64    `json:"iat"`
	NotBefore int64    `json:"nbf"`
	ID        string   `json:"jti"`
	K8s       struct {
		Namespace      string `json:"namespace"`
		ServiceAccount struct{ Name, UID string }
		Pod            *struct{ Name, UID string }
		Node           *struct{ Name, UID string }
	} `json:"kubernetes.io"`
}

func decodeSATokenClaims(t *testing.T, token string) saTokenClaims {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("token %q is not a compact JWS", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c saTokenClaims
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatalf("claims %s: %v", raw, err)
	}
	return c
}

// saTokenClient reaches the test server with a bearer token and no client certificate.
func saTokenClient(t *testing.T, token string) kubernetes.Interface {
	t.Helper()
	cfg := rest.AnonymousClientConfig(testServer.ClientConfig)
	cfg.BearerToken = token
	c, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func whoAmI(ctx context.Context, c kubernetes.Interface) (authenticationv1.UserInfo, error) {
	r, err := c.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authenticationv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		return authenticationv1.UserInfo{}, err
	}
	return r.Status.UserInfo, nil
}

// saTokenFixture is a ServiceAccount with a pod scheduled to a Node and an unscheduled pod.
type saTokenFixture struct {
	ns              string
	sa              *corev1.ServiceAccount
	scheduled, idle *corev1.Pod
	node            *corev1.Node
}

func newSATokenFixture(t *testing.T, ctx context.Context, client kubernetes.Interface) saTokenFixture {
	t.Helper()
	f := saTokenFixture{ns: testServer.Namespace(t)}
	var err error
	if f.sa, err = client.CoreV1().ServiceAccounts(f.ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "robot"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if f.node, err = client.CoreV1().Nodes().Create(ctx, &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: "sa-token-" + f.ns}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = client.CoreV1().Nodes().Delete(context.Background(), f.node.Name, metav1.DeleteOptions{})
	})
	pod := func(name, node string) *corev1.Pod {
		p, err := client.CoreV1().Pods(f.ns).Create(ctx, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: name},
			Spec: corev1.PodSpec{ServiceAccountName: "robot", NodeName: node,
				Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
		}, metav1.CreateOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	f.scheduled, f.idle = pod("scheduled", f.node.Name), pod("idle", "")
	return f
}

func podRef(p *corev1.Pod) *authenticationv1.BoundObjectReference {
	return &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: p.Name, UID: p.UID}
}

func TestServiceAccountTokenBoundToPod(t *testing.T) {
	ctx := context.Background()
	client := testServer.Client(t)
	f := newSATokenFixture(t, ctx, client)

	start := time.Now().Add(-time.Second)
	tr, err := client.CoreV1().ServiceAccounts(f.ns).CreateToken(ctx, "robot", &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: podRef(f.scheduled)},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Name != "robot" || tr.Namespace != f.ns || tr.UID != f.sa.UID || ptr.Deref(tr.Spec.ExpirationSeconds, 0) != 3600 ||
		!reflect.DeepEqual(tr.Spec.Audiences, []string{saTokenIssuer}) || tr.Status.Token == "" {
		t.Fatalf("token request %+v", tr)
	}
	if exp := tr.Status.ExpirationTimestamp.Time; exp.Before(start.Add(time.Hour)) || exp.After(time.Now().Add(time.Hour)) {
		t.Errorf("expirationTimestamp %v, want an hour from now", exp)
	}
	c := decodeSATokenClaims(t, tr.Status.Token)
	if c.Issuer != saTokenIssuer || c.Subject != "system:serviceaccount:"+f.ns+":robot" || !reflect.DeepEqual(c.Audience, []string{saTokenIssuer}) ||
		c.Expiry-c.IssuedAt != 3600 || c.NotBefore != c.IssuedAt || c.ID == "" || c.K8s.Namespace != f.ns ||
		c.K8s.ServiceAccount.Name != "robot" || c.K8s.ServiceAccount.UID != string(f.sa.UID) ||
		c.K8s.Pod == nil || c.K8s.Pod.UID != string(f.scheduled.UID) || c.K8s.Node == nil || c.K8s.Node.Name != f.node.Name || c.K8s.Node.UID != string(f.node.UID) {
		t.Fatalf("claims %+v", c)
	}

	sa := saTokenClient(t, tr.Status.Token)
	info, err := whoAmI(ctx, sa)
	if err != nil {
		t.Fatal(err)
	}
	want := authenticationv1.UserInfo{
		Username: "system:serviceaccount:" + f.ns + ":robot",
		UID:      string(f.sa.UID),
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + f.ns, "system:authenticated"},
		Extra: map[string]authenticationv1.ExtraValue{
			"authentication.kubernetes.io/credential-id": {"JTI=" + c.ID},
			"authentication.kubernetes.io/pod-name":      {"scheduled"},
			"authentication.kubernetes.io/pod-uid":       {string(f.scheduled.UID)},
			"authentication.kubernetes.io/node-name":     {f.node.Name},
			"authentication.kubernetes.io/node-uid":      {string(f.node.UID)},
		},
	}
	if !reflect.DeepEqual(info, want) {
		t.Fatalf("whoami\n got %+v\nwant %+v", info, want)
	}
	// Authenticated, but no RBAC grants the ServiceAccount anything more.
	if _, err := sa.CoreV1().Pods(f.ns).List(ctx, metav1.ListOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("listing pods: %v, want forbidden", err)
	}

	// The token is for the apiserver: another audience's token is refused.
	other, err := client.CoreV1().ServiceAccounts(f.ns).CreateToken(ctx, "robot", &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{Audiences: []string{"vault"}, BoundObjectRef: podRef(f.scheduled)},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := whoAmI(ctx, saTokenClient(t, other.Status.Token)); !apierrors.IsUnauthorized(err) {
		t.Errorf("token for another audience: %v, want unauthorized", err)
	}
	// ... but a TokenReview for that audience accepts it.
	review, err := client.AuthenticationV1().TokenReviews().Create(ctx, &authenticationv1.TokenReview{
		Spec: authenticationv1.TokenReviewSpec{Token: other.Status.Token, Audiences: []string{"vault"}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !review.Status.Authenticated || review.Status.User.Username != want.Username || !reflect.DeepEqual(review.Status.Audiences, []string{"vault"}) {
		t.Errorf("token review %+v", review.Status)
	}
}

func TestServiceAccountTokenRevokedWithPod(t *testing.T) {
	ctx := context.Background()
	client := testServer.Client(t)
	f := newSATokenFixture(t, ctx, client)
	tr, err := client.CoreV1().ServiceAccounts(f.ns).CreateToken(ctx, "robot", &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: podRef(f.idle)},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sa := saTokenClient(t, tr.Status.Token)
	if _, err := whoAmI(ctx, sa); err != nil {
		t.Fatal(err)
	}
	// An unscheduled pod goes at once; successful authentications are cached for 10 s.
	if err := client.CoreV1().Pods(f.ns).Delete(ctx, f.idle.Name, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	err = wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, 30*time.Second, true, func(ctx context.Context) (bool, error) {
		_, err := whoAmI(ctx, sa)
		return apierrors.IsUnauthorized(err), nil
	})
	if err != nil {
		t.Fatalf("token still accepted after its pod was deleted: %v", err)
	}
	// Binding to the deleted pod is refused too.
	_, err = client.CoreV1().ServiceAccounts(f.ns).CreateToken(ctx, "robot", &authenticationv1.TokenRequest{
		Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: podRef(f.idle)},
	}, metav1.CreateOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("token for a deleted pod: %v, want not found", err)
	}
}

func TestServiceAccountTokenRequestErrors(t *testing.T) {
	ctx := context.Background()
	client := testServer.Client(t)
	f := newSATokenFixture(t, ctx, client)
	other, err := client.CoreV1().Pods(f.ns).Create(ctx, &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "other"},
		Spec:       corev1.PodSpec{ServiceAccountName: "default", Containers: []corev1.Container{{Name: "c", Image: "busybox"}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		sa     string
		req    authenticationv1.TokenRequest
		is     func(error) bool
		field  string
		substr string
	}{
		{name: "too short", sa: "robot", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](60)}},
			is: apierrors.IsInvalid, field: "spec.expirationSeconds", substr: "may not specify a duration less than 10 minutes"},
		{name: "too long", sa: "robot", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{ExpirationSeconds: ptr.To[int64](1<<32 + 1)}},
			is: apierrors.IsInvalid, field: "spec.expirationSeconds", substr: "may not specify a duration larger than 2^32 seconds"},
		{name: "other name", sa: "robot", req: authenticationv1.TokenRequest{ObjectMeta: metav1.ObjectMeta{Name: "x"}},
			is: apierrors.IsInvalid, field: "metadata.name", substr: "must match the service account name if specified"},
		{name: "missing service account", sa: "nobody", is: apierrors.IsNotFound, substr: `serviceaccounts "nobody" not found`},
		{name: "other service account's pod", sa: "robot", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{BoundObjectRef: podRef(other)}},
			is: apierrors.IsBadRequest, substr: `cannot bind token for serviceaccount "robot" to pod running with different serviceaccount name.`},
		{name: "stale pod UID", sa: "robot", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
			BoundObjectRef: &authenticationv1.BoundObjectReference{Kind: "Pod", APIVersion: "v1", Name: "idle", UID: "old"}}},
			is: apierrors.IsConflict, substr: "the UID in the bound object reference (old) does not match the UID in record"},
		{name: "config map", sa: "robot", req: authenticationv1.TokenRequest{Spec: authenticationv1.TokenRequestSpec{
			BoundObjectRef: &authenticationv1.BoundObjectReference{Kind: "ConfigMap", APIVersion: "v1", Name: "c"}}},
			is: apierrors.IsBadRequest, substr: "cannot bind token to object of type /v1, Kind=ConfigMap"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.CoreV1().ServiceAccounts(f.ns).CreateToken(ctx, tt.sa, &tt.req, metav1.CreateOptions{})
			if !tt.is(err) || !strings.Contains(err.Error(), tt.substr) {
				t.Fatalf("got %v, want %q", err, tt.substr)
			}
			if tt.field == "" {
				return
			}
			var status apierrors.APIStatus
			if !errors.As(err, &status) || status.Status().Details == nil || len(status.Status().Details.Causes) != 1 || status.Status().Details.Causes[0].Field != tt.field {
				t.Fatalf("causes of %v, want field %s", err, tt.field)
			}
		})
	}
}

// TestServiceAccountTokenKubectl is `kubectl create token`: --duration is expirationSeconds.
func TestServiceAccountTokenKubectl(t *testing.T) {
	// CI names the kubectl it installed in $KUBECTL.
	kubectl := os.Getenv("KUBECTL")
	if kubectl == "" {
		var err error
		if kubectl, err = exec.LookPath("kubectl"); err != nil {
			t.Skip("kubectl not installed")
		}
	}
	ctx := context.Background()
	f := newSATokenFixture(t, ctx, testServer.Client(t))
	run := func(args ...string) (string, string, error) {
		var stdout, stderr bytes.Buffer
		cmd := exec.CommandContext(ctx, kubectl, append([]string{"--kubeconfig", testServer.Options.KubeconfigPath(), "-n", f.ns, "create", "token", "robot"}, args...)...)
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		return strings.TrimSpace(stdout.String()), stderr.String(), err
	}
	token, stderr, err := run("--duration=2h", "--audience=api", "--audience="+saTokenIssuer, "--bound-object-kind=Pod", "--bound-object-name=scheduled")
	if err != nil {
		t.Fatalf("kubectl create token: %v: %s", err, stderr)
	}
	c := decodeSATokenClaims(t, token)
	if c.Expiry-c.IssuedAt != 7200 || !reflect.DeepEqual(c.Audience, []string{"api", saTokenIssuer}) || c.K8s.Pod == nil || c.K8s.Pod.Name != "scheduled" {
		t.Fatalf("claims %+v", c)
	}
	if info, err := whoAmI(ctx, saTokenClient(t, token)); err != nil || info.Username != "system:serviceaccount:"+f.ns+":robot" {
		t.Fatalf("whoami: %+v, %v", info, err)
	}
	token, stderr, err = run()
	if err != nil {
		t.Fatalf("kubectl create token: %v: %s", err, stderr)
	}
	if c := decodeSATokenClaims(t, token); c.Expiry-c.IssuedAt != 3600 || c.K8s.Pod != nil {
		t.Fatalf("default claims %+v", c)
	}
	if _, stderr, err = run("--duration=5m"); err == nil || !strings.Contains(stderr, "spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes") {
		t.Fatalf("kubectl create token --duration=5m: %v: %s", err, stderr)
	}
}

// TestServiceAccountTokenIssuerDiscovery reads the OIDC documents and checks they describe the
// key that signs the tokens.
func TestServiceAccountTokenIssuerDiscovery(t *testing.T) {
	httpClient, err := rest.HTTPClientFor(testServer.ClientConfig)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path, contentType string, into any) {
		t.Helper()
		resp, err := httpClient.Get(strings.TrimSuffix(testServer.ClientConfig.Host, "/") + path)
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = resp.Body.Close() }()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentType || resp.Header.Get("Cache-Control") != "public, max-age=3600" {
			t.Fatalf("GET %s: %d %v %s", path, resp.StatusCode, resp.Header, body)
		}
		if err := json.Unmarshal(body, into); err != nil {
			t.Fatalf("GET %s: %v: %s", path, err, body)
		}
	}
	var config struct {
		Issuer  string   `json:"issuer"`
		JWKSURI string   `json:"jwks_uri"`
		Algs    []string `json:"id_token_signing_alg_values_supported"`
	}
	get("/.well-known/openid-configuration", "application/json", &config)
	if config.Issuer != saTokenIssuer || !strings.HasSuffix(config.JWKSURI, "/openid/v1/jwks") || !strings.HasPrefix(config.JWKSURI, "https://") || !reflect.DeepEqual(config.Algs, []string{"ES256"}) {
		t.Fatalf("discovery document %+v", config)
	}
	var keys struct {
		Keys []struct{ Kid, Alg, Kty, Use string }
	}
	get("/openid/v1/jwks", "application/jwk-set+json", &keys)
	if len(keys.Keys) != 1 || keys.Keys[0].Alg != "ES256" || keys.Keys[0].Kty != "EC" || keys.Keys[0].Use != "sig" {
		t.Fatalf("keys %+v", keys)
	}

	ctx := context.Background()
	f := newSATokenFixture(t, ctx, testServer.Client(t))
	tr, err := testServer.Client(t).CoreV1().ServiceAccounts(f.ns).CreateToken(ctx, "robot", &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rawHeader, _ := base64.RawURLEncoding.DecodeString(strings.Split(tr.Status.Token, ".")[0])
	var header struct{ Alg, Kid string }
	if err := json.Unmarshal(rawHeader, &header); err != nil || header.Kid != keys.Keys[0].Kid || header.Alg != "ES256" {
		t.Fatalf("token header %s (%v), want kid %s", rawHeader, err, keys.Keys[0].Kid)
	}
}

// TestServiceAccountTokenDiscovery: the subresource is listed as upstream lists it.
func TestServiceAccountTokenDiscovery(t *testing.T) {
	list, err := testServer.Client(t).Discovery().ServerResourcesForGroupVersion("v1")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range list.APIResources {
		if r.Name != "serviceaccounts/token" {
			continue
		}
		if !r.Namespaced || r.Group != "authentication.k8s.io" || r.Version != "v1" || r.Kind != "TokenRequest" || !reflect.DeepEqual([]string(r.Verbs), []string{"create"}) {
			t.Fatalf("serviceaccounts/token %+v", r)
		}
		return
	}
	t.Fatal("serviceaccounts/token not served")
}
