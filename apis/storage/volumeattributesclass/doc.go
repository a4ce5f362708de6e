// Package volumeattributesclass is the registry of storage.k8s.io/v1 VolumeAttributesClasses.
package volumeattributesclass
