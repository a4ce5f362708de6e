package node

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apiserver/pkg/registry/rest"
)

// KubeletPort is the kubelet's default port, used when a node reports none.
const KubeletPort = 10250

// preferredAddressTypes is the order in which a node's addresses are tried, kubeadm's
// --kubelet-preferred-address-types.
var preferredAddressTypes = []corev1.NodeAddressType{corev1.NodeInternalIP, corev1.NodeExternalIP, corev1.NodeHostName}

// kubeletTransport carries the apiserver's client certificate to kubelets; ConfigureKubeletClient
// sets it. Kubelets' serving certificates are not verified, as kube-apiserver does without
// --kubelet-certificate-authority.
var kubeletTransport atomic.Pointer[http.Transport]

// ConfigureKubeletClient makes connections to kubelets present the certificate in certFile.
func ConfigureKubeletClient(certFile, keyFile string) error {
	pair, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return fmt.Errorf("kubelet client certificate: %w", err)
	}
	kubeletTransport.Store(newKubeletTransport(&tls.Config{Certificates: []tls.Certificate{pair}}))
	return nil
}

func newKubeletTransport(tlsConfig *tls.Config) *http.Transport {
	tlsConfig.MinVersion = tls.VersionTLS12
	tlsConfig.InsecureSkipVerify = true //nolint:gosec // as kube-apiserver without --kubelet-certificate-authority
	return &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSClientConfig:     tlsConfig,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 25,
		IdleConnTimeout:     90 * time.Second,
	}
}

// KubeletTransport is the transport to kubelets: with the client certificate once configured.
func KubeletTransport() *http.Transport {
	if t := kubeletTransport.Load(); t != nil {
		return t
	}
	return newKubeletTransport(&tls.Config{})
}

// simulatedNodeLabel marks the nodes skiff's node agent simulates (nodeagent/simulated's
// LabelSimulated; apis/ does not import the node agent).
const simulatedNodeLabel = "node.skiff.sh/simulated"

// ConnectionInfo is how to reach a node's kubelet.
type ConnectionInfo struct {
	Scheme, Hostname, Port string
	Transport              *http.Transport
}

// ConnectionInfoGetter finds kubelets from Node objects.
type ConnectionInfoGetter struct {
	Nodes rest.Getter
}

// GetConnectionInfo returns the kubelet endpoint of node name: its preferred address and the
// port it reports in status.daemonEndpoints.
func (g ConnectionInfoGetter) GetConnectionInfo(ctx context.Context, name string) (*ConnectionInfo, error) {
	obj, err := g.Nodes.Get(ctx, name, &metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	node := obj.(*corev1.Node)
	// Simulated nodes' addresses exist nowhere: never send a packet towards them.
	if _, ok := node.Labels[simulatedNodeLabel]; ok {
		return nil, apierrors.NewBadRequest(fmt.Sprintf("node %q is simulated and has no kubelet API", name))
	}
	host, err := preferredAddress(node)
	if err != nil {
		return nil, err
	}
	port := int(node.Status.DaemonEndpoints.KubeletEndpoint.Port)
	if port <= 0 {
		port = KubeletPort
	}
	return &ConnectionInfo{Scheme: "https", Hostname: host, Port: strconv.Itoa(port), Transport: KubeletTransport()}, nil
}

func preferredAddress(node *corev1.Node) (string, error) {
	for _, t := range preferredAddressTypes {
		for _, a := range node.Status.Addresses {
			if a.Type == t {
				return a.Address, nil
			}
		}
	}
	return "", fmt.Errorf("no preferred addresses found; known addresses: %v", node.Status.Addresses)
}
