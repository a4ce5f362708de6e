package token

import (
	"context"
	"errors"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/audit"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/serviceaccount"
	tokenjwt "k8s.io/apiserver/pkg/authentication/token/jwt"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
)

// Authenticator authenticates bearer tokens signed with one of its keys by one of its issuers,
// as kube-apiserver's service-account token authenticator does: the token must be for one of
// the request's audiences, unexpired, and its ServiceAccount and bound Pod, Secret or Node must
// still exist with the UIDs the token names.
type Authenticator struct {
	issuers map[string]bool
	keys    []PublicKey
	// implicitAuds are the apiserver's audiences: those of tokens without "aud" (legacy
	// tokens) and of requests that name none.
	implicitAuds authenticator.Audiences
	getter       Getter
	clock        clock.PassiveClock
}

var _ authenticator.Token = &Authenticator{}

// NewAuthenticator returns an authenticator of the tokens of issuers signed with keys.
func NewAuthenticator(issuers []string, keys []PublicKey, implicitAuds authenticator.Audiences, getter Getter, clk clock.PassiveClock) *Authenticator {
	a := &Authenticator{issuers: map[string]bool{}, keys: keys, implicitAuds: implicitAuds, getter: getter, clock: clk}
	for _, iss := range issuers {
		a.issuers[iss] = true
	}
	return a
}

// AuthenticateToken answers false without an error for tokens that are not its issuers' JWTs,
// so that other authenticators may try them.
func (a *Authenticator) AuthenticateToken(ctx context.Context, token string) (*authenticator.Response, bool, error) {
	if !a.issuers[peekIssuer(token)] {
		return nil, false, nil
	}
	claims, err := verify(token, a.keys)
	if errors.Is(err, errNotJWS) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	if !a.issuers[claims.Issuer] {
		return nil, false, fmt.Errorf("token issuer %q is invalid", claims.Issuer)
	}
	tokenAuds := authenticator.Audiences(claims.Audience)
	if len(tokenAuds) == 0 {
		audit.AddAuditAnnotation(ctx, "authentication.k8s.io/legacy-token", claims.Subject)
		tokenAuds = a.implicitAuds
	}
	requested, ok := authenticator.AudiencesFrom(ctx)
	if !ok {
		requested = a.implicitAuds
	}
	auds := tokenAuds.Intersect(requested)
	if len(auds) == 0 && len(a.implicitAuds) != 0 {
		return nil, false, fmt.Errorf("token audiences %q is invalid for the target audiences %q", tokenAuds, requested)
	}
	info, err := a.validate(ctx, claims)
	if err != nil {
		return nil, false, err
	}
	return &authenticator.Response{User: info.UserInfo(), Audiences: auds}, true, nil
}

// validateTime checks nbf, exp and iat with a minute of leeway, in go-jose's order and with
// upstream's messages.
func validateTime(c *Claims, now time.Time) error {
	switch {
	case c.NotBefore != nil && now.Add(leeway).Before(c.NotBefore.Time):
		return errors.New("service account token is not valid yet")
	case c.Expiry != nil && now.Add(-leeway).After(c.Expiry.Time):
		return errors.New("service account token has expired")
	case c.IssuedAt != nil && now.Add(leeway).Before(c.IssuedAt.Time):
		return errors.New("service account token is issued in the future")
	}
	return nil
}

// deletedBefore tells whether an object was deleted before the cutoff.
func deletedBefore(ts *metav1.Time, cutoff time.Time) bool {
	return ts != nil && ts.Time.Before(cutoff)
}

var errInvalidated = errors.New("service account token has been invalidated")

// validate checks the token's times and that what it names still exists.
func (a *Authenticator) validate(ctx context.Context, c *Claims) (*serviceaccount.ServiceAccountInfo, error) {
	now := a.clock.Now()
	if err := validateTime(c, now); err != nil {
		return nil, err
	}
	logger := klog.FromContext(ctx)
	// Objects deleted up to a leeway ago still count.
	cutoff := now.Add(-leeway)
	k := c.Kubernetes
	ns, saRef := k.Namespace, k.ServiceAccount
	sa, err := a.getter.GetServiceAccount(ctx, ns, saRef.Name)
	if err != nil {
		logger.V(4).Info("Could not retrieve service account", "serviceAccount", klog.KRef(ns, saRef.Name), "err", err)
		return nil, err
	}
	if string(sa.UID) != saRef.UID {
		return nil, fmt.Errorf("service account UID (%s) does not match claim (%s)", sa.UID, saRef.UID)
	}
	if deletedBefore(sa.DeletionTimestamp, cutoff) {
		return nil, fmt.Errorf("service account %s/%s has been deleted", ns, saRef.Name)
	}
	info := &serviceaccount.ServiceAccountInfo{Namespace: ns, Name: saRef.Name, UID: saRef.UID, CredentialID: tokenjwt.CredentialIDForJTI(c.ID)}

	if ref := k.Secret; ref != nil {
		secret, err := a.getter.GetSecret(ctx, ns, ref.Name)
		if err != nil {
			logger.V(4).Info("Could not retrieve bound secret", "secret", klog.KRef(ns, ref.Name), "err", err)
			return nil, errInvalidated
		}
		if string(secret.UID) != ref.UID {
			return nil, fmt.Errorf("secret UID (%s) does not match service account secret ref claim (%s)", secret.UID, ref.UID)
		}
		if deletedBefore(secret.DeletionTimestamp, cutoff) {
			return nil, errInvalidated
		}
	}
	if ref := k.Pod; ref != nil {
		pod, err := a.getter.GetPod(ctx, ns, ref.Name)
		if err != nil {
			logger.V(4).Info("Could not retrieve bound pod", "pod", klog.KRef(ns, ref.Name), "err", err)
			return nil, errInvalidated
		}
		if string(pod.UID) != ref.UID {
			return nil, fmt.Errorf("pod UID (%s) does not match service account pod ref claim (%s)", pod.UID, ref.UID)
		}
		if deletedBefore(pod.DeletionTimestamp, cutoff) {
			return nil, errInvalidated
		}
		info.PodName, info.PodUID = ref.Name, ref.UID
	}
	if ref := k.Node; ref != nil {
		// A pod-bound token only carries its pod's node; a node-bound one needs the node.
		if k.Pod == nil {
			node, err := a.getter.GetNode(ctx, ref.Name, false)
			if err != nil {
				logger.V(4).Info("Could not retrieve node object", "node", ref.Name, "err", err)
				return nil, errInvalidated
			}
			if string(node.UID) != ref.UID {
				return nil, fmt.Errorf("node UID (%s) does not match service account node ref claim (%s)", node.UID, ref.UID)
			}
			if deletedBefore(node.DeletionTimestamp, cutoff) {
				return nil, errInvalidated
			}
		}
		info.NodeName, info.NodeUID = ref.Name, ref.UID
	}
	if w := k.WarnAfter; w != nil && now.After(w.Time) {
		audit.AddAuditAnnotation(ctx, "authentication.k8s.io/stale-token",
			fmt.Sprintf("subject: %s, seconds after warning threshold: %d", c.Subject, now.Unix()-w.Unix()))
	}
	return info, nil
}
