package controllers

import (
	"github.com/skiff-sh/skiff/controllers/config"
	"github.com/skiff-sh/skiff/controllers/cronjob"
	"github.com/skiff-sh/skiff/controllers/daemonset"
	"github.com/skiff-sh/skiff/controllers/deployment"
	"github.com/skiff-sh/skiff/controllers/disruption"
	"github.com/skiff-sh/skiff/controllers/endpoints"
	"github.com/skiff-sh/skiff/controllers/endpointslice"
	"github.com/skiff-sh/skiff/controllers/garbagecollector"
	"github.com/skiff-sh/skiff/controllers/job"
	"github.com/skiff-sh/skiff/controllers/localpath"
	"github.com/skiff-sh/skiff/controllers/namespace"
	"github.com/skiff-sh/skiff/controllers/nodelifecycle"
	"github.com/skiff-sh/skiff/controllers/persistentvolume"
	"github.com/skiff-sh/skiff/controllers/podautoscaler"
	"github.com/skiff-sh/skiff/controllers/podgc"
	"github.com/skiff-sh/skiff/controllers/replicaset"
	"github.com/skiff-sh/skiff/controllers/replicationcontroller"
	"github.com/skiff-sh/skiff/controllers/resourcequota"
	"github.com/skiff-sh/skiff/controllers/rootcacert"
	"github.com/skiff-sh/skiff/controllers/serviceaccount"
	"github.com/skiff-sh/skiff/controllers/servicelb"
	"github.com/skiff-sh/skiff/controllers/statefulset"
	"github.com/skiff-sh/skiff/controllers/ttlafterfinished"
)

// Controller is one row of the manager's table.
type Controller struct {
	Name  string
	Setup config.SetupFunc
	// DisabledByDefault controllers run only when --controllers names them.
	DisabledByDefault bool
}

// All lists every controller the manager knows, in the order they are added.
var All = []Controller{
	{Name: namespace.Name, Setup: namespace.Setup},
	{Name: serviceaccount.Name, Setup: serviceaccount.Setup},
	{Name: rootcacert.Name, Setup: rootcacert.Setup},
	{Name: garbagecollector.Name, Setup: garbagecollector.Setup},
	{Name: deployment.Name, Setup: deployment.Setup},
	{Name: replicaset.Name, Setup: replicaset.Setup},
	{Name: replicationcontroller.Name, Setup: replicationcontroller.Setup},
	{Name: statefulset.Name, Setup: statefulset.Setup},
	{Name: daemonset.Name, Setup: daemonset.Setup},
	{Name: job.Name, Setup: job.Setup},
	{Name: cronjob.Name, Setup: cronjob.Setup},
	{Name: ttlafterfinished.Name, Setup: ttlafterfinished.Setup},
	{Name: endpoints.Name, Setup: endpoints.Setup},
	{Name: endpointslice.Name, Setup: endpointslice.Setup},
	{Name: nodelifecycle.Name, Setup: nodelifecycle.Setup},
	{Name: podgc.Name, Setup: podgc.Setup},
	{Name: disruption.Name, Setup: disruption.Setup},
	{Name: resourcequota.Name, Setup: resourcequota.Setup},
	{Name: podautoscaler.Name, Setup: podautoscaler.Setup},
	{Name: persistentvolume.Name, Setup: persistentvolume.Setup},
	{Name: localpath.Name, Setup: localpath.Setup},
	{Name: servicelb.Name, Setup: servicelb.Setup},
}

// Enabled reports whether the controller called name runs under the --controllers list, which
// reads as kube-controller-manager's: "*" turns on the default set, "foo" turns foo on and
// "-foo" turns it off.
func Enabled(list []string, c Controller) bool {
	star := false
	for _, item := range list {
		switch item {
		case c.Name:
			return true
		case "-" + c.Name:
			return false
		case "*":
			star = true
		}
	}
	return star && !c.DisabledByDefault
}
