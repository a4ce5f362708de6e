// Package schedulinggates is the SchedulingGates plugin: pods with spec.schedulingGates stay
// out of the active queue until every gate is removed.
package schedulinggates
