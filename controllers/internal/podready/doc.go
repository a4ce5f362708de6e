// Package podready tells whether a pod is ready and available (ready for minReadySeconds), as
// upstream's pod utilities do, for the workload controllers.
package podready
