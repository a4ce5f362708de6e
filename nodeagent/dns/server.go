package dns

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"sync"
	"time"

	mdns "github.com/miekg/dns"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
)

// Server is the cluster DNS server.
type Server struct {
	cfg     Config
	res     *resolver
	fwd     *forwarder
	factory informers.SharedInformerFactory

	ready chan struct{}
	mu    sync.Mutex
	addr  string
}

// New builds a server over client's informers. It reads the upstream resolvers now.
func New(client kubernetes.Interface, cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	listen, err := listenAddrPort(cfg.ListenAddr)
	if err != nil {
		return nil, err
	}
	upstreams, err := readUpstreams(cfg.ResolvConf, listen)
	if err != nil {
		return nil, err
	}
	st, factory, err := newInformerStore(client, cfg.Clock)
	if err != nil {
		return nil, err
	}
	fwd := &forwarder{upstreams: upstreams, timeout: cfg.ForwardTimeout, deadline: cfg.ForwardDeadline, maxTTL: cfg.ForwardMaxTTL}
	res := &resolver{cfg: cfg, zone: cfg.ClusterDomain + ".", store: st, upstream: fwd.lookup, localIP: listen.Addr()}
	return &Server{cfg: cfg, res: res, fwd: fwd, factory: factory, ready: make(chan struct{})}, nil
}

// listenAddrPort parses host:port; an empty host is the unspecified IPv4 address.
func listenAddrPort(s string) (netip.AddrPort, error) {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("invalid listen address %q: %w", s, err)
	}
	if host == "" {
		host = "0.0.0.0"
	}
	ap, err := netip.ParseAddrPort(net.JoinHostPort(host, port))
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("invalid listen address %q: %w", s, err)
	}
	return ap, nil
}

// Ready is closed once the server listens (and its caches have synced or SyncTimeout passed).
func (s *Server) Ready() <-chan struct{} { return s.ready }

// Addr is the address the server listens on (UDP and TCP), once Ready.
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// Run starts the informers, listens on UDP and TCP and serves until ctx ends, then shuts the
// listeners down gracefully.
func (s *Server) Run(ctx context.Context) error {
	logger := klog.FromContext(ctx).WithName("dns")
	ctx = klog.NewContext(ctx, logger)
	// The informers stop with Run, also when it fails: cancel runs before Shutdown waits.
	defer s.factory.Shutdown()
	informerCtx, stopInformers := context.WithCancel(ctx)
	defer stopInformers()
	s.factory.Start(informerCtx.Done())

	pc, ln, err := listen(s.cfg.ListenAddr)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.addr = pc.LocalAddr().String()
	s.mu.Unlock()

	syncCtx, cancel := context.WithTimeout(ctx, s.cfg.SyncTimeout)
	err = wait.PollUntilContextCancel(syncCtx, 20*time.Millisecond, true, func(context.Context) (bool, error) {
		return s.res.store.synced(), nil
	})
	cancel()
	if err != nil && ctx.Err() == nil {
		logger.Info("Starting server with unsynced Kubernetes API")
	}
	if len(s.fwd.upstreams) == 0 {
		logger.Info("No upstream resolvers: names outside the cluster get SERVFAIL", "resolvConf", s.cfg.ResolvConf)
	}

	handler := mdns.HandlerFunc(func(w mdns.ResponseWriter, req *mdns.Msg) { s.serve(ctx, w, req) })
	started := make(chan struct{}, 2)
	notify := func() { started <- struct{}{} }
	servers := []*mdns.Server{
		{PacketConn: pc, Handler: handler, NotifyStartedFunc: notify},
		{Listener: ln, Handler: handler, NotifyStartedFunc: notify},
	}
	errc := make(chan error, len(servers))
	for _, srv := range servers {
		go func() { errc <- srv.ActivateAndServe() }()
	}
	// Both must have started before they can be shut down.
	var runErr error
	for range servers {
		select {
		case <-started:
		case err := <-errc:
			runErr = fmt.Errorf("dns server stopped: %w", err)
		}
		if runErr != nil {
			break
		}
	}
	if runErr == nil {
		logger.Info("Serving cluster DNS", "addr", s.addr, "zone", s.cfg.ClusterDomain, "upstreams", s.fwd.upstreams)
		close(s.ready)
		select {
		case <-ctx.Done():
		case err := <-errc:
			runErr = fmt.Errorf("dns server stopped: %w", err)
		}
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	for _, srv := range servers {
		// A server that already stopped, or never started, says so: nothing to do.
		if err := srv.ShutdownContext(shutdownCtx); err != nil {
			logger.V(4).Info("Shutting down DNS listener", "err", err)
		}
	}
	_ = pc.Close()
	_ = ln.Close()
	return runErr
}

// listen binds UDP and TCP on the same address; port 0 takes a free UDP port and the same TCP port.
func listen(addr string) (net.PacketConn, net.Listener, error) {
	var lastErr error
	for range 10 {
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return nil, nil, fmt.Errorf("listening on udp %s: %w", addr, err)
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		_ = pc.Close()
		lastErr = err
		if _, port, _ := net.SplitHostPort(addr); port != "0" {
			break
		}
	}
	return nil, nil, fmt.Errorf("listening on tcp %s: %w", addr, lastErr)
}

// serve answers one query: the cluster zone and known reverse addresses from the caches,
// everything else from the upstream resolvers.
func (s *Server) serve(ctx context.Context, w mdns.ResponseWriter, req *mdns.Msg) {
	network := "udp"
	if _, ok := w.RemoteAddr().(*net.TCPAddr); ok {
		network = "tcp"
	}
	resp := s.answer(ctx, req, network)
	finish(req, resp, network)
	if err := w.WriteMsg(resp); err != nil {
		klog.FromContext(ctx).V(4).Info("Writing DNS response failed", "err", err)
	}
}

func (s *Server) answer(ctx context.Context, req *mdns.Msg, network string) *mdns.Msg {
	if len(req.Question) != 1 {
		m := new(mdns.Msg)
		return m.SetRcode(req, mdns.RcodeFormatError)
	}
	name := strings.ToLower(req.Question[0].Name)
	if mdns.IsSubDomain(s.res.zone, name) {
		return s.res.serveCluster(ctx, req)
	}
	for _, z := range reverseZones {
		if mdns.IsSubDomain(z, name) {
			if m, ok := s.res.serveReverse(req); ok {
				return m
			}
			break
		}
	}
	resp, err := s.fwd.forward(ctx, req, network)
	if err != nil {
		if !errors.Is(err, errNoUpstream) {
			klog.FromContext(ctx).V(2).Info("Forwarding failed", "name", req.Question[0].Name, "err", err)
		}
		m := new(mdns.Msg)
		return m.SetRcode(req, mdns.RcodeServerFailure)
	}
	resp.Id = req.Id
	return resp
}
