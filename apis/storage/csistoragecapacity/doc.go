// Package csistoragecapacity is the registry of storage.k8s.io/v1 CSIStorageCapacities.
package csistoragecapacity
