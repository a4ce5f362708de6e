// Package events serves the events.k8s.io API group.
package events

import (
	eventsv1 "k8s.io/api/events/v1"

	"github.com/skiff-sh/skiff/apis/events/event"
	"github.com/skiff-sh/skiff/apis/registry"
	"github.com/skiff-sh/skiff/apis/scheme"
)

// Group is the events.k8s.io group. Its hub type is corev1.Event, not events/v1 Event: the
// events live in the core events resource.
var Group = registry.Group{
	Name:     eventsv1.GroupName,
	Versions: []string{"v1"},
	Install: func() error {
		if err := scheme.AddGroup(eventsv1.AddToScheme, nil, eventsv1.SchemeGroupVersion); err != nil {
			return err
		}
		return event.AddToScheme(scheme.Scheme)
	},
	NewStorage: registry.Version("v1",
		event.NewStorage,
	),
}
