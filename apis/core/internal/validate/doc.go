// Package validate holds the field validators the core/v1 registries share (metadata,
// resource names and quantities, IPs, node selectors), with upstream's messages.
package validate
