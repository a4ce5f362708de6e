// Package persistentvolume binds PersistentVolumeClaims to PersistentVolumes.
package persistentvolume
