package prober

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/tools/record"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/klog/v2"
	"k8s.io/utils/clock"

	"github.com/skiff-sh/skiff/nodeagent/cri"
)

// HookRunner runs containers' postStart and preStop handlers: exec through the runtime,
// httpGet, sleep.
type HookRunner struct {
	rt       cri.Runtime
	client   *http.Client
	recorder record.EventRecorder
	clock    clock.Clock
}

// HookOption configures a HookRunner.
type HookOption func(*HookRunner)

// WithHookRecorder records upstream's LifecycleHTTPFallback event when an HTTPS hook is answered
// in plain HTTP and retried.
func WithHookRecorder(r record.EventRecorder) HookOption {
	return func(h *HookRunner) { h.recorder = r }
}

// WithHookClock sets the clock of sleep hooks (default the real clock).
func WithHookClock(c clock.Clock) HookOption {
	return func(h *HookRunner) { h.clock = c }
}

// NewHookRunner returns a HookRunner that execs through rt. Its HTTP client, as upstream's, does
// not verify TLS, carries no credentials and follows redirects only to the same host.
func NewHookRunner(rt cri.Runtime, opts ...HookOption) *HookRunner {
	h := &HookRunner{
		rt: rt,
		client: &http.Client{
			Transport: &http.Transport{
				TLSClientConfig:   &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // as upstream: nothing to verify against
				Proxy:             http.ProxyURL(nil),
				DisableKeepAlives: true,
			},
			CheckRedirect: sameHostRedirects,
		},
		clock: clock.RealClock{},
	}
	for _, o := range opts {
		o(h)
	}
	return h
}

// Run runs handler h of container c (containerID as in its status, "containerd://<id>") and, when
// it fails, returns the message of upstream's FailedPostStartHook/FailedPreStopHook event. ctx
// bounds it (the kubelet gives preStop the termination grace period).
func (h *HookRunner) Run(ctx context.Context, pod *corev1.Pod, c *corev1.Container, containerID string, handler *corev1.LifecycleHandler) (string, error) {
	logger := klog.FromContext(ctx).WithValues("pod", klog.KObj(pod), "containerName", c.Name)
	switch {
	case handler.Exec != nil:
		out, err := execInContainer(ctx, h.rt, containerID, handler.Exec.Command, 0)
		if err != nil {
			logger.V(1).Info("Exec lifecycle hook for Container in Pod failed", "execCommand", handler.Exec.Command, "message", string(out), "err", err)
			return fmt.Sprintf("Exec lifecycle hook (%v) for Container %q in Pod %q failed - error: %v, message: %q",
				handler.Exec.Command, c.Name, podDesc(pod), err, string(out)), err
		}
		return "", nil
	case handler.HTTPGet != nil:
		if err := h.runHTTP(ctx, pod, c, handler.HTTPGet); err != nil {
			logger.V(1).Info("HTTP lifecycle hook for Container in Pod failed", "path", handler.HTTPGet.Path, "err", err)
			return fmt.Sprintf("HTTP lifecycle hook (%s) for Container %q in Pod %q failed - error: %v",
				handler.HTTPGet.Path, c.Name, podDesc(pod), err), err
		}
		return "", nil
	case handler.Sleep != nil:
		select {
		case <-ctx.Done():
			err := errors.New("container terminated before sleep hook finished")
			logger.V(1).Info("Sleep lifecycle hook for Container in Pod failed", "sleepSeconds", handler.Sleep.Seconds, "err", err)
			return fmt.Sprintf("Sleep lifecycle hook (%d) for Container %q in Pod %q failed - error: %v",
				handler.Sleep.Seconds, c.Name, podDesc(pod), err), err
		case <-h.clock.After(time.Duration(handler.Sleep.Seconds) * time.Second):
			return "", nil
		}
	}
	err := fmt.Errorf("invalid handler: %v", handler)
	logger.Error(err, "Cannot run handler")
	return fmt.Sprintf("Cannot run handler: %v", err), err
}

// runHTTP GETs the hook's URL (host default the pod's IP). As upstream, any answer counts as
// success, and an HTTPS request answered in plain HTTP is retried over HTTP without the
// Authorization header.
func (h *HookRunner) runHTTP(ctx context.Context, pod *corev1.Pod, c *corev1.Container, a *corev1.HTTPGetAction) error {
	host := a.Host
	if host == "" {
		ip, err := h.podIP(ctx, pod)
		if err != nil {
			return err
		}
		host = ip
	}
	req, err := newHTTPRequest(a, c, host, "lifecycle")
	if err != nil {
		return err
	}
	resp, err := h.client.Do(req.WithContext(ctx))
	discard(resp)
	if isHTTPResponseError(err) {
		klog.FromContext(ctx).V(1).Info("HTTPS request to lifecycle hook got HTTP response, retrying with HTTP.", "pod", klog.KObj(pod), "host", req.URL.Host, "err", err)
		retry := req.Clone(ctx)
		retry.URL.Scheme = "http"
		retry.Header.Del("Authorization")
		resp, httpErr := h.client.Do(retry)
		discard(resp)
		if httpErr == nil {
			err = nil
			if h.recorder != nil {
				h.recorder.Event(pod, corev1.EventTypeWarning, "LifecycleHTTPFallback",
					fmt.Sprintf("request to HTTPS lifecycle hook %s got HTTP response, retry with HTTP succeeded", req.URL.Host))
			}
		}
	}
	return err
}

// podIP is the pod's IP from its status or, before the status has one, from its sandbox.
func (h *HookRunner) podIP(ctx context.Context, pod *corev1.Pod) (string, error) {
	if pod.Status.PodIP != "" {
		return pod.Status.PodIP, nil
	}
	sandboxes, err := h.rt.ListPodSandbox(ctx, &runtimeapi.PodSandboxFilter{
		State:         &runtimeapi.PodSandboxStateValue{State: runtimeapi.PodSandboxState_SANDBOX_READY},
		LabelSelector: map[string]string{cri.LabelPodUID: string(pod.UID)},
	})
	if err != nil {
		return "", fmt.Errorf("unable to get pod, event handlers may be invalid: %w", err)
	}
	for _, s := range sandboxes {
		st, err := h.rt.PodSandboxStatus(ctx, s.Id, false)
		if err != nil {
			return "", fmt.Errorf("unable to get pod status, event handlers may be invalid: %w", err)
		}
		if ip := st.GetStatus().GetNetwork().GetIp(); ip != "" {
			return ip, nil
		}
	}
	return "", fmt.Errorf("failed to find networking container: pod %s has no IP", podDesc(pod))
}

func discard(resp *http.Response) {
	if resp == nil {
		return
	}
	defer resp.Body.Close()
	if resp.ContentLength <= maxOutput {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxOutput))
	}
}

func isHTTPResponseError(err error) bool {
	var urlErr *url.Error
	return errors.As(err, &urlErr) && strings.Contains(urlErr.Err.Error(), "server gave HTTP response to HTTPS client")
}
