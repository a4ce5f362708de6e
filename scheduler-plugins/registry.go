package schedulerplugins

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	framework "k8s.io/kube-scheduler/framework"
)

// PluginFactory builds a plugin from its args (the profile's pluginConfig entry, already
// defaulted; nil when the plugin has none) and the framework handle.
type PluginFactory = func(ctx context.Context, args runtime.Object, h framework.Handle) (framework.Plugin, error)

// Registry maps plugin names to factories.
type Registry map[string]PluginFactory

// NewInTreeRegistry returns every plugin skiff ships, by upstream's names.
func NewInTreeRegistry() Registry {
	return Registry{
		// One line per plugin package: <plugin>.Name: <plugin>.New,
	}
}
