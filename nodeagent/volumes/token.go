package volumes

import (
	"context"
	"fmt"
	"sync"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
)

// maxTokenTTL is how long the kubelet uses a token at most before asking for a new one.
const maxTokenTTL = 24 * time.Hour

// tokens caches service account tokens from the TokenRequest API per service account,
// audience, expiry and bound pod, and asks for a new one once 80% of a token's lifetime
// has passed or it is older than 24 hours, as the kubelet's token manager does.
type tokens struct {
	client kubernetes.Interface
	clock  clock.Clock

	mu    sync.Mutex
	cache map[string]*authenticationv1.TokenRequest
}

func newTokens(client kubernetes.Interface, clk clock.Clock) *tokens {
	return &tokens{client: client, clock: clk, cache: map[string]*authenticationv1.TokenRequest{}}
}

// get returns a current token for service account ns/name as tr asks for it.
func (t *tokens) get(ctx context.Context, ns, name string, tr *authenticationv1.TokenRequest) (*authenticationv1.TokenRequest, error) {
	key := tokenKey(ns, name, tr)
	t.mu.Lock()
	cached, ok := t.cache[key]
	t.mu.Unlock()
	if ok && !t.needsRefresh(cached) {
		return cached, nil
	}
	fresh, err := t.client.CoreV1().ServiceAccounts(ns).CreateToken(ctx, name, tr, metav1.CreateOptions{})
	if err != nil {
		switch {
		case !ok:
			return nil, fmt.Errorf("failed to fetch token: %w", err)
		case t.clock.Now().After(cached.Status.ExpirationTimestamp.Time):
			return nil, fmt.Errorf("token %s expired and refresh failed: %w", key, err)
		}
		klog.FromContext(ctx).Error(err, "Couldn't update token", "cacheKey", key)
		return cached, nil
	}
	t.mu.Lock()
	t.cache[key] = fresh
	t.dropExpiredLocked()
	t.mu.Unlock()
	return fresh, nil
}

func (t *tokens) needsRefresh(tr *authenticationv1.TokenRequest) bool {
	if tr.Spec.ExpirationSeconds == nil {
		return false
	}
	now := t.clock.Now()
	ttl := time.Duration(*tr.Spec.ExpirationSeconds) * time.Second
	exp := tr.Status.ExpirationTimestamp.Time
	issued := exp.Add(-ttl)
	return now.After(issued.Add(maxTokenTTL)) || now.After(exp.Add(-ttl/5))
}

func (t *tokens) dropExpiredLocked() {
	now := t.clock.Now()
	for k, tr := range t.cache {
		if now.After(tr.Status.ExpirationTimestamp.Time) {
			delete(t.cache, k)
		}
	}
}

// forget drops the tokens bound to pod uid.
func (t *tokens) forget(uid types.UID) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for k, tr := range t.cache {
		if tr.Spec.BoundObjectRef != nil && tr.Spec.BoundObjectRef.UID == uid {
			delete(t.cache, k)
		}
	}
}

func tokenKey(ns, name string, tr *authenticationv1.TokenRequest) string {
	var exp int64
	if tr.Spec.ExpirationSeconds != nil {
		exp = *tr.Spec.ExpirationSeconds
	}
	var ref authenticationv1.BoundObjectReference
	if tr.Spec.BoundObjectRef != nil {
		ref = *tr.Spec.BoundObjectRef
	}
	return fmt.Sprintf("%q/%q/%q/%d/%s/%s/%s", name, ns, tr.Spec.Audiences, exp, ref.Kind, ref.Name, ref.UID)
}
