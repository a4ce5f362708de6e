package server

import (
	"runtime/debug"
	"time"

	genericapiserver "k8s.io/apiserver/pkg/server"
)

// releaseStartupMemory returns to the OS the memory start-up needed only briefly (building
// OpenAPI specs and type converters for every group peaks at about twice the steady heap):
// Go's scavenger would give it back only slowly, and a dev cluster's idle footprint matters.
func releaseStartupMemory(ctx genericapiserver.PostStartHookContext) error {
	go func() {
		// Let the other post-start hooks (informers, discovery, OpenAPI aggregation) settle first.
		select {
		case <-ctx.Done():
		case <-time.After(5 * time.Second):
			debug.FreeOSMemory()
		}
	}()
	return nil
}
