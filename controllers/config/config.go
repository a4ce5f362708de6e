package config

import (
	"time"

	"k8s.io/utils/clock"
)

// Config is passed to every controller's Setup.
type Config struct {
	// Clock is the time source; tests inject a fake one.
	Clock clock.WithTicker
	// RootCA is the PEM bundle published as kube-root-ca.crt in every namespace.
	RootCA []byte
	// NodeMonitorGracePeriod is how long a node may go without a heartbeat before it is
	// marked Unknown (kube-controller-manager's --node-monitor-grace-period, 50s in 1.37).
	NodeMonitorGracePeriod time.Duration
	// LocalPathDir is where the built-in local-path provisioner makes volumes.
	LocalPathDir string
	// ConcurrentSyncs is the number of workers per controller (upstream's --concurrent-*-syncs).
	ConcurrentSyncs int
	// ServiceLBPool is where LoadBalancer Services get their addresses from: comma-separated
	// CIDRs and first-last ranges (the local provider, controllers/servicelb).
	ServiceLBPool string
}

// Defaults returns upstream's values.
func Defaults() Config {
	return Config{
		Clock:                  clock.RealClock{},
		NodeMonitorGracePeriod: 50 * time.Second,
		LocalPathDir:           "/var/lib/skiff/local-path",
		ConcurrentSyncs:        5,
		ServiceLBPool:          "172.18.255.200-172.18.255.250",
	}
}
