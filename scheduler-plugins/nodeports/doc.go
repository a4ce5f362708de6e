// Package nodeports is the NodePorts plugin: a pod fits a node only if the host ports it asks
// for are free there.
package nodeports
