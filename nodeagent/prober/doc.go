// Package prober runs containers' liveness, readiness and startup probes and their lifecycle
// (postStart, preStop) hooks as the kubelet does.
package prober
