package server

import (
	"crypto"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/request/bearertoken"
	"k8s.io/apiserver/pkg/authentication/request/union"
	"k8s.io/apiserver/pkg/authentication/request/websocket"
	tokencache "k8s.io/apiserver/pkg/authentication/token/cache"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/util/keyutil"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/skiff-sh/skiff/apis/core/serviceaccount/token"
)

const (
	// serviceAccountIssuer is the "iss" of service-account tokens and the apiserver's audience,
	// kubeadm's --service-account-issuer.
	serviceAccountIssuer = "https://kubernetes.default.svc.cluster.local"
	// tokenSuccessCacheTTL is how long a successful token authentication is reused
	// (kube-apiserver's default; failures are not cached).
	tokenSuccessCacheTTL = 10 * time.Second
)

// serviceAccountTokens sets up service-account tokens with the cluster's key pair (sa.key signs,
// sa.pub verifies): the serviceaccounts/token subresource, the OIDC issuer discovery documents,
// and the returned authenticator of bearer tokens (in the Authorization header or a websocket
// protocol), as kube-apiserver configures them by default.
func (c *Config) serviceAccountTokens(pki PKI, client kubernetes.Interface, audiences []string) (authenticator.Request, error) {
	private, err := keyutil.PrivateKeyFromFile(pki.ServiceAccountKey())
	if err != nil {
		return nil, fmt.Errorf("reading the service-account key: %w", err)
	}
	key, ok := private.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("service-account key %s cannot sign", pki.ServiceAccountKey())
	}
	signer, err := token.NewSigner(serviceAccountIssuer, key)
	if err != nil {
		return nil, fmt.Errorf("service-account key %s: %w", pki.ServiceAccountKey(), err)
	}
	publics, err := keyutil.PublicKeysFromFile(pki.ServiceAccountPublicKey())
	if err != nil {
		return nil, fmt.Errorf("reading the service-account public key: %w", err)
	}
	keys := make([]token.PublicKey, 0, len(publics))
	for _, p := range publics {
		k, err := token.NewPublicKey(p)
		if err != nil {
			return nil, fmt.Errorf("service-account public key %s: %w", pki.ServiceAccountPublicKey(), err)
		}
		keys = append(keys, k)
	}

	// The subresource reads live, as upstream reads its stores; the authenticator reads the
	// informers' caches first, falling back to live reads.
	token.Configure(token.Config{
		Signer:                signer,
		Audiences:             audiences,
		Getter:                &token.ClientGetter{Client: client},
		ExtendExpiration:      true,
		MaxExtendedExpiration: token.ExpirationExtensionSeconds * time.Second,
	})
	getter := token.NewCachedGetter(client, c.Generic.SharedInformerFactory)
	tokens := tokencache.New(token.NewAuthenticator([]string{serviceAccountIssuer}, keys, audiences, getter, clock.RealClock{}), true, tokenSuccessCacheTTL, 0)
	c.serveIssuerDiscovery(keys)
	return union.New(bearertoken.New(tokens), websocket.NewProtocolAuthenticator(tokens)), nil
}

// serveIssuerDiscovery serves /.well-known/openid-configuration and /openid/v1/jwks behind
// authentication and authorization, as kube-apiserver does; jwks_uri points at the server's
// external address.
func (c *Config) serveIssuerDiscovery(keys []token.PublicKey) {
	next := c.Generic.BuildHandlerChainFunc
	c.Generic.BuildHandlerChainFunc = func(apiHandler http.Handler, conf *genericapiserver.Config) http.Handler {
		jwksURI := (&url.URL{Scheme: "https", Host: conf.ExternalAddress, Path: token.JWKSPath}).String()
		discovery, err := token.NewDiscovery(serviceAccountIssuer, jwksURI, keys)
		if err != nil {
			klog.ErrorS(err, "Not serving service account issuer discovery")
			return next(apiHandler, conf)
		}
		return next(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			if discovery.Handles(req.URL.Path) {
				discovery.ServeHTTP(w, req)
				return
			}
			apiHandler.ServeHTTP(w, req)
		}), conf)
	}
}
