// Package volumebinding is the VolumeBinding plugin: a pod's PersistentVolumeClaims must be
// bound to volumes usable from the node, or bindable there (a matching available volume, or
// dynamic provisioning for WaitForFirstConsumer classes), which it starts before binding.
package volumebinding
