// Package volumeattachment is the registry of storage.k8s.io/v1 VolumeAttachments.
package volumeattachment
