package prober

import (
	"context"
	"net"
	"strconv"
	"time"

	"k8s.io/klog/v2"
)

// tcpProbe succeeds when a TCP connection to host:port opens within timeout.
func tcpProbe(ctx context.Context, host string, port int, timeout time.Duration) (result, string, error) {
	d := probeDialer()
	d.Timeout = timeout
	conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return failure, err.Error(), nil
	}
	if err := conn.Close(); err != nil {
		klog.FromContext(ctx).V(4).Info("Closing TCP probe socket", "err", err)
	}
	return success, "", nil
}
