// Package leader names the error of a component that lost its leader-election Lease, so that
// whoever runs the component can tell that loss from a failure.
package leader

import "errors"

// ErrLost ends a component's Run when it lost its Lease while still asked to run. Upstream's
// components exit on it and their supervisor (the kubelet, systemd) starts them again; inside
// `skiff server` the server is that supervisor.
var ErrLost = errors.New("leader election lost")
