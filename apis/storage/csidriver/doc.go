// Package csidriver is the registry of storage.k8s.io/v1 CSIDrivers.
package csidriver
