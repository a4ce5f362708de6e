// Package defaultstorageclass is the DefaultStorageClass admission plugin: a new
// PersistentVolumeClaim that names no class gets the default StorageClass.
package defaultstorageclass
