// Package validate holds the field validators the core/v1 registries share (metadata,
// resource names and quantities, IPs, node selector label values), with upstream's messages.
package validate
