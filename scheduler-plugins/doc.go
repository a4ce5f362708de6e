// Package schedulerplugins holds skiff's scheduler plugins, one per sub-package, each written
// against k8s.io/kube-scheduler/framework; registry.go lists them for the scheduler runtime.
package schedulerplugins
