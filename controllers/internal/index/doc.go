// Package index registers the cache field indexes several controllers share (pods by
// controller owner, by node), once per manager: controller-runtime refuses a second
// registration of the same index.
package index
