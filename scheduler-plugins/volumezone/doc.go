// Package volumezone is the VolumeZone plugin: a pod's bound volumes labelled with zones or
// regions must match the node's zone and region labels.
package volumezone
