package node

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/apimachinery/pkg/util/proxy"
	"k8s.io/apiserver/pkg/registry/rest"
)

// ProxyREST serves nodes/proxy: any request to the node's kubelet (or, as "scheme:name:port",
// another port of the node).
type ProxyREST struct {
	Connection ConnectionInfoGetter
}

var _ rest.Connecter = &ProxyREST{}

// proxyMethods are upstream's.
var proxyMethods = []string{"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}

// New returns the options type.
func (r *ProxyREST) New() runtime.Object { return &corev1.NodeProxyOptions{} }

// Destroy does nothing: the nodes store owns the storage.
func (r *ProxyREST) Destroy() {}

// ConnectMethods are the proxied methods.
func (r *ProxyREST) ConnectMethods() []string { return proxyMethods }

// NewConnectOptions takes the rest of the path as the "path" option.
func (r *ProxyREST) NewConnectOptions() (runtime.Object, bool, string) {
	return &corev1.NodeProxyOptions{}, true, "path"
}

// Connect proxies to the node.
func (r *ProxyREST) Connect(ctx context.Context, id string, opts runtime.Object, responder rest.Responder) (http.Handler, error) {
	proxyOpts, ok := opts.(*corev1.NodeProxyOptions)
	if !ok {
		return nil, fmt.Errorf("invalid options object: %#v", opts)
	}
	location, transport, err := r.location(ctx, id)
	if err != nil {
		return nil, err
	}
	location.Path = utilnet.JoinPreservingTrailingSlash(location.Path, proxyOpts.Path)
	return proxy.NewUpgradeAwareHandler(location, transport, true, false, proxy.NewErrorResponder(responder)), nil
}

// location is upstream's node ResourceLocation: the kubelet with its transport when no port or
// the kubelet's port is asked for, else the requested scheme and port with a plain transport.
// Unlike upstream, loopback node addresses are allowed (single-machine clusters use them).
func (r *ProxyREST) location(ctx context.Context, id string) (*url.URL, http.RoundTripper, error) {
	schemeReq, name, portReq, valid := utilnet.SplitSchemeNamePort(id)
	if !valid {
		return nil, nil, apierrors.NewBadRequest(fmt.Sprintf("invalid node request %q", id))
	}
	info, err := r.Connection.GetConnectionInfo(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	if portReq == "" || portReq == info.Port {
		return &url.URL{Scheme: info.Scheme, Host: net.JoinHostPort(info.Hostname, info.Port)}, info.Transport, nil
	}
	return &url.URL{Scheme: schemeReq, Host: net.JoinHostPort(info.Hostname, portReq)}, http.DefaultTransport, nil
}
