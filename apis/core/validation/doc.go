// Package validation holds upstream's validation rules for core/v1 types that other groups
// embed: pod specs and templates, containers, volumes, resource requirements, selectors.
package validation
