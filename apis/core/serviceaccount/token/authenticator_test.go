package token

import (
	"context"
	"reflect"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	clocktesting "k8s.io/utils/clock/testing"
)

func TestAuthenticateToken(t *testing.T) {
	signer := newTestSigner(t)
	other := newTestSigner(t)
	apiAuds := authenticator.Audiences{testIssuer}
	saOnly := func(*fakeGetter) (Bound, []string) { return Bound{}, apiAuds }
	podBound := func(g *fakeGetter) (Bound, []string) { return Bound{Pod: g.pods["ns/p"], Node: g.nodes["n"]}, apiAuds }
	tests := []struct {
		name string
		// bind picks what the token is bound to and its audiences.
		bind func(*fakeGetter) (Bound, []string)
		// change alters the cluster after the token was issued.
		change func(*fakeGetter)
		// age is how long after issue the token is presented.
		age      time.Duration
		signer   *Signer
		requestA authenticator.Audiences
		ok       bool
		err      string
		extra    map[string][]string
	}{
		{name: "service account", bind: saOnly, ok: true,
			extra: map[string][]string{"authentication.kubernetes.io/credential-id": {"JTI=jti"}}},
		{name: "pod on a node", bind: podBound, ok: true, extra: map[string][]string{
			"authentication.kubernetes.io/credential-id": {"JTI=jti"},
			"authentication.kubernetes.io/pod-name":      {"p"}, "authentication.kubernetes.io/pod-uid": {"p-uid"},
			"authentication.kubernetes.io/node-name": {"n"}, "authentication.kubernetes.io/node-uid": {"n-uid"}}},
		{name: "pod deleted", bind: podBound, change: func(g *fakeGetter) { delete(g.pods, "ns/p") }, err: "service account token has been invalidated"},
		{name: "pod recreated", bind: podBound, change: func(g *fakeGetter) { g.pods["ns/p"].UID = "new" }, err: "pod UID (new) does not match service account pod ref claim (p-uid)"},
		{name: "pod being deleted", bind: podBound, change: func(g *fakeGetter) { g.pods["ns/p"].DeletionTimestamp = &metav1.Time{Time: testNow} }, ok: true, extra: nil},
		{name: "pod deleted over a minute ago", bind: podBound, age: 2 * time.Minute,
			change: func(g *fakeGetter) { g.pods["ns/p"].DeletionTimestamp = &metav1.Time{Time: testNow} }, err: "service account token has been invalidated"},
		{name: "pod's node deleted", bind: podBound, change: func(g *fakeGetter) { delete(g.nodes, "n") }, ok: true, extra: nil},
		{name: "secret deleted", bind: func(g *fakeGetter) (Bound, []string) { return Bound{Secret: g.secrets["ns/s"]}, apiAuds },
			change: func(g *fakeGetter) { delete(g.secrets, "ns/s") }, err: "service account token has been invalidated"},
		{name: "node", bind: func(g *fakeGetter) (Bound, []string) { return Bound{Node: g.nodes["n"]}, apiAuds }, ok: true, extra: map[string][]string{
			"authentication.kubernetes.io/credential-id": {"JTI=jti"},
			"authentication.kubernetes.io/node-name":     {"n"}, "authentication.kubernetes.io/node-uid": {"n-uid"}}},
		{name: "node recreated", bind: func(g *fakeGetter) (Bound, []string) { return Bound{Node: g.nodes["n"]}, apiAuds },
			change: func(g *fakeGetter) { g.nodes["n"].UID = "new" }, err: "node UID (new) does not match service account node ref claim (n-uid)"},
		{name: "service account deleted", bind: saOnly, change: func(g *fakeGetter) { delete(g.serviceAccounts, "ns/sa") }, err: `serviceaccounts "sa" not found`},
		{name: "service account recreated", bind: saOnly, change: func(g *fakeGetter) { g.serviceAccounts["ns/sa"].UID = "new" }, err: "service account UID (new) does not match claim (sa-uid)"},
		{name: "other audience", bind: func(*fakeGetter) (Bound, []string) { return Bound{}, []string{"vault"} },
			err: `token audiences ["vault"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]`},
		{name: "requested audience", bind: func(*fakeGetter) (Bound, []string) { return Bound{}, []string{"vault", "x"} }, requestA: authenticator.Audiences{"vault"}, ok: true},
		{name: "no audience is the apiserver's", bind: func(*fakeGetter) (Bound, []string) { return Bound{}, nil }, ok: true},
		{name: "expired", bind: saOnly, age: time.Hour + 2*time.Minute, err: "service account token has expired"},
		{name: "expired within the leeway", bind: saOnly, age: time.Hour + 30*time.Second, ok: true},
		{name: "not valid yet", bind: saOnly, age: -2 * time.Minute, err: "service account token is not valid yet"},
		{name: "other key", bind: saOnly, signer: other, err: "invalid signature, no keys found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := fixture()
			bound, auds := tt.bind(g)
			s := signer
			if tt.signer != nil {
				s = tt.signer
			}
			token, err := s.Sign(NewClaims(g.serviceAccounts["ns/sa"], bound, testNow, 3600, 0, auds, "jti"))
			if err != nil {
				t.Fatal(err)
			}
			if tt.change != nil {
				tt.change(g)
			}
			a := NewAuthenticator([]string{"https://other", testIssuer}, []PublicKey{signer.public}, apiAuds, g, clocktesting.NewFakePassiveClock(testNow.Add(tt.age)))
			ctx := context.Background()
			if tt.requestA != nil {
				ctx = authenticator.WithAudiences(ctx, tt.requestA)
			}
			resp, ok, err := a.AuthenticateToken(ctx, token)
			if tt.err != "" {
				if ok || err == nil || err.Error() != tt.err {
					t.Fatalf("got ok=%v err=%v, want error %q", ok, err, tt.err)
				}
				return
			}
			if !ok || err != nil {
				t.Fatalf("got ok=%v err=%v", ok, err)
			}
			u := resp.User
			if u.GetName() != "system:serviceaccount:ns:sa" || u.GetUID() != "sa-uid" || !reflect.DeepEqual(u.GetGroups(), []string{"system:serviceaccounts", "system:serviceaccounts:ns"}) {
				t.Errorf("user %+v", u)
			}
			if tt.extra != nil && !reflect.DeepEqual(u.GetExtra(), tt.extra) {
				t.Errorf("extra %v, want %v", u.GetExtra(), tt.extra)
			}
			if want := auds; tt.requestA != nil {
				if !reflect.DeepEqual([]string(resp.Audiences), []string(tt.requestA)) {
					t.Errorf("audiences %v", resp.Audiences)
				}
			} else if len(want) > 0 && !reflect.DeepEqual([]string(resp.Audiences), want) {
				t.Errorf("audiences %v, want %v", resp.Audiences, want)
			}
		})
	}
}

func TestAuthenticateOtherTokens(t *testing.T) {
	signer := newTestSigner(t)
	g := fixture()
	a := NewAuthenticator([]string{"https://other"}, []PublicKey{signer.public}, authenticator.Audiences{testIssuer}, g, clocktesting.NewFakePassiveClock(testNow))
	token, err := signer.Sign(NewClaims(g.serviceAccounts["ns/sa"], Bound{}, testNow, 3600, 0, nil, ""))
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range []string{token, "loopback-uuid", "a.b.c"} {
		if resp, ok, err := a.AuthenticateToken(context.Background(), tok); ok || err != nil || resp != nil {
			t.Errorf("%q: got %v %v %v, want no opinion", tok, resp, ok, err)
		}
	}
}
