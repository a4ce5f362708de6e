// Package scheme holds the one runtime.Scheme that the skiff apiserver serves and stores from.
//
// skiff has no internal API types: the versioned k8s.io/api types are the hub. genericapiserver
// still converts every request to a group's "__internal" version (server-side apply and the
// storage codec ask for it), so each versioned Go type is registered a second time under
// <group>/__internal. Because it is the same Go type, the scheme sees that no conversion is
// needed and only sets the kind.
package scheme

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
)

var (
	// Scheme holds every served type, versioned and hub.
	Scheme = runtime.NewScheme()
	// Codecs encodes and decodes with Scheme.
	Codecs = serializer.NewCodecFactory(Scheme)
	// ParameterCodec converts query parameters with Scheme.
	ParameterCodec = runtime.NewParameterCodec(Scheme)
	// External holds the versioned types only. OpenAPI names definitions and their
	// x-kubernetes-group-version-kind from it, where __internal must not appear.
	External = runtime.NewScheme()
)

func init() {
	// The meta/v1 types every group version shares (ListOptions, Status, WatchEvent ...).
	metav1.AddToGroupVersion(Scheme, schema.GroupVersion{Version: "v1"})
	unversioned := schema.GroupVersion{Group: "", Version: "v1"}
	Scheme.AddUnversionedTypes(unversioned,
		&metav1.Status{},
		&metav1.APIVersions{},
		&metav1.APIGroupList{},
		&metav1.APIGroup{},
		&metav1.APIResourceList{},
	)
}

// sharedOptionKinds are the meta/v1 kinds that metav1.AddToGroupVersion puts into every group
// version; they must not be registered again under __internal.
var sharedOptionKinds = map[string]bool{
	"WatchEvent": true, "ListOptions": true, "GetOptions": true, "DeleteOptions": true,
	"CreateOptions": true, "UpdateOptions": true, "PatchOptions": true, "InternalEvent": true,
	"APIVersions": true, "APIGroupList": true, "APIGroup": true, "APIResourceList": true, "Status": true,
}

// AddGroup registers a group's versioned types (through their AddToScheme) and makes the
// versions in hubs the hub: their types are registered again under the group's __internal
// version. versions lists the served versions, preferred first.
func AddGroup(addToScheme func(*runtime.Scheme) error, hubs []schema.GroupVersion, versions ...schema.GroupVersion) error {
	if err := addToScheme(Scheme); err != nil {
		return err
	}
	if err := addToScheme(External); err != nil {
		return err
	}
	for _, hub := range hubs {
		internal := schema.GroupVersion{Group: hub.Group, Version: runtime.APIVersionInternal}
		for kind, t := range Scheme.KnownTypes(hub) {
			if sharedOptionKinds[kind] {
				continue
			}
			if _, registered := Scheme.KnownTypes(internal)[kind]; registered {
				continue
			}
			Scheme.AddKnownTypeWithName(internal.WithKind(kind), newOf(t))
		}
	}
	return Scheme.SetVersionPriority(versions...)
}
