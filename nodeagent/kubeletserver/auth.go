package kubeletserver

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authentication/authenticatorfactory"
	"k8s.io/apiserver/pkg/authentication/user"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/apiserver/pkg/authorization/authorizerfactory"
	"k8s.io/apiserver/pkg/server/dynamiccertificates"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
)

// delegatingAuth authenticates client certificates of clientCAFile and bearer tokens by
// TokenReview, and authorizes by SubjectAccessReview, caching answers as the kubelet's defaults
// do (tokens 2m, allow 5m, deny 30s). Anonymous requests are refused.
func delegatingAuth(client kubernetes.Interface, clientCAFile string) (authenticator.Request, authorizer.Authorizer, error) {
	authnConfig := authenticatorfactory.DelegatingAuthenticatorConfig{
		TokenAccessReviewClient:  client.AuthenticationV1(),
		TokenAccessReviewTimeout: 10 * time.Second,
		CacheTTL:                 2 * time.Minute,
		WebhookRetryBackoff:      webhookBackoff(),
	}
	if clientCAFile != "" {
		ca, err := dynamiccertificates.NewDynamicCAContentFromFile("client-ca-bundle", clientCAFile)
		if err != nil {
			return nil, nil, fmt.Errorf("client CA: %w", err)
		}
		authnConfig.ClientCertificateCAContentProvider = ca
	}
	authn, _, err := authnConfig.New()
	if err != nil {
		return nil, nil, fmt.Errorf("kubelet authentication: %w", err)
	}
	authz, err := authorizerfactory.DelegatingAuthorizerConfig{
		SubjectAccessReviewClient: client.AuthorizationV1(),
		AllowCacheTTL:             5 * time.Minute,
		DenyCacheTTL:              30 * time.Second,
		WebhookRetryBackoff:       webhookBackoff(),
	}.New()
	if err != nil {
		return nil, nil, fmt.Errorf("kubelet authorization: %w", err)
	}
	return authn, authz, nil
}

// authorize answers 401/403/500 as the kubelet does and reports whether the request may go on.
func (s *Server) authorize(w http.ResponseWriter, req *http.Request) bool {
	logger := klog.FromContext(req.Context())
	resp, ok, err := s.authn.AuthenticateRequest(req)
	if err != nil {
		logger.Error(err, "Unable to authenticate the request due to an error")
	}
	if err != nil || !ok {
		writeError(w, "Unauthorized", http.StatusUnauthorized)
		return false
	}
	attrs := requestAttributes(resp.User, req, s.cfg.NodeName)
	var subresources []string
	for _, attr := range attrs {
		subresources = append(subresources, attr.GetSubresource())
		decision, _, err := s.authz.Authorize(req.Context(), attr)
		if err != nil {
			logger.Error(err, "Authorization error", "user", attr.GetUser().GetName(), "verb", attr.GetVerb(), "subresource", attr.GetSubresource())
			writeError(w, fmt.Sprintf("Authorization error (user=%s, verb=%s, resource=%s, subresource=%s)",
				attr.GetUser().GetName(), attr.GetVerb(), attr.GetResource(), attr.GetSubresource()), http.StatusInternalServerError)
			return false
		}
		if decision == authorizer.DecisionAllow {
			return true
		}
	}
	logger.V(2).Info("Forbidden", "user", resp.User.GetName(), "verb", attrs[0].GetVerb(), "subresources", subresources)
	writeError(w, fmt.Sprintf("Forbidden (user=%s, verb=%s, resource=%s, subresource(s)=%v)\n",
		resp.User.GetName(), attrs[0].GetVerb(), attrs[0].GetResource(), subresources), http.StatusForbidden)
	return false
}

// requestAttributes are upstream's: nodes/<subresource> of this node, the verb from the HTTP
// method. /pods and /healthz are checked as their fine-grained subresource first, then as proxy.
func requestAttributes(u user.Info, req *http.Request, nodeName string) []authorizer.Attributes {
	verb := map[string]string{"POST": "create", "GET": "get", "PUT": "update", "PATCH": "patch", "DELETE": "delete"}[req.Method]
	path := req.URL.Path
	var subresources []string
	switch {
	case isSubpath(path, "/pods"), isSubpath(path, "/runningpods"):
		subresources = append(subresources, "pods")
	case isSubpath(path, "/healthz"):
		subresources = append(subresources, "healthz")
	}
	switch {
	case isSubpath(path, "/stats"):
		subresources = append(subresources, "stats")
	case isSubpath(path, "/metrics"):
		subresources = append(subresources, "metrics")
	case isSubpath(path, "/logs"):
		subresources = append(subresources, "log")
	default:
		subresources = append(subresources, "proxy")
	}
	attrs := make([]authorizer.Attributes, 0, len(subresources))
	for _, sub := range subresources {
		attrs = append(attrs, authorizer.AttributesRecord{
			User: u, Verb: verb, APIVersion: "v1", Resource: "nodes", Subresource: sub,
			Name: nodeName, ResourceRequest: true, Path: path,
		})
	}
	return attrs
}

// isSubpath reports whether path is prefix or below it.
func isSubpath(path, prefix string) bool {
	prefix = strings.TrimSuffix(prefix, "/")
	return path == prefix || strings.HasPrefix(path, prefix+"/")
}

// webhookBackoff is the apiserver options' default retry backoff for delegated reviews.
func webhookBackoff() *wait.Backoff {
	return &wait.Backoff{Duration: 500 * time.Millisecond, Factor: 1.5, Jitter: 0.2, Steps: 5}
}
