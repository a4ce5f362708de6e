// Package storageobjectinuseprotection is the StorageObjectInUseProtection admission plugin:
// new PersistentVolumes, PersistentVolumeClaims and VolumeAttributesClasses get the protection
// finalizer that the controller-manager removes once nothing uses them.
package storageobjectinuseprotection
