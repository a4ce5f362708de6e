package server

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"path/filepath"
	"time"

	"go.etcd.io/etcd/client/pkg/v3/transport"
	"go.etcd.io/etcd/server/v3/embed"
	"go.uber.org/zap"
	"k8s.io/klog/v2"
)

// EmbeddedEtcd is an etcd member running inside the skiff process, listening on loopback only.
type EmbeddedEtcd struct {
	etcd *embed.Etcd
	// ClientURL is where the apiserver reaches it, with the PKI's etcd client certificate.
	ClientURL string
}

// StartEmbeddedEtcd starts a single-member etcd with its data in dataDir and waits until it
// serves. The ports are picked afresh on each start; clients and peers need a certificate of
// pki's CA (EtcdClientCert), so only this process can talk to it.
func StartEmbeddedEtcd(ctx context.Context, dataDir string, pki PKI) (*EmbeddedEtcd, error) {
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	clientURL := url.URL{Scheme: "https", Host: fmt.Sprintf("127.0.0.1:%d", ports[0])}
	peerURL := url.URL{Scheme: "https", Host: fmt.Sprintf("127.0.0.1:%d", ports[1])}

	cfg := embed.NewConfig()
	cfg.Name = "skiff"
	cfg.Dir = filepath.Join(dataDir, "etcd")
	cfg.ListenClientUrls, cfg.AdvertiseClientUrls = []url.URL{clientURL}, []url.URL{clientURL}
	cfg.ListenPeerUrls, cfg.AdvertisePeerUrls = []url.URL{peerURL}, []url.URL{peerURL}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)
	tls := transport.TLSInfo{CertFile: pki.EtcdCert(), KeyFile: pki.EtcdKey(), TrustedCAFile: pki.CACert(), ClientCertAuth: true}
	cfg.ClientTLSInfo, cfg.PeerTLSInfo = tls, tls
	// A single member elects itself; short ticks make that (most of start-up) take milliseconds.
	cfg.TickMs, cfg.ElectionMs = 10, 100
	// Keep history bounded as kube-apiserver's compactor would, and stay quiet unless it matters.
	cfg.AutoCompactionMode, cfg.AutoCompactionRetention = "periodic", "5m"
	cfg.ListenMetricsUrls = nil
	cfg.ZapLoggerBuilder = embed.NewZapLoggerBuilder(zap.NewNop())
	cfg.LogLevel = "error"

	e, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, fmt.Errorf("starting embedded etcd in %s: %w", cfg.Dir, err)
	}
	select {
	case <-e.Server.ReadyNotify():
	case err := <-e.Err():
		e.Close()
		return nil, fmt.Errorf("embedded etcd failed: %w", err)
	case <-time.After(60 * time.Second):
		e.Close()
		return nil, fmt.Errorf("embedded etcd in %s not ready after 60s", cfg.Dir)
	case <-ctx.Done():
		e.Close()
		return nil, ctx.Err()
	}
	klog.FromContext(ctx).V(1).Info("Embedded etcd ready", "dir", cfg.Dir, "client", clientURL.String())
	return &EmbeddedEtcd{etcd: e, ClientURL: clientURL.String()}, nil
}

// Err reports a failure of the running member.
func (e *EmbeddedEtcd) Err() <-chan error { return e.etcd.Err() }

// Close stops the member after its pending writes are done.
func (e *EmbeddedEtcd) Close() { e.etcd.Close() }

// freePorts asks the kernel for n unused loopback ports.
func freePorts(n int) ([]int, error) {
	var ports []int
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("finding a free port: %w", err)
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
