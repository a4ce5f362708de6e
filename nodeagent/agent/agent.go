package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sync/errgroup"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/nodeagent/dns"
	"github.com/skiff-sh/skiff/nodeagent/kubeletserver"
	"github.com/skiff-sh/skiff/nodeagent/proxy"
)

// Run runs the node until ctx ends: the container runtime first, then the kubelet, its API, the
// Service proxy and the cluster DNS side by side; when one of them fails the others are stopped
// and its error returned. On the way out the proxy's nftables table and this node's kube-dns
// endpoints are removed and the containerd child is stopped; pods keep running, as with k3s,
// and are adopted when the node starts again.
func Run(ctx context.Context, restConfig *rest.Config, o *Options) error {
	if err := o.complete(); err != nil {
		return err
	}
	logger := klog.FromContext(ctx)
	exclude := []netip.Prefix{}
	for _, c := range []string{o.podCIDR(), o.ClusterCIDR} {
		if p, err := netip.ParsePrefix(c); err == nil {
			exclude = append(exclude, p)
		}
	}
	ip, err := nodeIP(o.Kubelet.NodeIP, exclude)
	if err != nil {
		return err
	}
	o.Kubelet.NodeIP = ip.String()
	if err := o.Kubelet.Validate(); err != nil {
		return err
	}
	node := o.Kubelet.NodeName
	logger = logger.WithValues("node", node)
	ctx = klog.NewContext(ctx, logger)
	logger.Info("Starting node", "nodeIP", ip, "podCIDR", o.Kubelet.PodCIDR, "dataDir", o.DataDir)
	client, err := kubernetes.NewForConfig(restConfig)
	if err != nil {
		return err
	}
	if o.ClientCAFile, err = clientCAFile(o, restConfig); err != nil {
		return err
	}
	if o.ClientCAFile == "" {
		logger.Info("No CA to verify the kubelet API's client certificates with: set --client-ca-file for kubectl logs and exec")
	}
	enableBridgeNetfilter(ctx)

	rt, err := startRuntime(ctx, o)
	if err != nil {
		return err
	}
	err = runComponents(ctx, restConfig, client, rt, o, ip)
	return errors.Join(err, rt.stop(ctx))
}

// runComponents runs the node's parts until ctx ends or one fails. Everything that can fail is
// built before anything starts.
func runComponents(ctx context.Context, restConfig *rest.Config, client kubernetes.Interface, rt *nodeRuntime, o *Options, ip netip.Addr) error {
	node := o.Kubelet.NodeName
	var proxier *proxy.Proxier
	if !o.DisableProxy {
		var err error
		if proxier, err = newProxier(client, o, ip); err != nil {
			return err
		}
	}
	var dnsServer *dns.Server
	if !o.DisableDNS {
		var err error
		dnsServer, err = dns.New(client, dns.Config{
			ClusterDomain: o.Kubelet.ClusterDomain,
			ListenAddr:    net.JoinHostPort(ip.String(), strconv.Itoa(dnsPort)),
		})
		if err != nil {
			return fmt.Errorf("cluster DNS: %w", err)
		}
	}
	pods := newPodSource(client, node)
	defer pods.shutdown()
	stopDeps := kubeletDependencies(ctx, client, rt, o)
	defer stopDeps()

	g, gctx := errgroup.WithContext(ctx)
	// run runs one part; one that returns before the node stops is a failure too.
	run := func(name string, fn func(context.Context) error) {
		g.Go(func() error {
			err := fn(klog.NewContext(gctx, klog.FromContext(gctx).WithName(name)))
			switch {
			case err != nil:
				return fmt.Errorf("%s: %w", name, err)
			case gctx.Err() == nil:
				return fmt.Errorf("%s stopped", name)
			}
			return nil
		})
	}
	run("kubelet", func(ctx context.Context) error { return runKubelet(ctx, restConfig, rt, o) })
	run("kubelet-server", func(ctx context.Context) error {
		if err := pods.run(ctx); err != nil {
			return err
		}
		return kubeletserver.Run(ctx, kubeletserver.Config{
			Addr:         net.JoinHostPort("", strconv.Itoa(int(o.Kubelet.KubeletPort))),
			TLSCertFile:  o.TLSCertFile,
			TLSKeyFile:   o.TLSKeyFile,
			CertDir:      filepath.Join(o.Kubelet.RootDir, "pki"),
			ClientCAFile: o.ClientCAFile,
			Client:       client,
			NodeName:     node,
			Runtime:      rt.client,
			Pods:         pods,
		})
	})
	if proxier != nil {
		run("proxy", proxier.Run)
	}
	if dnsServer != nil {
		run("dns", dnsServer.Run)
		run("dns-service", func(ctx context.Context) error {
			return keepDNSService(ctx, client, dnsServer.Ready(), o.Kubelet.ClusterDNS[0], node, ip)
		})
	}
	return g.Wait()
}

// newProxier is the Service proxy of the node's IP family.
func newProxier(client kubernetes.Interface, o *Options, ip netip.Addr) (*proxy.Proxier, error) {
	family := corev1.IPv4Protocol
	if ip.Is6() {
		family = corev1.IPv6Protocol
	}
	nft, err := proxy.NewNFTables(family)
	if err != nil {
		return nil, err
	}
	cfg := proxy.Config{NodeName: o.Kubelet.NodeName, IPFamily: family, NodeIPs: []net.IP{ip.AsSlice()}}
	if o.ClusterCIDR != "" {
		cfg.ClusterCIDRs = []string{o.ClusterCIDR}
	}
	return proxy.New(client, cfg, nft)
}

// enableBridgeNetfilter makes bridged pod-to-pod traffic pass the Service proxy's rules, so that
// replies to a pod reaching another pod of its node through a Service are un-NATed (kubeadm's
// preflight requires it; k3s sets it). Best effort: the kernel may lack br_netfilter.
func enableBridgeNetfilter(ctx context.Context) {
	const path = "/proc/sys/net/bridge/bridge-nf-call-iptables"
	if err := os.WriteFile(path, []byte("1"), 0o644); err != nil {
		klog.FromContext(ctx).Info("Could not make bridged traffic pass netfilter; pod-to-pod Service traffic on this node may fail", "err", err)
	}
}
