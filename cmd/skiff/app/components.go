package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"

	"github.com/skiff-sh/skiff/internal/leader"
)

// component is a part of the cluster that runs in the server's process as a client of its API.
type component struct {
	name string
	// qps and burst limit its client; in-process components get generous limits, as
	// upstream's scheduler_perf gives its scheduler.
	qps   float32
	burst int
	run   func(ctx context.Context, config *rest.Config) error
}

// componentHooks starts each component once the server is ready, on its own copy of the
// loopback client config with its own user agent. A component that fails calls fail.
func componentHooks(components []component, fail func(error)) map[string]genericapiserver.PostStartHookFunc {
	hooks := map[string]genericapiserver.PostStartHookFunc{}
	for _, c := range components {
		hooks["start-skiff-"+c.name] = func(hookCtx genericapiserver.PostStartHookContext) error {
			config := rest.CopyConfig(hookCtx.LoopbackClientConfig)
			config.UserAgent = "skiff-" + c.name
			config.QPS, config.Burst = c.qps, c.burst
			go func() {
				ctx := klog.NewContext(hookCtx.Context, klog.Background().WithName(c.name))
				if err := superviseComponent(ctx, c, config, leaseRestartDelay); err != nil {
					klog.FromContext(ctx).Error(err, "Component failed; stopping the server")
					fail(fmt.Errorf("%s: %w", c.name, err))
				}
			}()
			return nil
		}
	}
	return hooks
}

// leaseRestartDelay is how long a component that lost its Lease waits before it campaigns again.
const leaseRestartDelay = time.Second

// superviseComponent runs c until ctx ends. A component that lost its leader-election Lease is
// started again, as the kubelet restarts a control-plane static pod whose process exited on
// that loss: in one process, a Lease missed while etcd was slow must not take the API server
// down. Any other error is returned.
func superviseComponent(ctx context.Context, c component, config *rest.Config, delay time.Duration) error {
	for {
		err := c.run(ctx, config)
		if !errors.Is(err, leader.ErrLost) {
			return err
		}
		if ctx.Err() != nil {
			return nil // the Lease went with the server's shutdown
		}
		klog.FromContext(ctx).Info("Component lost its Lease; starting it again", "err", err, "delay", delay)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(delay):
		}
	}
}
