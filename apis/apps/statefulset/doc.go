// Package statefulset is the registry of apps/v1 StatefulSets and their status and scale subresources.
package statefulset
