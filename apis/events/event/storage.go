package event

import (
	"k8s.io/apiserver/pkg/registry/generic"

	coreevent "github.com/skiff-sh/skiff/apis/core/event"
	"github.com/skiff-sh/skiff/apis/registry"
)

// NewStorage returns the events resource of events.k8s.io: the very store of the core events
// resource, as upstream serves it. Same qualified resource (core "events"), hence the same
// etcd prefix and core/v1 storage encoding; same strategy, which applies the strict
// events.k8s.io/v1 validation to requests of that version; same Table and TTL. The API
// handler converts to and from events.k8s.io/v1 through the conversions of AddToScheme.
func NewStorage(optsGetter generic.RESTOptionsGetter) (registry.Resources, error) {
	return coreevent.NewStorage(optsGetter)
}
