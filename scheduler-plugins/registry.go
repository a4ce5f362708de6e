package schedulerplugins

import (
	"context"

	"k8s.io/apimachinery/pkg/runtime"
	framework "k8s.io/kube-scheduler/framework"

	"github.com/skiff-sh/skiff/scheduler-plugins/defaultbinder"
	"github.com/skiff-sh/skiff/scheduler-plugins/defaultpreemption"
	"github.com/skiff-sh/skiff/scheduler-plugins/imagelocality"
	"github.com/skiff-sh/skiff/scheduler-plugins/interpodaffinity"
	"github.com/skiff-sh/skiff/scheduler-plugins/nodeaffinity"
	"github.com/skiff-sh/skiff/scheduler-plugins/nodename"
	"github.com/skiff-sh/skiff/scheduler-plugins/nodeports"
	"github.com/skiff-sh/skiff/scheduler-plugins/noderesources"
	"github.com/skiff-sh/skiff/scheduler-plugins/nodeunschedulable"
	"github.com/skiff-sh/skiff/scheduler-plugins/podtopologyspread"
	"github.com/skiff-sh/skiff/scheduler-plugins/prioritysort"
	"github.com/skiff-sh/skiff/scheduler-plugins/schedulinggates"
	"github.com/skiff-sh/skiff/scheduler-plugins/tainttoleration"
	"github.com/skiff-sh/skiff/scheduler-plugins/volumebinding"
	"github.com/skiff-sh/skiff/scheduler-plugins/volumerestrictions"
	"github.com/skiff-sh/skiff/scheduler-plugins/volumezone"
)

// PluginFactory builds a plugin from its args (the profile's pluginConfig entry, already
// defaulted; nil when the plugin has none) and the framework handle.
type PluginFactory = func(ctx context.Context, args runtime.Object, h framework.Handle) (framework.Plugin, error)

// Registry maps plugin names to factories.
type Registry map[string]PluginFactory

// NewInTreeRegistry returns every plugin skiff ships, by upstream's names.
func NewInTreeRegistry() Registry {
	return Registry{
		prioritysort.Name:                    prioritysort.New,
		nodename.Name:                        nodename.New,
		nodeunschedulable.Name:               nodeunschedulable.New,
		tainttoleration.Name:                 tainttoleration.New,
		nodeaffinity.Name:                    nodeaffinity.New,
		nodeports.Name:                       nodeports.New,
		noderesources.Name:                   noderesources.NewFit,
		noderesources.BalancedAllocationName: noderesources.NewBalancedAllocation,
		podtopologyspread.Name:               podtopologyspread.New,
		interpodaffinity.Name:                interpodaffinity.New,
		imagelocality.Name:                   imagelocality.New,
		defaultbinder.Name:                   defaultbinder.New,
		schedulinggates.Name:                 schedulinggates.New,
		defaultpreemption.Name:               defaultpreemption.New,
		volumebinding.Name:                   volumebinding.New,
		volumerestrictions.Name:              volumerestrictions.New,
		volumezone.Name:                      volumezone.New,
	}
}
