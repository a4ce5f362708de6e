// Package localpath provisions hostPath PersistentVolumes on a node's disk for the default StorageClass.
package localpath
