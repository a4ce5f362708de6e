// Package event is the registry of core/v1 Events.
package event
