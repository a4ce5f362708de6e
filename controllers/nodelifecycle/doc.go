// Package nodelifecycle marks nodes whose heartbeats stop as Unknown, taints them and evicts their pods.
package nodelifecycle
