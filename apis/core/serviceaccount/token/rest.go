package token

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/sets"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/apiserver/pkg/audit"
	"k8s.io/apiserver/pkg/authentication/serviceaccount"
	tokenjwt "k8s.io/apiserver/pkg/authentication/token/jwt"
	genericapirequest "k8s.io/apiserver/pkg/endpoints/request"
	"k8s.io/apiserver/pkg/registry/rest"
	"k8s.io/apiserver/pkg/warning"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
)

// REST serves serviceaccounts/token: creating a TokenRequest for a ServiceAccount returns a
// signed token for it in status.token. Nothing is stored.
type REST struct {
	signer    *Signer
	getter    Getter
	audiences sets.Set[string]
	config    Config
	clock     clock.PassiveClock
	newJTI    func() string
}

var (
	_ rest.NamedCreater                   = &REST{}
	_ rest.GroupVersionKindProvider       = &REST{}
	_ rest.SubresourceObjectMetaPreserver = &REST{}
)

var tokenRequestKind = authenticationv1.SchemeGroupVersion.WithKind("TokenRequest")

// NewREST returns the subresource issuing tokens as config says.
func NewREST(config Config) *REST {
	clk := config.Clock
	if clk == nil {
		clk = clock.RealClock{}
	}
	return &REST{signer: config.Signer, getter: config.Getter, audiences: sets.New(config.Audiences...), config: config, clock: clk, newJTI: uuid.NewString}
}

// New returns an empty TokenRequest.
func (r *REST) New() runtime.Object { return &authenticationv1.TokenRequest{} }

// Destroy does nothing: there is no storage.
func (r *REST) Destroy() {}

// GroupVersionKind says the subresource speaks authentication.k8s.io/v1 TokenRequest.
func (r *REST) GroupVersionKind(schema.GroupVersion) schema.GroupVersionKind { return tokenRequestKind }

// PreserveRequestObjectMetaSystemFieldsOnSubresourceCreate keeps the request's UID, which
// must match the ServiceAccount's when given.
func (r *REST) PreserveRequestObjectMetaSystemFieldsOnSubresourceCreate() bool { return true }

// Create issues a token for the ServiceAccount name in the request's namespace.
func (r *REST) Create(ctx context.Context, name string, obj runtime.Object, createValidation rest.ValidateObjectFunc, _ *metav1.CreateOptions) (runtime.Object, error) {
	req, ok := obj.(*authenticationv1.TokenRequest)
	if !ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("not a TokenRequest: %T", obj))
	}
	namespace, ok := genericapirequest.NamespaceFrom(ctx)
	if !ok {
		return nil, apierrors.NewBadRequest("namespace is required")
	}
	if req.Name != "" && req.Name != name {
		return nil, apierrors.NewInvalid(tokenRequestKind.GroupKind(), name, field.ErrorList{
			field.Invalid(field.NewPath("metadata", "name"), req.Name, "must match the service account name if specified")})
	}
	if req.Namespace != "" && req.Namespace != namespace {
		return nil, apierrors.NewInvalid(tokenRequestKind.GroupKind(), name, field.ErrorList{
			field.Invalid(field.NewPath("metadata", "namespace"), req.Namespace, "must match the service account namespace if specified")})
	}
	sa, err := r.getter.GetServiceAccount(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	if req.UID != "" && req.UID != sa.UID {
		return nil, apierrors.NewConflict(schema.GroupResource{Group: tokenRequestKind.Group, Resource: tokenRequestKind.Kind}, name,
			fmt.Errorf("the UID in the token request (%s) does not match the UID of the service account (%s)", req.UID, sa.UID))
	}
	if len(req.Spec.Audiences) == 0 {
		req.Spec.Audiences = r.config.Audiences
	}
	if req.Spec.ExpirationSeconds == nil {
		req.Spec.ExpirationSeconds = ptr.To[int64](DefaultExpirationSeconds)
	}
	if req.Name == "" {
		req.Name = sa.Name
	}
	if req.Namespace == "" {
		req.Namespace = sa.Namespace
	}
	if req.UID == "" {
		req.UID = sa.UID
	}
	// The time is taken before the token is made, so the returned expiry is never later than exp.
	now := r.clock.Now()
	req.CreationTimestamp = metav1.NewTime(now)
	req.Status = authenticationv1.TokenRequestStatus{}

	if errs := ValidateTokenRequest(req); len(errs) != 0 {
		return nil, apierrors.NewInvalid(tokenRequestKind.GroupKind(), "", errs)
	}
	if createValidation != nil {
		if err := createValidation(ctx, req.DeepCopyObject()); err != nil {
			return nil, err
		}
	}
	bound, err := r.boundObject(ctx, namespace, name, req.Spec.BoundObjectRef)
	if err != nil {
		return nil, err
	}

	if max := int64(r.config.MaxExpiration.Seconds()); max > 0 && *req.Spec.ExpirationSeconds > max {
		warning.AddWarning(ctx, "", fmt.Sprintf("requested expiration of %d seconds shortened to %d seconds", *req.Spec.ExpirationSeconds, max))
		req.Spec.ExpirationSeconds = ptr.To(max)
	}
	exp, warnAfter := r.lifetime(*req.Spec.ExpirationSeconds, bound.Pod != nil, req.Spec.Audiences)

	claims := NewClaims(sa, bound, now, exp, warnAfter, req.Spec.Audiences, r.newJTI())
	signed, err := r.signer.Sign(claims)
	if err != nil {
		return nil, apierrors.NewInternalError(fmt.Errorf("failed to generate token: %w", err))
	}
	out := req.DeepCopy()
	out.Status = authenticationv1.TokenRequestStatus{
		Token:               signed,
		ExpirationTimestamp: metav1.NewTime(now.Add(time.Duration(*out.Spec.ExpirationSeconds) * time.Second)),
	}
	audit.AddAuditAnnotation(ctx, serviceaccount.IssuedCredentialIDAuditAnnotationKey, tokenjwt.CredentialIDForJTI(claims.ID))
	return out, nil
}

