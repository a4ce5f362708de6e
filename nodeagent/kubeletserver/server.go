package kubeletserver

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apiserver/pkg/authentication/authenticator"
	"k8s.io/apiserver/pkg/authorization/authorizer"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// DefaultPort is the kubelet's port (upstream's ports.KubeletPort).
const DefaultPort = 10250

// PodSource finds the pods the node runs.
type PodSource interface {
	GetPodByName(namespace, name string) (*corev1.Pod, bool)
}

// PodLister is what a PodSource may also implement to serve /pods; without it /pods is empty.
type PodLister interface {
	GetPods() []*corev1.Pod
}

// Config configures the server.
type Config struct {
	// Addr is the listen address; default ":10250". Listener, when set, is used instead.
	Addr     string
	Listener net.Listener
	// TLSCertFile and TLSKeyFile are the serving certificate; when both are empty a self-signed
	// one is generated under CertDir (kubelet.crt, kubelet.key) as the kubelet does.
	TLSCertFile, TLSKeyFile string
	CertDir                 string
	// ClientCAFile verifies client certificates (x509 authentication); empty: none.
	ClientCAFile string
	// Client does delegated TokenReviews and SubjectAccessReviews; nil turns authentication and
	// authorization off (every request is allowed), which only tests should do.
	Client   kubernetes.Interface
	NodeName string
	Runtime  cri.Runtime
	Pods     PodSource
	// Clock is for log "since" options; default the real clock.
	Clock clock.PassiveClock
}

// Server is the kubelet API handler; Run serves it.
type Server struct {
	cfg   Config
	authn authenticator.Request
	authz authorizer.Authorizer
	mux   *http.ServeMux
}

// New builds the handler (authentication, authorization and routes) without serving it.
func New(cfg Config) (*Server, error) {
	if cfg.Runtime == nil || cfg.Pods == nil {
		return nil, errors.New("kubeletserver: Runtime and Pods are required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.RealClock{}
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	if cfg.Client != nil {
		var err error
		if s.authn, s.authz, err = delegatingAuth(cfg.Client, cfg.ClientCAFile); err != nil {
			return nil, err
		}
	}
	s.routes()
	return s, nil
}

// ServeHTTP authenticates and authorizes the request, then serves it.
func (s *Server) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	if s.authn != nil && !s.authorize(w, req) {
		return
	}
	s.mux.ServeHTTP(w, req)
}

// Run serves the API over TLS until ctx ends.
func Run(ctx context.Context, cfg Config) error {
	s, err := New(cfg)
	if err != nil {
		return err
	}
	tlsConfig, err := servingTLS(cfg)
	if err != nil {
		return err
	}
	ln := cfg.Listener
	if ln == nil {
		addr := cfg.Addr
		if addr == "" {
			addr = fmt.Sprintf(":%d", DefaultPort)
		}
		if ln, err = net.Listen("tcp", addr); err != nil {
			return fmt.Errorf("kubelet server: %w", err)
		}
	}
	logger := klog.FromContext(ctx)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	srv := &http.Server{
		Handler:           s,
		TLSConfig:         tlsConfig,
		ReadHeaderTimeout: 30 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ErrorLog:          klog.NewStandardLogger("WARNING"),
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdownCtx)
		_ = srv.Close() // hijacked streams and followed logs do not end on Shutdown
	}()
	logger.Info("Starting kubelet server", "address", ln.Addr().String())
	err = srv.Serve(tls.NewListener(ln, tlsConfig))
	cancel()
	<-done
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return fmt.Errorf("kubelet server: %w", err)
}
