package token

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/url"
	"slices"

	"k8s.io/klog/v2"
)

const (
	// OpenIDConfigPath serves the issuer's OIDC discovery document.
	OpenIDConfigPath = "/.well-known/openid-configuration"
	// JWKSPath serves the keys that verify the issuer's tokens.
	JWKSPath = "/openid/v1/jwks"
	// discoveryMaxAge is how long clients may cache both documents, as upstream's static keys.
	discoveryMaxAge = 3600
)

// Discovery serves the service-account issuer discovery documents, as kube-apiserver does,
// so that other parties can verify the cluster's tokens.
type Discovery struct {
	configJSON, keysetJSON []byte
}

type openIDMetadata struct {
	Issuer        string   `json:"issuer"`
	JWKSURI       string   `json:"jwks_uri"`
	ResponseTypes []string `json:"response_types_supported"`
	SubjectTypes  []string `json:"subject_types_supported"`
	SigningAlgs   []string `json:"id_token_signing_alg_values_supported"`
}

// jwk is a public JSON Web Key, its fields in go-jose's order.
type jwk struct {
	Use string `json:"use,omitempty"`
	Kty string `json:"kty,omitempty"`
	Kid string `json:"kid,omitempty"`
	Crv string `json:"crv,omitempty"`
	Alg string `json:"alg,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
	N   string `json:"n,omitempty"`
	E   string `json:"e,omitempty"`
}

// NewDiscovery returns the documents of issuer (an https URL without query or fragment) with
// keys published at jwksURI.
func NewDiscovery(issuer, jwksURI string, keys []PublicKey) (*Discovery, error) {
	iss, err := url.Parse(issuer)
	switch {
	case err != nil:
		return nil, err
	case iss.Scheme != "https":
		return nil, fmt.Errorf("issuer URL must use https scheme, got: %s", issuer)
	case iss.RawQuery != "":
		return nil, fmt.Errorf("issuer URL may not include a query, got: %s", issuer)
	case iss.Fragment != "":
		return nil, fmt.Errorf("issuer URL may not include a fragment, got: %s", issuer)
	case len(keys) == 0:
		return nil, fmt.Errorf("no keys provided for validating keyset")
	}
	set := struct {
		Keys []jwk `json:"keys"`
	}{}
	var algs []string
	for i, k := range keys {
		j, err := publicJWK(k)
		if err != nil {
			return nil, fmt.Errorf("error constructing JWK for key #%d: %w", i, err)
		}
		set.Keys = append(set.Keys, j)
		if !slices.Contains(algs, k.Algorithm) {
			algs = append(algs, k.Algorithm)
		}
	}
	slices.Sort(algs)
	d := &Discovery{}
	if d.keysetJSON, err = json.Marshal(set); err != nil {
		return nil, err
	}
	d.configJSON, err = json.Marshal(openIDMetadata{
		Issuer:        issuer,
		JWKSURI:       jwksURI,
		ResponseTypes: []string{"id_token"},
		SubjectTypes:  []string{"public"},
		SigningAlgs:   algs,
	})
	return d, err
}

func publicJWK(k PublicKey) (jwk, error) {
	b64 := base64.RawURLEncoding.EncodeToString
	j := jwk{Use: "sig", Kid: k.KeyID, Alg: k.Algorithm}
	switch key := k.Key.(type) {
	case *ecdsa.PublicKey:
		size := (key.Curve.Params().BitSize + 7) / 8
		j.Kty, j.Crv = "EC", key.Curve.Params().Name
		j.X, j.Y = b64(key.X.FillBytes(make([]byte, size))), b64(key.Y.FillBytes(make([]byte, size)))
	case *rsa.PublicKey:
		j.Kty = "RSA"
		j.N, j.E = b64(key.N.Bytes()), b64(big.NewInt(int64(key.E)).Bytes())
	default:
		return jwk{}, fmt.Errorf("unknown public key type %T", k.Key)
	}
	return j, nil
}

// Handles tells whether path is one of the discovery documents.
func (d *Discovery) Handles(path string) bool {
	return path == OpenIDConfigPath || path == JWKSPath
}

// ServeHTTP serves the document at the request's path.
func (d *Discovery) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodGet && req.Method != http.MethodHead {
		w.Header().Set("Allow", http.MethodGet)
		http.Error(w, "405: Method Not Allowed", http.StatusMethodNotAllowed)
		return
	}
	body, contentType := d.configJSON, "application/json"
	if req.URL.Path == JWKSPath {
		body, contentType = d.keysetJSON, "application/jwk-set+json"
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", discoveryMaxAge))
	if _, err := w.Write(body); err != nil {
		klog.FromContext(req.Context()).Error(err, "Failed to write service account issuer discovery response", "path", req.URL.Path)
	}
}
