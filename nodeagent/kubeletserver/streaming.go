package kubeletserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/httpstream/wsstream"
	"k8s.io/apimachinery/pkg/util/proxy"
	translator "k8s.io/apiserver/pkg/util/proxy"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	"k8s.io/klog/v2"
)

// streamOptions are the stdin/stdout/stderr/tty query parameters of exec and attach.
type streamOptions struct {
	Stdin, Stdout, Stderr, TTY bool
}

// parseStreamOptions reads them as the kubelet's streaming server does: a TTY has no separate
// stderr, and at least one stream is required.
func parseStreamOptions(q url.Values) (streamOptions, error) {
	o := streamOptions{
		Stdin: queryFlag(q, corev1.ExecStdinParam), Stdout: queryFlag(q, corev1.ExecStdoutParam),
		Stderr: queryFlag(q, corev1.ExecStderrParam), TTY: queryFlag(q, corev1.ExecTTYParam),
	}
	if o.TTY && o.Stderr {
		o.Stderr = false
	}
	if !o.Stdin && !o.Stdout && !o.Stderr {
		return o, errors.New("you must specify at least 1 of stdin, stdout, stderr")
	}
	return o, nil
}

// queryFlag is "1" or "true", the values clients send.
func queryFlag(q url.Values, key string) bool {
	v := q.Get(key)
	return v == "1" || strings.EqualFold(v, "true")
}

// parsePorts reads port-forward's "port" parameters ("80,443" or repeated).
func parsePorts(q url.Values) ([]int32, error) {
	var ports []int32
	for _, v := range q[corev1.PortHeader] {
		for p := range strings.SplitSeq(v, ",") {
			n, err := strconv.ParseUint(strings.TrimSpace(p), 10, 16)
			if err != nil || n == 0 {
				return nil, fmt.Errorf("invalid port %q", p)
			}
			ports = append(ports, int32(n))
		}
	}
	return ports, nil
}

// serveExec serves /exec/{namespace}/{pod}/{container} (and with {uid}).
func (s *Server) serveExec(w http.ResponseWriter, req *http.Request) {
	s.serveStream(w, req, func(ctx context.Context, id string, o streamOptions) (string, error) {
		cmd := req.URL.Query()[corev1.ExecCommandParam]
		resp, err := s.cfg.Runtime.Exec(ctx, &runtimeapi.ExecRequest{ContainerId: id, Cmd: cmd, Tty: o.TTY, Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr})
		return resp.GetUrl(), err
	})
}

// serveAttach serves /attach/{namespace}/{pod}/{container} (and with {uid}).
func (s *Server) serveAttach(w http.ResponseWriter, req *http.Request) {
	s.serveStream(w, req, func(ctx context.Context, id string, o streamOptions) (string, error) {
		resp, err := s.cfg.Runtime.Attach(ctx, &runtimeapi.AttachRequest{ContainerId: id, Tty: o.TTY, Stdin: o.Stdin, Stdout: o.Stdout, Stderr: o.Stderr})
		return resp.GetUrl(), err
	})
}

func (s *Server) serveStream(w http.ResponseWriter, req *http.Request, getURL func(context.Context, string, streamOptions) (string, error)) {
	opts, err := parseStreamOptions(req.URL.Query())
	if err != nil {
		writeError(w, err.Error(), http.StatusBadRequest)
		return
	}
	pod, ok := s.pod(w, req)
	if !ok {
		return
	}
	ctx := req.Context()
	name := req.PathValue("container")
	c, err := s.runningContainer(ctx, pod, name)
	if err == nil && c == nil {
		err = fmt.Errorf("container not found (%q)", name)
	}
	if err != nil {
		writeStreamingError(w, err)
		return
	}
	raw, err := getURL(ctx, c.Id, opts)
	if err != nil {
		writeStreamingError(w, err)
		return
	}
	location, err := url.Parse(raw)
	if err != nil {
		writeStreamingError(w, err)
		return
	}
	var handler http.Handler = proxy.NewUpgradeAwareHandler(location, nil, false, true, responder{})
	// The runtime's streaming server speaks SPDY (and the older websocket protocols); a
	// v5.channel.k8s.io websocket client is translated to SPDY here, as the kubelet does.
	if wsstream.IsWebSocketRequestWithStreamCloseProtocol(req) {
		handler = translator.NewStreamTranslatorHandler(location, nil, 0, translator.Options{
			Stdin: opts.Stdin, Stdout: opts.Stdout, Stderr: opts.Stderr, Tty: opts.TTY,
		})
	}
	handler.ServeHTTP(w, req)
}

// servePortForward serves /portForward/{namespace}/{pod} (and with {uid}).
func (s *Server) servePortForward(w http.ResponseWriter, req *http.Request) {
	tunnel := wsstream.IsWebSocketRequestWithTunnelingProtocol(req)
	ports, err := parsePorts(req.URL.Query())
	if err != nil && !tunnel {
		writeError(w, err.Error(), http.StatusBadRequest)
		return
	}
	pod, ok := s.pod(w, req)
	if !ok {
		return
	}
	ctx := req.Context()
	sandbox, err := s.readySandbox(ctx, pod)
	if err == nil && sandbox == nil {
		err = status.Errorf(codes.NotFound, "pod %q has no running sandbox", pod.Name)
	}
	if err != nil {
		writeStreamingError(w, err)
		return
	}
	resp, err := s.cfg.Runtime.PortForward(ctx, &runtimeapi.PortForwardRequest{PodSandboxId: sandbox.Id, Port: ports})
	if err != nil {
		writeStreamingError(w, err)
		return
	}
	location, err := url.Parse(resp.GetUrl())
	if err != nil {
		writeStreamingError(w, err)
		return
	}
	var handler http.Handler = proxy.NewUpgradeAwareHandler(location, nil, false, true, responder{})
	if tunnel {
		handler = translator.NewTunnelingHandler(handler)
	}
	handler.ServeHTTP(w, req)
}

// pod finds the request's pod, answering 404 as the kubelet does when it is unknown or has
// another UID than the path names.
func (s *Server) pod(w http.ResponseWriter, req *http.Request) (*corev1.Pod, bool) {
	pod, ok := s.cfg.Pods.GetPodByName(req.PathValue("namespace"), req.PathValue("pod"))
	if !ok {
		writeError(w, "pod does not exist", http.StatusNotFound)
		return nil, false
	}
	if uid := req.PathValue("uid"); uid != "" && string(pod.UID) != uid {
		writeError(w, "pod not found", http.StatusNotFound)
		return nil, false
	}
	return pod, true
}

// writeStreamingError maps runtime errors to HTTP codes as the CRI streaming package does.
func writeStreamingError(w http.ResponseWriter, err error) {
	code := http.StatusInternalServerError
	switch status.Code(err) {
	case codes.NotFound:
		code = http.StatusNotFound
	case codes.ResourceExhausted:
		code = http.StatusTooManyRequests
	case codes.OutOfRange:
		code = http.StatusBadRequest
	}
	writeError(w, err.Error(), code)
}

// responder reports proxy errors as the kubelet does.
type responder struct{}

func (responder) Error(w http.ResponseWriter, req *http.Request, err error) {
	klog.FromContext(req.Context()).Error(err, "Error while proxying request")
	http.Error(w, err.Error(), http.StatusInternalServerError)
}
