// Package imagelocality is the ImageLocality score plugin: nodes that already have the pod's
// images score higher, scaled by how widely each image has spread.
package imagelocality
