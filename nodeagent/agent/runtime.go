package agent

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/nodeagent/containerd"
	"github.com/skiff-sh/skiff/nodeagent/cri"
	"github.com/skiff-sh/skiff/nodeagent/images"
)

// runtimeReadyTimeout bounds the wait for the runtime and its network to report ready.
const runtimeReadyTimeout = time.Minute

// nodeRuntime is the container runtime the node runs pods on and, when the agent started it,
// the containerd child.
type nodeRuntime struct {
	client *cri.Client
	child  *containerd.Process
}

// startRuntime writes the pod network's CNI configuration, starts containerd under DataDir unless
// an endpoint is given, imports the sandbox image (nothing may be pulled) and connects.
// containerd is not tied to ctx: stop stops it after the kubelet has stopped.
func startRuntime(ctx context.Context, o *Options) (*nodeRuntime, error) {
	logger := klog.FromContext(ctx)
	if o.CNIConfDir != "" {
		if err := containerd.WriteCNIConfig(o.CNIConfDir, containerd.BridgeNetwork{
			Subnet: o.podCIDR(), IPAMDir: filepath.Join(o.DataDir, "cni", "ipam"),
		}); err != nil {
			return nil, fmt.Errorf("writing the CNI configuration: %w", err)
		}
		logger.Info("Wrote the pod network's CNI configuration", "dir", o.CNIConfDir, "podCIDR", o.podCIDR())
	}
	r := &nodeRuntime{}
	endpoint := o.ContainerRuntimeEndpoint
	if endpoint == "" {
		child, err := containerd.Start(context.WithoutCancel(ctx), containerd.Config{DataDir: o.DataDir, CNIConfDir: o.CNIConfDir})
		if err != nil {
			return nil, err
		}
		r.child, endpoint = child, child.Endpoint()
	}
	// The sandbox image: always for our containerd; best effort for an external one, which may
	// be configured with another sandbox image it can pull.
	if _, err := images.ImportPause(ctx, &images.CtrImporter{Address: endpoint}); err != nil {
		if r.child != nil {
			return nil, errors.Join(fmt.Errorf("importing the sandbox image: %w", err), r.stop(ctx))
		}
		logger.Info("Could not import the sandbox image into the external runtime", "endpoint", endpoint, "err", err)
	}
	client, err := cri.Connect(ctx, cri.Options{Endpoint: endpoint})
	if err != nil {
		return nil, errors.Join(fmt.Errorf("connecting to the container runtime: %w", err), r.stop(ctx))
	}
	r.client = client
	if err := cri.WaitReady(ctx, client, runtimeReadyTimeout); err != nil {
		return nil, errors.Join(fmt.Errorf("container runtime at %s: %w", endpoint, err), r.stop(ctx))
	}
	logger.Info("Container runtime ready", "endpoint", endpoint, "child", r.child != nil)
	return r, nil
}

// stop closes the connection and stops the containerd child. Pods keep running (their shims
// outlive containerd) and are adopted when the node starts again, as with k3s.
func (r *nodeRuntime) stop(ctx context.Context) error {
	var errs []error
	if r.client != nil {
		errs = append(errs, r.client.Close(context.WithoutCancel(ctx)))
	}
	if r.child != nil {
		errs = append(errs, r.child.Stop())
	}
	return errors.Join(errs...)
}
