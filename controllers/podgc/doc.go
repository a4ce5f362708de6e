// Package podgc deletes pods bound to nodes that no longer exist and terminated pods over the threshold.
package podgc
