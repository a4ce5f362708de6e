// Package persistentvolumeclaim is the registry of core/v1 PersistentVolumeClaims. Its spec
// validation is exported for the kinds that embed claim templates.
package persistentvolumeclaim
