package cri

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/wait"
	internalapi "k8s.io/cri-api/pkg/apis"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"
	remote "k8s.io/cri-client/pkg"
	"k8s.io/klog/v2"
)

// Options say how to reach the runtime.
type Options struct {
	// Endpoint is the runtime's socket as unix:///path (a bare path is taken as one).
	Endpoint string
	// ConnectTimeout bounds Connect's wait for the socket to accept connections; default 30 s.
	ConnectTimeout time.Duration
	// RequestTimeout bounds each call, as the kubelet's --runtime-request-timeout (default 2 min);
	// RunPodSandbox gets twice as long and ExecSync its own timeout on top.
	RequestTimeout time.Duration
}

// Client is a connected runtime. Its Runtime and Images are k8s.io/cri-client's remote services.
type Client struct {
	Runtime
	Images
	endpoint string
	rt       internalapi.RuntimeService
	img      internalapi.ImageManagerService
}

var _ Service = &Client{}

// Connect waits for the runtime's socket to answer, then connects its runtime and image services
// and checks that the runtime speaks CRI v1.
func Connect(ctx context.Context, o Options) (*Client, error) {
	if o.Endpoint == "" {
		return nil, errors.New("no container runtime endpoint")
	}
	if !strings.Contains(o.Endpoint, "://") {
		o.Endpoint = "unix://" + o.Endpoint
	}
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = 30 * time.Second
	}
	if o.RequestTimeout <= 0 {
		o.RequestTimeout = 2 * time.Minute
	}
	socket, ok := strings.CutPrefix(o.Endpoint, "unix://")
	if !ok {
		return nil, fmt.Errorf("container runtime endpoint %q: only unix:// endpoints are supported", o.Endpoint)
	}
	// cri-client's builders leak their gRPC connection when the first call fails, so wait for the
	// socket first and build once.
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, o.ConnectTimeout, true, func(context.Context) (bool, error) {
		conn, err := net.DialTimeout("unix", socket, time.Second)
		if err != nil {
			return false, nil
		}
		conn.Close()
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("container runtime at %s does not answer: %w", o.Endpoint, err)
	}
	// No tracer provider: skiff does not export traces, so no otelgrpc stats handler either.
	rt, err := remote.NewRemoteRuntimeServiceBuilder().WithEndpoint(o.Endpoint).
		WithConnectionTimeout(o.RequestTimeout).WithTracerProvider(nil).Build(ctx)
	if err != nil {
		return nil, fmt.Errorf("connecting to the container runtime at %s: %w", o.Endpoint, err)
	}
	img, err := remote.NewRemoteImageServiceBuilder().WithEndpoint(o.Endpoint).
		WithConnectionTimeout(o.RequestTimeout).WithTracerProvider(nil).Build(ctx)
	if err != nil {
		_ = rt.Close(ctx)
		return nil, fmt.Errorf("connecting to the image service at %s: %w", o.Endpoint, err)
	}
	return &Client{Runtime: rt, Images: img, endpoint: o.Endpoint, rt: rt, img: img}, nil
}

// Endpoint is the runtime's endpoint, unix:///....
func (c *Client) Endpoint() string { return c.endpoint }

// Close closes the connections.
func (c *Client) Close(ctx context.Context) error {
	return errors.Join(c.rt.Close(ctx), c.img.Close(ctx))
}

// WaitReady polls the runtime's status until it reports RuntimeReady and NetworkReady (the latter
// once a CNI configuration is in place), or timeout passes.
func WaitReady(ctx context.Context, rt Runtime, timeout time.Duration) error {
	var last []*runtimeapi.RuntimeCondition
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		st, err := rt.Status(ctx, false)
		if err != nil {
			klog.FromContext(ctx).V(4).Info("Runtime status", "err", err)
			return false, nil
		}
		last = st.GetStatus().GetConditions()
		return NotReady(st.GetStatus()) == "", nil
	})
	if err != nil {
		return fmt.Errorf("container runtime not ready: %s: %w", describe(last), err)
	}
	return nil
}

// NotReady names the first of the RuntimeReady and NetworkReady conditions that is not true in st,
// with its reason and message, or returns "" if both are.
func NotReady(st *runtimeapi.RuntimeStatus) string {
	for _, want := range []string{runtimeapi.RuntimeReady, runtimeapi.NetworkReady} {
		found := false
		for _, c := range st.GetConditions() {
			if c.GetType() != want {
				continue
			}
			found = true
			if !c.GetStatus() {
				return fmt.Sprintf("%s=false reason:%s message:%s", want, c.GetReason(), c.GetMessage())
			}
		}
		if !found {
			return want + " missing"
		}
	}
	return ""
}

func describe(conds []*runtimeapi.RuntimeCondition) string {
	if conds == nil {
		return "no status"
	}
	return NotReady(&runtimeapi.RuntimeStatus{Conditions: conds})
}
