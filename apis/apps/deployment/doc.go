// Package deployment is the registry of apps/v1 Deployments and their status and scale subresources.
package deployment