// lifetime returns the token's validity and, for an extended token, when to warn. Tokens the
// ServiceAccount admission plugin asks the kubelet for (pod-bound, 3607 s, only the apiserver's
// audiences) live a year when ExtendExpiration is on, as upstream.
func (r *REST) lifetime(seconds int64, podBound bool, audiences []string) (exp, warnAfter int64) {
	if r.config.ExtendExpiration && podBound && seconds == WarnOnlyBoundTokenExpirationSeconds && r.audiences.HasAll(audiences...) {
		return int64(r.config.MaxExtendedExpiration.Seconds()), seconds
	}
	return seconds, 0
}

// boundObject looks up what ref names and checks its UID.
func (r *REST) boundObject(ctx context.Context, namespace, saName string, ref *authenticationv1.BoundObjectReference) (Bound, error) {
	var bound Bound
	if ref == nil {
		return bound, nil
	}
	gvk := schema.FromAPIVersionAndKind(ref.APIVersion, ref.Kind)
	var uid types.UID
	switch {
	case gvk.Group == "" && gvk.Kind == "Pod":
		pod, err := r.getter.GetPod(ctx, namespace, ref.Name)
		if err != nil {
			return bound, err
		}
		if pod.Spec.ServiceAccountName != saName {
			return bound, apierrors.NewBadRequest(fmt.Sprintf("cannot bind token for serviceaccount %q to pod running with different serviceaccount name.", saName))
		}
		bound.Pod, uid = pod, pod.UID
		if nodeName := pod.Spec.NodeName; nodeName != "" {
			node, err := r.getter.GetNode(ctx, nodeName, true)
			switch {
			case apierrors.IsNotFound(err):
				// The node's name alone still tells where the pod runs.
				klog.FromContext(ctx).V(4).Info("Failed fetching node for pod", "pod", klog.KObj(pod), "podUID", pod.UID, "nodeName", nodeName, "err", err)
				node = &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: nodeName}}
			case err != nil:
				return bound, apierrors.NewInternalError(err)
			}
			bound.Node = node
		}
	case gvk.Group == "" && gvk.Kind == "Node":
		node, err := r.getter.GetNode(ctx, ref.Name, false)
		if err != nil {
			return bound, err
		}
		bound.Node, uid = node, node.UID
	case gvk.Group == "" && gvk.Kind == "Secret":
		secret, err := r.getter.GetSecret(ctx, namespace, ref.Name)
		if err != nil {
			return bound, err
		}
		bound.Secret, uid = secret, secret.UID
	case isWebhookRef(ref):
		return bound, apierrors.NewBadRequest(fmt.Sprintf("cannot bind token to object of type %s (feature gate APIServerWebhookAuthenticationToken is disabled)", gvk))
	default:
		return bound, apierrors.NewBadRequest(fmt.Sprintf("cannot bind token to object of type %s", gvk))
	}
	if ref.UID != "" && uid != ref.UID {
		return bound, apierrors.NewConflict(schema.GroupResource{Group: gvk.Group, Resource: gvk.Kind}, ref.Name,
			fmt.Errorf("the UID in the bound object reference (%s) does not match the UID in record. The object might have been deleted and then recreated", ref.UID))
	}
	return bound, nil
}
