// Package limitranger is the LimitRanger admission plugin: the LimitRanges of a namespace
// default the resources of new pods' containers and bound those of pods and
// PersistentVolumeClaims.
package limitranger
