// Package configmap is the registry of core/v1 ConfigMaps.
package configmap
