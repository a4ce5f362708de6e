// Package prioritysort is the PrioritySort queue-sort plugin: higher priority first, then
// earlier queue timestamp.
package prioritysort
