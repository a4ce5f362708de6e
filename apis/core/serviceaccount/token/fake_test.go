package token

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// fakeGetter holds objects by namespace/name (nodes by name).
type fakeGetter struct {
	serviceAccounts map[string]*corev1.ServiceAccount
	pods            map[string]*corev1.Pod
	secrets         map[string]*corev1.Secret
	nodes           map[string]*corev1.Node
	// cachedNodeReads counts GetNode calls that allowed the cache.
	cachedNodeReads int
}

func newFakeGetter() *fakeGetter {
	return &fakeGetter{serviceAccounts: map[string]*corev1.ServiceAccount{}, pods: map[string]*corev1.Pod{}, secrets: map[string]*corev1.Secret{}, nodes: map[string]*corev1.Node{}}
}

func get[T any](m map[string]*T, resource, key, name string) (*T, error) {
	if o, ok := m[key]; ok {
		return o, nil
	}
	return nil, apierrors.NewNotFound(corev1.Resource(resource), name)
}

func (f *fakeGetter) GetServiceAccount(_ context.Context, ns, name string) (*corev1.ServiceAccount, error) {
	return get(f.serviceAccounts, "serviceaccounts", ns+"/"+name, name)
}
func (f *fakeGetter) GetPod(_ context.Context, ns, name string) (*corev1.Pod, error) {
	return get(f.pods, "pods", ns+"/"+name, name)
}
func (f *fakeGetter) GetSecret(_ context.Context, ns, name string) (*corev1.Secret, error) {
	return get(f.secrets, "secrets", ns+"/"+name, name)
}
func (f *fakeGetter) GetNode(_ context.Context, name string, cached bool) (*corev1.Node, error) {
	if cached {
		f.cachedNodeReads++
	}
	return get(f.nodes, "nodes", name, name)
}

func meta(ns, name, uid string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: ns, Name: name, UID: types.UID(uid)}
}

// fixture is a ServiceAccount ns/sa, its pod p on node n, a secret s and a node n.
func fixture() *fakeGetter {
	g := newFakeGetter()
	g.serviceAccounts["ns/sa"] = &corev1.ServiceAccount{ObjectMeta: meta("ns", "sa", "sa-uid")}
	g.pods["ns/p"] = &corev1.Pod{ObjectMeta: meta("ns", "p", "p-uid"), Spec: corev1.PodSpec{ServiceAccountName: "sa", NodeName: "n"}}
	g.pods["ns/other"] = &corev1.Pod{ObjectMeta: meta("ns", "other", "o-uid"), Spec: corev1.PodSpec{ServiceAccountName: "default"}}
	g.secrets["ns/s"] = &corev1.Secret{ObjectMeta: meta("ns", "s", "s-uid")}
	g.nodes["n"] = &corev1.Node{ObjectMeta: meta("", "n", "n-uid")}
	return g
}

func newTestSigner(t *testing.T) *Signer {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSigner(testIssuer, key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const testIssuer = "https://kubernetes.default.svc.cluster.local"

var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func typesUID(s string) types.UID { return types.UID(s) }
