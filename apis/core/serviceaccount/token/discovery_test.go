package token

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestDiscovery(t *testing.T) {
	ec := newTestSigner(t).public
	d, err := NewDiscovery(testIssuer, "https://127.0.0.1:6443/openid/v1/jwks", []PublicKey{ec})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, method, contentType string
		code                      int
	}{
		{OpenIDConfigPath, http.MethodGet, "application/json", http.StatusOK},
		{JWKSPath, http.MethodGet, "application/jwk-set+json", http.StatusOK},
		{JWKSPath, http.MethodPost, "", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		d.ServeHTTP(w, httptest.NewRequest(tt.method, tt.path, nil))
		if w.Code != tt.code {
			t.Fatalf("%s %s: %d", tt.method, tt.path, w.Code)
		}
		if tt.code != http.StatusOK {
			continue
		}
		if w.Header().Get("Content-Type") != tt.contentType || w.Header().Get("Cache-Control") != "public, max-age=3600" {
			t.Errorf("%s headers %v", tt.path, w.Header())
		}
		if tt.path == OpenIDConfigPath {
			want := `{"issuer":"https://kubernetes.default.svc.cluster.local","jwks_uri":"https://127.0.0.1:6443/openid/v1/jwks","response_types_supported":["id_token"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["ES256"]}`
			if w.Body.String() != want {
				t.Errorf("config\n got %s\nwant %s", w.Body, want)
			}
			continue
		}
		var set struct{ Keys []map[string]string }
		if err := json.Unmarshal(w.Body.Bytes(), &set); err != nil || len(set.Keys) != 1 {
			t.Fatalf("keyset %s: %v", w.Body, err)
		}
		k := set.Keys[0]
		if k["use"] != "sig" || k["kty"] != "EC" || k["kid"] != ec.KeyID || k["crv"] != "P-256" || k["alg"] != "ES256" {
			t.Errorf("key %v", k)
		}
		// The published coordinates are the key's.
		x, _ := base64.RawURLEncoding.DecodeString(k["x"])
		y, _ := base64.RawURLEncoding.DecodeString(k["y"])
		pub := ec.Key.(*ecdsa.PublicKey)
		if new(big.Int).SetBytes(x).Cmp(pub.X) != 0 || new(big.Int).SetBytes(y).Cmp(pub.Y) != 0 || len(x) != 32 {
			t.Errorf("coordinates do not match the key")
		}
	}
	if !d.Handles(JWKSPath) || d.Handles("/openid/v1/jwks/x") {
		t.Error("Handles")
	}
}

func TestDiscoveryRSAKey(t *testing.T) {
	key, err := NewPublicKey(&rsa.PublicKey{N: big.NewInt(0).Lsh(big.NewInt(1), 2047), E: 65537})
	if err != nil {
		t.Fatal(err)
	}
	j, err := publicJWK(key)
	if err != nil || j.Kty != "RSA" || j.E != "AQAB" || j.Alg != "RS256" || j.Crv != "" {
		t.Fatalf("%+v %v", j, err)
	}
}

func TestDiscoveryIssuer(t *testing.T) {
	k := newTestSigner(t).public
	for _, iss := range []string{"kubernetes/serviceaccount", "http://x", "https://x?a=b", "https://x#f"} {
		if _, err := NewDiscovery(iss, "https://x/openid/v1/jwks", []PublicKey{k}); err == nil {
			t.Errorf("%s accepted", iss)
		}
	}
	if _, err := NewDiscovery(testIssuer, "https://x/openid/v1/jwks", nil); err == nil {
		t.Error("no keys accepted")
	}
}
