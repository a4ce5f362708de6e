package apis

import (
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/core"
	"github.com/skiff-sh/skiff/apis/registry"
)

// Groups are the served API groups, each registering its types and building its stores.
var Groups = []registry.Group{
	core.Group,
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
