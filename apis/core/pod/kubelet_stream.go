package pod

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/httpstream/wsstream"
	"k8s.io/apimachinery/pkg/util/proxy"
	"k8s.io/apiserver/pkg/registry/rest"
	translator "k8s.io/apiserver/pkg/util/proxy"

	"github.com/skiff-sh/skiff/apis/core/node"
)

// upgradeableMethods: GET for browsers' websockets, POST for SPDY clients.
var upgradeableMethods = []string{"GET", "POST"}

// ExecREST serves pods/exec.
type ExecREST struct{ locator kubeletLocator }

// AttachREST serves pods/attach.
type AttachREST struct{ locator kubeletLocator }

// PortForwardREST serves pods/portforward.
type PortForwardREST struct{ locator kubeletLocator }

var (
	_ rest.Connecter = &ExecREST{}
	_ rest.Connecter = &AttachREST{}
	_ rest.Connecter = &PortForwardREST{}
)

// New returns the options type.
func (r *ExecREST) New() runtime.Object { return &corev1.PodExecOptions{} }

// Destroy does nothing: the pods store owns the storage.
func (r *ExecREST) Destroy() {}

// NewConnectOptions returns the options type.
func (r *ExecREST) NewConnectOptions() (runtime.Object, bool, string) {
	return &corev1.PodExecOptions{}, false, ""
}

// ConnectMethods are GET and POST.
func (r *ExecREST) ConnectMethods() []string { return upgradeableMethods }

// Connect proxies the upgraded connection to the kubelet's /exec.
func (r *ExecREST) Connect(ctx context.Context, name string, opts runtime.Object, responder rest.Responder) (http.Handler, error) {
	o, ok := opts.(*corev1.PodExecOptions)
	if !ok {
		return nil, fmt.Errorf("invalid options object: %#v", opts)
	}
	location, info, err := r.locator.streamLocation(ctx, name, o.Container, "exec", streamParams(o.Stdin, o.Stdout, o.Stderr, o.TTY, o.Command))
	if err != nil {
		return nil, err
	}
	return streamHandler(location, info, responder, translator.Options{Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr, Tty: o.TTY}), nil
}

// New returns the options type.
func (r *AttachREST) New() runtime.Object { return &corev1.PodAttachOptions{} }

// Destroy does nothing: the pods store owns the storage.
func (r *AttachREST) Destroy() {}

// NewConnectOptions returns the options type.
func (r *AttachREST) NewConnectOptions() (runtime.Object, bool, string) {
	return &corev1.PodAttachOptions{}, false, ""
}

// ConnectMethods are GET and POST.
func (r *AttachREST) ConnectMethods() []string { return upgradeableMethods }

// Connect proxies the upgraded connection to the kubelet's /attach.
func (r *AttachREST) Connect(ctx context.Context, name string, opts runtime.Object, responder rest.Responder) (http.Handler, error) {
	o, ok := opts.(*corev1.PodAttachOptions)
	if !ok {
		return nil, fmt.Errorf("invalid options object: %#v", opts)
	}
	location, info, err := r.locator.streamLocation(ctx, name, o.Container, "attach", streamParams(o.Stdin, o.Stdout, o.Stderr, o.TTY, nil))
	if err != nil {
		return nil, err
	}
	return streamHandler(location, info, responder, translator.Options{Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr, Tty: o.TTY}), nil
}

// New returns the options type.
func (r *PortForwardREST) New() runtime.Object { return &corev1.PodPortForwardOptions{} }

// Destroy does nothing: the pods store owns the storage.
func (r *PortForwardREST) Destroy() {}

// NewConnectOptions returns the options type.
func (r *PortForwardREST) NewConnectOptions() (runtime.Object, bool, string) {
	return &corev1.PodPortForwardOptions{}, false, ""
}

// ConnectMethods are GET and POST.
func (r *PortForwardREST) ConnectMethods() []string { return upgradeableMethods }

// Connect proxies the upgraded connection to the kubelet's /portForward; a websocket client
// (kubectl's default) is tunnelled over SPDY to it, as upstream does for nodes that do not
// advertise websocket support.
func (r *PortForwardREST) Connect(ctx context.Context, name string, opts runtime.Object, responder rest.Responder) (http.Handler, error) {
	o, ok := opts.(*corev1.PodPortForwardOptions)
	if !ok {
		return nil, fmt.Errorf("invalid options object: %#v", opts)
	}
	location, info, err := r.locator.portForwardLocation(ctx, name, portParams(o.Ports))
	if err != nil {
		return nil, err
	}
	handler := proxy.NewUpgradeAwareHandler(location, info.Transport, false, true, proxy.NewErrorResponder(responder))
	return translator.NewTranslatingHandler(handler, translator.NewTunnelingHandler(handler), wsstream.IsWebSocketRequestWithTunnelingProtocol), nil
}

// streamHandler proxies SPDY (and legacy websocket) clients to the kubelet unchanged and
// translates v5.channel.k8s.io websocket clients (kubectl's default) to SPDY, as upstream's
// apiserver does.
func streamHandler(location *url.URL, info *node.ConnectionInfo, responder rest.Responder, opts translator.Options) http.Handler {
	handler := proxy.NewUpgradeAwareHandler(location, info.Transport, false, true, proxy.NewErrorResponder(responder))
	return translator.NewTranslatingHandler(handler, translator.NewStreamTranslatorHandler(location, info.Transport, 0, opts),
		wsstream.IsWebSocketRequestWithStreamCloseProtocol)
}
