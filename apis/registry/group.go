package registry

import (
	"fmt"

	"k8s.io/apiserver/pkg/registry/generic"
	"k8s.io/apiserver/pkg/registry/rest"
)

// Resources maps a resource path ("deployments", "deployments/status") to its storage.
type Resources map[string]rest.Storage

// VersionedStorage maps a served version ("v1") to its resources.
type VersionedStorage map[string]Resources

// NewResourcesFunc builds the storage of one resource and its subresources.
type NewResourcesFunc func(optsGetter generic.RESTOptionsGetter) (Resources, error)

// Group is one API group the server serves; each apis/<group> package exports one.
type Group struct {
	// Name is the group name, "" for the core group served at /api.
	Name string
	// Versions are the served versions, preferred first.
	Versions []string
	// Install registers the group's types in the scheme; called once before NewStorage.
	Install func() error
	// NewStorage builds the group's stores.
	NewStorage func(optsGetter generic.RESTOptionsGetter) (VersionedStorage, error)
}

// Version builds the storage of one version from its resources' constructors.
func Version(version string, resources ...NewResourcesFunc) func(generic.RESTOptionsGetter) (VersionedStorage, error) {
	return func(optsGetter generic.RESTOptionsGetter) (VersionedStorage, error) {
		merged := Resources{}
		for _, newResources := range resources {
			r, err := newResources(optsGetter)
			if err != nil {
				return nil, err
			}
			for path, storage := range r {
				if _, dup := merged[path]; dup {
					return nil, fmt.Errorf("resource %s registered twice in %s", path, version)
				}
				merged[path] = storage
			}
		}
		return VersionedStorage{version: merged}, nil
	}
}
