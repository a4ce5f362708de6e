// Package simulated registers simulated nodes, renews their Leases and moves pods bound to them
// through their lifecycle without running anything.
package simulated
