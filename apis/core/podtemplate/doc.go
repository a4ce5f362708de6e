// Package podtemplate is the registry of core/v1 PodTemplates.
package podtemplate
