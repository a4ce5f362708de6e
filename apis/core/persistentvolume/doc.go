// Package persistentvolume is the registry of core/v1 PersistentVolumes.
package persistentvolume
