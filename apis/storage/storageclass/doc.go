// Package storageclass is the registry of storage.k8s.io/v1 StorageClasses.
package storageclass
