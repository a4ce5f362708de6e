package agent

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
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

	mu    sync.Mutex
	child *containerd.Process // the current one: supervise replaces it after a crash
	// done is closed by stop; supervised is closed when the supervisor has ended.
	done, supervised chan struct{}
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
	r := &nodeRuntime{done: make(chan struct{})}
	endpoint := o.ContainerRuntimeEndpoint
	if endpoint == "" {
		cfg := containerd.Config{DataDir: o.DataDir, CNIConfDir: o.CNIConfDir}
		child, err := containerd.Start(context.WithoutCancel(ctx), cfg)
		if err != nil {
			return nil, err
		}
		r.child, endpoint = child, child.Endpoint()
		r.supervised = make(chan struct{})
		go r.supervise(klog.NewContext(context.WithoutCancel(ctx), logger.WithName("containerd")), cfg)
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
	r.mu.Lock()
	select {
	case <-r.done:
	default:
		close(r.done)
	}
	child := r.child
	r.mu.Unlock()
	if child != nil {
		errs = append(errs, child.Stop())
	}
	if r.supervised != nil {
		<-r.supervised
	}
	return errors.Join(errs...)
}

// supervise starts containerd again whenever it exits while the node runs, as a service
// manager restarts a crashed runtime: the pods' shims outlive it, the CRI connection reconnects
// to the same socket, and the kubelet finds its pods as they were. The wait before a restart
// doubles (1 s to 30 s) while containerd keeps exiting within a minute of starting, or keeps
// failing to start.
func (r *nodeRuntime) supervise(ctx context.Context, cfg containerd.Config) {
	defer close(r.supervised)
	logger := klog.FromContext(ctx)
	delay := time.Duration(0)
	r.mu.Lock()
	child := r.child
	r.mu.Unlock()
	for {
		started := time.Now()
		select {
		case <-r.done:
			return
		case <-child.Exited():
		}
		if time.Since(started) > time.Minute {
			delay = 0
		}
		logger.Error(child.Err(), "containerd exited; starting it again")
		for child = nil; child == nil; {
			delay = min(max(2*delay, time.Second), 30*time.Second)
			select {
			case <-r.done:
				return
			case <-time.After(delay):
			}
			var err error
			if child, err = containerd.Start(ctx, cfg); err != nil {
				logger.Error(err, "Starting containerd again", "retryAfter", min(2*delay, 30*time.Second))
			}
		}
		r.mu.Lock()
		select {
		case <-r.done: // stopped meanwhile: stop went for the old child, this one is ours
			r.mu.Unlock()
			_ = child.Stop()
			return
		default:
		}
		r.child = child
		r.mu.Unlock()
		logger.Info("containerd is back", "pid", child.Pid())
	}
}
