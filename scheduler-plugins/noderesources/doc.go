// Package noderesources holds the NodeResourcesFit plugin (requests against allocatable, scored
// LeastAllocated, MostAllocated or RequestedToCapacityRatio) and the
// NodeResourcesBalancedAllocation score plugin.
package noderesources
