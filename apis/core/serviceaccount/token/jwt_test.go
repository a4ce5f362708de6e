package token

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
)

func TestSignAndVerify(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	other := newTestSigner(t)
	sa := fixture().serviceAccounts["ns/sa"]
	for _, tc := range []struct {
		name string
		key  crypto.Signer
		alg  string
	}{{"ecdsa", ec, "ES384"}, {"rsa", rsaKey, "RS256"}} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSigner(testIssuer, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			signed, err := s.Sign(NewClaims(sa, Bound{}, testNow, 3600, 0, []string{"api"}, "id"))
			if err != nil {
				t.Fatal(err)
			}
			header, _ := base64.RawURLEncoding.DecodeString(strings.Split(signed, ".")[0])
			if want := `{"alg":"` + tc.alg + `","kid":"` + s.public.KeyID + `"}`; string(header) != want {
				t.Errorf("header %s, want %s", header, want)
			}
			if got := peekIssuer(signed); got != testIssuer {
				t.Errorf("issuer %q", got)
			}
			claims, err := verify(signed, []PublicKey{other.public, s.public})
			if err != nil {
				t.Fatal(err)
			}
			if claims.Issuer != testIssuer || claims.Kubernetes.ServiceAccount.UID != "sa-uid" || claims.Audience[0] != "api" {
				t.Errorf("claims %+v", claims)
			}
			if _, err := verify(signed, []PublicKey{other.public}); err == nil || !strings.Contains(err.Error(), "no keys found") {
				t.Errorf("verified with an unknown kid: %v", err)
			}
			// The same key id on another key: a forged signature.
			forged := other.public
			forged.KeyID = s.public.KeyID
			if _, err := verify(signed, []PublicKey{forged}); err == nil {
				t.Error("verified with the wrong key")
			}
			parts := strings.Split(signed, ".")
			parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"iss":"` + testIssuer + `","sub":"system:serviceaccount:ns:admin"}`))
			if _, err := verify(strings.Join(parts, "."), []PublicKey{s.public}); err == nil {
				t.Error("verified a changed payload")
			}
		})
	}
}

func TestVerifyNotJWS(t *testing.T) {
	for _, token := range []string{"abc", "a.b.c", "{}.{}.{}"} {
		if _, err := verify(token, []PublicKey{newTestSigner(t).public}); !errors.Is(err, errNotJWS) {
			t.Errorf("%q: %v", token, err)
		}
	}
}

func TestPeekIssuer(t *testing.T) {
	enc := base64.RawURLEncoding.EncodeToString
	for token, want := range map[string]string{
		"x." + enc([]byte(`{"iss":"me"}`)) + ".y": "me",
		"x." + enc([]byte(`{"sub":"me"}`)) + ".y": "",
		"x." + enc([]byte(`{"iss":"me"}`)):        "",
		"x.!!!.y":                                 "",
		`{"iss":"me"}`:                            "",
	} {
		if got := peekIssuer(token); got != want {
			t.Errorf("peekIssuer(%q) = %q, want %q", token, got, want)
		}
	}
}

func TestNewPublicKeyID(t *testing.T) {
	s := newTestSigner(t)
	again, err := NewPublicKey(s.key.Public())
	if err != nil || again.KeyID != s.public.KeyID || len(again.KeyID) != 43 || again.Algorithm != "ES256" {
		t.Fatalf("key id %q (%v), alg %s", again.KeyID, err, again.Algorithm)
	}
	if _, err := NewPublicKey("not a key"); err == nil {
		t.Error("accepted a string")
	}
}
