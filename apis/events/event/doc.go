// Package event is the registry of events.k8s.io/v1 Events. They are core/v1 Events seen
// through another schema: the group's hub type is corev1.Event, the scheme converts between the
// two, and the store reads and writes the core events resource (/registry/events/<ns>/<name>,
// core/v1 encoding), so an event written through either API is read through both.
package event
