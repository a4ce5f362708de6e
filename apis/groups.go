package apis

import (
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/admissionregistration"
	"github.com/skiff-sh/skiff/apis/apps"
	"github.com/skiff-sh/skiff/apis/authentication"
	"github.com/skiff-sh/skiff/apis/authorization"
	"github.com/skiff-sh/skiff/apis/autoscaling"
	"github.com/skiff-sh/skiff/apis/batch"
	"github.com/skiff-sh/skiff/apis/certificates"
	"github.com/skiff-sh/skiff/apis/coordination"
	"github.com/skiff-sh/skiff/apis/core"
	"github.com/skiff-sh/skiff/apis/discovery"
	"github.com/skiff-sh/skiff/apis/events"
	"github.com/skiff-sh/skiff/apis/networking"
	"github.com/skiff-sh/skiff/apis/node"
	"github.com/skiff-sh/skiff/apis/policy"
	"github.com/skiff-sh/skiff/apis/rbac"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheduling"
	"github.com/skiff-sh/skiff/apis/storage"
)

// Groups are the served API groups, each registering its types and building its stores.
// Core comes first: other groups' types refer to its kinds.
var Groups = []registry.Group{
	core.Group,
	apps.Group,
	autoscaling.Group,
	batch.Group,
	policy.Group,
	coordination.Group,
	discovery.Group,
	events.Group,
	networking.Group,
	node.Group,
	scheduling.Group,
	storage.Group,
	rbac.Group,
	admissionregistration.Group,
	certificates.Group,
	authentication.Group,
	authorization.Group,
}

// ServedVersions lists every group version of Groups.
func ServedVersions() []schema.GroupVersion {
	var gvs []schema.GroupVersion
	for _, g := range Groups {
		for _, v := range g.Versions {
			gvs = append(gvs, schema.GroupVersion{Group: g.Name, Version: v})
		}
	}
	return gvs
}

var installOnce = sync.OnceValue(func() error {
	for _, g := range Groups {
		if err := g.Install(); err != nil {
			return fmt.Errorf("installing group %q: %w", g.Name, err)
		}
	}
	return nil
})

// Install registers the types of every group in the scheme; later calls do nothing.
func Install() error { return installOnce() }
