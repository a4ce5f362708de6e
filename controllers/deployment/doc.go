// Package deployment rolls Deployments out through ReplicaSets, as upstream's deployment controller does.
package deployment
