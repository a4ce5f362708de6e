package agent

import (
	"context"
	"net/netip"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/klog/v2"
)

// dnsResyncPeriod is how often the kube-dns Service and this node's endpoints are checked and
// put back should someone have changed or deleted them.
const dnsResyncPeriod = time.Minute

// keepDNSService waits for the DNS server to listen, then keeps kube-dns and this node's
// EndpointSlice of it in place until ctx ends, and removes the EndpointSlice then.
func keepDNSService(ctx context.Context, client kubernetes.Interface, ready <-chan struct{}, clusterIP, node string, ip netip.Addr) error {
	logger := klog.FromContext(ctx)
	select {
	case <-ctx.Done():
		return nil
	case <-ready:
	}
	wait.JitterUntilWithContext(ctx, func(ctx context.Context) {
		// Retried quickly until it works: the API may still be starting.
		backoff := wait.Backoff{Duration: 200 * time.Millisecond, Factor: 2, Steps: 8, Cap: 10 * time.Second}
		var last error
		err := wait.ExponentialBackoffWithContext(ctx, backoff, func(ctx context.Context) (bool, error) {
			if last = ensureDNSService(ctx, client, clusterIP, node, ip); last != nil {
				logger.V(2).Info("Ensuring the cluster DNS Service failed; retrying", "err", last)
				return false, nil
			}
			return true, nil
		})
		if err != nil && ctx.Err() == nil {
			logger.Error(last, "Could not create or update the cluster DNS Service; trying again later", "after", dnsResyncPeriod)
		}
	}, dnsResyncPeriod, 0.1, true)
	cleanupCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := deleteDNSSlice(cleanupCtx, client, node); err != nil {
		logger.V(2).Info("Could not remove this node's kube-dns endpoints", "err", err)
	}
	return nil
}
