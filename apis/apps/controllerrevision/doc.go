// Package controllerrevision is the registry of apps/v1 ControllerRevisions.
package controllerrevision
