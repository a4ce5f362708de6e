// Package events serves the events.k8s.io API group.
package events

import (
	eventsv1 "k8s.io/api/events/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the events.k8s.io group.
var Group = registry.Group{
	Name:     eventsv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		return scheme.AddGroup(eventsv1.AddToScheme, []schema.GroupVersion{eventsv1.SchemeGroupVersion}, eventsv1.SchemeGroupVersion)
	},
	NewStorage: registry.Version("v1"),
}
