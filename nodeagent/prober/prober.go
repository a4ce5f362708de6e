package prober

import (
	"context"
	"fmt"
	"net/http"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// Event reasons of probes, as upstream's.
const (
	reasonUnhealthy    = "Unhealthy"
	reasonProbeWarning = "ProbeWarning"
)

// maxProbeRetries is how often a probe that errors (could not run at all) is tried in a row.
const maxProbeRetries = 3

// prober runs one probe of a container and records its events.
type prober struct {
	rt        cri.Runtime
	recorder  record.EventRecorder
	transport *http.Transport
}

// probe runs the probe of type t of container c and records an Unhealthy event for a failure (or
// an error) and a ProbeWarning for a warning. An error means the result is to be thrown away.
func (p *prober) probe(ctx context.Context, t probeType, pod *corev1.Pod, podIP string, c *corev1.Container, containerID string) (result, error) {
	spec := probeOf(c, t)
	if spec == nil {
		return success, nil
	}
	logger := klog.FromContext(ctx).WithValues("probeType", t, "pod", klog.KObj(pod), "podUID", pod.UID, "containerName", c.Name)
	var (
		res    result
		output string
		err    error
	)
	for range maxProbeRetries {
		if res, output, err = p.run(ctx, spec, pod, podIP, c, containerID); err == nil || ctx.Err() != nil {
			break
		}
	}
	if ctx.Err() != nil {
		return failure, ctx.Err() // stopped: nothing to report
	}
	switch {
	case err != nil:
		logger.V(1).Info("Probe errored", "probeResult", res, "err", err)
		p.event(pod, c, corev1.EventTypeWarning, reasonUnhealthy, fmt.Sprintf("%s probe errored and resulted in %s state: %s", t, res, err))
		return failure, err
	case res == success:
		logger.V(3).Info("Probe succeeded")
		return success, nil
	case res == warning:
		logger.V(3).Info("Probe succeeded with a warning", "output", output)
		p.event(pod, c, corev1.EventTypeWarning, reasonProbeWarning, fmt.Sprintf("%s probe warning: %s", t, output))
		return success, nil
	case res == failure:
		logger.V(1).Info("Probe failed", "output", output)
		p.event(pod, c, corev1.EventTypeWarning, reasonUnhealthy, fmt.Sprintf("%s probe failed: %s", t, output))
		return failure, nil
	default:
		logger.V(1).Info("Probe result unknown without error", "probeResult", res)
		return failure, nil
	}
}

// run runs a probe's handler once.
func (p *prober) run(ctx context.Context, spec *corev1.Probe, pod *corev1.Pod, podIP string, c *corev1.Container, containerID string) (result, string, error) {
	timeout := time.Duration(spec.TimeoutSeconds) * time.Second
	switch {
	case spec.Exec != nil:
		return execProbe(ctx, p.rt, containerID, expandCommand(spec.Exec.Command, c.Env), timeout)
	case spec.HTTPGet != nil:
		req, err := newHTTPRequest(spec.HTTPGet, c, podIP, "probe")
		if err != nil {
			return unknown, "", err
		}
		client := &http.Client{Timeout: timeout, Transport: p.transport, CheckRedirect: sameHostRedirects}
		return httpProbe(client, req.WithContext(ctx))
	case spec.TCPSocket != nil:
		port, err := resolvePort(spec.TCPSocket.Port, c)
		if err != nil {
			return unknown, "", err
		}
		host := spec.TCPSocket.Host
		if host == "" {
			host = podIP
		}
		return tcpProbe(ctx, host, port, timeout)
	case spec.GRPC != nil:
		service := ""
		if spec.GRPC.Service != nil {
			service = *spec.GRPC.Service
		}
		return grpcProbe(ctx, podIP, service, int(spec.GRPC.Port), timeout)
	}
	return unknown, "", fmt.Errorf("missing probe handler for %s:%s", podDesc(pod), c.Name)
}

// event records an event about container c of pod.
func (p *prober) event(pod *corev1.Pod, c *corev1.Container, eventType, reason, message string) {
	if p.recorder != nil {
		p.recorder.Event(containerRef(pod, c), eventType, reason, message)
	}
}

// probeOf is c's probe of type t, nil when it has none.
func probeOf(c *corev1.Container, t probeType) *corev1.Probe {
	switch t {
	case liveness:
		return c.LivenessProbe
	case readiness:
		return c.ReadinessProbe
	case startup:
		return c.StartupProbe
	}
	return nil
}
