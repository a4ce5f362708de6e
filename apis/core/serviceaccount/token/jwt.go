package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/golang-jwt/jwt/v5"
	utilerrors "k8s.io/apimachinery/pkg/util/errors"
)

// PublicKey is a key that verifies tokens, with its key id (the "kid" header of the tokens it
// signed) and JWS algorithm.
type PublicKey struct {
	KeyID     string
	Algorithm string
	Key       crypto.PublicKey
}

// NewPublicKey derives the key id and algorithm of an RSA or ECDSA public key as upstream
// does: the id is the unpadded base64url SHA-256 of the key's PKIX DER.
func NewPublicKey(key crypto.PublicKey) (PublicKey, error) {
	alg, err := algorithm(key)
	if err != nil {
		return PublicKey{}, err
	}
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return PublicKey{}, fmt.Errorf("failed to serialize public key to DER format: %w", err)
	}
	sum := sha256.Sum256(der)
	return PublicKey{KeyID: base64.RawURLEncoding.EncodeToString(sum[:]), Algorithm: alg, Key: key}, nil
}

func algorithm(key crypto.PublicKey) (string, error) {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return "RS256", nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return "ES256", nil
		case elliptic.P384():
			return "ES384", nil
		case elliptic.P521():
			return "ES512", nil
		}
		return "", errors.New("unknown private key curve, must be 256, 384, or 521")
	}
	return "", fmt.Errorf("unknown public key type %T, must be *rsa.PublicKey or *ecdsa.PublicKey", key)
}

// Signer signs tokens with the issuer's private key.
type Signer struct {
	issuer string
	key    crypto.Signer
	public PublicKey
	method jwt.SigningMethod
}

// NewSigner returns a signer for issuer with an *rsa.PrivateKey or *ecdsa.PrivateKey.
func NewSigner(issuer string, key crypto.Signer) (*Signer, error) {
	switch key.(type) {
	case *rsa.PrivateKey, *ecdsa.PrivateKey:
	default:
		return nil, fmt.Errorf("unknown private key type %T, must be *rsa.PrivateKey or *ecdsa.PrivateKey", key)
	}
	public, err := NewPublicKey(key.Public())
	if err != nil {
		return nil, err
	}
	return &Signer{issuer: issuer, key: key, public: public, method: jwt.GetSigningMethod(public.Algorithm)}, nil
}

// Issuer is the "iss" of the signed tokens.
func (s *Signer) Issuer() string { return s.issuer }

// Sign returns the compact JWS of claims, with the issuer set.
func (s *Signer) Sign(claims *Claims) (string, error) {
	c := *claims
	c.Issuer = s.issuer
	t := jwt.NewWithClaims(s.method, &c)
	t.Header = map[string]any{"alg": s.public.Algorithm, "kid": s.public.KeyID}
	return t.SignedString(s.key)
}

// peekIssuer returns the unverified "iss" of a compact JWS, or "" when it is none.
func peekIssuer(token string) string {
	if strings.HasPrefix(strings.TrimSpace(token), "{") {
		return ""
	}
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Issuer string `json:"iss"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return ""
	}
	return c.Issuer
}

// errNotJWS marks a token that does not parse as a signed JWT: not ours, so not an error.
var errNotJWS = errors.New("not a JWS")

// verify checks the token's signature with the keys matching its "kid" (all keys when it has
// none) and returns its claims, which it does not validate.
func verify(token string, keys []PublicKey) (*Claims, error) {
	claims := &Claims{}
	var errs []error
	parser := jwt.NewParser(jwt.WithoutClaimsValidation())
	unverified, _, err := parser.ParseUnverified(token, claims)
	if err != nil {
		return nil, errNotJWS
	}
	kid, _ := unverified.Header["kid"].(string)
	var candidates []PublicKey
	for _, k := range keys {
		if kid == "" || k.KeyID == kid {
			candidates = append(candidates, k)
		}
	}
	if len(candidates) == 0 {
		return nil, errors.New("invalid signature, no keys found")
	}
	for _, k := range candidates {
		claims = &Claims{}
		p := jwt.NewParser(jwt.WithoutClaimsValidation(), jwt.WithValidMethods([]string{k.Algorithm}))
		if _, err := p.ParseWithClaims(token, claims, func(*jwt.Token) (any, error) { return k.Key, nil }); err != nil {
			errs = append(errs, err)
			continue
		}
		return claims, nil
	}
	return nil, utilerrors.NewAggregate(errs)
}
