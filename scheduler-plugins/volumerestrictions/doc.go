// Package volumerestrictions is the VolumeRestrictions plugin: a pod may not share a
// ReadWriteOncePod claim with another pod, nor mount a GCE PD, AWS EBS, iSCSI or RBD disk
// another pod on the node mounts in a conflicting way.
package volumerestrictions
