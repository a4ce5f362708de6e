// Package images builds OCI image-layout archives from files (skiff's sandbox image and test images)
// and imports image archives into the container runtime, so that nothing needs a registry.
package images
