// Package limitrange is the registry of core/v1 LimitRanges.
package limitrange
