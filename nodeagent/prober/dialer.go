package prober

import (
	"net"
	"syscall"
)

// probeDialer dials with SO_LINGER of one second, as upstream's probes do, so that the sockets of
// frequent probes do not pile up in TIME-WAIT (kubernetes/kubernetes#89898).
func probeDialer() *net.Dialer {
	return &net.Dialer{
		Control: func(_, _ string, c syscall.RawConn) error {
			return c.Control(func(fd uintptr) {
				_ = syscall.SetsockoptLinger(int(fd), syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1, Linger: 1})
			})
		},
	}
}
