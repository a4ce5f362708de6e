package app

import (
	"context"
	"fmt"

	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/client-go/rest"
	"k8s.io/klog/v2"
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
				if err := c.run(ctx, config); err != nil {
					klog.FromContext(ctx).Error(err, "Component failed; stopping the server")
					fail(fmt.Errorf("%s: %w", c.name, err))
				}
			}()
			return nil
		}
	}
	return hooks
}
