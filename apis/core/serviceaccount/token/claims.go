package token

import (
	"time"

	"github.com/golang-jwt/jwt/v5"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apiserver/pkg/authentication/serviceaccount"
)

const (
	// WarnOnlyBoundTokenExpirationSeconds is the expiry the ServiceAccount admission plugin puts
	// on projected tokens (an hour and 7 s); such pod-bound tokens for the apiserver's audiences
	// are extended (see Config.ExtendExpiration) and only warned about after this time.
	WarnOnlyBoundTokenExpirationSeconds = 60*60 + 7
	// ExpirationExtensionSeconds is how long extended tokens live: a year.
	ExpirationExtensionSeconds = 24 * 365 * 60 * 60
	// leeway is the clock skew tolerated on exp, nbf and iat, and how long after their deletion
	// bound objects still count (go-jose's jwt.DefaultLeeway, which upstream uses).
	leeway = time.Minute
)

// Claims are the claims of a service-account token. Fields are in the order upstream's
// tokens print them (go-jose sorts the merged claims by key).
type Claims struct {
	Audience   jwt.ClaimStrings `json:"aud,omitempty"`
	Expiry     *jwt.NumericDate `json:"exp,omitempty"`
	IssuedAt   *jwt.NumericDate `json:"iat,omitempty"`
	Issuer     string           `json:"iss,omitempty"`
	ID         string           `json:"jti,omitempty"`
	Kubernetes Kubernetes       `json:"kubernetes.io"`
	NotBefore  *jwt.NumericDate `json:"nbf,omitempty"`
	Subject    string           `json:"sub,omitempty"`
}

// Kubernetes are the private claims under "kubernetes.io".
type Kubernetes struct {
	Namespace      string `json:"namespace,omitempty"`
	Node           *Ref   `json:"node,omitempty"`
	Pod            *Ref   `json:"pod,omitempty"`
	Secret         *Ref   `json:"secret,omitempty"`
	ServiceAccount Ref    `json:"serviceaccount"`
	// WarnAfter is set on extended tokens: the expiry that was asked for.
	WarnAfter *jwt.NumericDate `json:"warnafter,omitempty"`
}

// Ref names an object a token is bound to.
type Ref struct {
	Name string `json:"name,omitempty"`
	UID  string `json:"uid,omitempty"`
}

// Bound is what a token is bound to besides its ServiceAccount: a Pod (with its Node when
// scheduled), a Secret or a Node. A Node without a UID is a pod's node that does not exist.
type Bound struct {
	Pod    *corev1.Pod
	Secret *corev1.Secret
	Node   *corev1.Node
}

// NewClaims returns the claims of a token for sa, valid from now for expirationSeconds, with
// warnAfterSeconds (when not 0) marking an extended token; jti is its unique id. The issuer
// is filled in by the Signer.
func NewClaims(sa *corev1.ServiceAccount, bound Bound, now time.Time, expirationSeconds, warnAfterSeconds int64, audiences []string, jti string) *Claims {
	c := &Claims{
		Audience:  audiences,
		Expiry:    jwt.NewNumericDate(now.Add(time.Duration(expirationSeconds) * time.Second)),
		IssuedAt:  jwt.NewNumericDate(now),
		ID:        jti,
		NotBefore: jwt.NewNumericDate(now),
		Subject:   serviceaccount.MakeUsername(sa.Namespace, sa.Name),
		Kubernetes: Kubernetes{
			Namespace:      sa.Namespace,
			ServiceAccount: Ref{Name: sa.Name, UID: string(sa.UID)},
		},
	}
	switch {
	case bound.Pod != nil:
		c.Kubernetes.Pod = &Ref{Name: bound.Pod.Name, UID: string(bound.Pod.UID)}
		if bound.Node != nil {
			c.Kubernetes.Node = &Ref{Name: bound.Node.Name, UID: string(bound.Node.UID)}
		}
	case bound.Secret != nil:
		c.Kubernetes.Secret = &Ref{Name: bound.Secret.Name, UID: string(bound.Secret.UID)}
	case bound.Node != nil:
		c.Kubernetes.Node = &Ref{Name: bound.Node.Name, UID: string(bound.Node.UID)}
	}
	if warnAfterSeconds != 0 {
		c.Kubernetes.WarnAfter = jwt.NewNumericDate(now.Add(time.Duration(warnAfterSeconds) * time.Second))
	}
	return c
}

// The jwt.Claims methods, for golang-jwt's parser (which does not validate them: see validate).

func (c *Claims) GetExpirationTime() (*jwt.NumericDate, error) { return c.Expiry, nil }
func (c *Claims) GetIssuedAt() (*jwt.NumericDate, error)       { return c.IssuedAt, nil }
func (c *Claims) GetNotBefore() (*jwt.NumericDate, error)      { return c.NotBefore, nil }
func (c *Claims) GetIssuer() (string, error)                   { return c.Issuer, nil }
func (c *Claims) GetSubject() (string, error)                  { return c.Subject, nil }
func (c *Claims) GetAudience() (jwt.ClaimStrings, error)       { return c.Audience, nil }
